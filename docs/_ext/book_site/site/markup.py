"""流水线的“页面细节”两步：全书 PDF 的下载按钮（:func:`offer_pdf`）与各页 HTML 的改写（:func:`rewrite_pages`）。

:func:`rewrite_pages` 对每页做这些事（契约：输入是 Sphinx + pydata 系主题写出的页面）：

1. **脚本都延迟执行。** ``<head>`` 里的外部脚本加 ``defer``（按出现顺序在解析完文档后执行，与原来
   的顺序相同）；引用 ``DOCUMENTATION_OPTIONS`` 的内联脚本改为 ``type="module"``（模块脚本同样延迟、
   同样按顺序，于是仍在 ``documentation_options.js`` 之后执行）。本站脚本地址的 ``?v=`` 换成文件内容
   的校验和：与构建的历史无关，两次构建相同。
2. **重复的 ``<meta name="viewport">`` 去掉**（主题与 Sphinx 各写一个）。Sphinx 的搜索脚本由
   “搜索”一步（:mod:`book_site.site.search`）去掉。
3. **图片。** 没有 width/height 的 ``<img>`` 加上图片文件的像素尺寸（浏览器在图片到达前留出位置，
   文字不跳动）；正文第一张以外的图片加 ``loading="lazy"``（第一张常在首屏里，可能就是 LCP）。
4. **参考文献的 ARIA 角色。** docutils 把文献条目写成 ``role="doc-biblioentry"``：这个 DPUB-ARIA
   角色已废弃（DPUB-ARIA 1.1 改用 ``listitem``），axe-core 报 critical 的 aria-required-children。
5. **编号后的空格。** Sphinx 的 HTML 写出器在编号（``<span class="caption-number">练习 9 </span>``）
   后总加一个空格；紧跟全角括号时（“练习 9（题目）”，见 :mod:`book_site.typeset`）去掉它。
6. **代码里不着色的记号不包 ``<span>``。** Pygments 给每个名字、标点与空白各包一个
   ``<span class="n|p|w">``；主题的两种配色（:data:`CODE_STYLES`）给它们的样式与正文代码完全相同，
   这些元素只增加 DOM（第 13 章约 2300 个，占全页五分之一），手机上的样式计算与布局随之变慢。
   只去掉标签，文字不变；``tests/test_site.py`` 核对两种配色里这三类记号确实不着色。
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import PurePosixPath

from .. import cjk
from . import Site, htmldoc

PDF_FILE = "rnn-book.pdf"  # 全书 PDF 在网站里的文件名（docs/conf.py 的 latex_documents）
PDF_BUTTON = "btn-download-book-pdf-button"  # book_site.latex 加的页眉按钮（sphinx-book-theme 的类名）
_PDF_BUTTON_START = re.compile(f"<a\\b[^>]*{PDF_BUTTON}")
_IMG_START = re.compile(r"<img\b")
CODE_STYLES = ("a11y-high-contrast-light", "a11y-high-contrast-dark")  # pydata-sphinx-theme 的默认配色
PLAIN_TOKEN_CLASSES = ("n", "p", "w")  # Pygments 的 Name、Punctuation、Whitespace
_HIGHLIGHT_PRE = re.compile(r'(<div class="highlight"><pre>)(.*?)(</pre>)', re.S)
_PLAIN_TOKEN = re.compile(f'<span class="(?:{"|".join(PLAIN_TOKEN_CLASSES)})">([^<]*)</span>')
_NUMBER_THEN_FULLWIDTH = re.compile(f'(<span class="caption-number">[^<]*?) (</span>)(?=[{cjk.FULLWIDTH}])')


def offer_pdf(site: Site) -> None:
    """有全书 PDF 时复制进网站根目录（页眉按钮链接它）；没有时去掉每页的按钮，不留失效的链接。"""
    if site.pdf is not None:
        target = site.root / PDF_FILE
        target.unlink(missing_ok=True)
        shutil.copyfile(site.pdf, target)
        return
    for rel, text in site.edit_pages():
        if PDF_BUTTON not in text:
            continue
        buttons = [piece.elements[0] for piece in htmldoc.elements_at(text, _PDF_BUTTON_START)]
        site.write(rel, htmldoc.apply(text, [htmldoc.remove(b, text) for b in buttons if PDF_BUTTON in b.classes]))


def _local_file(site: Site, page: str, src: str) -> str | None:
    if "://" in src or src.startswith(("data:", "//")):
        return None
    path = src.split("?", 1)[0].split("#", 1)[0]
    joined = PurePosixPath(path.lstrip("/")) if path.startswith("/") else PurePosixPath(page).parent / path
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    rel = "/".join(parts)
    return rel if (site.root / rel).is_file() else None


def _versioned(site: Site, page: str, src: str) -> str:
    """本站文件的地址，``?v=`` 换成文件内容的校验和（不是本站文件时原样）。"""
    rel = _local_file(site, page, src)
    if rel is None or "?" not in src:
        return src
    digest = hashlib.sha256((site.root / rel).read_bytes()).hexdigest()[:8]
    return src.split("?", 1)[0] + f"?v={digest}"


def _head_edits(site: Site, page: str, doc: htmldoc.Document) -> list[htmldoc.Edit]:
    text = doc.text
    head = doc.first("head")
    if head is None:
        return []
    edits = []
    for script in doc.find("script", within=head):
        src = script.attrs.get("src")
        if src:
            changes: dict[str, str | None] = {"src": _versioned(site, page, src)}
            kind = script.attrs.get("type", "text/javascript")
            if "async" not in script.attrs and "defer" not in script.attrs and kind == "text/javascript":
                changes["defer"] = "defer"
            if changes != {"src": src}:
                edits.append(htmldoc.set_attributes(text, script, **changes))
        elif "DOCUMENTATION_OPTIONS" in script.inner(text) and "type" not in script.attrs:
            edits.append(htmldoc.set_attributes(text, script, type="module"))
    viewports = [m for m in doc.find("meta", within=head) if m.attrs.get("name") == "viewport"]
    edits += [htmldoc.Edit(m.start, m.end, "") for m in viewports[1:]]
    return edits


def _image_edits(site: Site, page: str, text: str) -> list[htmldoc.Edit]:
    import imagesize  # Sphinx 自己的依赖

    # 正文的图：<article>（或 <main>）开始之后的 <img>
    starts = [i for i in (text.find("<article"), text.find("<main")) if i >= 0]
    article_start = min(starts) if starts else 0
    images = [piece.elements[0] for piece in htmldoc.elements_at(text, _IMG_START)]
    edits = []
    for count, image in enumerate(i for i in images if i.start > article_start):
        changes: dict[str, str | None] = {}
        if "width" not in image.attrs and "height" not in image.attrs:
            rel = _local_file(site, page, image.attrs.get("src") or "")
            if rel is not None:
                width, height = imagesize.get(str(site.root / rel))
                if width > 0 and height > 0:
                    changes = {"width": str(width), "height": str(height)}
        if count > 0 and "loading" not in image.attrs:
            changes["loading"] = "lazy"
        if changes:
            ordered = {k: changes[k] for k in ("loading", "width", "height") if k in changes} | image.attrs
            bare = htmldoc.Element(image.tag, {}, image.start, image.open_end)
            edits.append(htmldoc.set_attributes(text, bare, **ordered))
    return edits


def rewrite_pages(site: Site) -> None:
    """见模块说明。"""
    for rel, text in site.edit_pages():
        new = htmldoc.apply(text, _head_edits(site, rel, htmldoc.head(text)) + _image_edits(site, rel, text))
        new = new.replace('role="doc-biblioentry"', 'role="listitem"')
        new = _NUMBER_THEN_FULLWIDTH.sub(r"\1\2", new)
        new = unwrap_plain_tokens(new)
        if new != text:
            site.write(rel, new)


def unwrap_plain_tokens(text: str) -> str:
    """代码块（``<div class="highlight"><pre>``）里去掉不着色的记号外面的 ``<span>``（见模块说明第 6 条）。"""
    return _HIGHLIGHT_PRE.sub(lambda m: m[1] + _PLAIN_TOKEN.sub(r"\1", m[2]) + m[3], text)
