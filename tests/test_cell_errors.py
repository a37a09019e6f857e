"""代码单元出错时，构建失败并给出写给作者的消息（docs/_ext/book_site/notebooks.py）。

在临时目录里构建一本只有一页的小书：第 2 个代码单元的第 2 行抛出 ``IndexError``。
"""

from __future__ import annotations

from pathlib import Path

from helpers import NOTEBOOK_HEADER, sphinx_build, write_book

CONF = """
extensions = ["myst_nb", "book_site"]
nb_execution_mode = "cache"
nb_execution_raise_on_error = False
nb_execution_show_tb = False
suppress_warnings = ["mystnb.exec"]
"""

PAGE = (
    NOTEBOOK_HEADER
    + """# 小书

```{code-cell} python
numbers = [1, 2]
```

```{code-cell} python
:tags: [hide-input]
total = sum(numbers)
print(numbers[5])
```
"""
)


HIDDEN_PAGE = PAGE.replace(":tags: [hide-input]", ":tags: [remove-cell]").replace(
    "print(numbers[5])", "assert total > 5, total"
)


def _build_failing(tmp_path: Path, page_text: str, failing_source: str) -> tuple[str, str]:
    """构建只有一页的小书（应当失败），返回 ``页面:出错的行`` 与构建的标准错误输出。"""
    write_book(tmp_path, CONF, {"index.md": page_text})
    failing_line = page_text.splitlines().index(failing_source) + 1
    result = sphinx_build(tmp_path, tmp_path / "_build", "-q", "-W", "--keep-going")
    assert result.returncode != 0, "出错的代码单元应让构建失败"
    return f"{tmp_path / 'index.md'}:{failing_line}", result.stderr


def test_failing_cell_names_page_line_cell_and_exception(tmp_path: Path) -> None:
    where, stderr = _build_failing(tmp_path, PAGE, "print(numbers[5])")
    expected = (
        f"{where}: WARNING: 第 2 个代码单元执行失败：IndexError: list index out of range\n"
        "    出错的源码（单元内第 2 行）：print(numbers[5])"
    )
    assert expected in stderr, stderr
    # 不是 Sphinx 的崩溃报告，也没有带颜色码的整段回溯或内核的 TCP 警告
    for noise in ("Traceback", "sphinx-doc/sphinx/issues", "\x1b[", "without encryption"):
        assert noise not in stderr, f"构建输出里不应有 {noise!r}：\n{stderr}"


def test_failing_hidden_cell_is_named_too(tmp_path: Path) -> None:
    """带 remove-cell 的单元不在文档树里：消息仍然说出第几个单元、哪一行。"""
    where, stderr = _build_failing(tmp_path, HIDDEN_PAGE, "assert total > 5, total")
    expected = (
        f"{where}: WARNING: 第 2 个代码单元（不显示的单元）执行失败：AssertionError: 3\n"
        "    出错的源码（单元内第 2 行）：assert total > 5, total"
    )
    assert expected in stderr, stderr
