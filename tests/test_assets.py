"""docs/_ext/book_site/assets.py 与 benchmarks/reader.py 的纯函数，以及一次真实的小构建（公式在构建时排版）。"""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from docutils import nodes

from benchmarks import reader
from book_site import assets

ROOT = Path(__file__).resolve().parents[1]
EXT_DIR = ROOT / "docs" / "_ext"

# -- 独立公式的 TeX 源码与 sphinx.ext.mathjax 写进页面的相同 ------------------------------------------------


class _FakeTranslator:
    """sphinx.ext.mathjax 的访问函数用到的最少部分。"""

    def __init__(self) -> None:
        self.body: list[str] = []
        self.builder = SimpleNamespace(config=SimpleNamespace(mathjax_display=["\\[", "\\]"]))

    def starttag(self, node: nodes.Node, tag: str, **attributes: str) -> str:
        return f"<{tag}>"

    def encode(self, text: str) -> str:
        return text


def _sphinx_mathjax_tex(node: nodes.math_block) -> str:
    from sphinx.ext.mathjax import html_visit_displaymath

    translator = _FakeTranslator()
    with pytest.raises(nodes.SkipNode):
        html_visit_displaymath(translator, node)  # type: ignore[arg-type]
    html = "".join(translator.body).removeprefix("<div>")
    if node.get("nowrap"):
        return html.removesuffix("</div>")
    return html.removesuffix("</div>\n").removeprefix("\\[").removesuffix("\\]")


@pytest.mark.parametrize(
    ("source", "nowrap"),
    [
        ("s_t = f(U x_t + W s_{t-1} + b_h)", False),
        ("a &= b \\\\\n c &= d", False),
        ("x = 1\n\ny = 2 \\\\ z = 3", False),
        ("\\begin{align}a &= b\\end{align}", True),
    ],
)
def test_display_tex_matches_sphinx_mathjax(source: str, nowrap: bool) -> None:
    node = nodes.math_block(source, source, nowrap=nowrap, number=None)
    assert assets.display_tex(node) == _sphinx_mathjax_tex(node)


def test_math_items_collects_inline_and_display() -> None:
    para = nodes.paragraph("", "", nodes.math("x_t", "x_t"))
    block = nodes.math_block("y", "y", nowrap=False, number=None)
    doc = nodes.section("", para, block)
    assert assets.math_items(doc) == [("x_t", False), ("y", True)]


# -- 字形：公式字体与图标字体 -------------------------------------------------------------------------------


def test_math_font_chars_by_variant() -> None:
    css = (
        'mjx-c.mjx-c1D453.TEX-I::before{padding:0.7em 0.5em 0.2em 0;content:"f"}'
        'mjx-c.mjx-c28::before{padding:0.75em 0.389em 0.25em 0;content:"("}'
        'mjx-c.mjx-c211D.TEX-A::before{content:"R"}'
        'mjx-stretchy-v.mjx-c2016 mjx-ext mjx-c::before{content:"\\2225";width:0.556em}'
    )
    chars = assets.math_font_chars(css)
    assert chars["MJXTEX-I"] == {ord("f")}
    assert chars["MJXTEX"] == {ord("("), 0x2225}
    assert chars["MJXTEX-A"] == {ord("R"), 0x2225}
    assert chars["MJXTEX-S1"] == chars["MJXTEX-S4"] == {0x2225}


def test_subset_font_keeps_only_the_requested_glyphs(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    source = assets.mathjax_dir() / "output" / "chtml" / "fonts" / "woff-v2" / "MathJax_AMS-Regular.woff"
    first, second = tmp_path / "a.woff", tmp_path / "b.woff"
    wanted = {ord("R"), 0x2265}
    assets.subset_font(source, first, wanted, "woff")
    assets.subset_font(source, second, wanted, "woff")
    assert first.read_bytes() == second.read_bytes(), "子集字体两次生成的结果不同"
    assert first.stat().st_size < source.stat().st_size / 4
    original = set(TTFont(str(source)).getBestCmap())
    subset = set(TTFont(str(first)).getBestCmap())
    assert subset == wanted & original
    assert len(original) > 10 * len(subset)


def test_icon_codepoints_from_classes_and_css(tmp_path: Path) -> None:
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "styles" / "theme.css").write_text(
        '.fa-bars,.fa-navicon{--fa:"\\f0c9"}.fa-moon{--fa:"\\f186"}.fa-unused{--fa:"\\f000"}'
        ':root{--pst-icon-bell:"\uf0f3"}.x:before{content:"\\f303"}',
        encoding="utf-8",
    )
    (static / "theme.js").write_text('i.className = "fa-solid fa-moon";', encoding="utf-8")
    page = tmp_path / "index.html"
    page.write_text('<i class="fa-solid fa-bars"></i>', encoding="utf-8")
    assert assets.icon_codepoints(static, [page]) == {0xF0C9, 0xF186, 0xF0F3, 0xF303}


def test_lazy_images_keep_the_first_eager() -> None:
    body = '<p><img src="a.png"/></p><img src="b.png"/><img loading="eager" src="c.png"/>'
    assert (
        assets.lazy_images(body)
        == '<p><img src="a.png"/></p><img loading="lazy" src="b.png"/><img loading="eager" src="c.png"/>'
    )


def test_image_sizes_from_the_image_file(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (300, 120)).save(tmp_path / "fig.png")
    app = SimpleNamespace(srcdir=tmp_path, builder=SimpleNamespace(images={"fig.png": "fig.png"}))
    body = (
        '<img alt="a" src="../_images/fig.png" />'
        '<img width="10" height="5" src="../_images/fig.png" />'
        '<img src="https://example.org/x.png" />'
    )
    assert assets.image_sizes(app, body) == (  # type: ignore[arg-type]
        '<img width="300" height="120" alt="a" src="../_images/fig.png" />'
        '<img width="10" height="5" src="../_images/fig.png" />'
        '<img src="https://example.org/x.png" />'
    )


# -- 一次真实的小构建 -------------------------------------------------------------------------------------

CONF = f"""
import sys
sys.path.insert(0, {str(EXT_DIR)!r})
project = "t"
language = "zh_CN"
extensions = ["book_site"]
html_math_renderer = "book_chtml"
math_numfig = True
"""


def _build(tmp_path: Path, body: str, node: str | None = None) -> subprocess.CompletedProcess[str]:
    """构建（或增量重建）小项目；``node`` 给出时用它作 Node.js（给一个不存在的路径可查出是否调用了 Node）。"""
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    index = src / "index.rst"
    if not index.is_file() or index.read_text(encoding="utf-8") != body:
        index.write_text(body, encoding="utf-8")
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(tmp_path / "out")]
    env = {**os.environ, **({"RNN_BOOK_NODE": node} if node else {})}
    return subprocess.run(command, capture_output=True, text=True, check=False, env=env)


def test_build_time_math(tmp_path: Path) -> None:
    body = "页\n==\n\n行内 :math:`x_t \\in \\mathbb{R}^D`。\n\n.. math::\n   :label: eq-a\n\n   s_t = f(a_t)\n"
    result = _build(tmp_path, body)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    assert "警告" not in result.stderr, result.stderr
    assert "FFTM" not in result.stderr, "fontTools 的日志混进了构建输出"
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert html.count("<mjx-container") == 2
    assert "<mjx-assistive-mml" in html, "缺给读屏软件的 MathML"
    assert '<span class="eqno">(1)' in html
    assert "mathjax/chtml.css?v=" in html
    assert "tex-chtml.js" not in html
    assert "\\(" not in html
    fonts = sorted(p.name for p in (tmp_path / "out" / "_static" / "mathjax" / "woff-v2").iterdir())
    assert "MathJax_AMS-Regular.woff" in fonts
    assert "MathJax_Fraktur-Regular.woff" not in fonts


def test_rebuild_reuses_the_typeset_math_and_reruns_when_formulas_change(tmp_path: Path) -> None:
    """公式没变的重建不启动 Node；改了公式就重新排版（Node 不可用时构建失败并说明怎样装）。"""
    body = "页\n==\n\n行内 :math:`x_t`。\n"
    assert _build(tmp_path, body).returncode == 0
    missing_node = str(tmp_path / "no-such-node")
    again = _build(tmp_path, body, node=missing_node)
    assert again.returncode == 0, again.stderr
    changed = _build(tmp_path, body.replace("x_t", "y_t"), node=missing_node)
    assert changed.returncode != 0
    assert f"RNN_BOOK_NODE 指向的 Node.js 不存在或不可执行：{missing_node}" in changed.stderr, changed.stderr


def test_tex_error_is_a_warning_naming_the_page(tmp_path: Path) -> None:
    result = _build(tmp_path, "页\n==\n\n坏公式 :math:`\\frac{a}{\\nosuchmacro}`。\n")
    assert "index" in result.stderr, result.stderr
    assert "nosuchmacro" in result.stderr, result.stderr
    assert "公式排版失败" in result.stderr


# -- benchmarks.reader --------------------------------------------------------------------------------------


def _report(performance: float, fcp: float, transfer: float) -> dict:
    return {
        "categories": {
            "performance": {"score": performance},
            "accessibility": {"score": 1.0},
            "best-practices": {"score": 1.0},
            "seo": {"score": None},
        },
        "audits": {
            "first-contentful-paint": {"numericValue": fcp},
            "largest-contentful-paint": {"numericValue": fcp + 100},
            "total-blocking-time": {"numericValue": 0},
            "cumulative-layout-shift": {"numericValue": 0.01},
            "total-byte-weight": {"numericValue": transfer},
            "network-requests": {"details": {"items": [{}, {}]}},
        },
    }


def test_median_row_takes_each_metric_median() -> None:
    samples = [
        reader.sample_from_report(_report(p, f, t)) for p, f, t in [(0.9, 900, 3), (0.5, 2000, 1), (0.99, 800, 2)]
    ]
    row = reader.median_row("a.html", "mobile", samples)
    assert (row.performance, row.fcp_ms, row.lcp_ms, row.transfer_bytes) == (90, 900, 1000, 2)
    assert row.accessibility == 100
    assert row.requests == 2
    assert row.runs == 3
    assert math.isnan(row.seo)
    with pytest.raises(ValueError, match="没有任何一次测量结果"):
        reader.median_row("a.html", "mobile", [])


def test_content_pages_and_site_size(tmp_path: Path) -> None:
    for name in ["index.html", "search.html", "404.html", "genindex.html", "part1/a.html", "_static/x.html"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x" * 10, encoding="utf-8")
    (tmp_path / "_static" / "mathjax").mkdir()
    (tmp_path / "_static" / "mathjax" / "chtml.css").write_text("y" * 5, encoding="utf-8")
    assert reader.content_pages(tmp_path) == ["index.html", "part1/a.html"]
    assert reader.site_size(tmp_path) == {"total": 65, "mathjax": 5, "files": 7}


def test_gzip_server_compresses_text(tmp_path: Path) -> None:
    import gzip
    import urllib.request

    (tmp_path / "index.html").write_text("<p>重复</p>" * 500, encoding="utf-8")
    with reader.serve_gzipped(tmp_path) as base:
        request = urllib.request.Request(base + "index.html", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            raw = response.read()
    assert len(raw) < 500
    assert gzip.decompress(raw).decode("utf-8") == "<p>重复</p>" * 500


def test_markdown_table_formats_rows() -> None:
    row = reader.median_row("a.html", "mobile", [reader.sample_from_report(_report(0.93, 1234, 300 * 1024))])
    table = reader.markdown_table([row])
    assert "| a.html | mobile | 93 | 100 | 100 | 1.2 s | 1.3 s | 0 ms | 0.010 | 300 KiB |" in table
    assert io.StringIO(table).readline().startswith("| 页面 |")
