"""代码单元出错时，构建失败并给出写给作者的消息（docs/_ext/book_site/notebooks.py）。

在临时目录里构建一本只有一页的小书：第 2 个代码单元的第 2 行抛出 ``IndexError``。
"""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    ("page_text", "failing_source", "message"),
    [
        # 显示的单元：文档树里有它的回溯
        (PAGE, "print(numbers[5])", "第 2 个代码单元执行失败：IndexError: list index out of range"),
        # 带 remove-cell 的单元不在文档树里：消息仍然说出第几个单元、哪一行
        (HIDDEN_PAGE, "assert total > 5, total", "第 2 个代码单元（不显示的单元）执行失败：AssertionError: 3"),
    ],
    ids=["shown", "hidden"],
)
def test_failing_cell_names_page_line_cell_and_exception(
    tmp_path: Path, page_text: str, failing_source: str, message: str
) -> None:
    write_book(tmp_path, CONF, {"index.md": page_text})
    failing_line = page_text.splitlines().index(failing_source) + 1
    result = sphinx_build(tmp_path, tmp_path / "_build", "-q", "-W", "--keep-going")
    assert result.returncode != 0, "出错的代码单元应让构建失败"
    expected = (
        f"{tmp_path / 'index.md'}:{failing_line}: WARNING: {message}\n    出错的源码（单元内第 2 行）：{failing_source}"
    )
    assert expected in result.stderr, result.stderr
    # 不是 Sphinx 的崩溃报告，也没有带颜色码的整段回溯或内核的 TCP 警告
    for noise in ("Traceback", "sphinx-doc/sphinx/issues", "\x1b[", "without encryption"):
        assert noise not in result.stderr, f"构建输出里不应有 {noise!r}：\n{result.stderr}"
