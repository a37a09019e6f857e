"""全站层面的检查：上一页/下一页、下载、404、图标、仓库按钮、复制按钮、暗色模式与截图。"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from .helpers import (
    SCREENSHOTS,
    SITE,
    Visit,
    audit_page,
    format_list,
    local_target,
    open_page,
    require_site,
    site_pages,
    wait_for_math,
)

pytestmark = pytest.mark.browser


def _page_of(url: str, base_url: str) -> str:
    return urlsplit(url).path.removeprefix(urlsplit(base_url).path) or "index.html"


def test_prev_next_flow_covers_the_toctree(new_context: Any, base_url: str) -> None:
    """从首页一路点“下一页”能走遍侧栏目录里的每一页，且“上一页”正好倒着走回来。"""
    require_site()
    visit = Visit(url=base_url + "index.html")
    with open_page(new_context, visit) as tab:
        nav = tab.eval_on_selector_all(".bd-sidebar-primary nav a.reference.internal", "els => els.map(a => a.href)")
        toc_pages = {_page_of(h.split("#")[0], base_url) for h in nav}

        def follow(link: str) -> list[str]:
            """从当前页一路点 ``link``，返回经过的页（含起点）；绕回走过的页即失败。"""
            pages = [_page_of(tab.url, base_url)]
            while (anchor := tab.query_selector(link)) is not None:
                tab.goto(anchor.evaluate("a => a.href"))
                pages.append(_page_of(tab.url, base_url))
                assert pages.count(pages[-1]) == 1, f"{link} 绕回了 {pages[-1]}：{pages}"
            return pages

        chain = follow("a.right-next")
        back = follow("a.left-prev")
    missing = sorted(toc_pages - set(chain))
    assert not missing, f"这些目录页不在上一页/下一页链上：{missing}；链：{chain}"
    assert back == chain[::-1], f"“上一页”没有按原路返回：\n 下一页 {chain}\n 上一页 {back}"
    assert not visit.page_errors, format_list(visit.page_errors)


def _notebook_pages() -> list[str]:
    pages = []
    for page in site_pages():
        source = SITE / "_sources" / (page.removesuffix(".html") + ".md")
        if source.is_file() and "kernelspec" in source.read_text(encoding="utf-8")[:600]:
            pages.append(page)
    return pages


def test_executable_pages_offer_ipynb_and_source() -> None:
    """每个可执行页都能下载执行后的 .ipynb（含输出）与 .md 源文件。"""
    require_site()
    pages = _notebook_pages()
    assert "quickstart.html" in pages, f"快速上手页应是可执行页；找到的可执行页：{pages}"
    problems = []
    for page in pages:
        html = (SITE / page).read_text(encoding="utf-8")
        stem = page.removesuffix(".html")
        for suffix in (".ipynb", ".md"):
            hrefs = [h for h in re.findall(r'href="([^"]+)"', html) if h.endswith(f"_sources/{stem}{suffix}")]
            if not hrefs:
                problems.append(f"{page} 没有 {suffix} 下载链接")
                continue
            if not local_target(urljoin(f"http://127.0.0.1/{page}", hrefs[0])).is_file():
                problems.append(f"{page} 的 {suffix} 下载链接指向不存在的文件 {hrefs[0]}")
        notebook = SITE / "_sources" / f"{stem}.ipynb"
        if notebook.is_file():
            cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
            code = [c for c in cells if c["cell_type"] == "code"]
            if code and not any(c.get("outputs") for c in code):
                problems.append(f"{notebook.name} 没有任何输出：不是执行后的笔记本")
            # 单元 id 按位置编号（文本笔记本每次读入都得到随机 id，会让两次构建的下载文件不同）
            ids = [c.get("id") for c in cells]
            if ids != [f"cell-{i}" for i in range(len(cells))]:
                problems.append(f"{notebook.name} 的单元 id 不是按位置编号的：{ids[:3]}…")
    assert not problems, format_list(problems)


def test_repository_buttons_only_with_a_configured_url() -> None:
    """没有配置 RNN_BOOK_REPOSITORY_URL 时不出现仓库/问题/编辑按钮；配置了就指向它。"""
    require_site()
    repo_url = os.environ.get("RNN_BOOK_REPOSITORY_URL", "").strip().rstrip("/")
    html = (SITE / "quickstart.html").read_text(encoding="utf-8")
    header = html[html.find("article-header-buttons") :]
    header = header[: header.find("</div>\n</div>") if "</div>\n</div>" in header else len(header)]
    outward = re.findall(r'href="(https?://[^"]+)"', header)
    if repo_url:
        assert outward, "配置了仓库地址，却没有仓库按钮"
        assert all(u.startswith(repo_url) for u in outward), f"按钮指向别处：{outward}"
    else:
        assert not outward, f"没有配置仓库地址，却出现了外链按钮：{outward}"
    for page in site_pages():
        text = (SITE / page).read_text(encoding="utf-8")
        for bad in ("example.com", "your-org", "USERNAME", "executablebooks/jupyter-book"):
            assert bad not in text, f"{page} 含编造的地址片段 {bad!r}"


def test_404_page_for_a_missing_deep_url(new_context: Any, base_url: str) -> None:
    """不存在的深层地址得到 404 状态与本书的 404 页，样式与脚本照常加载。"""
    require_site()
    assert (SITE / "404.html").is_file(), "网站没有 404.html"
    url = base_url + "no/such/deep/page.html"
    audit = audit_page(new_context, url, expected_status=404)
    visit = audit.visit
    assert visit.status == 404
    assert "找不到这一页" in audit.data["title"], audit.data["title"]
    assert not visit.bad_responses, format_list(visit.bad_responses)
    assert not visit.failed_requests, format_list(visit.failed_requests)
    assert not visit.external_requests, format_list(visit.external_requests)
    assert not visit.page_errors, format_list(visit.page_errors)
    css = [r for r in visit.requests if r.endswith(".css") or ".css?" in r]
    assert css, "404 页没有加载样式表（相对链接在深层地址上失效？）"


def test_favicon_is_served(base_url: str) -> None:
    html = (require_site() / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert match, "首页没有 <link rel=icon>（浏览器会去请求不存在的 /favicon.ico）"
    with urllib.request.urlopen(urljoin(base_url, match.group(1))) as response:
        assert response.status == 200
        assert response.read(200).lstrip().startswith((b"<svg", b"<?xml", b"\x89PNG", b"\x00\x00\x01\x00"))


def test_code_cells_have_copy_buttons(new_context: Any, base_url: str) -> None:
    visit = Visit(url=base_url + "quickstart.html")
    with open_page(new_context, visit) as tab:
        blocks = tab.locator(".bd-article div.highlight pre").count()
        buttons = tab.locator(".bd-article button.copybtn").count()
    assert blocks > 0
    assert buttons >= blocks, f"{blocks} 个代码块只有 {buttons} 个复制按钮"


def _screenshot_page() -> str:
    """截图用的章节页：第一部分里第一张有图的页；还没有就用快速上手页。"""
    pages = site_pages()
    for page in pages:
        if page.startswith("part1/") and "<img" in (SITE / page).read_text(encoding="utf-8"):
            return page
    return "quickstart.html"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_theme_mode_screenshot_and_figure_backdrop(new_context: Any, base_url: str, mode: str) -> None:
    """亮/暗两种模式下截图（存到构建目录旁的 screenshots/），暗色模式下插图有白色衬底。"""
    require_site()
    page = _screenshot_page()
    visit = Visit(url=base_url + page)
    with open_page(new_context, visit, color_scheme=mode, viewport={"width": 1280, "height": 900}) as tab:
        wait_for_math(tab)
        tab.wait_for_load_state("networkidle")
        theme = tab.evaluate("() => document.documentElement.dataset.theme")
        backdrops = tab.eval_on_selector_all(
            ".bd-article img", "els => els.map(e => getComputedStyle(e).backgroundColor)"
        )
        text_color = tab.evaluate("() => getComputedStyle(document.querySelector('.bd-article')).color")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / f"{page.removesuffix('.html').replace('/', '-')}-{mode}.png"
        tab.screenshot(path=str(target), full_page=True)
    assert theme == mode, f"页面主题是 {theme}，应为 {mode}"
    assert target.stat().st_size > 10_000
    assert not visit.page_errors, format_list(visit.page_errors)
    channels = [int(c) for c in re.findall(r"\d+", text_color)[:3]]
    if mode == "dark":
        assert min(channels) > 150, f"暗色模式正文颜色太暗：{text_color}"
        assert all(b in {"rgb(255, 255, 255)", "rgba(255, 255, 255, 1)"} for b in backdrops), backdrops
    else:
        assert max(channels) < 100, f"亮色模式正文颜色太浅：{text_color}"


def test_site_makes_no_request_outside_the_site_folder(base_url: str) -> None:
    """网站文件里不引用 CDN：脚本、样式、字体的 src/href 都是相对路径或本站绝对路径。"""
    require_site()
    offenders = set()
    for page in site_pages():  # 全部 HTML 页，含首页、404 页、搜索页与索引页
        path = SITE / page
        for tag in re.findall(r"<(?:script|link|img|source|iframe)\b[^>]*>", path.read_text(encoding="utf-8")):
            if re.search(r'rel="(?:canonical|alternate)"', tag):
                continue  # 只是声明地址，浏览器不会请求
            if re.search(r'(?:src|href)="(?:https?:)?//', tag):
                offenders.add(f"{path.relative_to(SITE)}: {tag}")
    assert not offenders, format_list(sorted(offenders))


def test_served_files_are_reachable(base_url: str) -> None:
    """本地服务器本身工作正常（其余测试的前提）。"""
    with urllib.request.urlopen(base_url + "index.html") as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(base_url + "definitely-missing.html")
    info.value.close()
    assert info.value.code == 404


def test_theme_icons_render_from_the_webfont(new_context: Any, base_url: str) -> None:
    """图标来自主题 CSS 的 Font Awesome 网页字体（本书用空文件替换了 1.5 MB 的 fontawesome.js）。"""
    visit = Visit(url=base_url + "quickstart.html")
    with open_page(new_context, visit) as tab:
        tab.wait_for_load_state("networkidle")
        icons = tab.evaluate(
            """async () => {
                await document.fonts.ready;
                return [...document.querySelectorAll('.bd-header-article i[class*="fa-"], .bd-header-article svg')]
                    .filter(e => e.getClientRects().length)
                    .map(e => ({tag: e.tagName, cls: String(e.className.baseVal ?? e.className),
                                width: e.getBoundingClientRect().width,
                                glyph: getComputedStyle(e, '::before').content,
                                font: getComputedStyle(e).fontFamily}));
            }"""
        )
        loaded = tab.evaluate("() => document.fonts.check('900 16px \"Font Awesome 7 Free\"')")
    assert icons, "文章顶栏没有可见的图标"
    assert loaded, "Font Awesome 网页字体没有加载"
    bad = [i for i in icons if i["tag"] == "I" and (i["width"] <= 0 or i["glyph"] in {"none", "normal", '""'})]
    assert not bad, f"这些图标没有字形：{bad}"
    assert not visit.page_errors, format_list(visit.page_errors)
