"""书的文字：构建出的网站上没有编辑残留，正文用到的术语都在术语表里。

- 构建好的 HTML（``docs/_build/html``，或环境变量 ``RNN_BOOK_HTML`` 指向的目录）里，
  每一段文字都没有“练习 练习”（对练习的引用本身已经带着“练习”二字），没有原样漏给读者的
  公式标签“(eq-”，并且只有前言与勘误两页提到“原始笔记”：章节只讲正确的内容，与原始笔记的
  对照只放在勘误里。这三个测试标记为 ``site``（``nox -s unit`` 不运行它们）；
  网站没有构建时，它们失败并说明怎样构建。
- 源文件 ``docs/**/*.md`` 中每个 ``{term}`` 的目标都是术语表 ``docs/appendix/02-glossary.md``
  里的一个术语（不需要构建网站）。
"""

from __future__ import annotations

import os
import re
from collections.abc import Set
from html.parser import HTMLParser
from pathlib import Path

import pytest

from book_site import site as site_pipeline

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SITE = Path(os.environ.get("RNN_BOOK_HTML", DOCS / "_build" / "html")).resolve()
GLOSSARY = DOCS / "appendix" / "02-glossary.md"
# 只有这两页可以提到原始笔记：前言交代本书的来历，勘误逐条对照
NOTES_PAGES = {"preface.html", "appendix/01-errata.html"}

# 块级元素：文字按它们分段，一段之内的空白合并成一个空格
BLOCK_TAGS = {
    "p", "li", "dt", "dd", "td", "th", "pre", "figcaption", "caption", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article", "table", "tr", "br",
}  # fmt: skip


class _Blocks(HTMLParser):
    """把 ``<body>`` 里看得见的文字切成段（跳过 script、style 与 head）。"""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip = 0
        self._in_body = False

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._current)).strip()
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._in_body = True
        elif tag in {"script", "style", "template"}:
            self._skip += 1
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"} and self._skip:
            self._skip -= 1
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_body and not self._skip:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def site_pages() -> list[str]:
    """网站里全部 HTML 页的相对路径（排序，:func:`book_site.site.site_pages`）；网站没有构建时为空。"""
    if not (SITE / "index.html").is_file():
        return []
    return site_pipeline.site_pages(SITE)


def page_blocks(page: str) -> list[str]:
    parser = _Blocks()
    parser.feed((SITE / page).read_text(encoding="utf-8"))
    parser.close()
    return parser.blocks


@pytest.fixture(scope="module")
def pages() -> dict[str, list[str]]:
    """每一页看得见的文字（按段）。网站没有构建时失败，并说明怎样构建。"""
    names = site_pages()
    if not names:
        pytest.fail(
            f"找不到构建好的网站 {SITE}（缺 index.html）。先运行 `nox -s docs`，"
            "或用环境变量 RNN_BOOK_HTML 指向 sphinx-build 的 HTML 输出目录。",
            pytrace=False,
        )
    return {name: page_blocks(name) for name in names}


def offending(pages: dict[str, list[str]], pattern: str, allowed: Set[str] = frozenset()) -> list[str]:
    """含有 ``pattern``（正则）的段落，写成“页面：……上下文……”。"""
    found = []
    for name, blocks in pages.items():
        if name in allowed:
            continue
        for block in blocks:
            for match in re.finditer(pattern, block):
                start, end = max(match.start() - 30, 0), match.end() + 30
                found.append(f"{name}：…{block[start:end]}…")
    return found


@pytest.mark.site
def test_no_doubled_exercise_word(pages: dict[str, list[str]]) -> None:
    """``{numref}`` 引用练习时已经渲染成“练习 N”，前面不能再写“练习”。"""
    found = offending(pages, r"练习\s*练习")
    assert not found, "“练习 练习”：把“练习 {numref}`…`”改成“{numref}`…`”\n" + "\n".join(found)


@pytest.mark.site
def test_no_raw_equation_labels(pages: dict[str, list[str]]) -> None:
    """读者看到的是公式编号“式 (N)”，不是标签“(eq-…)”：正文、代码注释与打印的输出都一样。"""
    found = offending(pages, r"\(eq-")
    assert not found, "原样漏给读者的公式标签（改写成页面上显示的编号）：\n" + "\n".join(found)


@pytest.mark.site
def test_no_factory_sentinel_in_signatures(pages: dict[str, list[str]]) -> None:
    """数据类的签名写出默认值（``losses=[]``），不是 ``inspect`` 的哨兵 ``<factory>``（book_site.apidoc）。"""
    found = offending(pages, r"=<factory>")
    assert not found, "签名里的 <factory>：\n" + "\n".join(found)


@pytest.mark.site
def test_source_notes_only_in_preface_and_errata(pages: dict[str, list[str]]) -> None:
    """章节只讲正确的内容；与原始笔记的对照只在前言与勘误里。"""
    assert set(pages) >= NOTES_PAGES, f"网站缺少 {sorted(NOTES_PAGES - set(pages))}"
    found = offending(pages, "原始笔记", allowed=NOTES_PAGES)
    assert not found, "“原始笔记”只能出现在前言与勘误里，这些页面也提到了它：\n" + "\n".join(found)


# -- {term} 的目标都在术语表里 -------------------------------------------------

TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")


def glossary_terms(text: str) -> set[str]:
    """术语表里 ``{glossary}`` 块中的术语（顶格的行；释义缩进）。Sphinx 不区分大小写。"""
    terms: set[str] = set()
    inside = False
    for line in text.splitlines():
        if line.startswith("```{glossary}"):
            inside = True
        elif inside and line.startswith("```"):
            inside = False
        elif inside and line.strip() and not line[0].isspace():
            terms.add(line.strip().lower())
    return terms


def term_target(content: str) -> str:
    """``{term}`显示文字 <目标>``` 的目标；没有尖括号时就是显示文字本身。"""
    match = re.fullmatch(r"(?s).*<([^<>]+)>\s*", content)
    return (match.group(1) if match else content).strip()


def book_sources() -> list[Path]:
    return sorted(path for path in DOCS.rglob("*.md") if "_build" not in path.relative_to(DOCS).parts)


def test_glossary_parser_reads_terms_and_skips_definitions() -> None:
    text = "```{glossary}\n隐藏状态\nhidden state\n  释义，提到 RNN。\n\n梯度裁剪\n  释义。\n```\n正文\n"
    assert glossary_terms(text) == {"隐藏状态", "hidden state", "梯度裁剪"}
    assert term_target("隐藏状态") == "隐藏状态"
    assert term_target("状态 <隐藏状态>") == "隐藏状态"


def test_every_term_target_is_in_the_glossary() -> None:
    terms = glossary_terms(GLOSSARY.read_text(encoding="utf-8"))
    assert len(terms) > 50, f"术语表 {GLOSSARY} 里只读到 {len(terms)} 个术语"
    missing = []
    used = 0
    for path in book_sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for content in TERM_ROLE.findall(line):
                used += 1
                if term_target(content).lower() not in terms:
                    missing.append(f"{path.relative_to(ROOT)}:{number}: {{term}}`{content}`")
    assert used > 0, "docs/**/*.md 里一个 {term} 也没找到"
    assert not missing, "这些 {term} 的目标不在术语表里（加进术语表，或改用已有的术语）：\n" + "\n".join(missing)
