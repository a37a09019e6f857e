"""搜索测试的查询集：全部从构建好的网站里取，书改了，查询集跟着改。

- **术语**：术语表页上每个术语（``<dt>``：中文名、英文名、缩写），来源页是术语表，锚点是术语的 id；
- **标题词**：每页每个标题（``<h1>``–``<h6>``）用 jieba（默认词典，与本书的搜索实现无关）切出的
  每个中文词，来源页是有这个标题的页（同一个词出现在几页的标题里，几页都是来源）；
- **读者查询**：issue 16 里读者试过的查询，来源页是正文里出现它的每一页；
- **正文短语**：从每页正文段落（``<p>``）的连续汉字里按固定种子随机抽取 2–4 个字的短语（由相邻的整词
  组成，jieba 切分，不把一个词切开），来源页是抽取它的页。

读者看到的是渲染后的页面，所以这里读 HTML（``<article class="bd-article">`` 里的正文），
不读 Markdown 源文件：``{term}`` 链接、强调等行内标记在页面上与前后的字连成一片，读者照着抄下来的
短语可能跨过这些标记。公式（``span.math``）、代码与标题后的“#”链接不算正文。
"""

from __future__ import annotations

import gc
import random
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from book_site.site import content_pages

# 汉字（CJK 统一表意文字及扩展 A、兼容表意文字）：与 docs/_ext/book_site/cjk.py 无关，独立定义
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK}]+")
# 读者试过、在旧网站上搜不到或排序不对的查询（issue 16）
READER_QUERIES = [
    "遗忘门",
    "奇异值",
    "输入门",
    "更新门",
    "重置门",
    "输出门",
    "门控单元",
    "顺序依赖",
    "梯度范数",
    "指数衰减",
    "谱半径",
    "隐藏状态",
    # 拉丁字母的术语照旧能找到
    "LSTM",
    "BPTT",
    "clip_grad_norm_",
    "pack_padded_sequence",
]
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}])\\s+(?=[{CJK}])")
PHRASES_PER_PAGE = 12
PHRASE_SEED = 16


@dataclass
class Page:
    docname: str
    title: str
    headings: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    # 术语表页：(术语, 定义的 id)
    terms: list[tuple[str, str]] = field(default_factory=list)
    # 页面标题的“#”链接指向的标签（如 app-api、ch-remedies），用来认出 API 参考与勘误页
    label: str = ""
    text: str = ""

    @property
    def prose(self) -> list[str]:
        """标题与段落，规整成读者看到的样子（汉字之间的软换行不算空白），小写。"""
        return [normalize(text).lower() for text in self.headings + self.paragraphs]


def normalize(text: str) -> str:
    return _SPACE_BETWEEN_CJK.sub("", " ".join(text.split()))


@dataclass
class Query:
    """一个查询：来自哪些页（都必须出现在结果里），从哪里取的。"""

    text: str
    kind: str  # "术语" / "标题词" / "正文短语" / "读者查询"
    pages: set[str] = field(default_factory=set)
    anchor: str = ""  # 术语：定义的 id


def _visible_text(node: object) -> str:
    """节点里读者看得见的正文：去掉标题的“#”链接与脚本，公式换成一个断开短语的记号。"""
    from bs4 import BeautifulSoup, Tag

    assert isinstance(node, Tag)
    clone = BeautifulSoup(str(node), "html.parser")
    for junk in clone.select("a.headerlink, script, style"):
        junk.decompose()
    # 公式不进索引，在它两边断开：“通过 $s_{t-1}$ 的”里没有“过的”这个短语
    for formula in clone.select("span.math, div.math"):
        formula.replace_with(" \u00b6 ")
    return clone.get_text()


@cache
def read_site(site: Path) -> tuple[Page, ...]:
    """读网站里每个书页（:func:`book_site.site.content_pages`）的标题、小标题、正文段落与（术语表页的）术语。"""
    from bs4 import BeautifulSoup

    pages = []
    for rel in content_pages(site):
        path = site / rel
        docname = Path(rel).with_suffix("").as_posix()
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = soup.select_one("article.bd-article")
        if article is None:
            continue
        h1 = article.find("h1")
        page = Page(docname=docname, title=_visible_text(h1).strip() if h1 else "")
        link = h1.select_one("a.headerlink") if h1 else None
        page.label = str(link.get("href", "")).removeprefix("#") if link else ""
        page.headings = [_visible_text(h).strip() for h in article.select("h1, h2, h3, h4, h5, h6")]
        page.paragraphs = [_visible_text(p) for p in article.select("p")]
        page.terms = [(_visible_text(dt).strip(), str(dt.get("id", ""))) for dt in article.select("dl.glossary > dt")]
        page.text = _visible_text(article)
        pages.append(page)
    return tuple(pages)


def glossary_page(pages: Iterable[Page]) -> Page | None:
    return next((p for p in pages if p.terms), None)


def term_queries(pages: Iterable[Page]) -> list[Query]:
    glossary = glossary_page(pages)
    if glossary is None:
        return []
    return [Query(term, "术语", {glossary.docname}, anchor) for term, anchor in glossary.terms]


def _jieba() -> Any:
    """载入并初始化 jieba（只做一次）。

    jieba 0.42.1 初始化时留下一个没关的 ``dict.txt`` 文件对象；它被回收时发出 ``ResourceWarning``，
    在 ``filterwarnings = error`` 之下变成一个“Exception ignored”，算到碰巧正在运行的那个测试头上
    （全新克隆里的 ``nox -s unit`` 因此偶尔报错）。这里在忽略这条警告的范围内初始化并立即回收它。
    """
    import jieba

    jieba.setLogLevel(60)  # 不打印“Building prefix dict”
    if not jieba.dt.initialized:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            jieba.initialize()
            gc.collect()
    return jieba


def heading_word_queries(pages: Iterable[Page]) -> list[Query]:
    jieba = _jieba()
    queries: dict[str, Query] = {}
    for page in pages:
        for heading in page.headings:
            for word in jieba.lcut(heading):
                if CJK_RUN.fullmatch(word):
                    queries.setdefault(word, Query(word, "标题词")).pages.add(page.docname)
    return list(queries.values())


def _phrases(run: str) -> list[str]:
    """一段连续汉字里所有 2–4 个字的短语：由相邻的整词组成（jieba 切分），不把一个词切开。"""
    words = _jieba().lcut(run)
    phrases = []
    for i in range(len(words)):
        for j in range(i + 1, len(words) + 1):
            phrase = "".join(words[i:j])
            if len(phrase) > 4:
                break
            if len(phrase) >= 2:
                phrases.append(phrase)
    return phrases


def prose_phrase_queries(
    pages: Iterable[Page], per_page: int = PHRASES_PER_PAGE, seed: int = PHRASE_SEED
) -> list[Query]:
    """每页按固定种子抽 ``per_page`` 个正文短语（每处出现机会均等）。"""
    _jieba()
    rng = random.Random(seed)
    queries: dict[str, Query] = {}
    for page in pages:
        candidates = [
            phrase for paragraph in page.paragraphs for run in CJK_RUN.findall(paragraph) for phrase in _phrases(run)
        ]
        for phrase in rng.sample(candidates, min(per_page, len(candidates))):
            queries.setdefault(phrase, Query(phrase, "正文短语")).pages.add(page.docname)
    return list(queries.values())


def prose_pages(text: str, pages: Iterable[Page]) -> set[str]:
    """标题或段落里出现这段文字的页（不分大小写；以字母或数字开头、结尾时，那一头须是词的边界：
    “MSE” 不算出现在 “MSELoss” 里）。"""
    needle = re.escape(normalize(text).lower())
    if re.match(r"\w", text, re.ASCII):
        needle = r"(?<![a-z0-9_])" + needle
    if re.search(r"\w$", text, re.ASCII):
        needle += r"(?![a-z0-9_])"
    pattern = re.compile(needle)
    return {page.docname for page in pages if any(pattern.search(block) for block in page.prose)}


def reader_queries(pages: Iterable[Page]) -> list[Query]:
    """issue 16 里读者试过的查询（书里出现的那些），来源页是正文里出现它的每一页。"""
    pages = list(pages)
    return [Query(text, "读者查询", found) for text in READER_QUERIES if (found := prose_pages(text, pages))]


def all_queries(site: Path) -> list[Query]:
    pages = read_site(site)
    return term_queries(pages) + heading_word_queries(pages) + prose_phrase_queries(pages) + reader_queries(pages)
