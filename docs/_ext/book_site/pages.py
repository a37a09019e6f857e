"""页面描述：每页的 ``<meta name="description">`` 取导言里第一个不含公式的段落（截断），
没有这样的段落的页面用“页面标题：全书描述 ``book_description``”。
"""

from __future__ import annotations

import fnmatch
import html
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

_DESCRIPTION_CHARS = 120


def _first_paragraph(doctree: nodes.document) -> str:
    """页面导言（标题之下、第一个小节之前）里第一个不含公式的段落。"""
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return ""
    for para in top.children:
        # 只看导言的直接段落；含公式的段落不用：描述是纯文本，TeX 源码在搜索结果里不可读
        if isinstance(para, nodes.section):
            break
        if isinstance(para, nodes.paragraph) and not any(para.findall(nodes.math)):
            # 中文之间的软换行已由 book_site.typeset 在文档树上去掉；余下的换行（中西文之间）换成空格
            text = " ".join(para.astext().split())
            if text:
                return text
    return ""


def add_metadata(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """加上参考页的标记与 ``<meta name="description">``（已有 description 的页面不动）。"""
    metatags = context.get("metatags", "")
    if any(fnmatch.fnmatchcase(pagename, pattern) for pattern in app.config.book_search_reference_pages):
        metatags += '\n    <meta name="book-search" content="reference" />'
        context["metatags"] = metatags
    if 'name="description"' in metatags:
        return
    text = _first_paragraph(doctree) if doctree is not None else ""
    if len(text) > _DESCRIPTION_CHARS:
        text = text[: _DESCRIPTION_CHARS - 1] + "…"
    if not text and app.config.book_description:
        title = context.get("title", "")
        plain_title = re.sub(r"<[^>]+>", "", title).strip()
        is_home = pagename == app.config.root_doc
        text = (
            app.config.book_description
            if is_home or not plain_title
            else f"{plain_title}：{app.config.book_description}"
        )
    if text:
        escaped = html.escape(text, quote=True)
        context["metatags"] = f'{metatags}\n    <meta name="description" content="{escaped}" />'


def setup(app: Sphinx) -> None:
    app.add_config_value("book_description", "", "html", types=frozenset({str}))
    app.add_config_value("book_search_reference_pages", [], "html", types=frozenset({list, tuple}))
    app.connect("html-page-context", add_metadata)
