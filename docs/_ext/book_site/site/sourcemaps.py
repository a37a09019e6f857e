"""流水线的“源码映射”一步：网站不发布 ``*.map``，脚本与样式表里也不留指向它们的注释。

主题随它压缩过的脚本与样式表带来源码映射（``scripts/*.js.map``、``styles/*.css.map``），只给开发者
工具看，读者的浏览器从不请求它们，却占了网站的一大块（大小见仓库根目录 README）；``fontawesome.js.map``
对应的脚本本书还用一个空文件顶替了（``docs/_static/scripts/fontawesome.js``）。

契约：网站目录里任何位置的 ``*.map`` 都删掉；每个 ``.js``、``.css`` 文件里独占一行的
``//# sourceMappingURL=…`` 与 ``/*# sourceMappingURL=… */`` 注释去掉（映射不发布，留着它开发者工具
只会请求到 404），文件其余部分逐字节不变。没有这种注释的文件不改写（仍是 Sphinx 输出的硬链接）。

排在“页面细节”一步（:mod:`book_site.site.markup`）之前：脚本地址的 ``?v=`` 是去掉注释之后的内容的校验和。
"""

from __future__ import annotations

import re

from . import Site

# 独占一行（行首可有空白）的映射注释；``#`` 是现在的写法，``@`` 是旧的写法
_SOURCE_MAP_COMMENT = re.compile(
    r"^[ \t]*(?://[#@][ \t]*sourceMappingURL=[^\r\n]*|/\*[#@][ \t]*sourceMappingURL=[^*]*\*/[ \t]*)(?:\r?\n|\Z)",
    re.MULTILINE,
)


def strip_source_map_comments(text: str) -> str:
    """去掉 ``text`` 里独占一行的源码映射注释，其余不变。

    >>> strip_source_map_comments("a();\\n//# sourceMappingURL=a.js.map")
    'a();\\n'
    >>> strip_source_map_comments(".a{}\\n/*# sourceMappingURL=a.css.map*/\\n")
    '.a{}\\n'
    >>> strip_source_map_comments('s = "//# sourceMappingURL=x";\\n')
    's = "//# sourceMappingURL=x";\\n'
    """
    return _SOURCE_MAP_COMMENT.sub("", text)


def drop_source_maps(site: Site) -> None:
    """见模块说明。"""
    for path in sorted(site.root.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site.root).as_posix()
        if path.suffix == ".map":
            path.unlink()
        elif path.suffix in (".js", ".css"):
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            if "sourceMappingURL" in text:
                stripped = strip_source_map_comments(text)
                if stripped != text:
                    site.write_bytes(rel, stripped.encode("utf-8", errors="surrogateescape"))
