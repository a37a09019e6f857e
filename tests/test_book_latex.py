"""docs/_ext/book_site/latex.py：LaTeX 构建器输出的全书结构（不需要 TeX，只看生成的 .tex）。

一本小书：前言、一个部分、附录；章里有练习与解答、一张表、汉字后面跟一个西文开头的链接、
一张 rnn_examples.diagrams 画的结构图。PDF 本身（字体、编号、日志）由 tests/test_pdf.py 检查。
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import build_in_process, write_book
from rnn_examples.diagrams import save_figures, save_vector_figures

CONF = """
project = "小书"
author = "作者"
language = "zh_CN"
extensions = ["sphinx_exercise", "book_site"]
latex_engine = "xelatex"
latex_documents = [("index", "book.tex", project, author, "manual", True)]
latex_docclass = {"manual": "book"}
"""

PAGES = {
    "index": "\n".join(
        [
            "小书",
            "====",
            "",
            "网站首页的导言，不进 PDF。",
            "",
            ".. toctree::",
            "   :caption: 开始",
            "",
            "   front",
            "",
            ".. toctree::",
            "   :caption: 第一部分：基础",
            "",
            "   a",
            "",
            ".. toctree::",
            "   :caption: 附录",
            "",
            "   app",
        ]
    ),
    "front": "前言\n====\n\n前言不编号。\n",
    "a": "\n".join(
        [
            ".. _ch-a:",
            "",
            "第一章的标题",
            "============",
            "",
            ".. image:: ../images/RNN1.*",
            "",
            "定义见 :ref:`API 参考 <app-api>`。",
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "",
            "   * - #",
            "     - 原文",
            "     - 位置",
            "   * - 1",
            "     - 一段很长的说明文字，一段很长的说明文字，一段很长的说明文字。",
            "     - :ref:`ch-a`",
            "",
            "练习",
            "----",
            "",
            ".. exercise:: 求和还是平均",
            "   :label: ex-a",
            "",
            "   题目。",
            "",
            ".. solution:: ex-a",
            "",
            "   解答的正文。",
            "",
            "后面的正文。",
        ]
    ),
    "app": ".. _app-api:\n\nAPI 参考\n========\n\n附录正文。\n",
}


@pytest.fixture(scope="module")
def tex(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("book")
    src = root / "src"
    (root / "images").mkdir()
    save_figures(root / "images")
    save_vector_figures(root / "images")
    write_book(src, CONF, {f"{name}.rst": text + "\n" for name, text in PAGES.items()})
    out, warnings = build_in_process(src, root / "build", builder="latex")
    assert not warnings, warnings
    assert (out / "RNN1.pdf").read_bytes().startswith(b"%PDF")
    return (out / "book.tex").read_text(encoding="utf-8")


def test_front_matter_parts_and_appendix(tex: str) -> None:
    body = tex[tex.index(r"\begin{document}") :]
    assert "网站首页的导言" not in body  # toctree_only：首页的导言是网站的话
    front, part, appendix = (body.index(s) for s in (r"\chapter{前言}", r"\bookpart{第一部分：基础}", r"\bookappendix"))
    assert front < body.index(r"\mainmatter") < part < body.index(r"\chapter{第一章的标题}") < appendix
    assert body.index(r"\bookpart{附录}") < body.index(r"\chapter{API 参考}")
    assert body.count(r"\mainmatter") == 1


def test_solution_moves_to_chapter_end_with_page_references(tex: str) -> None:
    chapter = tex[tex.index(r"\chapter{第一章的标题}") : tex.index(r"\bookappendix")]
    exercise = chapter.index(r"\label{exercise:ex-a}")
    solutions = chapter.index(r"\booksolutions")
    # 解答在正文之后、本章末尾；练习下注明解答所在的页，练习有 <文档>:<标签> 形式的标签
    assert exercise < chapter.index("后面的正文") < solutions < chapter.index("解答的正文")
    assert r"\booksolutionpage{book-solution:ex-a}" in chapter[exercise:solutions]
    assert r"\label{\detokenize{a:ex-a}}" in chapter
    assert r"\label{\detokenize{book-solution:ex-a}}" in chapter
    # 标题用全角括号，解答的标题链回练习
    assert "练习 1（求和还是平均）" in chapter[exercise:solutions]
    link = r"\hyperref[\detokenize{a:ex-a}]{\sphinxcrossref{练习 1（求和还是平均）}}"
    assert rf"\booksolutionhead{{{{{link}}}的解答}}" in chapter


def test_vector_diagram_replaces_png(tex: str) -> None:
    """书页写 images/RNN1.*：LaTeX 构建器取同名的 PDF（网站取 PNG）。"""
    assert "{RNN1}.pdf" in tex
    assert "RNN1.png" not in tex


def test_table_gets_column_widths(tex: str) -> None:
    # 三列都给了宽度：最后一列（链接）不再被挤成一两个字宽
    widths = tex[tex.index(r"\begin{tabular}") :].split("\n", 1)[0]
    assert widths.count(r"\X{") == 3


def test_space_kept_between_chinese_and_link(tex: str) -> None:
    assert r"定义见\hspace{0.25em}{\hyperref[\detokenize{app:app-api}]" in tex


def test_website_pages_carry_the_pdf_button(tmp_path: Path) -> None:
    """Sphinx 写出的每页页眉都有“下载全书 PDF”按钮；有没有 PDF 由构建后的流水线决定
    （复制 PDF，或去掉按钮：tests/test_site.py::test_pdf_button_only_with_a_pdf）。"""
    src = tmp_path / "src"
    conf = CONF.replace('extensions = ["sphinx_exercise", "book_site"]', 'extensions = ["book_site"]')
    pages = {"index.rst": "小书\n====\n\n.. toctree::\n\n   a\n", "a.rst": "甲\n==\n\n正文。\n"}
    write_book(src, conf + 'html_theme = "sphinx_book_theme"\n', pages)
    html, warnings = build_in_process(src, tmp_path / "build")
    assert not warnings, warnings
    page = (html / "a.html").read_text(encoding="utf-8")
    assert 'href="rnn-book.pdf"' in page
    assert "btn-download-book-pdf-button" in page
    assert "下载全书 PDF" in page
