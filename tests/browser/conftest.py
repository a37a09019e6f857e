"""浏览器测试的夹具：在 127.0.0.1 上提供构建好的网站；浏览器来自 pytest-playwright。

pytest-playwright 提供 ``browser``（整个会话一个）与 ``new_context``（每个测试自己的上下文，测试失败时
在 ``docs/_build/test-results`` 里留下 Playwright 的跟踪与截图，见 :func:`pytest_configure`）；这里只
给出启动参数（Debian 的 ``/usr/bin/chromium`` 与安静的参数，:func:`browser_type_launch_args`）。
外部请求的拦截仍由 :func:`helpers.open_context` 装在每个上下文上。

工具函数与常量在 :mod:`helpers`。每页只在浏览器里加载一次（``page_audit`` 缓存结果），
各项检查分别是独立的测试，失败时一眼看出是哪一页、哪一项。
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from book_site.serve import serve

from . import helpers


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``site_page`` 参数化为网站的全部页面；网站不存在时给一个占位参数，让测试失败而不是消失。"""
    if "site_page" in metafunc.fixturenames:
        pages = helpers.site_pages() or ["<网站未构建>"]
        metafunc.parametrize("site_page", pages)


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    with serve(helpers.require_site()) as url:
        yield url


def pytest_configure(config: pytest.Config) -> None:
    """失败的测试留下跟踪与截图（命令行给了 ``--tracing``、``--screenshot``、``--output`` 时照命令行）。"""
    defaults = {"tracing": ("off", "retain-on-failure"), "screenshot": ("off", "only-on-failure")}
    for name, (plugin_default, ours) in defaults.items():
        if getattr(config.option, name, None) == plugin_default:
            setattr(config.option, name, ours)
    if getattr(config.option, "output", None) == "test-results":
        config.option.output = str(helpers.SITE.parent / "test-results")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright 启动浏览器的参数：Debian 的 Chromium（``RNN_BOOK_CHROMIUM``）与安静的参数。"""
    if not helpers.CHROMIUM.is_file() or not os.access(helpers.CHROMIUM, os.X_OK):
        pytest.fail(
            f"找不到 Chromium：{helpers.CHROMIUM}。在 Debian/Ubuntu 上 `apt-get install chromium fonts-noto-cjk`"
            "（`nox -s tests` 以 root 运行时会自动安装），或用 RNN_BOOK_CHROMIUM 指定可执行文件。",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(helpers.CHROMIUM), "args": helpers.CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def audits() -> dict[str, helpers.Audit]:
    return {}


@pytest.fixture
def page_audit(site_page: str, base_url: str, browser: Any, audits: dict[str, helpers.Audit]) -> helpers.Audit:
    """在浏览器里打开 ``site_page``，记下网络、控制台、公式、图片、链接与 axe 结果（每页一次）。"""
    helpers.require_site()
    if site_page not in audits:
        audits[site_page] = helpers.audit_page(browser, base_url + site_page)
    return audits[site_page]
