"""本书的侧栏模板 ``docs/_templates/book-sidebar.html`` 与主题的 ``sbt-sidebar-nav.html`` 没有走样。

侧栏的目录部分抄自装上的 sphinx-book-theme 的 ``components/sbt-sidebar-nav.html``：主题的文件是
``<nav class="bd-links bd-docs-nav" aria-label="Main">`` 包着一个 ``<div class="bd-toc-item ...">``，
本书换掉了外层的 ``<nav>``（中文标签，书名与搜索按钮也放进去），里面的 ``<div>`` 原样照抄。
这里检查主题 ``<nav>`` 里的内容仍原样出现在本书的模板里（比较时不计缩进、空行与 Jinja 注释）；
主题升级后改了这一段，测试失败并给出差异，提醒维护者照着新版重抄。
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import sphinx_book_theme

ROOT = Path(__file__).resolve().parents[1]
OURS = ROOT / "docs" / "_templates" / "book-sidebar.html"
THEME = Path(sphinx_book_theme.__file__).parent / "theme" / "sphinx_book_theme" / "components" / "sbt-sidebar-nav.html"
NAV_OPEN = re.compile(r'<nav class="bd-links bd-docs-nav"[^>]*>')


def template_lines(text: str) -> list[str]:
    """模板的各行：去掉 Jinja 注释 ``{# ... #}``、行首行尾的空白与空行。

    >>> template_lines("{#- 说明 #}\\n<div>\\n\\n    {{ x }}  {# 注 #}\\n</div>\\n")
    ['<div>', '{{ x }}', '</div>']
    """
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)
    return [line.strip() for line in text.splitlines() if line.strip()]


def theme_lines() -> list[str]:
    assert THEME.is_file(), (
        f"找不到主题的 {THEME}：sphinx-book-theme {sphinx_book_theme.__version__} 的目录结构变了，"
        f"请找到新的侧栏组件并对照它更新 {OURS.relative_to(ROOT)} 与这个测试"
    )
    return template_lines(THEME.read_text(encoding="utf-8"))


def test_theme_sidebar_is_a_nav_around_the_copied_part() -> None:
    """主题的侧栏组件仍是一个 ``<nav class="bd-links bd-docs-nav">``：本书换掉的只是这一层。"""
    theme = theme_lines()
    changed = (
        f'主题 {sphinx_book_theme.__version__} 的 {THEME.name} 不再是一个 <nav class="bd-links bd-docs-nav"> 元素'
        f"（开头是 {theme[0]!r}，结尾是 {theme[-1]!r}）：请照着它重写 {OURS.relative_to(ROOT)}"
    )
    assert NAV_OPEN.fullmatch(theme[0]), changed
    assert theme[-1] == "</nav>", changed
    assert NAV_OPEN.search(OURS.read_text(encoding="utf-8")), f"{OURS.relative_to(ROOT)} 里没有主题的那个 <nav>"


def test_sidebar_copy_matches_the_installed_theme() -> None:
    """主题 ``<nav>`` 里的内容（全书目录）原样出现在本书的侧栏模板里。"""
    theme = theme_lines()[1:-1]
    ours = template_lines(OURS.read_text(encoding="utf-8"))
    starts = [i for i in range(len(ours)) if ours[i : i + len(theme)] == theme]
    if starts:
        return
    # 差异：本书模板里从与主题同样的第一行开始的那一段（找不到时取整个模板）
    first = ours.index(theme[0]) if theme and theme[0] in ours else 0
    diff = "\n".join(
        difflib.unified_diff(
            theme,
            ours[first : first + len(theme)],
            fromfile=f"sphinx-book-theme {sphinx_book_theme.__version__}: {THEME.name}",
            tofile=str(OURS.relative_to(ROOT)),
            lineterm="",
        )
    )
    raise AssertionError(
        f"{OURS.relative_to(ROOT)} 的目录部分与装上的 sphinx-book-theme {sphinx_book_theme.__version__} 的 "
        f"{THEME} 不再一样（主题升级了？）。请照着主题的新版重抄 <nav> 里的内容"
        f"（只保留本书换掉的外层 <nav>、书名与搜索按钮），不计缩进与 Jinja 注释：\n{diff}"
    )
