"""本书的 Sphinx 扩展：只在文档树与页面上下文上工作（Sphinx 的公开接口），每个钩子一个说明。

网站层面的事（构建时排版公式、合成样式表、脚本延迟、搜索索引、随网站发布的包）不在这里，
而在 Sphinx 写完页面之后的流水线 :mod:`book_site.site` 里；全貌见同目录的 ``README.rst``。

- :mod:`book_site.notebooks`：内核的环境、执行缓存、代码单元出错时的报告。
- :mod:`book_site.downloads`：执行后笔记本的下载，开头带安装本书包的单元。
- :mod:`book_site.pages`：页面描述、搜索的参考页标记。
- :mod:`book_site.latex`：PDF 版（LaTeX 构建器）的全书结构与矢量图。
- :mod:`book_site.typeset`：中文排版（中文之间的软换行、行内公式后的标点不到行首）。
- :mod:`book_site.interface`：界面的中文标签（扩展写死在 JavaScript 里的英文）。
- :mod:`book_site.links`：正文里指向本书仓库与网站文件的角色 ``{repo}``、``{site}``（没有地址时只留文字）。
- :mod:`book_site.citations`：参考文献的标签与正文的“作者, 年份”一致，几个引用之间用分号。
- :mod:`book_site.apidoc`：API 页上数据类的签名写出默认值（``losses=[]``），不写 ``<factory>``。
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    # 在这里导入：流水线 python -m book_site.site 只载入 book_site.site，不载入这些
    from . import apidoc, citations, downloads, interface, latex, links, notebooks, pages, typeset

    notebooks.setup(app)
    downloads.setup(app)
    pages.setup(app)
    latex.setup(app)  # PDF 版：全书结构、矢量图（见 book_site.latex）
    typeset.setup(app)
    interface.setup(app)
    links.setup(app)
    apidoc.setup(app)
    citations.setup()  # 在 sphinxcontrib-bibtex 按名字找样式之前注册
    # env_version：改动了读入阶段的转换（如 typeset）时加一，旧的文档树缓存随之作废、全部重读
    return {"version": "2.0", "env_version": 4, "parallel_read_safe": True, "parallel_write_safe": True}
