"""中文排版：去掉中文之间的软换行空白，不让收尾标点落到行首，长名字在合适处折行。

书的源文件一句一行（改动的 diff 好读），而 Markdown 把段内换行当作一个空白：两个汉字之间的
换行到了 HTML 里，浏览器画成一个空格（“二者相加，  再经过”）。这里的转换在读入每页之后
（:class:`CjkTypesetting`，在 Sphinx 收集标题之前）运行，写出每页之前再运行一次
（:class:`ResolvedTypesetting`）：不写链接文字的 ``{ref}``、``{numref}`` 要到写出时才填上
章节标题与“图 N”，换行另一侧的字那时才知道。网页、搜索索引（``searchindex.js``，由写出时的
文档树生成）与页面描述（:mod:`book_site.pages`）拿到的都是同一段已经连好的文字。

1. **软换行。** 段落、标题、图题、表格单元等每个文字块里，把文字按阅读顺序连起来
   （行内公式、行内代码等算作一个非中文的字符），然后：

   - 含换行的空白两侧都是中文字符（汉字、假名、全角标点，或与之相邻的弯引号、破折号、省略号）：
     删去，两行直接相连；
   - 全角标点（，。、：；（）「」等）旁的任何空白：删去（全角标点自带字间距，再加空格就成了
     双倍的空；例如 API 文档字符串里 ``形状记号： ``B`` 批大小， ``T``…`` 中为满足 reST 语法
     而留的空格）；
   - 交叉引用的文字（``{numref}`` 的“图 4”、``{ref}`` 的“第 8 章”、“练习 22”）与它旁边的汉字之间
     的空白：删去。源文件里 ``就得到 {numref}`fig-unrolled``` 中的空格按中西文间距写是自然的
     （角色看上去是拉丁字母），渲染出来两侧却都是汉字（“就得到 图 4”）；
   - 其余的换行（中文与拉丁字母、数字或公式之间）照旧，浏览器画成一个空格，即中西文之间的
     间距。普通文字里两个汉字之间手写的空格不动：那是源文件的问题，浏览器测试会指出它。

   代码（行内代码、代码块、doctest）、公式与原始 HTML 里的文字从不改动。

2. **公式后的标点不到行首。** 行内公式排版后是一个不可分的整体，浏览器允许在它与后面的
   “。”“，”之间换行，于是标点被挤到下一行开头。这里把行内公式和紧跟其后的收尾标点一起
   包进 ``<span class="nobr">``（``docs/_static/book.css`` 里 ``white-space: nowrap``）。
   这只依赖 Sphinx 写出的 ``span.math``，与 MathJax 在浏览器里还是构建时排版无关。

3. **长名字在点号后换行，代码前可以换行。** Bootstrap 给行内代码 ``overflow-wrap: break-word``：
   放不下时浏览器可以在任意处断开，包括代码与其后的“）”“：”之间，于是标点到了行首
   （API 页的“``"b_y"``）”）。``book.css`` 把它改回 ``normal``，换行的位置改由这里给出：
   节点 :class:`WordBreak`（HTML 的 ``<wbr>``：可以在此换行，复制时不带任何字符）插在

   - 行内代码与标题里长的带点号的名字的每个点号后（``torch.nn.utils.parametrizations.weight_norm``
     手机上一行放不下，在点号处折行，最后一段与其后的标点仍在一起；API 页的小节标题
     “rnn_examples.gradients”同样），外部链接的长文字（DOI、网址）的点号与斜杠后；
   - 全角标点与紧跟其后的行内代码之间：浏览器按 UAX #14 不在“、”与引号之间断开，
     ``（"U"、"W"、"V"、"b_h"、"b_y"）`` 在 360 px 的手机上就成了放不下的一整块。

4. **练习与解答的标题。** sphinx-exercise 在写出阶段才拼出标题：“练习 9 (参数的形状)”用半角括号，
   解答的标题是“解答”与链接“ 练习 9 (参数的形状)”之间隔一个空格（“解答 练习 9”）。
   :class:`ResolvedTypesetting` 在它之后运行，括号里有中文时改成全角括号，解答标题改成
   “解答：练习 9（参数的形状）”（链接不变）。Sphinx 的 HTML 写出器在编号（``caption-number``）
   后面总加一个空格，编号后紧跟全角括号时由流水线（:mod:`book_site.site.markup`）在页面里去掉它。

转换只改文档树，不依赖 HTML 写出器；浏览器测试 ``tests/browser/test_typesetting.py`` 在网站上
检查结果，``tests/test_typeset.py`` 用一本小书检查网页、搜索索引与描述。
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from . import cjk

# 中文字符（汉字、假名、全角标点……）与中文里常用、本身不分中西的标点（弯引号、破折号等）：见 book_site.cjk
_IS_FULLWIDTH = re.compile(f"[{cjk.FULLWIDTH}]")
_IS_CJK = re.compile(f"[{cjk.WIDE}{cjk.SHARED}]")
_IS_HAN_OR_FULLWIDTH = re.compile(f"[{cjk.WIDE}]")
_SPACE_RUN = re.compile(r"\s+")

# 紧跟在行内公式之后、不能放到行首的标点
_CLOSING = re.compile(r"^[，。、；：？！）」』》〉】〕〗〙〛｝］｠”’…％,.;:!?)\]}%]+")

# 这些节点里的文字原样保留，也不参与判断两侧的字（在阅读顺序里算作一个非中文字符）
_OPAQUE = (
    nodes.FixedTextElement,  # 代码块、doctest、独立公式
    nodes.literal,
    nodes.math,
    nodes.raw,
    nodes.comment,
    nodes.image,
    nodes.substitution_definition,
    addnodes.desc_signature,
)
_ATOM = "\ufffc"  # 不透明节点在阅读顺序里的占位符：不是中文，也不是空白


def _text_blocks(doctree: nodes.Node) -> Iterator[nodes.TextElement]:
    """文档里每个块级文字元素（段落、标题、图题、术语……），跳过代码与公式。"""
    for node in doctree.findall(nodes.TextElement):
        if isinstance(node, (nodes.Inline, *_OPAQUE)):
            continue
        if any(isinstance(ancestor, _OPAQUE) for ancestor in _ancestors(node)):
            continue
        yield node


def _ancestors(node: nodes.Node) -> Iterator[nodes.Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _position(node: nodes.Node) -> int:
    """``node`` 在父节点里的位置。

    不能用 ``parent.index(node)``：它按值比较，而文字节点是 ``str`` 的子类，一段里有好几个
    内容相同的文字节点（例如 MyST 为每个软换行生成的 ``"\\n"``）时会找到第一个。
    """
    return next(i for i, child in enumerate(node.parent.children) if child is node)


def _segments(block: nodes.Element) -> list[nodes.Text | None]:
    """块内按阅读顺序排列的文字节点；不透明的行内节点记作 ``None``。"""
    segments: list[nodes.Text | None] = []
    for child in block.children:
        if isinstance(child, nodes.Text):
            segments.append(child)
        elif isinstance(child, _OPAQUE):
            segments.append(None)
        elif isinstance(child, nodes.Element):
            segments.extend(_segments(child))
    return segments


def _link_of(node: nodes.Node) -> nodes.Node | None:
    """包着 ``node`` 的交叉引用（已解析的内部链接或待解析的引用）；不在引用里时是 None。"""
    for ancestor in _ancestors(node):
        if isinstance(ancestor, addnodes.pending_xref) or (
            isinstance(ancestor, nodes.reference) and ancestor.get("internal")
        ):
            return ancestor
    return None


def _drop_space(before: str, space: str, after: str, across_link: bool = False) -> bool:
    """``before`` 与 ``after`` 之间的空白 ``space`` 是否应删去（见模块说明第 1 条）。

    ``across_link``：空白一侧是交叉引用的文字（“图 4”“第 8 章”“练习 22”），另一侧不是。
    """
    if _IS_FULLWIDTH.match(before) or _IS_FULLWIDTH.match(after):
        return True
    if across_link and _IS_HAN_OR_FULLWIDTH.match(before) and _IS_HAN_OR_FULLWIDTH.match(after):
        return True
    if "\n" not in space:
        return False
    cjk_before, cjk_after = _IS_CJK.match(before), _IS_CJK.match(after)
    # 弯引号、破折号等只在另一侧是真正的中文字符时随中文处理
    return bool(cjk_before and cjk_after and (_IS_HAN_OR_FULLWIDTH.match(before) or _IS_HAN_OR_FULLWIDTH.match(after)))


def join_cjk_lines(block: nodes.Element) -> bool:
    """去掉 ``block`` 里中文之间的软换行与全角标点旁的空白；改动了文字时返回 True。"""
    segments = _segments(block)
    pieces = [str(seg) if seg is not None else _ATOM for seg in segments]
    joined = "".join(pieces)
    if not _SPACE_RUN.search(joined):
        return False
    # 每个字符所在的交叉引用（不在引用里的是 None）
    links = [_link_of(seg) if seg is not None else None for seg in segments]
    link_at = [link for link, piece in zip(links, pieces, strict=True) for _ in piece]
    # 要删去的字符位置（在连起来的文字里）
    drop = set()
    for match in _SPACE_RUN.finditer(joined):
        start, end = match.span()
        if start == 0 or end == len(joined):
            continue
        across_link = link_at[start - 1] is not link_at[end]
        if _drop_space(joined[start - 1], match.group(), joined[end], across_link):
            drop.update(range(start, end))
    if not drop:
        return False
    offset = 0
    touched: list[nodes.Element] = []
    for seg, piece in zip(segments, pieces, strict=True):
        if seg is not None:
            kept = "".join(ch for i, ch in enumerate(piece, offset) if i not in drop)
            if kept != piece:
                parent, index = seg.parent, _position(seg)
                if kept:
                    parent[index] = nodes.Text(kept)
                else:
                    del parent[index]
                touched.append(parent)
        offset += len(piece)
    for parent in touched:
        _merge_adjacent_texts(parent)
    return True


def _merge_adjacent_texts(parent: nodes.Element) -> None:
    """相邻的文字节点并成一个：Sphinx 的搜索索引逐个文字节点分词，“梯度”“裁剪”分在两个节点里
    就成了两个词，并起来才是“梯度裁剪”。"""
    index = 0
    while index + 1 < len(parent.children):
        first, second = parent[index], parent[index + 1]
        if isinstance(first, nodes.Text) and isinstance(second, nodes.Text):
            parent[index] = nodes.Text(str(first) + str(second))
            del parent[index + 1]
        else:
            index += 1


def keep_punctuation_with_math(doctree: nodes.Node) -> int:
    """把行内公式与紧跟其后的收尾标点包进 ``inline(classes=["nobr"])``；返回包了几处。"""
    wrapped = 0
    for math in list(doctree.findall(nodes.math)):
        parent = math.parent
        if parent is None or isinstance(parent, _OPAQUE):
            continue
        if isinstance(parent, nodes.inline) and "nobr" in parent["classes"]:
            continue  # 已经包过（写出前的第二遍）
        index = _position(math)
        if index + 1 >= len(parent.children):
            continue
        following = parent[index + 1]
        if not isinstance(following, nodes.Text):
            continue
        match = _CLOSING.match(str(following))
        if not match:
            continue
        punctuation, rest = match.group(), str(following)[match.end() :]
        wrapper = nodes.inline("", "", classes=["nobr"])
        parent[index] = wrapper
        wrapper += math
        wrapper += nodes.Text(punctuation)
        if rest:
            parent[index + 1] = nodes.Text(rest)
        else:
            del parent[index + 1]
        wrapped += 1
    return wrapped


class WordBreak(nodes.Inline, nodes.Element):
    """可以在此换行的位置（HTML 的 ``<wbr>``）；没有文字，不进搜索索引，也不随复制带走。"""


# 这么长（字符数）、又带点号的名字才在点号后留换行的位置：短名字一行总放得下。
# 标题的字大，API 页的小节标题（“rnn_examples.gradients”）在手机上就放不下。
# 外部链接的文字（DOI、网址）另在斜杠后也可换行。
_LONG_NAME = {nodes.literal: 20, nodes.title: 12, nodes.reference: 20}
_DOTTED = re.compile(r"(?<=[\w)\]])\.(?=\w)")
_URL_PARTS = re.compile(r"(?<=[\w)\]])[./](?=\w)")
# 行内代码前的这些标点之后总可以换行；浏览器按 UAX #14 却不在“、”与引号之间断开
# （“、"b_y"”：引号 QU 两侧都不许断），一串带引号的代码在窄屏上就成了放不下的一整块
_BREAK_AFTER = re.compile(f"[{cjk.FULLWIDTH}]$")
_NO_BREAK_AFTER = "（「『《〈【〔〖〘〚｛［｟“‘"


def _split_with_breaks(text: nodes.Text, cuts: list[int]) -> None:
    source = str(text)
    parent, index = text.parent, _position(text)
    pieces: list[nodes.Node] = []
    start = 0
    for cut in cuts:
        pieces += [nodes.Text(source[start:cut]), WordBreak()]
        start = cut
    pieces.append(nodes.Text(source[start:]))
    parent[index : index + 1] = pieces


def allow_breaks_after_dots(element: nodes.literal | nodes.title | nodes.reference) -> bool:
    """在行内代码、标题或外部链接里长的名字的每个点号（链接里还有斜杠）后插入 :class:`WordBreak`；
    插了时返回 True。"""
    if any(True for _ in element.findall(WordBreak)):
        return False
    long_name = _LONG_NAME.get(type(element), _LONG_NAME[nodes.literal])
    separators = _URL_PARTS if isinstance(element, nodes.reference) else _DOTTED
    changed = False
    for text in list(element.findall(nodes.Text)):
        inner = text.parent
        while inner is not element and not isinstance(inner, (nodes.math, nodes.raw, nodes.literal)):
            inner = inner.parent
        if inner is not element:  # 公式、原始 HTML，或链接里的行内代码（它自己另算）
            continue
        source = str(text)
        cuts = [
            m.end()
            for word in re.finditer(r"\S+", source)
            if len(word.group()) >= long_name
            for m in separators.finditer(source, word.start(), word.end())
        ]
        if cuts:
            _split_with_breaks(text, cuts)
            changed = True
    return changed


def allow_break_before_code(literal: nodes.literal) -> bool:
    """行内代码紧跟在全角标点（不是开括号、开引号）之后时，在两者之间留一个换行的位置。"""
    parent = literal.parent
    if parent is None:
        return False
    index = _position(literal)
    previous = parent[index - 1] if index > 0 else None
    if not isinstance(previous, nodes.Text) or not _BREAK_AFTER.search(str(previous)):
        return False
    if str(previous)[-1] in _NO_BREAK_AFTER:
        return False
    parent.insert(index, WordBreak())
    return True


def _visit_wbr_html(translator: Any, node: WordBreak) -> None:
    translator.body.append("<wbr>")
    raise nodes.SkipNode


def _visit_wbr_latex(translator: Any, node: WordBreak) -> None:
    # 标题会进 PDF 书签，那里不能有排版命令；正文的 \sphinxcode 里可以换行
    if not getattr(translator, "in_title", 0):
        translator.body.append(r"\allowbreak{}")
    raise nodes.SkipNode


def _skip(translator: Any, node: WordBreak) -> None:
    raise nodes.SkipNode


def typeset(doctree: nodes.Node) -> None:
    """第 1–3 条：连起中文之间的软换行，把行内公式与其后的标点绑在一起，留出换行的位置
    （重复运行不再改动）。"""
    for block in list(_text_blocks(doctree)):
        join_cjk_lines(block)
    keep_punctuation_with_math(doctree)
    for element in list(doctree.findall(lambda n: isinstance(n, (nodes.literal, nodes.title, nodes.reference)))):
        if not isinstance(element, nodes.reference) or ("refuri" in element and "internal" not in element):
            allow_breaks_after_dots(element)
    for literal in list(doctree.findall(nodes.literal)):
        allow_break_before_code(literal)


class CjkTypesetting(SphinxTransform):
    """读入每页后运行 :func:`typeset`。

    优先级 800：在 docutils 的脚注、替换等转换之后，在 Sphinx 于 ``doctree-read`` 时收集标题、
    术语（优先级 880）之前。
    """

    default_priority = 800

    def apply(self, **kwargs: object) -> None:
        typeset(self.document)


def _texts(node: nodes.Element) -> list[nodes.Text]:
    return list(node.findall(nodes.Text))


def fix_exercise_title(title: nodes.Element) -> None:
    """sphinx-exercise 拼出的标题：中文副标题用全角括号；“解答 练习 N”改为“解答：练习 N”。"""
    texts = _texts(title)
    # 副标题的括号：sphinx-exercise 写成单独的文字节点 " (" 与 ")"
    opening = [i for i, text in enumerate(texts) if str(text) == " ("]
    closing = [i for i, text in enumerate(texts) if str(text) == ")"]
    if opening and closing and closing[-1] > opening[0]:
        inside = "".join(str(text) for text in texts[opening[0] + 1 : closing[-1]])
        if _IS_HAN_OR_FULLWIDTH.search(inside):
            for index, new in ((opening[0], "（"), (closing[-1], "）")):
                old = texts[index]
                old.parent[_position(old)] = nodes.Text(new)
    # 解答：标题文字（“解答”）之后紧跟指向练习的链接，链接文字以空格开头
    first = title.children[0] if title.children else None
    link = title.children[1] if len(title.children) > 1 else None
    if isinstance(first, nodes.Text) and isinstance(link, nodes.reference):
        link_texts = _texts(link)
        if link_texts and str(link_texts[0]).startswith(" ") and _IS_CJK.search(str(first)[-1:] or " "):
            head = link_texts[0]
            head.parent[_position(head)] = nodes.Text(str(head).lstrip())
            title[0] = nodes.Text(f"{first}：")


class ResolvedTypesetting(SphinxPostTransform):
    """写出每页之前：整理练习与解答的标题（第 3 条），再对引用填好文字的文档树运行 :func:`typeset`。

    优先级 30：在交叉引用解析（10）与 sphinx-exercise 拼标题（20–22）之后。
    """

    default_priority = 30

    def run(self, **kwargs: object) -> None:
        try:
            from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, solution_node
        except ImportError:  # 没有装 sphinx-exercise 的构建：没有这样的标题
            kinds: tuple[type, ...] = ()
        else:
            kinds = (exercise_enumerable_node, exercise_node, solution_node)
        for node in list(self.document.findall(lambda n: isinstance(n, kinds))):
            if node.children and isinstance(node[0], nodes.title):
                fix_exercise_title(node[0])
        typeset(self.document)


def setup(app: Sphinx) -> None:
    skip = (_skip, None)
    html, latex = (_visit_wbr_html, None), (_visit_wbr_latex, None)
    app.add_node(WordBreak, html=html, latex=latex, text=skip, man=skip, texinfo=skip)
    app.add_transform(CjkTypesetting)
    app.add_post_transform(ResolvedTypesetting)
