"""中文搜索（docs/_ext/book_site/site/search.py 与 search.js）：在构建好的网站上检查召回与排序。

- 搜索页只用本书自己的脚本与索引：不加载 Sphinx 的 ``searchtools.js``、``language_data.js``、
  ``searchindex.js``（网站里没有这三个文件），也不抛异常；
- 召回：查询集全部从书里取（search_queries.py：每个术语、每个标题词、按种子抽取的正文短语、
  issue 16 里读者试过的查询），每个查询都找到来源页，正文里出现它的每一页都在结果里；
  两个术语连着打也能找到；
- 排序：标题含术语的页排在前三；没有标题含它时，正文提到它明显最多的章节排第一；
  API 参考与勘误不排在章节前面；查术语有一条结果直接链到它的定义；
- 结果页：真的在搜索框里查，顺序与检索相同，摘要里标亮了整个查询词。

全部查询在一个搜索页里跑（调用搜索框用的同一个 ``BookSearch.query``，只是不渲染），几秒钟跑完几百个查询。
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from .helpers import SITE, Visit, format_list, open_page, require_site
from .search_queries import (
    CJK_RUN,
    Page,
    Query,
    all_queries,
    glossary_page,
    normalize,
    prose_pages,
    read_site,
)

pytestmark = pytest.mark.browser


def assert_clean(visit: Visit) -> None:
    assert visit.status == 200, f"{visit.url} 返回 {visit.status}"
    assert not visit.page_errors, f"搜索页抛出了异常（language_data.js 的词干器？）：{format_list(visit.page_errors)}"
    assert not visit.console_errors, f"搜索页控制台有错误：{format_list(visit.console_errors)}"
    assert not visit.external_requests, f"搜索页请求了外部主机：{format_list(visit.external_requests)}"
    assert not visit.bad_responses, f"搜索页有非 200 的响应：{format_list(visit.bad_responses)}"


def test_search_page_loads_only_the_book_search(new_context: Any, base_url: str) -> None:
    """搜索页载入本书的索引，不请求 Sphinx 的搜索脚本；网站里也没有那三个文件。"""
    visit = Visit(url=f"{base_url}search.html")
    with open_page(new_context, visit) as tab:
        tab.evaluate("() => BookSearch.ready")
        terms = tab.evaluate("() => Object.keys(BookSearch.index.terms).length")
    assert_clean(visit)
    assert terms > 1000, f"索引里只有 {terms} 个索引词"
    sphinx_files = [u for u in visit.requests if u.split("?")[0].endswith(SPHINX_SEARCH_FILES)]
    assert not sphinx_files, f"搜索页请求了 Sphinx 的搜索脚本：{format_list(sphinx_files)}"
    left = [
        name
        for name in ("searchindex.js", "_static/searchtools.js", "_static/language_data.js")
        if (SITE / name).exists()
    ]
    assert not left, f"网站里还有 Sphinx 的搜索文件：{left}"


# -- 召回与排序：查询集全部从书里取（见 search_queries.py） ----------------------------------------

# 在搜索页里跑一个查询，与搜索框走同一条路（BookSearch.query：解析查询、检索排序），只是不渲染结果。
# 结果按名次排列，每个是 [文档名, 锚点, 种类, 标题]。
_RUN_QUERIES_JS = """
async (queries) => {
    await BookSearch.ready;
    const out = {};
    for (const q of queries) out[q] = BookSearch.query(q).map(r => [r[0], r[1], r[2]]);
    return out;
}
"""
SPHINX_SEARCH_FILES = ("searchindex.js", "searchtools.js", "language_data.js")


@dataclass
class Ranked:
    """一个查询的结果：(文档名, 锚点, 种类) 按名次排列。"""

    hits: list[tuple[str, str, str]]

    @property
    def docnames(self) -> list[str]:
        """按名次排列、去掉重复的文档名（同一页的标题命中与正文命中只算一次）。"""
        return list(dict.fromkeys(doc for doc, _, _ in self.hits))


@pytest.fixture(scope="session")
def search_pages() -> tuple[Page, ...]:
    return read_site(require_site())


@pytest.fixture(scope="session")
def queries() -> list[Query]:
    return all_queries(require_site())


@pytest.fixture(scope="session")
def ranked(browser: Any, base_url: str, queries: list[Query]) -> dict[str, Ranked]:
    """在一个搜索页里跑完全部查询（每个查询开一个页面要几分钟）。"""
    visit = Visit(url=f"{base_url}search.html")
    with open_page(browser, visit) as tab:
        raw = tab.evaluate(_RUN_QUERIES_JS, sorted({q.text for q in queries}))
    assert_clean(visit)
    return {q: Ranked([tuple(hit) for hit in hits]) for q, hits in raw.items()}


def _describe(failures: list[str], total: int, what: str) -> str:
    shown = "\n  ".join(failures[:60]) + ("\n  ……" if len(failures) > 60 else "")
    return f"{len(failures)}/{total} 个{what}失败（通过 {total - len(failures)}/{total}）：\n  {shown}"


KINDS = {"术语": "terms", "标题词": "heading-words", "正文短语": "prose-phrases", "读者查询": "reader-queries"}


@pytest.mark.parametrize("kind", list(KINDS), ids=list(KINDS.values()))
def test_recall(queries: list[Query], ranked: dict[str, Ranked], kind: str) -> None:
    """每个查询都有结果，并且它的来源页在结果里。"""
    chosen = [q for q in queries if q.kind == kind]
    assert chosen, f"查询集里没有{kind}（网站缺术语表或正文？）"
    failures = []
    for query in chosen:
        found = ranked[query.text].docnames
        missing = sorted(query.pages - set(found))
        if missing:
            failures.append(f"“{query.text}” 缺 {missing}，结果 {found[:6]}")
    assert not failures, _describe(failures, len(chosen), kind if kind.endswith("查询") else f"{kind}查询")


def test_every_page_with_the_text_is_found(
    queries: list[Query], ranked: dict[str, Ranked], search_pages: tuple[Page, ...]
) -> None:
    """不只是来源页：标题或段落里出现查询文字的每一页都在结果里。"""
    failures = []
    for query in queries:
        found = set(ranked[query.text].docnames)
        if missing := sorted(prose_pages(query.text, search_pages) - found):
            failures.append(f"“{query.text}”（{query.kind}）缺 {missing}")
    assert not failures, _describe(failures, len(queries), "查询")


def _joined_term_queries(queries: list[Query], pages: tuple[Page, ...], limit: int = 40) -> list[tuple[str, set[str]]]:
    """两个中文术语连着打（中间不加空格），而书里没有连起来的这一串：(查询, 两个术语都出现的页)。

    只取两个术语之间的二元组（前一个的末字 + 后一个的首字）在书里哪儿都没有的组合：正文里没有，
    页面的全部文字里也没有（首页目录里相邻的两个章名，如“……循环神经网络”“序列数据”，在索引里连成了“络序”）。
    """
    prose = [block for page in pages for block in page.prose] + [normalize(page.text).lower() for page in pages]
    terms = sorted({q.text for q in queries if q.kind == "术语" and CJK_RUN.fullmatch(q.text)})
    pairs = []
    for first in terms:
        for second in terms:
            joint = first[-1] + second[0]
            if first == second or any(joint in block for block in prose):
                continue
            both = prose_pages(first, pages) & prose_pages(second, pages)
            if both:
                pairs.append((first + second, both))
    return pairs[:: max(1, len(pairs) // limit)][:limit]


def test_terms_typed_together_are_found_separately(
    new_context: Any, base_url: str, queries: list[Query], search_pages: tuple[Page, ...]
) -> None:
    """读者把两个词连着打（“梯度消失原因”）：按书里没有的二元组拆开，含有两个词的页都找到。"""
    cases = _joined_term_queries(queries, search_pages)
    assert len(cases) >= 10, f"只造出 {len(cases)} 个连打的查询：术语表太小？"
    visit = Visit(url=f"{base_url}search.html")
    with open_page(new_context, visit) as tab:
        raw = tab.evaluate(_RUN_QUERIES_JS, [text for text, _ in cases])
    assert_clean(visit)
    failures = []
    for text, expected in cases:
        found = Ranked([tuple(hit) for hit in raw[text]]).docnames
        if missing := sorted(expected - set(found)):
            failures.append(f"“{text}” 缺 {missing}，结果 {found[:6]}")
    assert not failures, _describe(failures, len(cases), "连打的查询")


UI_QUERIES = {"隐藏状态": "hidden-state", "遗忘门": "forget-gate", "LSTM": "LSTM", "clip_grad_norm_": "clip_grad_norm_"}


@pytest.mark.parametrize("query", list(UI_QUERIES), ids=list(UI_QUERIES.values()))
def test_results_show_highlighted_snippets_in_ranked_order(
    new_context: Any, base_url: str, ranked: dict[str, Ranked], query: str
) -> None:
    """真的在搜索框里查：结果的顺序与上面的检索相同，前几条的摘要里标亮了整个查询词。"""
    expected = [doc + ".html" + anchor for doc, anchor, _ in ranked[query].hits]
    assert expected, f"“{query}”没有结果"
    shown_first = min(3, len(expected))
    visit = Visit(url=f"{base_url}search.html?q={quote(query)}")
    with open_page(new_context, visit) as tab:
        # 结果逐条显示完后 Sphinx 才写出“搜索完成……”；摘要是各自取页面后补上的
        tab.wait_for_function(
            """n => {
                const summary = document.querySelector('#search-results .search-summary');
                const items = [...document.querySelectorAll('#search-results ul.search li')];
                return summary && summary.textContent.trim() !== ''
                    && items.length >= n && items.slice(0, n).every(li => li.querySelector('p.context'));
            }""",
            arg=shown_first,
            timeout=20_000,
        )
        items = tab.eval_on_selector_all(
            "#search-results ul.search li",
            """els => els.map(li => ({
                href: li.querySelector('a').getAttribute('href'),
                marked: [...li.querySelectorAll('p.context span.highlighted')].map(s => s.textContent),
            }))""",
        )
    assert_clean(visit)
    shown = [item["href"] for item in items]
    assert shown == expected, f"页面上的顺序与检索结果不同：\n 页面 {shown}\n 检索 {expected}"
    for item in items[:shown_first]:
        assert query.lower() in [m.lower() for m in item["marked"]], (
            f"{item['href']} 的摘要没有标亮“{query}”：{item['marked']}"
        )


def test_glossary_hit_links_to_definition(queries: list[Query], ranked: dict[str, Ranked]) -> None:
    """查术语，结果里有一条直接链到术语表里它的定义（#term-…）。"""
    terms = [q for q in queries if q.kind == "术语"]
    failures = []
    for query in terms:
        (glossary,) = query.pages
        if not any(doc == glossary and anchor == f"#{query.anchor}" for doc, anchor, _ in ranked[query.text].hits):
            failures.append(f"“{query.text}” 没有链到 {glossary}#{query.anchor}")
    assert not failures, _describe(failures, len(terms), "术语")


def _heading_pages(term: str, pages: tuple[Page, ...]) -> set[str]:
    """标题里含有这个术语的页（术语表自己除外）。"""
    glossary = glossary_page(pages)
    return {
        p.docname for p in pages if p is not glossary and any(term.lower() in heading.lower() for heading in p.headings)
    }


def test_heading_page_ranks_in_top_three(
    queries: list[Query], ranked: dict[str, Ranked], search_pages: tuple[Page, ...]
) -> None:
    """术语出现在某页的标题里：那一页排在前三。"""
    checked, failures = 0, []
    for query in queries:
        if query.kind != "术语" or not (pages := _heading_pages(query.text, search_pages)):
            continue
        checked += 1
        top = ranked[query.text].docnames[:3]
        if not pages & set(top):
            failures.append(f"“{query.text}” 的标题页 {sorted(pages)} 不在前三 {top}")
    assert checked, "没有一个术语出现在标题里：查询集有问题"
    assert not failures, _describe(failures, checked, "有标题页的术语")


def test_page_that_discusses_a_term_most_ranks_first(
    queries: list[Query], ranked: dict[str, Ranked], search_pages: tuple[Page, ...]
) -> None:
    """没有标题含这个术语时，排第一的是正文里提到它最多的章节（只看明显最多的：至少是第二名的两倍）。"""
    teaching = [p for p in search_pages if not p.label.startswith("app-")]
    texts = dict.fromkeys(q.text for q in queries if q.kind in {"术语", "读者查询"})
    checked, failures = 0, []
    for text in texts:
        if _heading_pages(text, search_pages):
            continue
        needle = normalize(text).lower()
        counts = sorted(((sum(block.count(needle) for block in p.prose), p.docname) for p in teaching), reverse=True)
        if len(counts) < 2 or counts[0][0] < 2 or counts[0][0] < 2 * counts[1][0]:
            continue
        checked += 1
        first = ranked[text].docnames[:1]
        if first != [counts[0][1]]:
            failures.append(f"“{text}” 排第一的是 {first}，正文提到最多的是 {counts[:3]}")
    assert checked >= 5, f"只有 {checked} 个术语有明显提到最多的章节：查询集有问题"
    assert not failures, _describe(failures, checked, "有明显提到最多的章节的术语")


def test_reference_pages_never_rank_first_for_taught_terms(
    queries: list[Query], ranked: dict[str, Ranked], search_pages: tuple[Page, ...]
) -> None:
    """章节里讲到的术语（与读者查询），API 参考与勘误不排第一。"""
    reference = {p.docname for p in search_pages if p.label in {"app-api", "app-errata"}}
    chapters = [p for p in search_pages if p.label.startswith("ch-")]
    assert len(reference) == 2, f"认不出 API 参考与勘误页：{reference}"
    assert chapters, "认不出章节页（页标题的标签以 ch- 开头）"
    checked, failures = 0, []
    for query in queries:
        if query.kind not in {"术语", "读者查询"} or not any(query.text.lower() in p.text.lower() for p in chapters):
            continue
        checked += 1
        found = ranked[query.text].docnames
        if found and found[0] in reference:
            failures.append(f"“{query.text}” 排第一的是 {found[0]}：{found[:4]}")
    assert not failures, _describe(failures, checked, "章节讲到的术语")
