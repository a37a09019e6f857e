"""逐页检查：网络、控制台、公式、图片、链接与锚点、无障碍（axe-core）、标题与描述。

页面列表来自构建好的网站（``helpers.site_pages``），书里新加的页自动纳入。
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import pytest

from .helpers import Audit, format_list, ids_in_file, is_local, local_target

pytestmark = pytest.mark.browser

# 去掉代码与公式后，正文里仍出现这些就说明有 TeX 没被排版
RAW_TEX = re.compile(
    r"\\[()\[\]]|\$\$|\$[^$\s][^$\n]{0,80}\$"
    r"|\\(?:frac|sum|prod|partial|mathbf|mathrm|hat|tilde|delta|sigma|tanh|left|right|begin|end|cdot|odot|top|in|to|le|ge)\b"
)
BLOCKING_IMPACTS = {"serious", "critical"}


def test_every_response_is_200_and_local(page_audit: Audit) -> None:
    visit = page_audit.visit
    assert visit.status == 200, f"{visit.url} 返回 {visit.status}"
    assert not visit.external_requests, f"{visit.url} 请求了外部主机（已拦下）：{format_list(visit.external_requests)}"
    assert not visit.bad_responses, f"{visit.url} 有非 200 的响应：{format_list(visit.bad_responses)}"
    assert not visit.failed_requests, f"{visit.url} 有失败的请求：{format_list(visit.failed_requests)}"


def test_no_console_or_page_errors(page_audit: Audit) -> None:
    visit = page_audit.visit
    assert not visit.page_errors, f"{visit.url} 抛出了未捕获的异常：{format_list(visit.page_errors)}"
    assert not visit.console_errors, f"{visit.url} 控制台有错误：{format_list(visit.console_errors)}"


def test_every_formula_is_typeset(page_audit: Audit) -> None:
    data, url = page_audit.data, page_audit.visit.url
    math = data["math"]
    if math["total"]:
        assert data["hasMathJax"], f"{url} 有 {math['total']} 个公式，样式表里却没有 MathJax 的样式"
        mathjax = [r for r in page_audit.visit.requests if "mathjax" in r.lower()]
        assert mathjax, f"{url} 没有从本站加载 MathJax"
    assert math["typeset"] == math["total"], f"{url} 有公式没有排版：{format_list(math['untypeset'])}"
    assert not math["errors"], f"{url} 有 TeX 错误：{format_list(math['errors'])}"
    leftovers = sorted({m.group(0) for m in RAW_TEX.finditer(data["text"])})
    assert not leftovers, f"{url} 正文里残留未排版的 TeX：{format_list(leftovers)}"


def test_every_content_image_loaded_with_alt(page_audit: Audit) -> None:
    url = page_audit.visit.url
    broken = [i["src"] for i in page_audit.data["images"] if not (i["complete"] and i["naturalWidth"] > 0)]
    no_alt = [i["src"] for i in page_audit.data["images"] if not i["alt"]]
    assert not broken, f"{url} 有图片没加载出来：{format_list(broken)}"
    assert not no_alt, f"{url} 有图片缺替代文本（alt）：{format_list(no_alt)}"


def test_every_internal_link_and_anchor_resolves(page_audit: Audit) -> None:
    url = page_audit.visit.url
    own_ids = set(page_audit.data["ids"])
    problems = []
    for link in page_audit.data["links"]:
        href, raw = link["href"], link["raw"]
        parts = urlsplit(href)
        if parts.scheme not in {"http", "https"} or not is_local(href):
            continue  # mailto:、javascript: 与外部链接不在这里检查（外部请求另有测试）
        target = local_target(href)
        if not target.is_file():
            problems.append(f"{raw} → 文件不存在：{target}")
            continue
        fragment = unquote(parts.fragment)
        if not fragment or target.suffix != ".html":
            continue
        same_page = urlsplit(url).path == parts.path
        ids = own_ids if same_page else ids_in_file(target)
        if fragment not in ids:
            problems.append(f"{raw} → {target.name} 里没有锚点 #{fragment}")
    assert not problems, f"{url} 有坏链接：{format_list(sorted(set(problems)))}"


def test_no_serious_accessibility_violations(page_audit: Audit) -> None:
    blocking = [v for v in page_audit.axe_violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{page_audit.visit.url} 有严重的无障碍问题（axe-core）：{format_list(blocking)}"


def test_title_and_description(page_audit: Audit, site_page: str) -> None:
    title = page_audit.data["title"].strip()
    assert title, f"{site_page} 没有 <title>"
    assert "循环神经网络" in title, f"{site_page} 的标题没有书名：{title!r}"
    html = local_target(page_audit.visit.url).read_text(encoding="utf-8")
    match = re.search(r'<meta name="description" content="([^"]*)"', html)
    assert match, f"{site_page} 没有 <meta name=description>"
    assert match.group(1).strip(), f"{site_page} 的 description 是空的"
    assert "\\" not in match.group(1), f"{site_page} 的 description 里有 TeX 源码：{match.group(1)!r}"
