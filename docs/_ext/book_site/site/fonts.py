"""只发布用到的字形：公式字体与主题的 Font Awesome 实心图标字体用 fontTools 子集化。

- :func:`subset_font`：只留 ``codepoints`` 的字形，结果逐字节可重复；
- :func:`subset_cached`：同上，结果按（原字体的内容、码位、格式）缓存在流水线的缓存目录里，
  空重建不付子集化的时间；
- :func:`subset_icon_font`（流水线的一步）：网站用到的图标（页面与脚本里的 ``fa-*`` 类名，各 CSS
  直接写出的图标字符）之外的字形去掉：115 kB → 几 kB。主题 CSS 里的 ``@font-face`` 地址不变。
  常规体与品牌图标没有子集化，它们只在用到时才下载。
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from . import Site

ICON_FONT = "_static/vendor/fontawesome/webfonts/fa-solid-900.woff2"
_ICON_MAP = re.compile(r"((?:\.fa-[a-z0-9-]+(?:::?before)?,?)+)\{--fa:\"((?:[^\"\\]|\\.)*)\"")
_ICON_CLASS = re.compile(r"\bfa-[a-z0-9]+(?:-[a-z0-9]+)*")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")


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
    font = TTFont(str(source), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    font.flavor = flavor
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.unlink(missing_ok=True)
    font.save(str(destination))


def subset_cached(site: Site, source: Path, destination: Path, codepoints: set[int], flavor: str) -> None:
    """同 :func:`subset_font`，结果按原字体的内容、码位与格式缓存。"""
    digest = hashlib.sha256(source.read_bytes() + repr((sorted(codepoints), flavor)).encode()).hexdigest()[:24]
    cached = site.cache / "fonts" / f"{digest}.{flavor}"
    if not cached.is_file():
        subset_font(source, cached, codepoints, flavor)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.unlink(missing_ok=True)
    shutil.copyfile(cached, destination)


def _css_unescape(text: str) -> str:
    return _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text).replace('\\"', '"')


def icon_codepoints(static: Path, pages: list[Path]) -> set[int]:
    """网站用到的 Font Awesome 图标的码位：页面与脚本里的 ``fa-*`` 类名按主题 CSS 的类名表换成码位，
    加上各 CSS 在类名表之外直接写出的图标字符（主题的 ``--pst-icon-*``、sphinx-exercise 的铅笔）。"""
    css_files = [p for p in static.rglob("*.css") if "mathjax" not in p.parts and not p.name.startswith("book-")]
    icon_map: dict[str, str] = {}
    loose = ""
    for path in css_files:
        css = path.read_text(encoding="utf-8", errors="replace")
        for classes, content in _ICON_MAP.findall(css):
            for name in re.findall(r"fa-[a-z0-9-]+", classes):
                icon_map[name] = _css_unescape(content)
        loose += _css_unescape(_ICON_MAP.sub("", css))
    used: set[str] = set()
    for path in [*pages, *static.rglob("*.js")]:
        used.update(_ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="replace")))
    codepoints = {ord(c) for name in used for c in icon_map.get(name, "")}
    codepoints |= {ord(c) for c in _PRIVATE_USE.findall(loose)}
    return codepoints


def subset_icon_font(site: Site) -> None:
    """流水线的一步：图标字体只留网站用到的图标（见模块说明）。"""
    font = site.root / ICON_FONT
    if not font.is_file():
        return
    pages = [site.root / rel for rel in site.pages()]
    codepoints = icon_codepoints(site.root / "_static", pages)
    if codepoints:
        original = font.with_name(font.name + ".orig")
        font.rename(original)  # 硬链接：改名不动 Sphinx 输出里的原文件
        subset_cached(site, original, font, codepoints, "woff2")
        original.unlink()
