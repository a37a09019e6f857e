"""中文搜索：search.html 不抛异常，查中文术语能找到定义它的页面。

Sphinx 9.0.x 的中文 ``language_data.js`` 曾写着 ``window.Stemmer = ChineseStemmer``（未定义），
搜索页因此抛出 ``ReferenceError``、什么也搜不到；docs/_ext/book_site.py 修正了它。
这里的测试在它复发时会失败。
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from .conftest import SITE, Visit, format_list, open_page, require_site

pytestmark = pytest.mark.browser

# 网站里随页发布的源文件：判断术语表是否存在、其中有哪些术语，都以被测网站为准
GLOSSARY_DOC = "appendix/02-glossary"
GLOSSARY = SITE / "_sources" / f"{GLOSSARY_DOC}.md"
# 快速上手页里出现的词：页面一直都在
QUICKSTART_TERMS = ["快速上手", "隐藏状态", "时间步"]
# 若术语表存在：这些词都该在术语表里有定义，搜索结果要包含术语表页
GLOSSARY_TERMS = ["循环神经网络", "隐藏状态", "反向传播", "梯度消失", "梯度爆炸", "梯度裁剪", "序列数据", "时间步"]


def run_search(browser: Any, base_url: str, query: str) -> tuple[list[str], Visit]:
    """在 search.html 上查询，返回结果页面（文档名，如 ``quickstart``）与访问记录。"""
    visit = Visit(url=f"{base_url}search.html?q={quote(query)}")
    with open_page(browser, visit) as tab:
        # 搜索结束后 Sphinx 写出结果摘要（找到或没找到都有）
        tab.wait_for_selector("#search-results .search-summary", timeout=10_000)
        tab.wait_for_function(
            "() => !document.querySelector('#search-results .search-summary').textContent.includes('…')"
            " && !document.querySelector('#search-results').classList.contains('searching')",
            timeout=10_000,
        )
        hrefs = tab.eval_on_selector_all("#search-results ul.search li a", "els => els.map(a => a.href)")
    docnames = []
    for href in hrefs:
        path = urlsplit(href).path
        docname = re.sub(r"(/index)?\.html$", "", path.removeprefix(urlsplit(base_url).path))
        if docname not in docnames:
            docnames.append(docname or "index")
    return docnames, visit


def assert_clean(visit: Visit) -> None:
    assert visit.status == 200, f"{visit.url} 返回 {visit.status}"
    assert not visit.page_errors, f"搜索页抛出了异常（language_data.js 的词干器？）：{format_list(visit.page_errors)}"
    assert not visit.console_errors, f"搜索页控制台有错误：{format_list(visit.console_errors)}"
    assert not visit.external_requests, f"搜索页请求了外部主机：{format_list(visit.external_requests)}"
    assert not visit.bad_responses, f"搜索页有非 200 的响应：{format_list(visit.bad_responses)}"


def test_search_page_has_a_working_stemmer(browser: Any, base_url: str) -> None:
    """language_data.js 定义的 Stemmer 存在且能用（中文保持原样，英文按英文词干）。"""
    visit = Visit(url=f"{base_url}search.html")
    with open_page(browser, visit) as tab:
        stems = tab.evaluate(
            "() => { const s = new Stemmer(); return [s.stemWord('networks'), s.stemWord('隐藏状态')]; }"
        )
    assert_clean(visit)
    assert stems == ["network", "隐藏状态"]


def test_language_data_names_a_defined_stemmer() -> None:
    """不开浏览器也能发现的回归：被赋给 window.Stemmer 的类必须在同一文件里定义。"""
    require_site()
    code = (SITE / "_static" / "language_data.js").read_text(encoding="utf-8")
    assigned = re.findall(r"window\.Stemmer\s*=\s*(\w+)", code)
    assert assigned, "language_data.js 没有设置 window.Stemmer"
    for name in assigned:
        assert re.search(rf"\b(?:var|let|const|class|function)\s+{name}\b", code), (
            f"language_data.js 把 window.Stemmer 设为未定义的 {name}"
        )


def _expected_cases() -> list[tuple[str, str]]:
    """(查询词, 必须出现在结果里的文档名)。术语表页存在时，还要求它出现在术语的结果里。"""
    cases = [(term, "quickstart") for term in QUICKSTART_TERMS]
    if GLOSSARY.is_file():
        text = GLOSSARY.read_text(encoding="utf-8")
        cases += [(term, GLOSSARY_DOC) for term in GLOSSARY_TERMS if term in text]
    return cases


@pytest.mark.parametrize(("term", "expected"), _expected_cases())
def test_chinese_term_finds_defining_page(browser: Any, base_url: str, term: str, expected: str) -> None:
    found, visit = run_search(browser, base_url, term)
    assert_clean(visit)
    assert expected in found, f"搜索“{term}”没有找到 {expected}；结果：{found}"


def test_glossary_terms_are_searchable_when_glossary_exists() -> None:
    """术语表存在时，至少有几个核心术语在上面的搜索测试里（否则词表与术语表脱节了）。"""
    require_site()
    if not GLOSSARY.is_file():
        assert not (SITE / f"{GLOSSARY_DOC}.html").exists(), f"网站有术语表页却没有它的源文件 {GLOSSARY}"
        return
    cases = [c for c in _expected_cases() if c[1] != "quickstart"]
    assert len(cases) >= 4, f"术语表里只找到 {[c[0] for c in cases]}，少于 4 个核心术语"
