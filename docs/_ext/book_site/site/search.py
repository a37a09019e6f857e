"""流水线的“搜索”一步：由写好的页面生成本书自己的搜索索引，搜索页用本书自己的脚本。

读者会输入书里出现过的任何词或短语（“遗忘门”“梯度范数”“顺序依赖”），而分词器切出的词未必就是
读者输入的那一串。这里不分词：

1. **索引**（``_static/book-search.json``）。正文每段连续汉字里每两个相邻的字（二元组）都是索引词
   （只有一个字的段记这个字），拉丁字母词小写（``lstm``、``clip_grad_norm_``；点隔开的单个字母连成
   一个词，i.i.d. 记作 iid）。文字按块（段落、标题、列表项、表格单元、代码块……）整块取出再切，所以
   链接、强调等行内标记两侧的字也连成二元组；两个汉字之间的空白不算间隔。行内公式的 TeX 照样可搜
   （``tanh``），并把两侧的汉字隔开。每个索引词记下它在各页正文里出现的次数（代码、输出与公式块里的
   只算出现、不计次数）：教这个概念的章节排在只顺带一提的章节前面。
2. **标题、术语与 API。** 每页的标题、小节标题与练习标题（带锚点）；术语表里每个术语（``dl.glossary``
   的 ``dt``，链到定义）；API 参考里每个对象（``dt.sig`` 的 id，如 ``rnn_examples.models.RNNCell``）。
3. **参考页。** 页面带 ``<meta name="book-search" content="reference">`` 的（``conf.py`` 的
   ``book_search_reference_pages``，由 :mod:`book_site.pages` 写上）排在章节之后。
4. **搜索页。** ``search.html`` 不再加载 Sphinx 的 ``searchtools.js``、``language_data.js`` 与
   ``searchindex.js``（这三个文件不进网站），而是加载 ``_static/book-search.js``（同目录的
   ``search.js``，开头写上 :data:`book_site.cjk.HAN` 与 :data:`book_site.cjk.FULLWIDTH`，与这里的
   切法一致）：切分查询、检索、排序、显示结果与摘要都在那里。

索引由写好的页面生成，只看这一次构建的页面：增量构建与干净构建的索引因此相同。
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .. import cjk
from . import NON_CONTENT_PAGES, Site, htmldoc

INDEX_FILE = "_static/book-search.json"
SCRIPT_FILE = "_static/book-search.js"
SPHINX_SEARCH_FILES = ("_static/searchtools.js", "_static/language_data.js", "searchindex.js")
REFERENCE_META = "book-search"
_LATIN_WORD = re.compile(r"[a-zA-Z0-9_]+")
# 点隔开的单个字母（i.i.d.、e.g.）是一个缩写：连成一个词，否则每个字母都短得不进索引
_ABBREVIATION = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z](?:\.[A-Za-z])+\.?(?![A-Za-z0-9_])")
_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "caption", "figcaption", "pre",
     "div", "section", "article", "blockquote", "table", "tr", "ul", "ol", "dl", "figure", "details", "summary"}
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# 不算正文的块：代码、代码单元的输出、独立公式
_NOT_PROSE = ("highlight", "cell_output", "output", "math")


def cjk_grams(run: str) -> list[str]:
    """一段连续汉字的索引词：每两个相邻的字；只有一个字的段就是这个字。

    >>> cjk_grams("遗忘门")
    ['遗忘', '忘门']
    >>> cjk_grams("乘")
    ['乘']
    """
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def split_text(text: str) -> list[str]:
    """把一段文字切成索引词：汉字的二元组（单独成段的字），拉丁字母词小写。

    >>> split_text("门控\\n单元，见 LSTM 的 weight_hh_l0")
    ['门控', '控单', '单元', '见', '的', 'lstm', 'weight_hh_l0']
    >>> split_text("独立同分布（i.i.d.）")
    ['独立', '立同', '同分', '分布', 'iid']
    """
    text = cjk.SPACE_BETWEEN_HAN.sub("", unicodedata.normalize("NFKC", text))
    text = _ABBREVIATION.sub(lambda m: m.group().replace(".", ""), text)
    words = [gram for run in cjk.HAN_RUN.findall(text) for gram in cjk_grams(run)]
    return words + [w.lower() for w in _LATIN_WORD.findall(text) if len(w) > 1]


# -- 读页面 ------------------------------------------------------------------------------------------


@dataclass
class PageText:
    """一页里可检索的东西。"""

    title: str = ""
    prose: list[str] = field(default_factory=list)  # 正文的块
    other: list[str] = field(default_factory=list)  # 代码、输出、独立公式
    titles: list[tuple[str, str | None]] = field(default_factory=list)  # (标题, 锚点；页标题为 None)
    terms: list[tuple[str, str]] = field(default_factory=list)  # 术语表：(术语, 锚点)
    objects: list[str] = field(default_factory=list)  # API 对象的 id
    reference: bool = False


class _Reader(HTMLParser):
    """按块取出正文区（``article.bd-article``，或 ``role="main"`` 的元素）的文字。"""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageText()
        self.stack: list[tuple[str, list[str], str | None]] = []  # (标签, 类, id)
        self.depth_in_main: int | None = None
        self.skip_depth: int | None = None
        self.buffer: list[str] = []
        self.heading: list[str] | None = None
        self.term: list[str] | None = None
        self.term_id = ""

    def _flush(self) -> None:
        text = "".join(self.buffer).strip()
        self.buffer = []
        if not text:
            return
        not_prose = any(tag == "pre" or set(classes) & set(_NOT_PROSE) for tag, classes, _ in self.stack)
        (self.page.other if not_prose else self.page.prose).append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name") == REFERENCE_META and a.get("content") == "reference":
            self.page.reference = True
        if tag in htmldoc.VOID:
            return
        classes = (a.get("class") or "").split()
        self.stack.append((tag, classes, a.get("id")))
        depth = len(self.stack)
        if self.depth_in_main is None:
            if (tag == "article" and "bd-article" in classes) or a.get("role") == "main":
                self.depth_in_main = depth
            return
        if self.skip_depth is None and (
            tag in {"script", "style", "button"} or {"headerlink", "no-search", "onlyprint"} & set(classes)
        ):
            self.skip_depth = depth
        if tag in _BLOCKS or tag == "br":
            self._flush()
        if tag in _HEADINGS or (tag == "p" and "admonition-title" in classes):
            self.heading = []
        if tag == "dt":
            parent_classes = self.stack[-2][1] if len(self.stack) > 1 else []
            if "glossary" in parent_classes and a.get("id"):
                self.term, self.term_id = [], a["id"] or ""
            elif "sig" in classes and a.get("id"):
                self.page.objects.append(a["id"] or "")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            depth = len(self.stack)
            open_tag, classes, _ = self.stack[-1]
            if open_tag in _BLOCKS:
                self._flush()
            if open_tag in _HEADINGS or (open_tag == "p" and "admonition-title" in classes):
                self._end_heading(open_tag)
            if open_tag == "dt" and self.term is not None:
                self.page.terms.append((" ".join("".join(self.term).split()), self.term_id))
                self.term = None
            self.stack.pop()
            if self.skip_depth == depth:
                self.skip_depth = None
            if self.depth_in_main == depth:
                self.depth_in_main = None
            if open_tag == tag:
                return

    def _end_heading(self, tag: str) -> None:
        if self.heading is None:
            return
        title = " ".join("".join(self.heading).split())
        self.heading = None
        if not title:
            return
        anchor: str | None = None
        containers = [(t, c, i) for t, c, i in self.stack[:-1] if t in {"section", "div"} and i]
        if tag == "p":  # 练习与解答的标题：锚点是外面的练习
            owner = self.stack[-2] if len(self.stack) > 1 else None
            if owner is None or owner[2] is None or not {"exercise", "solution"} & set(owner[1]):
                return
            anchor = owner[2]
        elif tag == "h1" and not self.page.titles:
            self.page.title = title
        elif containers:
            anchor = containers[-1][2]
        self.page.titles.append((title, anchor))

    def handle_data(self, data: str) -> None:
        if self.depth_in_main is None or self.skip_depth is not None:
            return
        self.buffer.append(data)
        if self.heading is not None:
            self.heading.append(data)
        if self.term is not None:
            self.term.append(data)


def read_page(text: str) -> PageText:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.page


# -- 索引 ------------------------------------------------------------------------------------------------


def build_index(pages: dict[str, PageText]) -> dict:
    """各页的文字 → 索引（JSON 的结构见 ``search.js`` 开头的说明）。"""
    docnames = sorted(pages)
    terms: dict[str, list[int]] = {}
    titles, entries, objects, reference = [], [], [], []
    for number, docname in enumerate(docnames):
        page = pages[docname]
        prose = Counter(word for block in page.prose for word in split_text(block))
        present = set(prose) | {w for block in page.other for w in split_text(block)}
        present |= {w for title, _ in page.titles for w in split_text(title)}
        for word in sorted(present):
            terms.setdefault(word, []).extend((number, max(prose.get(word, 0), 1)))
        titles += [[title, number, anchor] for title, anchor in page.titles]
        entries += [[term, number, anchor] for term, anchor in page.terms]
        objects += [[name, number] for name in page.objects]
        if page.reference:
            reference.append(number)
    return {
        "docnames": docnames,
        "titles": [pages[d].title or d for d in docnames],
        "reference": reference,
        "terms": dict(sorted(terms.items())),
        "alltitles": titles,
        "glossary": entries,
        "objects": objects,
    }


def script() -> str:
    """搜索页的脚本：``search.js``，开头写上汉字与全角标点的范围（:mod:`book_site.cjk`，与索引的切法一致）。"""
    code = (Path(__file__).with_name("search.js")).read_text(encoding="utf-8")
    return (
        f"const BOOK_CJK = {json.dumps(cjk.HAN, ensure_ascii=True)};\n"
        f"const BOOK_FULLWIDTH = {json.dumps(cjk.FULLWIDTH, ensure_ascii=True)};\n{code}"
    )


def build_search(site: Site) -> None:
    """见模块说明。"""
    pages: dict[str, PageText] = {}
    for rel, text in site.edit_pages():
        if rel not in NON_CONTENT_PAGES:
            pages[rel.removesuffix(".html")] = read_page(text)
    index = json.dumps(build_index(pages), ensure_ascii=False, separators=(",", ":"))
    site.write(INDEX_FILE, index)
    code = script()
    site.write(SCRIPT_FILE, code)
    for name in SPHINX_SEARCH_FILES:
        (site.root / name).unlink(missing_ok=True)
    version = hashlib.sha256((code + index).encode()).hexdigest()[:8]
    for rel, text in site.edit_pages():
        doc = htmldoc.head(text)  # Sphinx 的搜索脚本都在 <head> 里
        edits = [
            htmldoc.remove(e, text)
            for e in doc.find("script")
            if (e.attrs.get("src") or "").split("?", 1)[0].endswith(tuple(Path(n).name for n in SPHINX_SEARCH_FILES))
        ]
        head = doc.first("head")
        if rel == "search.html" and head is not None:
            tag = (
                f'<script defer="defer" src="{SCRIPT_FILE}?v={version}" data-index="{INDEX_FILE}?v={version}"></script>'
            )
            edits.append(htmldoc.Edit(head.close_start, head.close_start, f"  {tag}\n  "))
        if edits:
            site.write(rel, htmldoc.apply(text, edits))
