"""本书网站的小扩展：中文搜索的 JS 词干器修正、已执行笔记本的下载、页面描述。

1. **中文搜索。** Sphinx 9.0.x 为中文生成的 ``_static/language_data.js`` 末尾是
   ``window.Stemmer = ChineseStemmer;``，而文件里只定义了 ``EnglishStemmer``（中文检索
   对拉丁字母部分沿用英文词干器），于是搜索页抛出 ``ReferenceError``，什么也搜不到。
   上游在 9.1.1 里改为由词干器文件名推出类名（sphinx-doc/sphinx#14416），而 9.1 需要
   Python ≥ 3.12。这里注册一个 ``zh`` 搜索语言子类，直接给出完整的 JS 词干器代码
   （base + english + ``window.Stemmer = EnglishStemmer``）；在已修好的 Sphinx 上它同样正确。
   浏览器测试 ``tests/browser/test_search.py`` 会在这个问题复发时失败。

2. **下载已执行的笔记本。** sphinx-book-theme 只有在配置了启动按钮（Binder/Colab）时
   才把 myst-nb 执行后的 ``.ipynb`` 复制到 ``_sources/`` 并显示“.ipynb”下载项。本书
   总是提供它：在主题的处理函数（优先级 501）之前写出文件并设置 ``ipynb_source``。
   myst-nb 命中执行缓存时写出的笔记本不含输出，这里从 jupyter-cache 合并回来。

3. **页面描述。** 每页的 ``<meta name="description">`` 取导言里第一个不含公式的段落（截断），
   没有这样的段落的页面用“页面标题：全书描述 ``book_description``”。

4. **参考文献的 ARIA 角色。** docutils 把文献条目写成 ``role="list"`` 里的
   ``role="doc-biblioentry"``；这个 DPUB-ARIA 角色已被废弃（DPUB-ARIA 1.1 建议改用
   ``listitem``），axe-core 因此报 critical 的 aria-required-children。这里把条目的角色换成
   ``listitem``，列表结构对读屏软件才完整。

5. **增量构建后的搜索索引。** Sphinx 9.0 的 ``IndexBuilder.load`` 从旧的 ``searchindex.js``
   恢复了标题和词表，却没有恢复“索引条目”（术语表的术语、API 的模块与函数）；环境又是在写出
   页面之前存盘的，里面也没有它们。于是增量构建只为重新写出的页面保留索引条目，搜索页的
   “索引条目”结果随之缺失。这里在写出阶段开始时把它们从旧索引读回环境，增量构建与干净构建的
   ``searchindex.js`` 因此逐字节相同（``tests/test_book_site.py`` 检查这一点）。
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import sphinx.search
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.search.zh import SearchChinese
from sphinx.util import logging

logger = logging.getLogger(__name__)

_SEARCH_JS_DIR = Path(sphinx.search.__file__).parent / "minified-js"
_DESCRIPTION_CHARS = 120
_CJK_BREAK = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s*\n\s*(?=[\u3000-\u9fff\uff00-\uffef])")


def _english_stemmer_js() -> str:
    base = (_SEARCH_JS_DIR / "base-stemmer.js").read_text(encoding="utf-8")
    english = (_SEARCH_JS_DIR / SearchChinese.js_stemmer_rawcode).read_text(encoding="utf-8")
    return "\n".join((base, english, "window.Stemmer = EnglishStemmer;"))


class SearchChineseFixedStemmer(SearchChinese):
    """与 :class:`sphinx.search.zh.SearchChinese` 相同，只是 JS 词干器代码是完整且自洽的。

    ``js_stemmer_rawcode`` 置空后，Sphinx 直接使用 ``js_stemmer_code``，不再拼出
    不存在的 ``ChineseStemmer``。
    """

    js_stemmer_rawcode = ""
    js_stemmer_code = _english_stemmer_js()


def _is_notebook(app: Sphinx, pagename: str) -> bool:
    return pagename in app.env.all_docs and "kernelspec" in app.env.metadata.get(pagename, {})


def offer_executed_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """把执行后的笔记本复制到 ``_sources/<page>.ipynb``，让主题显示下载项。"""
    if doctree is None or not _is_notebook(app, pagename):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        logger.warning("找不到 %s 执行后的笔记本 %s，页面上不会有 .ipynb 下载项", pagename, executed, location=pagename)
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.read(executed, as_version=4)
    if not _has_outputs(notebook):
        # myst-nb 1.4 命中执行缓存时，写进 jupyter_execute/ 的是未合并输出的原笔记本；
        # 从同一个 jupyter-cache 里取回输出，下载的才是“执行后的”笔记本。
        notebook = _merge_cached_outputs(app, notebook, pagename)
    # 文本笔记本每次被读入都得到随机的单元 id；按位置编号，两次干净构建给出逐字节相同的下载文件
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def _has_outputs(notebook: Any) -> bool:
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return not code or any(cell.get("outputs") for cell in code)


def _merge_cached_outputs(app: Sphinx, notebook: Any, pagename: str) -> Any:
    from jupyter_cache import get_cache

    cache_path = getattr(app.env, "mystnb_config", None) and app.env.mystnb_config.execution_cache_path
    if not cache_path or not Path(cache_path).is_dir():
        return notebook
    try:
        _, merged = get_cache(cache_path).merge_match_into_notebook(notebook)
    except KeyError:
        logger.warning("执行缓存里没有 %s 的输出，.ipynb 下载将不含输出", pagename, location=pagename)
        return notebook
    return merged


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
            # 换行两侧都是中文时直接相连，否则换成一个空格
            text = " ".join(_CJK_BREAK.sub("", para.astext().strip()).split())
            if text:
                return text
    return ""


def add_description(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """加上 ``<meta name="description">``（已有 description 的页面不动）。"""
    metatags = context.get("metatags", "")
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
        escaped = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
        context["metatags"] = f'{metatags}\n    <meta name="description" content="{escaped}" />'


def fix_bibliography_roles(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def restore_index_entries(app: Sphinx, builder: Any) -> None:
    """增量构建：把旧 ``searchindex.js`` 里的索引条目放回环境（重新写出的页面随后会覆盖自己的那份）。"""
    index_file = Path(builder.outdir) / getattr(builder, "searchindex_filename", "searchindex.js")
    if not getattr(builder, "search", False) or not index_file.is_file():
        return
    try:
        frozen = sphinx.search.js_index.loads(index_file.read_text(encoding="utf-8"))
    except ValueError:
        return  # 旧索引读不出来时 Sphinx 自己会整页重建索引
    docnames = frozen.get("docnames", [])
    restored: dict[str, list[tuple[str, str, str]]] = {}
    for entry, places in frozen.get("indexentries", {}).items():
        for doc_index, target_id, is_main in places:
            restored.setdefault(docnames[doc_index], []).append((entry, target_id, "main" if is_main else ""))
    entries = app.env._search_index_index_entries
    # 按文档名排序放入：与干净构建按排序顺序写出页面时的字典顺序相同
    for docname in sorted(restored):
        if docname in app.env.all_docs and docname not in entries:
            entries[docname] = sorted(restored[docname])


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("book_description", "", "html", types=frozenset({str}))
    app.add_search_language(SearchChineseFixedStemmer)
    # 必须早于 sphinx-book-theme 的 add_header_buttons（priority=501）
    app.connect("html-page-context", offer_executed_notebook, priority=490)
    app.connect("html-page-context", add_description)
    app.connect("html-page-context", fix_bibliography_roles)
    app.connect("write-started", restore_index_entries)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
