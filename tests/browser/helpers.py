"""浏览器测试的工具：网站在哪、怎样在 Chromium 里打开一页、一页里看到了什么。

测试模块从这里导入（``from .helpers import open_page, Visit, ...``）；夹具（``base_url``、
``browser``、``page_audit``）在 ``conftest.py`` 里，pytest 按名字注入。

网站目录取环境变量 ``RNN_BOOK_HTML``（默认 ``docs/_build/html``，由 ``nox -s tests`` 先构建），
浏览器取 ``RNN_BOOK_CHROMIUM``（默认 ``/usr/bin/chromium``）。二者缺一，测试失败并说明原因，
绝不跳过。
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import html
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from book_site import site as site_pipeline
from book_site.serve import QUIET_CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("RNN_BOOK_HTML", ROOT / "docs" / "_build" / "html")).resolve()
CHROMIUM = Path(os.environ.get("RNN_BOOK_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = SITE.parent / "screenshots"
CHROMIUM_ARGS = list(QUIET_CHROMIUM_FLAGS)  # 无头模式由 Playwright 自己加
LOCAL_HOST = "127.0.0.1"


def site_pages() -> list[str]:
    """网站里全部 HTML 页（相对路径，排序），包括首页、404 页、搜索页与索引页。"""
    if not (SITE / "index.html").is_file():
        return []
    return site_pipeline.site_pages(SITE)


def require_site() -> Path:
    if not (SITE / "index.html").is_file() or not (SITE / "search.html").is_file():
        pytest.fail(
            f"找不到构建好的网站 {SITE}（缺 index.html 或 search.html）。"
            "先运行 `nox -s docs`（或 `nox -s tests`，它会先构建），"
            "或用环境变量 RNN_BOOK_HTML 指向 sphinx-build 的 HTML 输出目录。",
            pytrace=False,
        )
    return SITE


# -- 浏览器 -------------------------------------------------------------------------


@dataclass
class Visit:
    """一次页面访问中浏览器看到的一切。"""

    url: str
    status: int | None = None
    bad_responses: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname == LOCAL_HOST


def open_context(browser: Any, visit: Visit, **context_options: Any) -> Any:
    """新的浏览器上下文：拦下（并记录）一切发往非本机主机的请求。

    ``browser`` 是 pytest-playwright 的 ``new_context``（测试失败时留下跟踪与截图）或 ``browser``。
    """
    factory = browser.new_context if hasattr(browser, "new_context") else browser
    context = factory(locale="zh-CN", **context_options)

    def guard(route: Any) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            visit.external_requests.append(url)
            route.abort()

    context.route("**/*", guard)
    return context


def watch(page: Any, visit: Visit, expected_status: int = 200) -> None:
    """记录响应状态、失败的请求、控制台错误与未捕获的异常。"""

    def on_response(response: Any) -> None:
        visit.requests.append(response.url)
        expected = expected_status if response.url == visit.url else 200
        if response.status != expected:
            visit.bad_responses.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    page.on("requestfailed", lambda request: visit.failed_requests.append(f"{request.failure} {request.url}"))
    page.on("console", lambda msg: msg.type == "error" and visit.console_errors.append(f"{msg.text} @ {msg.location}"))
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))


@contextlib.contextmanager
def open_page(browser: Any, visit: Visit, expected_status: int = 200, **context_options: Any) -> Iterator[Any]:
    """在新的上下文里打开 ``visit.url``（外部请求被拦下并记录，响应与错误都记进 ``visit``），
    载入完成后把标签页交给调用者；离开 ``with`` 时关闭上下文。"""
    context = open_context(browser, visit, **context_options)
    try:
        tab = context.new_page()
        watch(tab, visit, expected_status)
        response = tab.goto(visit.url, wait_until="load")
        visit.status = response.status if response else None
        yield tab
    finally:
        context.close()


def wait_for_math(page: Any) -> None:
    """等 MathJax（若页面加载了它的脚本）排版完成；公式在构建时排版的页面没有要等的。"""
    page.wait_for_load_state("load")
    page.evaluate(
        """async () => {
            if (document.querySelector('script[src*="mathjax"]')) {
                const deadline = Date.now() + 20000;
                while (!(window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)) {
                    if (Date.now() > deadline) throw new Error('MathJax 没有启动');
                    await new Promise(r => setTimeout(r, 50));
                }
                await window.MathJax.startup.promise;
            }
        }"""
    )


# -- 每页一次的检查结果 ----------------------------------------------------------------

# 页面里的数据在浏览器里一次取齐
_COLLECT_JS = r"""
async () => {
    const article = document.querySelector('.bd-article') || document.querySelector('main') || document.body;
    // 图片：先滚到视野里并等解码，懒加载的图也要真正加载
    const images = [];
    for (const img of article.querySelectorAll('img')) {
        img.loading = 'eager';
        img.scrollIntoView();
        try { await img.decode(); } catch (e) {}
        images.push({src: img.currentSrc || img.src, alt: (img.getAttribute('alt') || '').trim(),
                     complete: img.complete, naturalWidth: img.naturalWidth});
    }
    window.scrollTo(0, 0);
    // 公式：Sphinx 把每个公式写成 .math（行内 span、独立 div）
    const mathNodes = [...article.querySelectorAll('span.math, div.math')];
    const math = {
        total: mathNodes.length,
        typeset: mathNodes.filter(n => n.querySelector('mjx-container')).length,
        errors: [...article.querySelectorAll('mjx-merror, merror')].map(e => e.textContent.slice(0, 80)),
        untypeset: mathNodes.filter(n => !n.querySelector('mjx-container')).map(n => n.textContent.slice(0, 80)),
    };
    // 去掉代码、公式与脚本之后的可见正文，用来找残留的 TeX
    const clone = article.cloneNode(true);
    const skip = 'pre, code, mjx-container, script, style, .highlight, .output, .cell_output, .MathJax_Preview';
    clone.querySelectorAll(skip).forEach(n => n.remove());
    const text = clone.textContent;
    // 链接：整页（包括侧栏与上一页/下一页）
    const links = [...document.querySelectorAll('a[href]')].map(a => ({href: a.href, raw: a.getAttribute('href')}));
    const ids = [...document.querySelectorAll('[id]')].map(e => e.id)
        .concat([...document.querySelectorAll('a[name]')].map(e => e.getAttribute('name')));
    return {images, math, text, links, ids, title: document.title,
            theme: document.documentElement.dataset.theme,
            // 公式在构建时排版：页面的样式表里有 MathJax 的 CHTML 样式（旧做法是加载 MathJax 脚本）
            hasMathJax: !!document.querySelector('script[src*="mathjax"]') || [...document.styleSheets].some(sheet => {
                try { return [...sheet.cssRules].some(r => (r.selectorText || '').startsWith('mjx-container')); }
                catch (e) { return false; }
            })};
}
"""


@dataclass
class Audit:
    visit: Visit
    data: dict[str, Any]
    axe_violations: list[dict[str, Any]]


def audit_page(browser: Any, url: str, expected_status: int = 200) -> Audit:
    from axe_playwright_python.sync_playwright import Axe

    visit = Visit(url=url)
    with open_page(browser, visit, expected_status) as tab:
        wait_for_math(tab)
        data = tab.evaluate(_COLLECT_JS)
        tab.wait_for_load_state("networkidle")
        # axe 自己会按文档地址重新取样式表（@import 的相对路径因此解析错），
        # 那些请求与报错是工具的副作用，不算页面的：在运行 axe 之前定格记录。
        visit = dataclasses.replace(visit, **{f.name: list(getattr(visit, f.name)) for f in fields(Visit)[2:]})
        results = Axe().run(tab)
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [" ".join(map(str, n["target"])) for n in v["nodes"][:5]],
            }
            for v in results.response["violations"]
        ]
    return Audit(visit=visit, data=data, axe_violations=violations)


# -- 静态解析：别的页面里有哪些 id（锚点检查用） ----------------------------------------------

_ID_RE = re.compile(r"""\s(?:id|name)\s*=\s*["']([^"']+)["']""")


@functools.cache
def ids_in_file(path: Path) -> frozenset[str]:
    return frozenset(html.unescape(m) for m in _ID_RE.findall(path.read_text(encoding="utf-8")))


def local_target(url: str) -> Path:
    """把本站 URL 映射回网站目录里的文件（目录映射到其中的 index.html）。"""
    path = SITE / unquote(urlsplit(url).path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    return path


def format_list(items: list[Any]) -> str:
    return "\n  " + "\n  ".join(json.dumps(i, ensure_ascii=False) if not isinstance(i, str) else i for i in items)
