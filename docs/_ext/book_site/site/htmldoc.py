"""在 Sphinx 写出的 HTML 里找元素、按位置替换：改到的地方之外，页面逐字节不变。

流水线的各步只改页面里的少数几处（公式的内容、``<head>`` 里的样式表与脚本、``<img>`` 的属性），
所以不把页面解析成树再整个序列化（那会改动引号、空白与实体的写法），而是用标准库的
:class:`html.parser.HTMLParser` 记下每个元素在原文里的位置（:class:`Element`），再把替换
（:class:`Edit`）按位置拼回原文（:func:`apply`）。``<script>``、``<style>`` 的内容与注释由
``HTMLParser`` 正确跳过；没有写结束标签的元素（``<p>`` 等）在父元素结束时结束。
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass
class Element:
    """一个元素在原文里的位置：``text[start:open_end]`` 是开始标签，``text[open_end:close_start]``
    是内容，``text[close_start:end]`` 是结束标签（空元素的内容与结束标签为空）。"""

    tag: str
    attrs: dict[str, str | None]
    start: int
    open_end: int
    close_start: int = -1
    end: int = -1

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def inner(self, text: str) -> str:
        return text[self.open_end : self.close_start]

    def contains(self, other: Element) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class Edit:
    """把原文 ``[start, end)`` 换成 ``text``。"""

    start: int
    end: int
    text: str


class _FirstElementEndError(Exception):
    """第一个元素已经结束（:meth:`Document.element_at` 只读到这里）。"""


class _Locator(HTMLParser):
    def __init__(self, text: str, first_only: bool = False) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.first_only = first_only
        self.lines = [0] + [m.end() for m in re.finditer("\n", text)]
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.open_tags: dict[str, int] = {}

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        raw = self.get_starttag_text() or ""
        element = Element(tag, dict(attrs), start, start + len(raw))
        self.elements.append(element)
        if tag in VOID or raw.endswith("/>"):
            element.close_start = element.end = element.open_end
            if self.first_only and not self.stack:
                raise _FirstElementEndError
        else:
            self.stack.append(element)
            self.open_tags[tag] = self.open_tags.get(tag, 0) + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] is self.elements[-1]:
            element = self.stack.pop()
            element.close_start = element.end = element.open_end

    def handle_endtag(self, tag: str) -> None:
        start = self._offset()
        end = self.text.index(">", start) + 1
        if not self.open_tags.get(tag):
            return  # 多余的结束标签
        while self.stack:
            element = self.stack.pop()
            self.open_tags[element.tag] -= 1
            if element.tag == tag:
                element.close_start, element.end = start, end
                break
            element.close_start = element.end = start  # 没写结束标签的元素到这里结束
        if self.first_only and not self.stack:
            raise _FirstElementEndError

    def close(self) -> None:
        super().close()
        for element in self.stack:
            element.close_start = element.end = len(self.text)
        self.stack.clear()


@dataclass
class Document:
    """一页 HTML 与其中全部元素（按开始位置排列）。"""

    text: str
    elements: list[Element] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> Document:
        locator = _Locator(text)
        locator.feed(text)
        locator.close()
        return cls(text, locator.elements)

    @classmethod
    def element_at(cls, text: str, start: int) -> Document:
        """只读从 ``start`` 开始的那一个元素（及其中的元素），位置仍按整页算：不必解析整页。"""
        locator = _Locator(text[start:], first_only=True)
        try:
            locator.feed(locator.text)
            locator.close()
        except _FirstElementEndError:
            pass
        for element in locator.elements:
            element.start += start
            element.open_end += start
            element.close_start += start
            element.end += start
        return cls(text, locator.elements)

    def find(self, tag: str | None = None, cls: str | None = None, within: Element | None = None) -> list[Element]:
        """标签为 ``tag``（不限时为 None）、类里有 ``cls`` 的元素，可限定在 ``within`` 之内。"""
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes)
            and (within is None or (within.contains(e) and e is not within))
        ]

    def first(self, tag: str, cls: str | None = None) -> Element | None:
        found = self.find(tag, cls)
        return found[0] if found else None


def head(text: str) -> Document:
    """只解析 ``<head>``（到 ``</head>`` 为止）：改样式表与脚本的各步不必解析整页。"""
    end = text.find("</head>")
    return Document.parse(text if end < 0 else text[: end + len("</head>")])


def elements_at(text: str, pattern: re.Pattern[str]) -> list[Document]:
    """``pattern`` 找到的每个位置上的那一个元素（:meth:`Document.element_at`）。

    ``pattern`` 只用来找开始标签的位置（例如 ``<img``），元素本身由 ``HTMLParser`` 读。
    """
    return [Document.element_at(text, match.start()) for match in pattern.finditer(text)]


def apply(text: str, edits: list[Edit]) -> str:
    """把互不重叠的 ``edits`` 拼进 ``text``。"""
    pieces = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < position:
            raise ValueError(f"重叠的替换：{edit} 开始于上一处替换结束（{position}）之前")
        pieces += [text[position : edit.start], edit.text]
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


def start_tag(tag: str, attrs: dict[str, str | None]) -> str:
    """由属性写出开始标签（值用双引号，转义 ``&`` ``<`` ``"``）。"""
    parts = [tag]
    for name, value in attrs.items():
        parts.append(name if value is None else f'{name}="{html.escape(value, quote=True)}"')
    return "<" + " ".join(parts) + ">"


def set_attributes(text: str, element: Element, **changes: str | None) -> Edit:
    """改开始标签的属性（值为 None 的去掉），其余属性的顺序不变；返回替换开始标签的 :class:`Edit`。"""
    attrs = dict(element.attrs)
    for name, value in changes.items():
        if value is None:
            attrs.pop(name, None)
        else:
            attrs[name] = value
    closing = "/>" if text[element.start : element.open_end].endswith("/>") else ">"
    tag = start_tag(element.tag, attrs)
    return Edit(element.start, element.open_end, tag[:-1] + (" />" if closing == "/>" else ">"))


def remove(element: Element, text: str) -> Edit:
    """删去整个元素，连同它所在那一行的缩进与行尾（元素独占一行时）。"""
    start, end = element.start, element.end
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip() == "" and text[end : end + 1] == "\n":
        start, end = line_start, end + 1
    return Edit(start, end, "")
