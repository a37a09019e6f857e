"""流水线的“样式表”一步：每页 ``<head>`` 里的样式表合成一个压缩过的文件。

手机网络上每个挡住绘制的样式表都要一次往返，Sphinx 与主题给每页写出 11 个（``theme.css`` 还要再
``@import`` 一个）。这里按原来的顺序拼接（层叠顺序不变）：``@import`` 展开，相对 ``url()`` 改成
相对合成文件所在的 ``_static/``，再用 rcssmin 压缩。合成文件名由组成它的样式表清单决定
（``_static/book-<清单的校验和>.css``，同样的清单共用一个文件），地址后的 ``?v=`` 是内容的校验和：
样式一改，浏览器就取新的。合成文件第一行是组成它的清单（注释）。

不合成的：外部地址（``://``）、带 ``media`` 等特别属性的 ``<link>``。

**去掉用不到的规则**（:func:`prune`）。主题的样式表带着整套 Bootstrap 与 Font Awesome，网站只用到一小部分
（大小见仓库根目录 README 的“读者一侧的速度”）。一条规则的选择器里的每个类名、id 与元素名都出现在网站的某一页或
某个脚本里（:func:`used_names`：页面的 ``class``、``id`` 与标签名，脚本里所有像名字的词，所以
脚本运行时才加上的类也算），这个选择器才留下；一个选择器都不剩的规则去掉。伪类、属性选择器与
``:not()`` 等括号里的部分不看（当作总能匹配），``@font-face``、``@keyframes`` 等原样保留。
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path, PurePosixPath

from . import Site, htmldoc

MANIFEST = "/* book_site 合成: "
_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)['"]?\s*\)?\s*;""")
_SOURCE_MAP = re.compile(r"/\*#\s*sourceMappingURL=[^*]*\*/")
_PLAIN = {("rel", "stylesheet"), ("type", "text/css")}


def css_text(root: Path, filename: str, seen: frozenset[str] = frozenset()) -> str:
    """一个样式表的内容，``@import`` 展开，相对 ``url()`` 改成相对 ``_static/``。"""
    css = _SOURCE_MAP.sub("", (root / filename).read_text(encoding="utf-8"))
    css = re.sub(r"@charset\s+[^;]+;", "", css)
    base = PurePosixPath(filename).parent

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
        return "" if name in seen else css_text(root, name, seen | {filename})

    def url(match: re.Match[str]) -> str:
        rebased = rebase(match.group(2).strip())
        return match.group(0) if rebased is None else f'url("{rebased}")'

    return _URL.sub(url, _IMPORT.sub(inline_import, css))


# -- 去掉用不到的规则 ----------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][\w-]*")
_CLASS_ATTR = re.compile(r"""\s(?:class|id)\s*=\s*["']([^"']*)["']""")
_TAG = re.compile(r"<([a-zA-Z][\w-]*)")
# 选择器里要在网站上出现的名字：.类 #id 与元素名（伪类、属性选择器、括号里的部分先去掉）
_SELECTOR_JUNK = re.compile(r"\[[^\]]*\]|::?[\w-]+(?:\((?:[^()]|\([^()]*\))*\))?|\*")
_SELECTOR_NAME = re.compile(r"([.#]?)((?:[A-Za-z_]|\\.)(?:[\w-]|\\.)*)")


def used_names(pages: list[str], scripts: list[str]) -> frozenset[str]:
    """网站用到的名字：页面里的类名、id 与标签名，脚本里所有像名字的词（小写的标签名也算进去）。"""
    names: set[str] = set()
    for text in pages:
        for value in _CLASS_ATTR.findall(text):
            names.update(value.split())
        names.update(tag.lower() for tag in _TAG.findall(text))
    for text in scripts:
        names.update(_NAME.findall(text))
    return frozenset(names)


def _blocks(css: str) -> list[tuple[str, str | None]]:
    """顶层的语句：(前导部分, 花括号里的内容；``@import`` 一类没有花括号的为 None)。"""
    out: list[tuple[str, str | None]] = []
    i, start, n = 0, 0, len(css)

    def skip_string(j: int) -> int:
        quote, j = css[j], j + 1
        while j < n and css[j] != quote:
            j += 2 if css[j] == "\\" else 1
        return j + 1

    while i < n:
        c = css[i]
        if c in "\"'":
            i = skip_string(i)
        elif c == ";":
            out.append((css[start:i].strip(), None))
            i = start = i + 1
        elif c == "{":
            depth, j = 1, i + 1
            while j < n and depth:
                if css[j] in "\"'":
                    j = skip_string(j)
                    continue
                depth += {"{": 1, "}": -1}.get(css[j], 0)
                j += 1
            out.append((css[start:i].strip(), css[i + 1 : j - 1]))
            i = start = j
        else:
            i += 1
    if css[start:].strip():
        out.append((css[start:].strip(), None))
    return out


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(prelude):
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(c, 0)
        if c == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def _selector_used(selector: str, used: frozenset[str]) -> bool:
    bare = _SELECTOR_JUNK.sub(" ", selector)
    for kind, name in _SELECTOR_NAME.findall(bare):
        name = name.replace("\\", "")
        if (name if kind else name.lower()) not in used:
            return False
    return True


def prune(css: str, used: frozenset[str]) -> str:
    """去掉选择器都用不到的规则（见模块说明）；``css`` 应已压缩（没有注释）。"""
    kept = []
    for prelude, body in _blocks(css):
        if body is None:
            kept.append(prelude + ";")
        elif prelude.startswith(("@media", "@supports", "@layer", "@container")):
            inner = prune(body, used)
            if inner:
                kept.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            kept.append(f"{prelude}{{{body}}}")
        else:
            selectors = [s for s in _split_selectors(prelude) if _selector_used(s, used)]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{body}}}")
    return "".join(kept)


def bundle(root: Path, files: list[str], used: frozenset[str] | None = None) -> tuple[str, str]:
    """把 ``files``（相对网站根）合成一个文件写进 ``_static/``；返回 (文件名, 内容的短校验和)。

    给出 ``used``（:func:`used_names`）时去掉用不到的规则。
    """
    from rcssmin import cssmin

    def minified(name: str) -> str:
        css = cssmin(css_text(root, name))
        return prune(css, used) if used is not None else css

    name = "_static/book-" + hashlib.sha256("\n".join(files).encode()).hexdigest()[:10] + ".css"
    parts = [f"/* {f} */\n{minified(f)}" for f in files]
    content = MANIFEST + " ".join(files) + " */\n" + "\n".join(parts) + "\n"
    target = root / name
    target.unlink(missing_ok=True)
    target.write_text(content, encoding="utf-8")
    return name, hashlib.sha256(content.encode()).hexdigest()[:8]


def _stylesheets(doc: htmldoc.Document, page: str) -> list[tuple[htmldoc.Element, str]] | None:
    """``<head>`` 里的样式表：(元素, 相对网站根的文件名)；有不能合成的样式表时为 None。"""
    head = doc.first("head")
    if head is None:
        return None
    found = []
    for link in doc.find("link", within=head):
        if link.attrs.get("rel") != "stylesheet":
            continue
        href = link.attrs.get("href") or ""
        other = {(k, v) for k, v in link.attrs.items() if k not in {"href", "class"}} - _PLAIN
        if "://" in href or other:
            return None
        path = href.split("?", 1)[0].split("#", 1)[0]
        resolved = (
            path.lstrip("/")
            if path.startswith("/")
            else os.path.normpath((PurePosixPath(page).parent / path).as_posix())
        )
        found.append((link, resolved.replace(os.sep, "/")))
    return found


def bundle_styles(site: Site) -> None:
    """见模块说明。"""
    bundles: dict[tuple[str, ...], tuple[str, str]] = {}
    pages = dict(site.edit_pages())
    scripts = [p.read_text(encoding="utf-8", errors="replace") for p in (site.root / "_static").rglob("*.js")]
    used = used_names(list(pages.values()), scripts)
    for rel, text in pages.items():
        links = _stylesheets(htmldoc.head(text), rel)
        if not links or len(links) < 2:
            continue
        files = tuple(name for _, name in links)
        missing = [f for f in files if not (site.root / f).is_file()]
        if missing:
            site.error(f"{rel} 链接的样式表不存在：{', '.join(missing)}")
            continue
        if files not in bundles:
            bundles[files] = bundle(site.root, list(files), used)
        name, version = bundles[files]
        first, rest = links[0][0], [link for link, _ in links[1:]]
        href = links[0][0].attrs.get("href") or ""
        # 404 页的链接是以站点根开头的绝对地址：合成文件的地址也照样写
        prefix = href[: href.index("_static/")] if "_static/" in href else "../" * rel.count("/")
        tag = f'<link rel="stylesheet" href="{prefix}{name}?v={version}" />'
        edits = [htmldoc.Edit(first.start, first.end, tag), *(htmldoc.remove(link, text) for link in rest)]
        site.write(rel, htmldoc.apply(text, edits))
