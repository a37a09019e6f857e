"""本书网站的 Sphinx 扩展：``docs/conf.py`` 只写设置，行为都在这里，每个钩子一个说明。

- :mod:`book_site.notebooks`：内核的环境、执行缓存、代码单元出错时的报告。
- :mod:`book_site.downloads`：执行后笔记本的下载，开头带安装本书包的单元。
- :mod:`book_site.package`：随网站发布本书包的 wheel 与固定版本的依赖清单。
- :mod:`book_site.search`：中文搜索（汉字二元组索引、词频、参考页降序），JS 词干器修正，增量构建后保留索引条目。
- :mod:`book_site.pages`：页面描述、参考文献条目的 ARIA 角色。
- :mod:`book_site.latex`：PDF 版（LaTeX 构建器）的全书结构与矢量图。
- :mod:`book_site.typeset`：中文排版（中文之间的软换行、行内公式后的标点不到行首）。
- :mod:`book_site.interface`：界面的中文标签（扩展写死在 JavaScript 里的英文）。

另有一条与第三方扩展有关的声明（:func:`declare_parallel_safe`）。
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from . import downloads, interface, latex, notebooks, package, pages, search, typeset

# 已核实只在构建结束时复制文件、与读取文档无关，却没有声明 parallel_read_safe 的扩展
_PARALLEL_SAFE_EXTENSIONS = ("sphinx-mathjax-offline",)


def declare_parallel_safe(app: Sphinx) -> None:
    """替上面的扩展声明并行读取安全：未声明时 ``-j`` 会警告（``-W`` 下即失败）并退回串行读取。

    sphinx-mathjax-offline 只在 ``build-finished`` 时把 MathJax 复制进网站。
    """
    for name in _PARALLEL_SAFE_EXTENSIONS:
        if name in app.extensions:
            app.extensions[name].parallel_read_safe = True


def setup(app: Sphinx) -> dict[str, Any]:
    notebooks.setup(app)
    downloads.setup(app)
    package.setup(app)
    search.setup(app)
    pages.setup(app)
    latex.setup(app)  # PDF 版：全书结构、矢量图（见 book_site.latex）
    typeset.setup(app)
    interface.setup(app)
    declare_parallel_safe(app)
    # env_version：改动了读入阶段的转换（如 typeset）时加一，旧的文档树缓存随之作废、全部重读
    return {"version": "2.0", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
