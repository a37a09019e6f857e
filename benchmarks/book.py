"""书页与构建日志的纯函数：不运行构建、不计时，由 ``tests/test_bench.py`` 测试。

- 取出一页的代码单元（与 myst-nb 执行的完全相同），拼成普通 Python 脚本（“地板”）；
- 造“改一句话”“改一个代码单元”的页面文本（只改基准的临时副本）；
- 从构建日志里读出哪些笔记本被执行了。

找正文段落与代码单元用 markdown-it-py 的词法单元（与 MyST 同一个解析器），而不是逐行扫描。
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

# 与 docs/conf.py 的 myst_enable_extensions 对应的块级语法：头信息、$$ 公式、::: 围栏
_MARKDOWN = MarkdownIt("commonmark").use(front_matter_plugin).use(dollarmath_plugin).use(colon_fence_plugin)
_EXECUTING = re.compile(r"^(?P<path>\S.*?): Executing notebook", re.MULTILINE)


def is_text_notebook(text: str) -> bool:
    """页面是不是 MyST 文本笔记本（头信息里有 ``file_format: mystnb``，构建时执行）。"""
    from myst_nb.core.read import is_myst_markdown_notebook

    return bool(is_myst_markdown_notebook(text))


def code_cells(text: str, path: Path | None = None) -> list[str]:
    """按 myst-nb 自己的读法取出页面的全部代码单元（即构建时内核执行的单元）。"""
    from myst_nb.core.read import read_myst_markdown_notebook

    notebook = read_myst_markdown_notebook(text, path=path)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def cells_to_script(cells: list[str]) -> str:
    """把代码单元依次拼成一个普通 Python 脚本；IPython 魔法命令（``%``、``!`` 开头的行）改成注释。"""
    parts = []
    for index, source in enumerate(cells, start=1):
        lines = [f"# {line}" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
        parts.append(f"# %% 代码单元 {index}\n" + "\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _top_level(text: str) -> list[Token]:
    """页面顶层的块（嵌在练习、提示等指令里的不算），带行号范围 ``map = [起, 止)``。"""
    return [token for token in _MARKDOWN.parse(text) if token.level == 0 and token.map]


def edit_sentence(text: str, marker: str) -> str:
    """在第一个以“。”结尾的顶层正文段落末尾加一句 ``marker``。

    只改文字、不动代码单元：jupyter-cache 只按代码单元算哈希，这一页不应重新执行。
    """
    lines = text.split("\n")
    for token in _top_level(text):
        last = token.map[1] - 1 if token.map else 0
        if token.type == "paragraph_open" and lines[last].rstrip().endswith("。"):
            lines[last] = f"{lines[last].rstrip()}{marker}。"
            return "\n".join(lines)
    raise ValueError("页面里应有一个以“。”结尾的顶层正文段落，实际没有找到")


def edit_code_cell(text: str, marker: str) -> str:
    """在第一个顶层 ``{code-cell}`` 的末尾加一行注释：这一页（且只有这一页）要重新执行。"""
    lines = text.split("\n")
    for token in _top_level(text):
        if token.type == "fence" and token.info.startswith("{code-cell}") and token.map:
            lines.insert(token.map[1] - 1, f"# {marker}")  # 结束围栏之前
            return "\n".join(lines)
    raise ValueError("页面里应至少有一个顶层 {code-cell} 代码单元，实际没有找到")


def executed_notebooks(log: str) -> list[str]:
    """构建日志里被执行（而不是从缓存取出）的笔记本路径，按出现顺序。"""
    return [match["path"] for match in _EXECUTING.finditer(log)]
