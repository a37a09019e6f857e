"""中文搜索：修正 Sphinx 9.0 中文搜索页的 JS 词干器，并让增量构建保留索引条目。

1. **JS 词干器。** Sphinx 9.0.x 为中文生成的 ``_static/language_data.js`` 末尾是
   ``window.Stemmer = ChineseStemmer;``，而文件里只定义了 ``EnglishStemmer``（中文检索
   对拉丁字母部分沿用英文词干器），于是搜索页抛出 ``ReferenceError``，什么也搜不到。
   上游在 9.1.1 里改为由词干器文件名推出类名（sphinx-doc/sphinx#14416），而 9.1 需要
   Python ≥ 3.12。这里注册一个 ``zh`` 搜索语言子类，直接给出完整的 JS 词干器代码
   （base + english + ``window.Stemmer = EnglishStemmer``）；在已修好的 Sphinx 上它同样正确。
   浏览器测试 ``tests/browser/test_search.py`` 会在这个问题复发时失败。

2. **增量构建后的索引条目**（上游 sphinx-doc/sphinx#12599，9.0 仍未修）。``IndexBuilder.load``
   从旧的 ``searchindex.js`` 恢复了标题和词表，却没有恢复“索引条目”（术语表的术语、API 的模块与
   函数）；环境又是在写出页面之前存盘的，里面也没有它们。于是增量构建只为重新写出的页面保留索引
   条目。:func:`restore_index_entries` 在写出阶段开始时把它们从旧索引读回环境，增量构建与干净构建的
   ``searchindex.js`` 因此逐字节相同（``tests/test_book_site.py`` 检查这一点）。

   Sphinx 没有公开的接口能往索引里放条目：这里写的是私有属性
   ``env._search_index_index_entries``（``{docname: [(条目, 锚点, "main" 或 "")]}``，
   ``IndexBuilder.feed`` 从它读）。只有这一个函数碰它；属性不存在时什么也不做并给出警告，
   这样 Sphinx 改了内部结构时构建会因 ``-W`` 失败，而不是悄悄丢掉条目。
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sphinx.search
from sphinx.application import Sphinx
from sphinx.search.zh import SearchChinese
from sphinx.util import logging

logger = logging.getLogger(__name__)

_SEARCH_JS_DIR = Path(sphinx.search.__file__).parent / "minified-js"
_INDEX_ENTRIES = "_search_index_index_entries"


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


def restore_index_entries(app: Sphinx, builder: Any) -> None:
    """增量构建：把旧 ``searchindex.js`` 里的索引条目放回环境（重新写出的页面随后会覆盖自己的那份）。"""
    index_file = Path(builder.outdir) / getattr(builder, "searchindex_filename", "searchindex.js")
    if not getattr(builder, "search", False) or not index_file.is_file():
        return
    entries = getattr(app.env, _INDEX_ENTRIES, None)
    if not isinstance(entries, dict):
        logger.warning("Sphinx 的环境里没有 %s：增量构建可能丢失搜索索引条目（见 book_site.search）", _INDEX_ENTRIES)
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
    # 按文档名排序放入：与干净构建按排序顺序写出页面时的字典顺序相同
    for docname in sorted(restored):
        if docname in app.env.all_docs and docname not in entries:
            entries[docname] = sorted(restored[docname])


def setup(app: Sphinx) -> None:
    app.add_search_language(SearchChineseFixedStemmer)
    app.connect("write-started", restore_index_entries)
