"""中文搜索：汉字二元组索引、词频、参考页降序，以及 Sphinx 9.0 的两处修正。

读者会输入书里出现过的任何词或短语（“遗忘门”“梯度范数”“顺序依赖”），而分词器切出的词未必就是
读者输入的那一串。这里不分词：

1. **索引。** 正文每段连续汉字里每两个相邻的字（二元组）都是索引词（只有一个字的段记这个字），
   拉丁字母词照旧（``LSTM``、``clip_grad_norm_``，英文词干）。一段文字先整段取出再切，所以 ``{term}`` 链接、
   强调等行内标记两侧的字也连成二元组；两个汉字之间的空白（源文件里的软换行）不算间隔。
   查询端（``search.js``）把读者输入的每段汉字拆成同样的二元组，一页含有全部二元组才算命中，
   所以任何长度的、书里出现过的短语都能找到，不依赖词典，也没有要手工维护的词表。
2. **词频。** 每个索引词（二元组与拉丁字母词）在每页正文里出现的次数写进 ``searchindex.js`` 的
   ``booktf``（代码、输出与公式块里的不算；两次以上才记；只看这一页，增量构建与干净构建因此
   相同）：只在正文里提到的页按次数排序，教这个概念的章节排在只顺带一提的章节前面。
3. **参考页。** ``conf.py`` 的 ``book_search_reference_pages``（文档名的通配模式，如
   ``appendix/*``）列出的页（API 参考、勘误、参考文献……）写进 ``bookreference``，排在章节之后；
   术语表的定义另算，紧跟在最好的章节结果后面（见 ``search.js``）。

这些数据由 :class:`BookIndexBuilder`（Sphinx ``IndexBuilder`` 的子类）产生：Sphinx 没有替换
索引器的接口，:func:`setup` 把 ``sphinx.search.IndexBuilder`` 换成它（HTML 构建器在
``prepare_writing`` 里才按名字取这个类）。增量构建时它从旧的 ``searchindex.js`` 读回未重写页面的
词频；旧索引是另一版本文件写的（切法可能变了）时，先让全部页面重写，索引整个重建。Sphinx 改了
内部结构、没有用上这个类时，构建给出警告（``-W`` 下失败），不会悄悄退回分词索引。

此外保留两处对 Sphinx 9.0 的修正：

- **JS 词干器。** Sphinx 9.0.x 为中文生成的 ``_static/language_data.js`` 末尾是
  ``window.Stemmer = ChineseStemmer;``，而文件里只定义了 ``EnglishStemmer``（中文检索
  对拉丁字母部分沿用英文词干器），于是搜索页抛出 ``ReferenceError``，什么也搜不到。
  上游在 9.1.1 里改为由词干器文件名推出类名（sphinx-doc/sphinx#14416），而 9.1 需要
  Python ≥ 3.12。:class:`BookSearchChinese` 直接给出完整的 JS 词干器代码
  （base + english + ``window.Stemmer = EnglishStemmer``）；在已修好的 Sphinx 上它同样正确。
- **增量构建后的索引条目**（上游 sphinx-doc/sphinx#12599，9.0 仍未修）。``IndexBuilder.load``
  从旧的 ``searchindex.js`` 恢复了标题和词表，却没有恢复“索引条目”（术语表的术语、API 的模块与
  函数）；环境又是在写出页面之前存盘的，里面也没有它们。于是增量构建只为重新写出的页面保留索引
  条目。:func:`restore_index_entries` 在写出阶段开始时把它们从旧索引读回环境，增量构建与干净构建的
  ``searchindex.js`` 因此逐字节相同（``tests/test_book_site.py`` 检查这一点）。
  Sphinx 没有公开的接口能往索引里放条目：这里写的是私有属性
  ``env._search_index_index_entries``（``{docname: [(条目, 锚点, "main" 或 "")]}``，
  ``IndexBuilder.feed`` 从它读）。只有这一个函数碰它；属性不存在时什么也不做并给出警告。
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import snowballstemmer
import sphinx.search
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.search import IndexBuilder, SearchLanguage, WordStore
from sphinx.search.zh import SearchChinese
from sphinx.util import logging

logger = logging.getLogger(__name__)

_SEARCH_JS_DIR = Path(sphinx.search.__file__).parent / "minified-js"
_BOOK_SEARCH_JS = Path(__file__).with_name("search.js")
_INDEX_ENTRIES = "_search_index_index_entries"

# 汉字：CJK 统一表意文字、扩展 A 与兼容表意文字（search.js 里的 CJK 与此相同）
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK}]+")
# 拉丁字母词：与 Sphinx 的中文检索相同（search.js 的 splitQuery 也按这个切）
_LATIN_WORD = re.compile(r"[a-zA-Z0-9_]+")
# 点隔开的单个字母（i.i.d.、e.g.）是一个缩写：连成一个词，否则每个字母都短得不进索引
_ABBREVIATION = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z](?:\.[A-Za-z])+\.?(?![A-Za-z0-9_])")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}])\\s+(?=[{CJK}])")
# searchindex.js 里本书加的三项
TF_KEY = "booktf"
REFERENCE_KEY = "bookreference"
VERSION_KEY = "bookindexversion"
# 索引的切法由这个文件决定：它一改，旧索引里未重写页面的索引词就过时了（见 reindex_when_changed）
INDEX_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _english_stemmer_js() -> str:
    base = (_SEARCH_JS_DIR / "base-stemmer.js").read_text(encoding="utf-8")
    english = (_SEARCH_JS_DIR / SearchChinese.js_stemmer_rawcode).read_text(encoding="utf-8")
    return "\n".join((base, english, "window.Stemmer = EnglishStemmer;"))


def is_cjk(word: str) -> bool:
    return bool(word) and _CJK_RUN.fullmatch(word) is not None


def cjk_grams(run: str) -> list[str]:
    """一段连续汉字的索引词：每两个相邻的字；只有一个字的段就是这个字。

    单字查询在浏览器里找含这个字的二元组（以及单独成段的字），所以不必为每个字另记一个索引词。

    >>> cjk_grams("遗忘门")
    ['遗忘', '忘门']
    >>> cjk_grams("乘")
    ['乘']
    """
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def split_text(text: str) -> list[str]:
    """把一段文字切成索引词：汉字的二元组（单独成段的字），拉丁字母词原样（词干在 ``stem`` 里取）。

    全角字母先折成半角（NFKC），两个汉字之间的空白（源文件的软换行）去掉，点隔开的单个字母连成
    一个词（i.i.d. 记作 iid）。

    >>> split_text("门控\\n单元，见 LSTM 的 weight_hh_l0")
    ['门控', '控单', '单元', '见', '的', 'LSTM', 'weight_hh_l0']
    >>> split_text("独立同分布（i.i.d.）")
    ['独立', '立同', '同分', '分布', 'iid']
    """
    text = _SPACE_BETWEEN_CJK.sub("", unicodedata.normalize("NFKC", text))
    text = _ABBREVIATION.sub(lambda m: m.group().replace(".", ""), text)
    words = [gram for run in _CJK_RUN.findall(text) for gram in cjk_grams(run)]
    return words + _LATIN_WORD.findall(text)


class BookSearchChinese(SearchChinese):
    """本书的中文检索：汉字切成二元组（单独成段的字记单字，不用 jieba），拉丁字母词同 Sphinx 的中文检索。

    JS 端：词干器是完整且自洽的英文词干器（``js_stemmer_rawcode`` 置空后 Sphinx 直接使用
    ``js_stemmer_code``，不再拼出不存在的 ``ChineseStemmer``）；查询的切分、检索、排序与摘要
    在 ``search.js`` 里，作为 ``js_splitter_code`` 放进 ``language_data.js``（只有搜索页加载它）。
    """

    js_stemmer_rawcode = ""
    js_stemmer_code = _english_stemmer_js()
    js_splitter_code = _BOOK_SEARCH_JS.read_text(encoding="utf-8")

    def __init__(self, options: dict[str, str]) -> None:
        # 不调用 SearchChinese.__init__：它会把 jieba 的整本词典当用户词典载入，这里用不到
        SearchLanguage.__init__(self, options)
        self.latin_terms: set[str] = set()
        self.stemmer = snowballstemmer.stemmer("english")

    def split(self, input: str) -> list[str]:
        words = split_text(input)
        self.latin_terms.update(word for word in words if not is_cjk(word[0]))
        return words

    def stem(self, word: str) -> str:
        return word if is_cjk(word[:1]) else super().stem(word)

    def word_filter(self, stemmed_word: str) -> bool:
        return is_cjk(stemmed_word[:1]) or len(stemmed_word) > 1


# -- 索引器：整段取文字，记词频与参考页 -------------------------------------------------------


def _skipped(node: nodes.Node) -> bool:
    """Sphinx 的索引跳过的节点：注释、带 no-search 类的元素、非 HTML 的 raw。"""
    if isinstance(node, nodes.comment):
        return True
    if isinstance(node, nodes.Element) and "no-search" in node["classes"]:
        return True
    return isinstance(node, nodes.raw) and "html" not in node.get("format", "").split()


def _block_text(node: nodes.Element) -> str:
    """一个文字块（段落、标题、表格单元……）里全部可检索的文字，行内标记两侧的字连在一起。"""
    parts: list[str] = []

    def visit(child: nodes.Node) -> None:
        if _skipped(child):
            return
        if isinstance(child, nodes.raw):
            parts.append(_raw_html_text(child))
        elif isinstance(child, nodes.Text):
            parts.append(child.astext())
        else:
            for grandchild in child.children:
                visit(grandchild)

    visit(node)
    return "".join(parts)


def _raw_html_text(node: nodes.raw) -> str:
    """与 Sphinx 相同：去掉 raw HTML 里的 style、script 与标签，剩下的文字可检索。"""
    text = re.sub(r"<style.*?</style>", "", node.astext(), flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<script.*?</script>", "", text, flags=re.IGNORECASE | re.DOTALL)
    return re.sub(r"<[^<]+?>", "", text)


def collect_words(doctree: nodes.document, split: Any) -> tuple[WordStore, list[str]]:
    """与 Sphinx 的 ``_feed_visit_nodes`` 收集同样的内容，只是按文字块而不是按文本节点切词。

    文字块是最外层的 ``TextElement``（段落、标题、术语、表格单元、代码块……）；块里的行内元素
    （链接、强调、行内代码、公式）的文字拼在一起再切，所以“的{term}`隐藏状态`是”里的
    “的隐”“态是”也是索引词。标题同 Sphinx：记下标题与 id，标题里的词另记一份。

    另外返回正文（代码、输出与公式块之外）里的词，用来数出现次数：代码注释与打印的输出也能搜到，
    但一页讲没讲这个概念，看正文。
    """
    store = WordStore()
    prose: list[str] = []

    def visit(node: nodes.Node) -> None:
        if _skipped(node):
            return
        words: list[str] = []
        if isinstance(node, nodes.raw):
            words = split(_raw_html_text(node))
        elif isinstance(node, nodes.meta):
            if node.get("name") == "keywords" and node.get("lang") in {None, "zh"}:
                words = [keyword.strip() for keyword in node["content"].split(",")]
        elif isinstance(node, nodes.Text):
            words = split(node.astext())
        elif isinstance(node, nodes.TextElement):
            if isinstance(node, nodes.title):
                title = node.astext()
                is_main_title = not store.titles
                ids = node.parent["ids"]
                store.titles.append((title, None if is_main_title else ids[0] if ids else None))
                store.title_words.extend(split(title))
            words = split(_block_text(node))
        else:
            for child in node.children:
                visit(child)
            return
        store.words.extend(words)
        if not isinstance(node, nodes.FixedTextElement):  # 代码块、doctest、公式块
            prose.extend(words)

    visit(doctree)
    return store, prose


class BookIndexBuilder(IndexBuilder):
    """Sphinx 的索引器，另外按文字块切词、记下每页的词频与参考页（见模块说明）。"""

    def __init__(self, env: Any, lang: str, options: dict[str, str], scoring: str) -> None:
        super().__init__(env, lang, options, scoring)
        self._term_counts: dict[str, dict[str, int]] = {}  # 文档名 -> {索引词: 正文里的次数（≥ 2）}
        self._prose_words: list[str] = []
        patterns = env.config.book_search_reference_pages
        self._reference_patterns: list[str] = list(patterns)

    def _word_collector(self, doctree: nodes.document) -> WordStore:
        store, self._prose_words = collect_words(doctree, self.lang.split)
        return store

    def feed(self, docname: str, filename: Any, title: str, doctree: nodes.document) -> None:
        self._prose_words = []
        super().feed(docname, filename, title, doctree)
        counts: Counter[str] = Counter()
        for word in self._prose_words:
            stemmed = self.lang.stem(word).lower()
            if self.lang.word_filter(stemmed):
                counts[stemmed] += 1
            elif self.lang.word_filter(word):
                counts[word] += 1
        # 单字（只在单独成段时是索引词）不记次数：单字查询不靠次数排序
        self._term_counts[docname] = {word: n for word, n in counts.items() if n > 1 and len(word) > 1}

    def load(self, stream: Any, format: Any) -> None:
        data = stream.read()
        super().load(io.StringIO(data) if isinstance(data, str) else io.BytesIO(data), format)
        frozen = (self.formats[format] if isinstance(format, str) else format).loads(data)
        docnames = frozen["docnames"]
        counts: dict[str, dict[str, int]] = {}
        for word, pairs in frozen.get(TF_KEY, {}).items():
            for doc_index, n in zip(pairs[::2], pairs[1::2], strict=True):
                counts.setdefault(docnames[doc_index], {})[word] = n
        self._term_counts = counts

    def prune(self, docnames: Any) -> None:
        """去掉不再存在（或将要重写）的页；只剩空集合的索引词也去掉（Sphinx 会把它们写成 ``[]``）。"""
        super().prune(docnames)
        for mapping in (self._mapping, self._title_mapping):
            for word in [word for word, docs in mapping.items() if not docs]:
                del mapping[word]
        keep = set(docnames)
        self._term_counts = {doc: counts for doc, counts in self._term_counts.items() if doc in keep}

    def freeze(self) -> dict[str, Any]:
        frozen = super().freeze()
        fn2index = {docname: i for i, docname in enumerate(frozen["docnames"])}
        tf: dict[str, list[int]] = {}
        for docname in sorted(self._term_counts, key=lambda d: fn2index.get(d, -1)):
            if docname in fn2index:
                for word, n in self._term_counts[docname].items():
                    tf.setdefault(word, []).extend((fn2index[docname], n))
        frozen[TF_KEY] = tf
        frozen[VERSION_KEY] = INDEX_VERSION
        frozen[REFERENCE_KEY] = [
            i
            for docname, i in fn2index.items()
            if any(fnmatch.fnmatchcase(docname, pattern) for pattern in self._reference_patterns)
        ]
        return frozen


def _old_index(builder: Any) -> dict[str, Any] | None:
    """上一次构建写出的 ``searchindex.js``（没有或读不出来时为 None）。"""
    index_file = Path(builder.outdir) / getattr(builder, "searchindex_filename", "searchindex.js")
    if not getattr(builder, "search", False) or not index_file.is_file():
        return None
    try:
        frozen = sphinx.search.js_index.loads(index_file.read_text(encoding="utf-8"))
    except ValueError:
        return None  # 旧索引读不出来时 Sphinx 自己会整页重建索引
    return frozen if isinstance(frozen, dict) else None


def reindex_when_changed(app: Sphinx, env: Any) -> list[str]:
    """旧索引是另一版切法（本文件改过）写的：重写全部页面，索引随之整个重建。

    Sphinx 只为重写的页面重新切词；不这样做，增量构建会把旧切法的索引词留给没改过的页面。
    """
    frozen = _old_index(app.builder)
    if frozen is None or frozen.get(VERSION_KEY) == INDEX_VERSION:
        return []
    logger.info("搜索索引的切法变了（book_site/search.py）：重写全部页面以重建索引")
    return sorted(env.found_docs)


def check_indexer(app: Sphinx, pagename: str, *args: Any) -> None:
    """搜索页写出时（索引已写好），确认用的是本书的索引器：否则搜索会退回 Sphinx 的分词索引。"""
    indexer = getattr(app.builder, "indexer", None)
    if pagename == "search" and indexer is not None and not isinstance(indexer, BookIndexBuilder):
        logger.warning(
            "搜索索引不是 book_site.search.BookIndexBuilder 生成的（%s）：Sphinx 可能不再在 "
            "prepare_writing 里按名字取 sphinx.search.IndexBuilder，中文短语会搜不到",
            type(indexer).__name__,
        )


def restore_index_entries(app: Sphinx, builder: Any) -> None:
    """增量构建：把旧 ``searchindex.js`` 里的索引条目放回环境（重新写出的页面随后会覆盖自己的那份）。"""
    frozen = _old_index(builder)
    if frozen is None:
        return
    entries = getattr(app.env, _INDEX_ENTRIES, None)
    if not isinstance(entries, dict):
        logger.warning("Sphinx 的环境里没有 %s：增量构建可能丢失搜索索引条目（见 book_site.search）", _INDEX_ENTRIES)
        return
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
    # 参考页（文档名的通配模式）：搜索结果排在章节之后；改了它，每页都重写（索引跟着重建）
    app.add_config_value("book_search_reference_pages", [], "html", types=frozenset({list, tuple}))
    app.add_search_language(BookSearchChinese)
    sphinx.search.IndexBuilder = BookIndexBuilder  # type: ignore[misc]
    app.connect("env-get-updated", reindex_when_changed)
    app.connect("write-started", restore_index_entries)
    app.connect("html-page-context", check_indexer)
