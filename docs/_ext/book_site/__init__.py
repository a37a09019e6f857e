"""本书网站的 Sphinx 扩展：``docs/conf.py`` 只写设置，行为都在这里，每个钩子一个说明。

- :mod:`book_site.notebooks`：内核的环境、执行缓存、代码单元出错时的报告。
- :mod:`book_site.downloads`：执行后笔记本的下载，开头带安装本书包的单元。
- :mod:`book_site.package`：随网站发布本书包的 wheel 与固定版本的依赖清单。
- :mod:`book_site.search`：中文搜索（汉字二元组索引、词频、参考页降序），JS 词干器修正，增量构建后保留索引条目。
- :mod:`book_site.pages`：页面描述、参考文献条目的 ARIA 角色。
- :mod:`book_site.latex`：PDF 版（LaTeX 构建器）的全书结构与矢量图。
- :mod:`book_site.assets`：读者一侧的速度（构建时排版公式、搜索索引只在搜索页、脚本延迟执行）。
- :mod:`book_site.typeset`：中文排版（中文之间的软换行、行内公式后的标点不到行首）。
- :mod:`book_site.interface`：界面的中文标签（扩展写死在 JavaScript 里的英文）。
- :mod:`book_site.links`：正文里指向本书仓库与网站文件的角色 ``{repo}``、``{site}``（没有地址时只留文字）。
- :mod:`book_site.citations`：参考文献的标签与正文的“作者, 年份”一致，几个引用之间用分号。
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from . import assets, citations, downloads, interface, latex, links, notebooks, package, pages, search, typeset


def setup(app: Sphinx) -> dict[str, Any]:
    notebooks.setup(app)
    downloads.setup(app)
    package.setup(app)
    search.setup(app)
    pages.setup(app)
    latex.setup(app)  # PDF 版：全书结构、矢量图（见 book_site.latex）
    assets.setup(app)
    typeset.setup(app)
    interface.setup(app)
    links.setup(app)
    citations.setup()  # 在 sphinxcontrib-bibtex 按名字找样式之前注册
    # env_version：改动了读入阶段的转换（如 typeset）时加一，旧的文档树缓存随之作废、全部重读
    return {"version": "2.0", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
