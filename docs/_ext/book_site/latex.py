"""PDF 版（LaTeX 构建器）：把网站的结构改成一本纸书的结构，并让图在纸上足够清楚。

LaTeX 构建器把首页目录树里的各页拼成一个大文档树，引用解析完后发出 ``doctree-resolved``
（文档名是首页）。:func:`arrange_book` 在这时调整这棵树，网站不受影响，页面作者什么也不用做：

1. **前言、部分、附录**（:func:`mark_parts`）。首页每个目录树的标题决定它的各页在书里的位置：
   “第…部分”开始一个部分（单独一页的部分标题，书签里是上一级），“附录…”之后的章按 A、B、C
   编号，第一个部分之前的页（快速上手、前言、记号表……）是不编号的前言，页码用罗马数字。
   这样 PDF 的章号就是正文里写的“第 N 章”：第 1 章是第一部分的第一页，不是快速上手。
2. **练习的解答**（:func:`collect_solutions`）。网站上解答折叠在练习下面，纸上没有折叠：
   每章的解答移到这一章末尾新起一页的“练习解答”里，练习下注明“解答见第 N 页”，解答的标题
   “练习 N（题目）的解答”链回练习。sphinx-exercise 给练习的 LaTeX 标签是 ``exercise:<标签>``，
   指向练习的引用却写成 ``<文档>:<标签>``（PDF 里成了“??”）：这里在每个练习前补上后一种标签。
3. **结构图用矢量图。** 书页写 ``images/RNN1.*``：``images/`` 里有 :mod:`rnn_examples.diagrams` 画出的
   同名 PNG 与 PDF（``nox -s images``），Sphinx 为网站取 PNG、为 LaTeX 取 PDF，这里什么也不用做。
4. **排版细节**：文献条目放回附录“参考文献”（:func:`place_bibliography`，LaTeX 构建器默认把它们
   收集到全书末尾）；表格按内容分配列宽（:func:`set_table_widths`）；汉字与其后以西文开头的
   链接之间保留间距（:func:`space_before_links`）。

执行出来的图：内核的 inline 后端除 PNG 外再输出一份 PDF（矢量图，任意打印分辨率），设置在 IPython
内核配置 ``ipython_kernel_config.py`` 里（见 :mod:`book_site.notebooks`）。网站只用 PNG，页面不变；
myst-nb 为 LaTeX 优先取 PDF。网站与 PDF 共用同一个执行缓存，所以两种输出在执行笔记本时就一起生成，
无论先构建哪一个。PDF 里剩下的位图印到版心宽不到 300 dpi 时（加上这一设置之前的旧缓存），
:func:`warn_raster_figures` 警告并说明怎样重建。

网站上的下载按钮（:func:`add_pdf_button`）：每页页眉放一个“下载全书 PDF”按钮；构建后的流水线
（:func:`book_site.site.markup.offer_pdf`）在 PDF 已经构建好时把它复制进网站，没有时去掉按钮。

版式与字体在同目录的 ``rnnbook.sty``；构建命令是 ``nox -s pdf``。
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

from . import cjk
from .site.markup import PDF_FILE

logger = logging.getLogger(__name__)

#: 首页目录树的标题：这样开头的是书的一个部分 / 附录
_PART_CAPTION = re.compile(r"^第.+部分")
_APPENDIX_CAPTION = re.compile(r"^附录")


#: 印刷分辨率，与 rnnbook.sty 的版心宽（A4 两边各留 25 mm）
PRINT_DPI = 300
TEXT_WIDTH_INCHES = (210 - 2 * 25) / 25.4


def _raw(latex: str) -> nodes.raw:
    return nodes.raw("", latex, format="latex")


def _label(name: str) -> str:
    return rf"\phantomsection\label{{\detokenize{{{name}}}}}"


# -- 1. 前言、部分、附录 -----------------------------------------------------------


def book_groups(app: Sphinx) -> list[tuple[str, str, list[str]]]:
    """首页的目录树依次是哪一类：``[(类别, 标题, 文档名列表)]``，类别为 front、part、appendix。"""
    root = app.env.get_doctree(app.config.root_doc)
    groups: list[tuple[str, str, list[str]]] = []
    seen_part = False
    for toctree in root.findall(addnodes.toctree):
        caption = toctree.get("caption") or ""
        if _APPENDIX_CAPTION.match(caption):
            kind = "appendix"
        elif _PART_CAPTION.match(caption) or seen_part:
            kind = "part"
        else:
            kind = "front"
        seen_part = seen_part or kind != "front"
        groups.append((kind, caption, [str(name) for name in toctree["includefiles"]]))
    return groups


def mark_parts(app: Sphinx, tree: nodes.document) -> None:
    """在每组的第一页之前插入 ``\\mainmatter``、``\\bookpart{标题}``、``\\bookappendix``。"""
    starts = {sof["docname"]: sof for sof in tree.findall(addnodes.start_of_file)}
    in_main = False
    for kind, caption, docnames in book_groups(app):
        first = next((starts[name] for name in docnames if name in starts), None)
        if first is None:
            continue
        latex = []
        if kind != "front" and not in_main:
            latex.append(r"\mainmatter")
            in_main = True
        if kind == "appendix":
            latex.append(r"\bookappendix")
        if kind != "front" and caption:
            latex.append(rf"\bookpart{{{caption}}}")
        if latex:
            first.parent.insert(first.parent.index(first), _raw("\n".join(latex) + "\n"))


# -- 2. 练习的解答 -----------------------------------------------------------------


def _title_copy(title: nodes.Element) -> list[nodes.Node]:
    """练习标题的一份副本。全角括号（“练习 3（题目）”）已由 :class:`book_site.typeset.ResolvedTypesetting`
    改好：它是写出前的后转换，LaTeX 构建器组装全书时也在 ``doctree-resolved`` 之前运行它。"""
    return [child.deepcopy() for child in title.children]


def collect_solutions(app: Sphinx, tree: nodes.document) -> int:
    """把每章的解答移到这一章末尾的“练习解答”里；返回移动的解答个数。"""
    from sphinx_exercise.nodes import is_exercise_node, solution_node

    exercises = {node["label"]: node for node in tree.findall(is_exercise_node) if node.get("label")}
    # sphinx-exercise 只写 \label{exercise:<标签>}；指向练习的引用用的是 <文档>:<标签>
    for label, exercise in exercises.items():
        docname = exercise.get("docname") or ""
        exercise.parent.insert(exercise.parent.index(exercise), _raw(_label(f"{docname}:{label}") + "\n"))
    moved = 0
    for sof in list(tree.findall(addnodes.start_of_file)):
        chapter = next(iter(sof.findall(nodes.section)), None)
        # 只取这一页自己的解答（不含它的目录树里嵌套的页）。inline_all_toctrees 没有更新
        # 各页顶层节点的 parent，所以这里只能从上往下找，不能从解答往上找所在的页。
        nested = {
            id(n)
            for inner in sof.findall(addnodes.start_of_file, include_self=False)
            for n in inner.findall(solution_node)
        }
        own = [n for n in sof.findall(solution_node) if id(n) not in nested]
        if chapter is None or not own:
            continue
        chapter += _raw(r"\booksolutions" + "\n")
        for solution in own:
            solution.parent.remove(solution)
            exercise = exercises.get(solution["target_label"])
            if exercise is not None:
                _retitle_solution(solution, exercise)
                exercise += _raw(rf"\booksolutionpage{{book-solution:{solution['target_label']}}}" + "\n")
            chapter += _unboxed_solution(solution, sof["docname"])
            moved += 1
    return moved


def _unboxed_solution(solution: nodes.Element, docname: str) -> list[nodes.Node]:
    """解答不再套在提示框里：一行黑体标题加上正文。

    “练习解答”一节里全是解答，不需要框来区分；框里的代码块跨页时，LaTeX 的嵌套框会把最后
    几行挤进页脚（日志里的 Overfull \\vbox）。
    """
    labels = [f"book-solution:{solution['target_label']}"]
    if solution.get("label"):
        labels.append(f"{docname}:{solution['label']}")  # sphinx-exercise 给解答的标签
    title, *body = solution.children
    head = nodes.paragraph()
    head += _raw("".join(_label(name) for name in labels) + r"\booksolutionhead{")
    head += title.children if isinstance(title, nodes.title) else [title]
    head += _raw("}")
    return [head, *body]


def _retitle_solution(solution: nodes.Element, exercise: nodes.Element) -> None:
    """解答的标题：“练习 3（题目）的解答”，练习部分链回练习。"""
    title = solution.children[0]
    if not isinstance(title, nodes.title) or not isinstance(exercise.children[0], nodes.title):
        return
    link = nodes.reference("", "", internal=True, refuri=f"%{exercise.get('docname', '')}#{exercise['label']}")
    link += _title_copy(exercise.children[0])
    title.children = []
    # 没有题目的练习以数字结尾：“练习 24 的解答”，数字与汉字之间留空格
    after = "的解答" if cjk.is_wide(link.astext()[-1:] or "的") else " 的解答"
    title += [link, nodes.Text(after)]


# -- 参考文献与链接前的空格 ------------------------------------------------------------------


def place_bibliography(app: Sphinx, tree: nodes.document) -> None:
    """LaTeX 构建器把全书的文献条目收集到书的最末尾；放回参考文献所在的那一章（附录）。"""
    from sphinx.builders.latex.nodes import thebibliography

    files = {sof["docname"]: sof for sof in tree.findall(addnodes.start_of_file)}
    for bibliography in list(tree.findall(thebibliography)):
        docnames = [c.get("docname") for c in bibliography.findall(nodes.citation)]
        sof = next((files[name] for name in docnames if name in files), None)
        chapter = next(iter(sof.findall(nodes.section)), None) if sof is not None else None
        if chapter is not None:
            bibliography.parent.remove(bibliography)
            chapter += bibliography


_CJK_THEN_SPACE = re.compile(f"([{cjk.WIDE}])\\s+$")


def space_before_links(tree: nodes.document) -> None:
    """“见 API 参考”：汉字、空格之后紧跟一个以西文开头的链接时，中西文之间的间距在 PDF 里
    消失了（hyperref 开始链接时去掉了前面的空格，xeCJK 也看不到链接里的西文）。这里把空格
    换成一段固定的 0.25em（与 xeCJK 的中西文间距相同），它不会被去掉。"""
    for reference in list(tree.findall(nodes.reference)):
        parent = reference.parent
        index = parent.index(reference)
        previous = parent[index - 1] if index > 0 else None
        if not isinstance(previous, nodes.Text) or not re.match(r"[A-Za-z0-9]", reference.astext()):
            continue
        if _CJK_THEN_SPACE.search(str(previous)):
            parent[index - 1] = nodes.Text(_CJK_THEN_SPACE.sub(r"\1", str(previous)))
            parent.insert(index, _raw(r"\hspace{0.25em}"))


#: 一行正文大约能放多少“列”（汉字算 2 列）：版心 160 mm、11 pt
_LINE_UNITS = 80


def set_table_widths(tree: nodes.document) -> None:
    """没有给列宽的表格按内容分配列宽（汉字算 2 列）。

    Sphinx 默认用 tabulary 按单元格的自然宽度分配，但它量不出链接的宽度：勘误表最后一列
    “位置”全是指向章节的链接，被挤成一两个字宽，章名一字一行。这里每列先保证一个最小宽度，
    剩下的宽度按各列内容的平均长度分配。
    """
    for table in tree.findall(nodes.table):
        if "colwidths-given" in table.get("classes", []):
            continue
        for tgroup in table.findall(nodes.tgroup):
            colspecs = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
            rows = list(tgroup.findall(nodes.row))
            if len(colspecs) < 3 or not rows:
                continue
            cells = [[row.children[i].astext() for row in rows if i < len(row.children)] for i in range(len(colspecs))]
            # 每列至少放得下最长的西文词与 4 个汉字（整列都更短时放得下最长的单元格），至多 20 列
            least = [
                min(max(max(map(_longest_word, column)) + 2, min(8, max(map(_display_width, column)) + 3)), 20)
                for column in cells
            ]
            wanted = [
                max(sum(map(_display_width, column)) / len(rows), low) for column, low in zip(cells, least, strict=True)
            ]
            if sum(wanted) > _LINE_UNITS and sum(least) < _LINE_UNITS:
                extra = (_LINE_UNITS - sum(least)) / (sum(wanted) - sum(least))
                wanted = [low + (want - low) * extra for low, want in zip(least, wanted, strict=True)]
            for colspec, width in zip(colspecs, wanted, strict=True):
                colspec["colwidth"] = max(round(width), 1)
            table["classes"] = [*table.get("classes", []), "colwidths-given"]


def _display_width(text: str) -> int:
    return sum(2 if cjk.is_wide(char) else 1 for char in text.strip())


def _longest_word(text: str) -> int:
    """最长的一段连续西文字符（汉字处可以断行，西文词不能）。"""
    words = re.split(f"[\\s{cjk.WIDE}]+", text)
    return max((len(word) for word in words), default=0)


# -- 执行出来的图的分辨率 ---------------------------------------------------------------


def warn_raster_figures(app: Sphinx, tree: nodes.document) -> None:
    """执行出来的图只有 PNG、且印到版心宽时不到 300 dpi：警告，并说明怎样得到矢量图。

    PNG 是旧的执行缓存（加上矢量图之前执行的），或页面自己把 inline 后端设成了只输出 PNG
    （例如 ``%config InlineBackend.figure_formats = ["retina"]``：2 倍分辨率，印出来仍够清楚）。
    """
    from PIL import Image

    for image in tree.findall(nodes.image):
        uri = image.get("uri", "")
        if "jupyter_execute" not in Path(uri).parts or not uri.endswith(".png"):
            continue
        with Image.open(Path(app.srcdir) / uri) as png:
            width = png.width
        if width >= PRINT_DPI * TEXT_WIDTH_INCHES:
            continue
        logger.warning(
            "这张执行出来的图只有 %d 像素宽的 PNG，印到版心宽不到 %d dpi（%s）。若是旧的执行缓存，"
            "删掉 docs/_build/.jupyter_cache 重新构建，内核就会同时输出矢量图",
            width,
            PRINT_DPI,
            uri,
            location=image,
            type="book",
            subtype="pdf",
        )


# -- 网站上的下载链接 ------------------------------------------------------------------------


def add_pdf_button(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """页眉的“全书 PDF”按钮（在 sphinx-book-theme 生成页眉按钮之后追加）。"""
    if "header_buttons" not in context:
        return
    context["header_buttons"].append(
        {
            "type": "link",
            "url": context["pathto"](PDF_FILE, 1),
            "tooltip": "下载全书 PDF",
            "icon": "fas fa-book",
            "label": "download-book-pdf-button",
        }
    )


# -- 组装 ------------------------------------------------------------------------------


def arrange_book(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """LaTeX 构建器组装好全书之后（``doctree-resolved``，文档名是首页）调整全书的结构。"""
    if app.builder.format != "latex" or docname != app.config.root_doc:
        return
    mark_parts(app, doctree)
    collect_solutions(app, doctree)
    place_bibliography(app, doctree)
    space_before_links(doctree)
    set_table_widths(doctree)
    warn_raster_figures(app, doctree)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", arrange_book)
    app.connect("html-page-context", add_pdf_button, priority=510)  # 主题的按钮在 501
    return {"parallel_read_safe": True, "parallel_write_safe": True}
