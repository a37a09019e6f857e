"""构建后的流水线 book_site.site：每一步在一个小的夹具目录上、在本进程里测（公式一步要 Node.js）。

夹具是 Sphinx 与 pydata 系主题写出的页面的样子（各步的输入契约），不是真的 Sphinx 构建：
真的构建由 ``nox -s docs`` 与浏览器测试在整本书上检查。
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from book_site import site as pipeline
from book_site.site import Site, fonts, formulas, htmldoc, markup, sourcemaps, styles

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
  <head>
    <meta name="viewport" content="width=device-width, initial-scale=1.0" /><meta name="viewport" content="x" />
    <title>页</title>
    <link rel="stylesheet" type="text/css" href="{up}_static/a.css?v=1" />
    <link rel="stylesheet" type="text/css" href="{up}_static/b.css?v=2" />
    <script src="{up}_static/x.js?v=old"></script>
    <script src="{up}_static/searchtools.js"></script>
    <script>DOCUMENTATION_OPTIONS.pagename = 'index';</script>
    <script async="async" src="{up}_static/mathjax/tex-chtml.js"></script>
    <script>window.MathJax = {{"options": {{}}}}</script>
  </head>
  <body>
    <a class="btn btn-sm btn-download-book-pdf-button" href="{up}rnn-book.pdf"><i class="fa-solid fa-book"></i></a>
    <article class="bd-article">
      <p>行内 <span class="math notranslate nohighlight">\\(x_t \\in \\mathbb{{R}}^D\\)</span>。</p>
      <div class="math notranslate nohighlight" id="equation-a">
<span class="eqno">(1)<a class="headerlink" href="#equation-a" title="链接">#</a></span>\\[s_t = f(a_t)\\]</div>
      <img alt="第一张" src="{up}_images/fig.png" />
      <img alt="第二张" src="{up}_images/fig.png" />
      <img alt="给了尺寸" width="10" height="5" src="{up}_images/fig.png" />
      <div role="doc-biblioentry" class="a b c">文献</div>
      <p><span class="caption-number">练习 1 </span>（题目）与 <span class="caption-number">图 2 </span>的说明</p>
    </article>
  </body>
</html>
"""


def make_site(root: Path, pages: dict[str, str] | None = None) -> Path:
    """一个像 Sphinx 输出的小网站：``index.html``、``part1/a.html``、两个样式表、一个脚本、一张图。"""
    from PIL import Image

    pages = pages or {"index.html": PAGE.format(up=""), "part1/a.html": PAGE.format(up="../")}
    for rel, text in pages.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    static = root / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "a.css").write_text(
        '@import url("styles/c.css");\n.a {\n  color: red;  /* 注释 */\n}\n', encoding="utf-8"
    )
    (static / "styles" / "c.css").write_text('.c { background: url("../img/x.png"); }\n', encoding="utf-8")
    (static / "b.css").write_text(".b { margin: 0 ; }\n", encoding="utf-8")
    (static / "x.js").write_text("console.log(1);\n", encoding="utf-8")
    (static / "searchtools.js").write_text("var Search = {};\n", encoding="utf-8")
    (root / "_images").mkdir()
    Image.new("RGB", (300, 120)).save(root / "_images" / "fig.png")
    return root


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(make_site(tmp_path / "site"), tmp_path / "cache", log=lambda message: None)


# -- htmldoc ------------------------------------------------------------------------------------------


def test_htmldoc_locates_elements_and_edits_only_what_it_replaces() -> None:
    text = '<div class="x"><p>一<b>二</b></p><br><script>if (a < b) {}</script><p>三</div>'
    doc = htmldoc.Document.parse(text)
    (bold,) = doc.find("b")
    assert bold.inner(text) == "二"
    (div,) = doc.find("div", "x")
    assert div.end == len(text)
    paragraphs = doc.find("p", within=div)
    assert [p.inner(text) for p in paragraphs] == ["一<b>二</b>", "三"]  # 没写结束标签的 <p> 在 </div> 处结束
    assert len(doc.find("script")) == 1  # 脚本里的 “<” 不是标签
    edited = htmldoc.apply(
        text, [htmldoc.Edit(bold.open_end, bold.close_start, "2"), htmldoc.remove(doc.find("br")[0], text)]
    )
    assert edited == text.replace("<b>二</b>", "<b>2</b>").replace("<br>", "")
    # 只读一个元素：位置按整页算，与整页解析得到的相同
    (alone,) = [d.elements[0] for d in htmldoc.elements_at(text, re.compile("<b>"))]
    assert (alone.start, alone.open_end, alone.close_start, alone.end) == (
        bold.start,
        bold.open_end,
        bold.close_start,
        bold.end,
    )
    assert htmldoc.head("<html><head><title>t</title></head><body><p>x</p></body>").find("p") == []
    with pytest.raises(ValueError, match="重叠的替换"):
        htmldoc.apply(text, [htmldoc.Edit(0, 5, ""), htmldoc.Edit(3, 8, "")])


# -- 公式 ------------------------------------------------------------------------------------------------


def test_formulas_reads_the_sphinx_mathjax_markup() -> None:
    text = (
        '<span class="math notranslate nohighlight">\\(a &lt; b\\)</span>'
        '<div class="math notranslate nohighlight" id="e"><span class="eqno">(1)<a href="#e">#</a></span>\\[x\\]</div>'
        '<div class="math notranslate nohighlight">\\begin{align}y\\end{align}</div>'
    )
    found = [(tex, display) for _, _, tex, display in formulas.formulas(htmldoc.Document.parse(text))]
    assert found == [("a < b", False), ("x", True), ("\\begin{align}y\\end{align}", True)]


def test_math_stage_typesets_at_build_time(site: Site) -> None:
    formulas.typeset_math(site)
    assert not site.errors, site.errors
    html = (site.root / "part1" / "a.html").read_text(encoding="utf-8")
    assert html.count("<mjx-container") == 2
    assert "<mjx-assistive-mml" in html, "缺给读屏软件的 MathML"
    assert '<span class="eqno">(1)<a class="headerlink"' in html, "公式编号没有保留"
    assert '<link rel="stylesheet" type="text/css" href="../_static/mathjax/chtml.css" />' in html
    assert "mathjax/tex-chtml.js" not in html
    assert "window.MathJax" not in html
    assert "\\(" not in html
    fonts_dir = site.root / "_static" / "mathjax" / "woff-v2"
    names = sorted(p.name for p in fonts_dir.iterdir())
    assert "MathJax_AMS-Regular.woff" in names  # \mathbb
    assert "MathJax_Fraktur-Regular.woff" not in names
    assert sorted(p.name for p in (site.root / "_static" / "mathjax").iterdir()) == ["chtml.css", "woff-v2"]


def test_math_is_typeset_once_and_cached_by_tex(site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """公式没变的重建不启动 Node；有新公式才排版（Node 不可用时说明怎样装）。"""
    formulas.typeset_math(site)
    first = (site.root / "index.html").read_text(encoding="utf-8")
    missing_node = str(tmp_path / "no-such-node")
    monkeypatch.setenv("RNN_BOOK_NODE", missing_node)
    again = Site(make_site(tmp_path / "again"), site.cache, log=lambda m: None)
    formulas.typeset_math(again)
    assert (again.root / "index.html").read_text(encoding="utf-8") == first
    changed = Site(tmp_path / "changed", site.cache, log=lambda m: None)
    make_site(changed.root, {"index.html": PAGE.format(up="").replace("s_t = f(a_t)", "s_t = g(a_t)")})
    with pytest.raises(RuntimeError, match=f"RNN_BOOK_NODE 指向的 Node.js 不存在或不可执行：{missing_node}"):
        formulas.typeset_math(changed)


def test_tex_error_names_the_page(site: Site) -> None:
    (site.root / "index.html").write_text(
        PAGE.format(up="").replace("x_t \\in", "\\frac{a}{\\nosuchmacro} x_t \\in"), encoding="utf-8"
    )
    formulas.typeset_math(site)
    assert len(site.errors) == 1, site.errors
    assert site.errors[0].startswith("index：公式排版失败")
    assert "nosuchmacro" in site.errors[0]


def test_math_font_chars_by_variant() -> None:
    css = (
        'mjx-c.mjx-c1D453.TEX-I::before{padding:0.7em 0.5em 0.2em 0;content:"f"}'
        'mjx-c.mjx-c28::before{padding:0.75em 0.389em 0.25em 0;content:"("}'
        'mjx-c.mjx-c211D.TEX-A::before{content:"R"}'
        'mjx-stretchy-v.mjx-c2016 mjx-ext mjx-c::before{content:"\\2225";width:0.556em}'
    )
    chars = formulas.math_font_chars(css)
    assert chars["MJXTEX-I"] == {ord("f")}
    assert chars["MJXTEX"] == {ord("("), 0x2225}
    assert chars["MJXTEX-A"] == {ord("R"), 0x2225}
    assert chars["MJXTEX-S1"] == chars["MJXTEX-S4"] == {0x2225}


# -- 字体 ------------------------------------------------------------------------------------------------


def test_subset_font_keeps_only_the_requested_glyphs(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    source = formulas.mathjax_dir() / "output" / "chtml" / "fonts" / "woff-v2" / "MathJax_AMS-Regular.woff"
    first, second = tmp_path / "a.woff", tmp_path / "b.woff"
    wanted = {ord("R"), 0x2265}
    fonts.subset_font(source, first, wanted, "woff")
    fonts.subset_font(source, second, wanted, "woff")
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
    assert fonts.icon_codepoints(static, [page]) == {0xF0C9, 0xF186, 0xF0F3, 0xF303}


# -- 页面细节 ----------------------------------------------------------------------------------------------


def test_markup_stage(site: Site) -> None:
    markup.rewrite_pages(site)
    html = (site.root / "part1" / "a.html").read_text(encoding="utf-8")
    head = html[: html.index("</head>")]
    assert head.count('name="viewport"') == 1
    version = hashlib.sha256(b"console.log(1);\n").hexdigest()[:8]  # v= 是文件内容的校验和
    assert f'<script src="../_static/x.js?v={version}" defer="defer"></script>' in head
    assert "<script type=\"module\">DOCUMENTATION_OPTIONS.pagename = 'index';</script>" in head
    assert '<script async="async" src="../_static/mathjax/tex-chtml.js"></script>' in head  # async 的不动
    images = re.findall(r"<img[^>]*>", html)
    assert images == [
        '<img width="300" height="120" alt="第一张" src="../_images/fig.png" />',
        '<img loading="lazy" width="300" height="120" alt="第二张" src="../_images/fig.png" />',
        '<img loading="lazy" alt="给了尺寸" width="10" height="5" src="../_images/fig.png" />',
    ]
    assert 'role="listitem"' in html
    assert "doc-biblioentry" not in html
    assert '<span class="caption-number">练习 1</span>（题目）' in html
    assert '<span class="caption-number">图 2 </span>的说明' in html  # 后面不是全角标点：空格照旧
    # 其余原样
    assert html[html.index("<body>") :].replace('role="listitem"', 'role="doc-biblioentry"').count("<img") == 3


def test_pdf_button_only_with_a_pdf(site: Site, tmp_path: Path) -> None:
    markup.offer_pdf(site)
    assert "rnn-book.pdf" not in (site.root / "index.html").read_text(encoding="utf-8")
    assert not (site.root / "rnn-book.pdf").exists()
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.5 test")
    with_pdf = Site(make_site(tmp_path / "with-pdf"), site.cache, pdf=pdf)
    markup.offer_pdf(with_pdf)
    assert 'href="rnn-book.pdf"' in (with_pdf.root / "index.html").read_text(encoding="utf-8")
    assert (with_pdf.root / "rnn-book.pdf").read_bytes() == b"%PDF-1.5 test"


# -- 源码映射 --------------------------------------------------------------------------------------------


def test_sourcemaps_stage_drops_maps_and_the_comments_that_name_them(site: Site) -> None:
    static = site.root / "_static"
    (static / "scripts").mkdir()
    (static / "scripts" / "t.js").write_text("t();\n//# sourceMappingURL=t.js.map", encoding="utf-8")
    (static / "scripts" / "t.js.map").write_text('{"version":3}', encoding="utf-8")
    (static / "scripts" / "quoted.js").write_text('s = "//# sourceMappingURL=x";\n', encoding="utf-8")
    (static / "styles" / "t.css").write_text(".t{}\n/*# sourceMappingURL=t.css.map*/", encoding="utf-8")
    (static / "styles" / "t.css.map").write_text('{"version":3}', encoding="utf-8")
    (site.root / "_images" / "stray.map").write_text("{}", encoding="utf-8")
    source = site.root.parent / "sphinx-x.js"  # 网站里的文件是 Sphinx 输出的硬链接：不改的文件仍是它
    source.write_text("//# sourceMappingURL=x.js.map\nconsole.log(1);\n", encoding="utf-8")
    (static / "x.js").unlink()
    (static / "x.js").hardlink_to(source)
    sourcemaps.drop_source_maps(site)
    assert not list(site.root.rglob("*.map"))
    assert (static / "scripts" / "t.js").read_text(encoding="utf-8") == "t();\n"
    assert (static / "styles" / "t.css").read_text(encoding="utf-8") == ".t{}\n"
    assert (static / "scripts" / "quoted.js").read_text(encoding="utf-8") == 's = "//# sourceMappingURL=x";\n'
    assert (static / "x.js").read_text(encoding="utf-8") == "console.log(1);\n"
    assert source.read_text(encoding="utf-8").startswith("//# sourceMappingURL="), "Sphinx 的输出被改了"
    for path in [*static.rglob("*.js"), *static.rglob("*.css")]:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert not [line for line in lines if re.match(r"\s*(//|/\*)[#@]\s*sourceMappingURL=", line)], path
    # 在 markup 之前：脚本地址的 ?v= 是发布的内容（去掉注释之后）的校验和
    names = [name for name, _ in pipeline.stages()]
    assert names.index("sourcemaps") < names.index("markup")
    markup.rewrite_pages(site)
    version = hashlib.sha256(b"console.log(1);\n").hexdigest()[:8]
    assert f'_static/x.js?v={version}"' in (site.root / "index.html").read_text(encoding="utf-8")


# -- 样式表 ----------------------------------------------------------------------------------------------


def test_styles_stage_bundles_in_order_minified(site: Site) -> None:
    styles.bundle_styles(site)
    index = (site.root / "index.html").read_text(encoding="utf-8")
    nested = (site.root / "part1" / "a.html").read_text(encoding="utf-8")
    (link,) = re.findall(r'<link rel="stylesheet"[^>]*>', index)
    name, version = re.fullmatch(
        r'<link rel="stylesheet" href="(_static/book-[0-9a-f]{10}\.css)\?v=([0-9a-f]{8})" />', link
    ).groups()  # type: ignore[union-attr]
    assert f'href="../{name}?v={version}"' in nested, "两页共用一个合成文件"
    bundle = (site.root / name).read_text(encoding="utf-8")
    assert bundle.splitlines()[0] == "/* book_site 合成: _static/a.css _static/b.css */"
    body = bundle.split("\n", 1)[1]
    assert body.index(".c{") < body.index(".a{") < body.index(".b{"), "顺序：@import 展开在原处"
    assert 'url("img/x.png")' in body, "url() 改成相对 _static/"
    assert "注释" not in body, "没有压缩"
    assert "  " not in body, "没有压缩"
    assert version == hashlib.sha256(bundle.encode()).hexdigest()[:8]


def test_prune_keeps_rules_whose_names_the_site_uses() -> None:
    used = styles.used_names(['<div class="a b" id="x"><p>t</p></div>'], ['el.classList.add("shown")'])
    assert {"a", "b", "x", "div", "p", "shown", "classList"} <= used
    css = (
        '.a{color:red}.zzz{color:blue}.a .zzz,.b>p{margin:0}#x:hover::before{content:"}"}'
        "div[data-mode=dark] .shown{x:1}.a:not(.nope){y:2}"
        "@media (min-width:1px){.zzz{a:b}.b{c:d}}@media print{.zzz{e:f}}"
        "@font-face{font-family:F;src:url(f.woff)}@keyframes spin{to{transform:rotate(1turn)}}"
        "span{z:0}:root{--v:1}"
    )
    assert styles.prune(css, used) == (
        '.a{color:red}.b>p{margin:0}#x:hover::before{content:"}"}'
        "div[data-mode=dark] .shown{x:1}.a:not(.nope){y:2}"
        "@media (min-width:1px){.b{c:d}}"
        "@font-face{font-family:F;src:url(f.woff)}@keyframes spin{to{transform:rotate(1turn)}}"
        ":root{--v:1}"
    )


# -- 整条流水线 --------------------------------------------------------------------------------------------


def test_build_replaces_the_site_only_when_every_stage_succeeds(tmp_path: Path) -> None:
    source = make_site(tmp_path / "sphinx")
    out = tmp_path / "html"
    skip = frozenset({"package"})
    assert pipeline.build(source, out, cache=tmp_path / "cache", skip=skip, log=lambda m: None) == []
    first = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert (source / "index.html").read_text(encoding="utf-8") == PAGE.format(up=""), "Sphinx 的输出被改了"
    assert pipeline.build(source, out, cache=tmp_path / "cache2", skip=skip, log=lambda m: None) == []
    second = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert first == second, "两次构建的网站不同"
    (source / "index.html").write_text(PAGE.format(up="").replace("x_t", "\\nosuchmacro"), encoding="utf-8")
    errors = pipeline.build(source, out, cache=tmp_path / "cache", skip=skip, log=lambda m: None)
    assert errors
    assert "nosuchmacro" in errors[0]
    assert (out / "index.html").read_bytes() == first["index.html"], "失败的构建不应换掉已有的网站"


def test_site_pages_and_content_pages(tmp_path: Path) -> None:
    for name in ["index.html", "search.html", "404.html", "genindex.html", "part1/a.html", "_static/x.html"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert pipeline.site_pages(tmp_path) == ["404.html", "genindex.html", "index.html", "part1/a.html", "search.html"]
    assert pipeline.content_pages(tmp_path) == ["index.html", "part1/a.html"]


def test_plain_code_tokens_lose_their_span_only() -> None:
    code = (
        '<div class="highlight"><pre><span></span><span class="kn">import</span><span class="w"> </span>'
        '<span class="nn">torch</span>\n<span class="n">x</span><span class="p">(</span>'
        '<span class="mi">1</span><span class="p">)</span>\n</pre></div>'
    )
    outside = '<p><span class="n">不在代码块里</span></p>'
    result = markup.unwrap_plain_tokens(outside + code)
    assert result == outside + (
        '<div class="highlight"><pre><span></span><span class="kn">import</span> '
        '<span class="nn">torch</span>\nx(<span class="mi">1</span>)\n</pre></div>'
    )


def test_unwrapped_token_kinds_are_unstyled_in_both_code_styles() -> None:
    """去掉 span 不改变外观的前提：两种配色里 Name、Punctuation、Whitespace 与正文代码的样式相同。"""
    from pygments.styles import get_style_by_name
    from pygments.token import STANDARD_TYPES, Text

    kinds = {short: token for token, short in STANDARD_TYPES.items()}
    for name in markup.CODE_STYLES:
        style = get_style_by_name(name)
        for short in markup.PLAIN_TOKEN_CLASSES:
            assert style.style_for_token(kinds[short]) == style.style_for_token(Text), (name, short)
