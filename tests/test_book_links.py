"""docs/_ext/book_site/links.py：角色 {repo} 与 {site} 只在配置了地址时给出外链，没有地址时只留文字；
换了地址再构建（文档树来自缓存），链接跟着新地址。

小书在本进程里构建（:func:`helpers.build_in_process`，不执行笔记本）。"""

from __future__ import annotations

import os
import re
from pathlib import Path

from helpers import build_in_process, write_book

PAGES = {
    "index.rst": "首页\n====\n\n.. toctree::\n\n   part1/a\n\n错误请通过 :repo:`问题列表 <issues>` 告诉我们。\n",
    "part1/a.rst": "甲页\n====\n\n下载 :site:`依赖清单 <packages/requirements.txt>`，克隆 :repo:`源码仓库`。\n",
}


def conf(repository_url: str = "", site_url: str = "") -> str:
    options = f"html_theme_options = {{'repository_url': {repository_url!r}}}\n" if repository_url else ""
    head = "project = 't'\nlanguage = 'zh_CN'\nextensions = ['book_site']\n"
    return f"{head}book_site_url = {site_url!r}\n{options}"


def links(html: str) -> dict[str, str]:
    """正文里的外链：显示文字 -> 地址。"""
    found = re.findall(r'<a class="reference external" href="([^"]*)">([^<]*)</a>', html)
    return {text: href for href, text in found}


def build(src: Path, builddir: Path) -> tuple[str, str]:
    """构建小书（文档树缓存在 ``builddir/doctrees``，再构建时沿用），返回首页与甲页的 HTML。"""
    environ = dict(os.environ)
    out, log = build_in_process(src, builddir)
    assert dict(os.environ) == environ, "本进程里的构建改了环境变量"
    # 默认主题不认识 repository_url（本书的主题认识），这条警告之外不应有别的警告
    warnings = [line for line in log.splitlines() if "WARNING" in line and "repository_url" not in line]
    assert not warnings, log
    return (out / "index.html").read_text(encoding="utf-8"), (out / "part1" / "a.html").read_text(encoding="utf-8")


def test_without_urls_repository_is_text_and_site_files_are_relative(tmp_path: Path) -> None:
    write_book(tmp_path / "src", conf(), PAGES)
    index, page = build(tmp_path / "src", tmp_path / "build")
    assert "错误请通过 问题列表 告诉我们" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", index))
    assert "问题列表" not in links(index)
    assert links(page) == {"依赖清单": "../packages/requirements.txt"}  # 从 part1/ 回到网站根目录
    assert "源码仓库" in page


def test_with_urls_links_point_to_them_and_follow_a_changed_config(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "build"
    write_book(src, conf("https://github.com/o/r/", "https://o.github.io/r/"), PAGES)
    index, page = build(src, out)
    assert links(index) == {"问题列表": "https://github.com/o/r/issues"}
    assert links(page) == {
        "依赖清单": "https://o.github.io/r/packages/requirements.txt",
        "源码仓库": "https://github.com/o/r",
    }
    # 只改配置、源文件不动：文档树可能来自缓存，链接仍要跟着新的地址
    (src / "conf.py").write_text((src / "conf.py").read_text(encoding="utf-8").replace("o/r", "p/q"), encoding="utf-8")
    index, page = build(src, out)
    assert links(index) == {"问题列表": "https://github.com/p/q/issues"}
    assert links(page)["源码仓库"] == "https://github.com/p/q"
