r"""第 11 章的语料：本书自己的中文正文，从 MyST 源文件中确定地抽取出来。

书页（``docs/**/*.md``）是 MyST 文本笔记本，正文之外还有代码单元、公式、指令、
交叉引用等标记。:func:`extract_prose` 把一页源文件变成纯文本：

- 去掉：文件开头的元数据（``---`` 之间）、代码块与代码单元、``$$`` 公式块、
  行内代码与行内公式、表格、HTML 注释与标签、标签行 ``(名字)=``、公式编号与文献引用；
- 保留：标题、段落、列表项、练习的标题与题面、术语表的释义、图题，
  链接与交叉引用只留下显示给读者的文字；
- 每个段落合成一行（源文件一句一行），不含中文字符的段落（例如术语表里的英文名）丢弃。

:func:`build_corpus` 按路径排序依次抽取一个目录下的全部 ``.md``，结果只取决于文件内容。

书的正文会随着修订而变，第 11 章的每个数字（字符数、词表大小、困惑度）都取决于语料，
所以书中训练用的是随包发布的快照 ``rnn_examples/data/book_corpus.txt``
（:func:`load_corpus`），取自当时网站上的全部页面（首页、快速上手、第 1–10 章、
附录与 404 页）。需要时可以重新生成::

    python -m rnn_examples.corpus docs rnn_examples/data/book_corpus.txt

>>> extract_prose("# 标题\n\n用 `nn.RNN` 算式 {eq}`eq-s`，见 {ref}`第 3 章 <ch-3>`。")
'标题\n用算式，见第 3 章。\n'
"""

from __future__ import annotations

import re
import sys
from importlib.resources import files
from pathlib import Path

__all__ = ["build_corpus", "extract_prose", "load_corpus"]

#: 正文性质的指令：保留它们的内容（与标题），其余指令（代码、公式、目录……）整个去掉
PROSE_DIRECTIVES = frozenset(
    {"exercise", "solution", "note", "tip", "important", "warning", "admonition"}
    | {"glossary", "figure", "glue:figure", "epigraph", "seealso", "hint"}
)

_FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(.*)$")
_DIRECTIVE = re.compile(r"^\{([^}]+)\}\s*(.*)$")
_OPTION = re.compile(r"^\s*:[\w-]+:")
_LABEL = re.compile(r"^\s*\([\w:.-]+\)=\s*$")
# 显示文字留下的角色，例如 {ref}`第 3 章 <ch-structure>` -> 第 3 章；没有显示文字时去掉
_TEXT_ROLE = re.compile(r"\{(?:ref|term|doc|numref)\}`([^`<]*?)\s*<[^`>]*>`")
_BARE_TERM = re.compile(r"\{term\}`([^`]*)`")
_OTHER_ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")
_INLINE_CODE = re.compile(r"(`+).+?\1")
_INLINE_MATH = re.compile(r"\$[^$\n]+\$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>\n]+>")
_EMPHASIS = re.compile(r"(\*{1,3})(\S(?:.*?\S)?)\1")
_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_WIDE_PUNCT = "，。、；：？！（）《》“”‘’「」『』【】—…"
_SPACE_BEFORE_WIDE = re.compile(rf"\s+(?=[{_WIDE_PUNCT}])")
_SPACE_AFTER_WIDE = re.compile(rf"(?<=[{_WIDE_PUNCT}])\s+")
_SPACE_BETWEEN_WIDE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def _clean_inline(line: str) -> str:
    """一行正文去掉行内标记，只留下读者看到的文字。"""
    line = _TEXT_ROLE.sub(r"\1", line)
    line = _BARE_TERM.sub(r"\1", line)
    line = _OTHER_ROLE.sub("", line)  # {eq}、{cite:p}、{glue:text}、无显示文字的 {ref}
    line = _INLINE_CODE.sub("", line)
    line = _INLINE_MATH.sub("", line)
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _HTML_TAG.sub("", line)
    line = _EMPHASIS.sub(r"\2", line)
    line = _PREFIX.sub("", line)
    return line.replace("\\", "").strip()


def _join(lines: list[str]) -> str:
    """把一个段落的各行接成一行；西文单词之间留一个空格，中文之间不留。"""
    text = ""
    for line in lines:
        if text and line:
            ascii_pair = text[-1].isascii() and line[0].isascii()
            text += " " if ascii_pair and text[-1] != " " else ""
        text += line
    text = re.sub(r"\s+", " ", text)
    text = _SPACE_BETWEEN_WIDE.sub("", text)
    text = _SPACE_BEFORE_WIDE.sub("", text)
    return _SPACE_AFTER_WIDE.sub("", text).strip()


def _strip_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() == "---":
                return lines[end + 1 :]
    return lines


def extract_prose(markdown: str) -> str:
    """把一页 MyST 源文件变成纯正文：每个段落一行，以换行结尾（没有正文时返回空串）。

    Args:
        markdown: 一页 ``.md`` 源文件的全文。

    Raises:
        TypeError: ``markdown`` 不是字符串。

    Example:
        >>> page = '''---
        ... kernelspec:
        ...   name: python3
        ... ---
        ... (ch-demo)=
        ... # 演示
        ...
        ... 第一句，
        ... 第二句用到 $s_t$。
        ...
        ... ```{code-cell} python
        ... print("这不是正文")
        ... ```
        ...
        ... $$
        ... s_t = f(a_t)
        ... $$
        ...
        ... ```{exercise} 一道题
        ... :label: ex-demo
        ...
        ... 题面。
        ... ```
        ... '''
        >>> print(extract_prose(page), end="")
        演示
        第一句，第二句用到。
        一道题
        题面。
    """
    if not isinstance(markdown, str):
        raise TypeError(f"markdown 应为 str，实际收到 {type(markdown).__name__}")
    lines = _strip_front_matter(markdown.splitlines())
    paragraphs: list[list[str]] = [[]]
    # 打开着的围栏：[围栏字符, 长度, 指令名, 内容是否正文, 是否还在读选项行]
    fences: list[tuple[str, int, str, bool, bool]] = []
    in_math = in_comment = False

    def end_paragraph() -> None:
        if paragraphs[-1]:
            paragraphs.append([])

    for raw in lines:
        fence = _FENCE.match(raw)
        if fences and fence:  # 关闭围栏：字符相同、长度不短于开头、后面没有别的内容
            char, length = fences[-1][:2]
            marker = fence.group(1)
            if marker[0] == char and len(marker) >= length and not fence.group(2):
                fences.pop()
                end_paragraph()
                continue
        if fences and not fences[-1][3]:
            continue  # 代码、公式、目录等指令的内容
        if fences and fences[-1][4]:  # 正文指令开头的选项行 :label: 等
            if _OPTION.match(raw):
                continue
            fences[-1] = (*fences[-1][:4], False)
        if in_comment:
            in_comment = "-->" not in raw
            continue
        if in_math:
            in_math = not raw.rstrip().split(" (")[0].endswith("$$")
            continue
        stripped = raw.strip()
        if fence:
            marker, info = fence.group(1), fence.group(2)
            directive = _DIRECTIVE.match(info)
            name = directive.group(1) if directive else ""
            keep = name in PROSE_DIRECTIVES
            fences.append((marker[0], len(marker), name, keep, keep))
            end_paragraph()
            if keep and directive is not None and directive.group(2):
                paragraphs[-1].append(_clean_inline(directive.group(2)))  # 练习的标题
                end_paragraph()
            continue
        if stripped.startswith("$$"):
            in_math = not (len(stripped) > 2 and "$$" in stripped[2:])
            end_paragraph()
            continue
        if stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        if not stripped or stripped.startswith("|") or _LABEL.match(stripped):
            end_paragraph()
            continue
        # 标题、列表项、术语表的词条（不缩进的行）各自成段
        term = bool(fences) and fences[-1][2] == "glossary" and raw == raw.lstrip()
        if term or (_PREFIX.match(raw) and not stripped.startswith(">")):
            end_paragraph()
        paragraphs[-1].append(_clean_inline(raw))
        if term or stripped.startswith("#"):
            end_paragraph()

    texts = [_join(p) for p in paragraphs]
    kept = [t for t in texts if _CJK.search(t)]
    return "".join(t + "\n" for t in kept)


def build_corpus(docs: object) -> str:
    """按相对路径排序，抽取目录 ``docs`` （``str`` 或 ``pathlib.Path``）下全部 ``.md``
    的正文并首尾相接。

    跳过构建目录 ``_build`` 与以点开头的目录（例如执行缓存）。
    结果只取决于这些文件的内容。

    Raises:
        TypeError: ``docs`` 不是字符串或路径。
        ValueError: ``docs`` 不是目录，或其中没有 ``.md`` 文件。
    """
    if not isinstance(docs, str | Path):
        kind = type(docs).__name__
        raise TypeError(f"docs 应为目录路径（str 或 Path），实际收到 {kind}")
    root = Path(docs)
    if not root.is_dir():
        raise ValueError(f"docs 应为存在的目录，实际收到 {str(root)!r}")
    pages = sorted(
        (page for page in root.rglob("*.md") if _is_source(page.relative_to(root))),
        key=lambda page: page.relative_to(root).as_posix(),
    )
    if not pages:
        raise ValueError(f"目录 {str(root)!r} 中应有 .md 文件，实际一个也没有")
    return "".join(extract_prose(page.read_text(encoding="utf-8")) for page in pages)


def _is_source(relative: Path) -> bool:
    return not any(part == "_build" or part.startswith(".") for part in relative.parts)


def load_corpus() -> str:
    """读取随包发布的语料快照 ``rnn_examples/data/book_corpus.txt``。

    Example:
        >>> text = load_corpus()
        >>> text.endswith("\\n"), "`" in text, "$" in text
        (True, False, False)
    """
    return (files("rnn_examples") / "data" / "book_corpus.txt").read_text(
        encoding="utf-8"
    )


def _main(argv: list[str]) -> int:
    """``python -m rnn_examples.corpus 源目录 输出文件``：重新生成快照。"""
    if len(argv) != 2:
        sys.stderr.write("用法：python -m rnn_examples.corpus 源目录 输出文件\n")
        return 2
    Path(argv[1]).write_text(build_corpus(argv[0]), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
