"""PDF 版（``nox -s pdf`` 的输出）：字体、章节、编号、引用、解答、图的分辨率、书签与链接、LaTeX 日志。

PDF 取环境变量 ``RNN_BOOK_PDF``（默认 ``docs/_build/latex/rnn-book.pdf``，LaTeX 日志在它旁边），
公式与图的编号同网站比较，网站取 ``RNN_BOOK_HTML``（默认 ``docs/_build/html``）。``nox -s tests``
先构建二者；缺了测试失败并说明原因，不跳过。工具来自 poppler（pdffonts、pdftotext、pdfimages）。
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.pdf

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PDF = Path(os.environ.get("RNN_BOOK_PDF", DOCS / "_build" / "latex" / "rnn-book.pdf")).resolve()
HTML = Path(os.environ.get("RNN_BOOK_HTML", DOCS / "_build" / "html")).resolve()
#: 允许的最宽的溢出（pt）：几乎看不出来的一点点
OVERFULL_LIMIT_PT = 3.0
#: 印刷分辨率（每英寸像素）
PRINT_PPI = 300
#: rnnbook.sty 选定的字体（pdffonts 里的名字片段）：一个也不能被回退字体替换
CHOSEN_FONTS = ("NotoSerifCJK", "NotoSansCJK", "TeXGyreTermes", "TeXGyreTermesMath", "TeXGyreHeros", "DejaVuSansMono")


def require_pdf() -> Path:
    if not PDF.is_file():
        pytest.fail(
            f"找不到 PDF {PDF}。先运行 `nox -s pdf`（`nox -s tests` 会先构建它），"
            "或用环境变量 RNN_BOOK_PDF 指向 rnn-book.pdf。",
            pytrace=False,
        )
    return PDF


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, errors="replace").stdout


@functools.cache
def pdf_text() -> str:
    return run("pdftotext", "-enc", "UTF-8", str(require_pdf()), "-")


def squeeze(text: str) -> str:
    """去掉全部空白：pdftotext 会在行尾断开标题、在中西文之间插入空格。"""
    return re.sub(r"\s+", "", text)


@functools.cache
def latex_log() -> str:
    log = require_pdf().with_suffix(".log")
    assert log.is_file(), f"找不到 LaTeX 日志 {log}"
    return log.read_text(encoding="utf-8", errors="replace")


@functools.cache
def aux_numbers() -> dict[str, str]:
    """LaTeX 给每个标签的编号（``\\newlabel{标签}{{编号}{页}...}``）。"""
    aux = require_pdf().with_suffix(".aux").read_text(encoding="utf-8", errors="replace")
    return dict(re.findall(r"\\newlabel\{([^}]*)\}\{\{([^}]*)\}", aux))


def book_chapters() -> list[tuple[str, str]]:
    """首页目录树里的每一页：``(文档名, 标题)``，按书中的顺序（``:glob:`` 按文件名排序）。"""
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    chapters = []
    for block in re.findall(r"```\{toctree\}(.*?)```", index, re.S):
        for entry in (line.strip() for line in block.splitlines()):
            if not entry or entry.startswith(":"):
                continue
            paths = sorted(DOCS.glob(f"{entry}.md")) if "*" in entry else [DOCS / f"{entry}.md"]
            chapters += [(p.relative_to(DOCS).with_suffix("").as_posix(), page_title(p)) for p in paths]
    return chapters


def page_title(path: Path) -> str:
    """页面的第一个一级标题（去掉行内代码的反引号）。"""
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        elif not in_fence and line.startswith("# "):
            return line[2:].strip().replace("`", "")
    raise AssertionError(f"{path} 没有一级标题")


def test_pdf_has_pages_and_metadata() -> None:
    info = run("pdfinfo", str(require_pdf()))
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages > len(book_chapters()), f"只有 {pages} 页"
    assert re.search(r"Title:\s+循环神经网络", info), info


def test_every_font_is_embedded_and_chosen() -> None:
    # 每行：名字 类型（可含空格） 编码 emb sub uni 对象号 代号；长名字会挤进后面的列，所以从右数
    rows = [line.split() for line in run("pdffonts", str(require_pdf())).splitlines()[2:]]
    assert rows, "PDF 里没有字体"
    not_embedded = [row[0] for row in rows if row[-5] != "yes"]
    assert not not_embedded, f"没有嵌入的字体：{not_embedded}"
    names = " ".join(row[0] for row in rows)
    assert all(font in names for font in CHOSEN_FONTS), f"缺少选定的字体：{names}"
    # 回退字体不该出现：Fandol（xeCJK 的默认中文字体）、FreeFont 与 Latin Modern（LaTeX 的默认）
    assert not re.search(r"Fandol|Free(Serif|Sans|Mono)|LMRoman|LMMono", names), names


def test_every_chapter_title_is_in_the_text() -> None:
    text = squeeze(pdf_text())
    missing = [title for _, title in book_chapters() if squeeze(title) not in text]
    assert not missing, f"PDF 里找不到这些章的标题：{missing}"


def test_outline_has_every_chapter_and_part() -> None:
    from pypdf import PdfReader

    def titles(outline: list) -> list[str]:
        found = []
        for item in outline:
            found += titles(item) if isinstance(item, list) else [item.title]
        return found

    outline = titles(PdfReader(require_pdf()).outline)
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    parts = re.findall(r":caption: (第.+部分.*|附录)", index)
    expected = [*parts, *(title for _, title in book_chapters())]
    missing = [title for title in expected if title not in outline]
    assert not missing, f"书签里没有：{missing}"


def test_no_unresolved_references() -> None:
    assert "??" not in pdf_text()
    undefined = re.findall(r"(?:Hyper r|R)eference `[^']*' on page \d+ undefined", latex_log())
    assert not undefined, undefined


def test_equation_and_figure_numbers_match_the_website() -> None:
    """正文与代码注释里写的“式 (1)”“图 2”指网站上的编号：PDF 必须是同一个编号。"""
    if not (HTML / "index.html").is_file():
        pytest.fail(f"找不到网站 {HTML}：先运行 `nox -s docs`，或用 RNN_BOOK_HTML 指向它", pytrace=False)
    numbers = aux_numbers()
    text = squeeze(pdf_text())
    checked = 0
    for docname, _ in book_chapters():
        page = (HTML / f"{docname}.html").read_text(encoding="utf-8")
        for label, number in re.findall(r'id="equation-([^"]+)">\s*<span class="eqno">\((\d+)\)', page):
            assert numbers.get(f"equation:{docname}:{label}") == number, (docname, label, number)
            assert f"({number})" in text
            checked += 1
        figures = r'<figure[^>]*id="([^"]+)"[^>]*>.*?<span class="caption-number">图 (\d+) </span>'
        for label, number in re.findall(figures, page, re.S):
            assert numbers.get(f"{docname}:{label}") == number, (docname, label, number)
            checked += 1
    assert checked >= 10, f"只比较了 {checked} 个编号：网站的标记变了？"


def test_solutions_are_collected_after_the_exercises() -> None:
    text = squeeze(pdf_text())
    exercises = sorted(set(map(int, re.findall(r"练习(\d+)", text))))
    assert exercises, "PDF 里没有练习"
    missing = [n for n in exercises if not re.search(rf"练习{n}(（[^）]*）)?的解答", text)]
    assert not missing, f"这些练习的解答不在 PDF 里：{missing}"
    # 每个解答都在本章末尾的“练习解答”里，练习下注明它在哪一页；不再有网站上的“解答 练习 N”
    assert text.count("解答见第") == len(exercises)
    assert not re.search(r"解答\s*练习\s*\d+\s*\(", pdf_text()), "还有网站格式的解答标题“解答 练习 N (题目)”"


def test_headers_and_names_are_chinese() -> None:
    text = pdf_text()
    for english in ("Chapter", "Contents", "continued on next page", "Appendix", "Bibliography"):
        assert english not in text, english
    assert squeeze("第 3 章") in squeeze(text)


def test_raster_images_have_print_resolution() -> None:
    """执行出来的图与结构图是矢量图；剩下的位图（例如页面自己设成 retina PNG 的图）至少 300 ppi。"""
    lines = run("pdfimages", "-list", str(require_pdf())).splitlines()[2:]
    low = []
    for line in lines:
        fields = line.split()
        kind, x_ppi, y_ppi = fields[2], fields[12], fields[13]
        if kind == "image" and min(int(x_ppi), int(y_ppi)) < PRINT_PPI:
            low.append(line)
    assert not low, "低于印刷分辨率的位图：\n" + "\n".join(low)


def test_links_are_clickable_and_resolve() -> None:
    from pypdf import PdfReader

    reader = PdfReader(require_pdf())
    destinations = set(reader.named_destinations)
    internal, broken = 0, []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            link = annotation.get_object()
            if link.get("/Subtype") != "/Link":
                continue
            target = link.get("/Dest") or (link.get("/A") or {}).get("/D")
            if target is not None:
                internal += 1
                if isinstance(target, str) and target not in destinations:
                    broken.append(target)
    assert internal > 100, f"只有 {internal} 个内部链接"
    assert not broken, f"指向不存在的位置的链接：{broken[:10]}"


def test_latex_log_has_no_missing_characters_or_wide_overfull_boxes() -> None:
    log = latex_log()
    missing = sorted(set(re.findall(r"Missing character: There is no (.)", log)))
    assert not missing, f"字体里没有这些字符：{missing}"
    overfull = [float(width) for width in re.findall(r"^Overfull \\hbox \(([\d.]+)pt too wide\)", log, re.M)]
    too_wide = [width for width in overfull if width > OVERFULL_LIMIT_PT]
    assert not too_wide, f"{len(too_wide)} 行超出版心 {OVERFULL_LIMIT_PT} pt 以上：{too_wide}"


def test_website_offers_this_pdf() -> None:
    """网站（在 PDF 之后构建）复制了同一份 PDF，每页页眉都有下载按钮。"""
    copy = HTML / PDF.name
    assert copy.is_file(), f"网站里没有 {PDF.name}：PDF 要先于网站构建（nox -s tests 的顺序）"
    assert copy.read_bytes() == require_pdf().read_bytes(), "网站里的 PDF 不是最新构建的那一份：重新构建网站"
    for page, href in (("index.html", "rnn-book.pdf"), ("part1/03-structure.html", "../rnn-book.pdf")):
        assert f'href="{href}"' in (HTML / page).read_text(encoding="utf-8"), page
