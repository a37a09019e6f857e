"""中文排版与阅读舒适度：在浏览器里按读者看到的样子逐页量。

每页在两种宽度下打开（390 px 手机、1280 px 桌面），等 MathJax 排版与字体加载完，再在页面里量：

- **软换行空格**：源文件里一句一行，两个汉字之间的换行若进了 HTML，浏览器把它画成一个空格
  （“二者相加，  再经过”）。正文里（代码与公式之外）两个中文字符之间、或全角标点旁不该有空白。
- **行首标点**：逗号、句号、右括号等收尾标点不能出现在一行开头（典型的是行内公式后面的“。”
  被挤到下一行）。用 ``Range.getClientRects`` 量每个收尾标点与它前面那个字（或公式、行内代码）
  的位置：标点落在前者的下一行就是一处错误。
- **代码放得下**：1280 px 桌面上，代码单元、输出、doctest 与 literalinclude 的 ``pre`` 不出现
  横向滚动条（书里的代码与输出每行至多 88 个显示列，中文字符算 2 列）。
- **执行生成的图**：每张由代码单元生成的图都是带编号（“图 N”）和图题的 figure，替代文本说的是
  图里画了什么，而不是文件名。
- **界面**：桌面页上只有一个搜索框，且快捷键能打开搜索；主题界面里没有残留的英文；侧栏标题
  在地标区域里（axe-core 的 region 规则）。

页面列表来自构建好的网站（``helpers.site_pages``，去掉搜索页与索引页，留着 404 页），新加的页自动纳入。
中文字符与全角标点的范围来自 ``book_site.cjk``（排版、PDF 与搜索共用的定义），写进页面里运行的脚本。
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from book_site import cjk
from book_site.site import NON_CONTENT_PAGES

try:  # 浏览器测试的辅助函数正从 conftest 移到 helpers 模块；两处都能用
    from .helpers import SCREENSHOTS, Visit, format_list, open_page, require_site, site_pages, wait_for_math
except ImportError:
    from .conftest import SCREENSHOTS, Visit, format_list, open_page, require_site, site_pages, wait_for_math

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 390, 1280
WIDTHS = [PHONE, DESKTOP]
# 行首标点与整页横向滚动另在 360 px（常见的窄 Android 手机）上量：窄屏上才显出的断行问题
LINE_WIDTHS = [360, PHONE, DESKTOP]


# 不量的 HTML：网站的非内容页（book_site.site.NON_CONTENT_PAGES：搜索页、索引页、404 页），但 404 页照量：
# 读者打错地址时看到的也是书的版面与中文文字，排版的要求一样
NOT_TYPESET_PAGES = NON_CONTENT_PAGES - {"404.html"}


def content_pages() -> list[str]:
    """网站里的全部书页与 404 页；网站不存在时给一个占位参数，让测试失败而不是消失。"""
    return [page for page in site_pages() if page not in NOT_TYPESET_PAGES] or ["<网站未构建>"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``content_page`` 参数化为网站里的全部书页（不含搜索页与索引页）。"""
    if "content_page" in metafunc.fixturenames:
        metafunc.parametrize("content_page", content_pages())


# -- 在浏览器里量一页 -----------------------------------------------------------------

# 正文按块（段落、列表项、表格单元、标题、图题……）切开；块里的行内公式、行内代码等作为一个
# 不可分的“原子”（占位符 U+FFFC）参与判断，代码块、脚本与隐藏元素不算正文。
_MEASURE_JS = r"""
async () => {
    await document.fonts.ready;
    // 展开折叠的内容（答案、下拉框），让其中的文字也排版、也被量到
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));

    const article = document.querySelector('main .bd-article') || document.querySelector('main') || document.body;
    const ATOM = '.math, mjx-container, code, kbd, samp, img, svg, button';
    const SKIP = 'pre, script, style, template, .headerlink, .copybtn, .visually-hidden, .sr-only';
    const OBJ = '\uFFFC';  // 行内公式、行内代码等：在文字里占一个非中文字符的位置

    // 1. 正文块：每块是一串条目，文字按字符记（文本节点 + 偏移），原子按元素记
    const blocks = [];
    let current = null;
    const flush = () => { if (current && current.items.length) blocks.push(current); current = null; };
    const block = () => (current ??= {items: [], text: ''});
    const isInline = el => getComputedStyle(el).display.startsWith('inline');
    function walk(node) {
        for (const child of node.childNodes) {
            if (child.nodeType === Node.TEXT_NODE) {
                const b = block();
                for (let i = 0; i < child.data.length; i++) b.items.push({node: child, offset: i});
                b.text += child.data;
            } else if (child.nodeType === Node.ELEMENT_NODE) {
                if (child.matches(SKIP) || getComputedStyle(child).display === 'none') {
                    if (!isInline(child)) flush();
                    continue;
                }
                if (child.matches(ATOM)) {
                    if (!isInline(child)) { flush(); continue; }
                    const b = block();
                    b.items.push({element: child, label: child.matches('code, kbd, samp') ? '⟨代码⟩' : '⟨公式⟩'});
                    b.text += OBJ;
                    continue;
                }
                if (isInline(child)) { walk(child); } else { flush(); walk(child); flush(); }
            }
        }
    }
    walk(article);
    flush();

    // 中文字符（含全角标点）、全角标点、不分中西的标点：book_site.cjk 的 WIDE、FULLWIDTH、SHARED，由 Python 写进来；
    // WIDE 含补充平面的汉字（代理对），正则因此要 u 标志
    const WIDE = __WIDE__;
    const FULLWIDTH = __FULLWIDTH__;
    const SHARED = __SHARED__;
    // 出错处前后各 12 个字（公式、代码写作 ⟨公式⟩ ⟨代码⟩）：出错的空白标成 ⏎（源文件的换行）或 ␣（空格），
    // 行首标点前标 ↵，其余空白照常显示
    const piece = (b, from, to) => {
        let out = '';
        for (let k = Math.max(0, from); k < Math.min(to, b.text.length); k++) out += b.items[k].label || b.text[k];
        return out.replace(/\s+/g, ' ');
    };
    const snippet = (b, start, end, isSpace) => {
        const middle = isSpace ? (/\n/.test(b.text.slice(start, end)) ? '⏎' : '␣') : '↵' + b.text.slice(start, end);
        return piece(b, start - 12, start) + middle + piece(b, end, end + 12);
    };

    // 2. 中文字符之间、全角标点旁的空白
    const wide = `[${WIDE}${SHARED}]`;
    const softBreak = new RegExp(
        `(?<=${wide})\\s+(?=${wide})|(?<=[${FULLWIDTH}])\\s+(?=\\S)|(?<=\\S)\\s+(?=[${FULLWIDTH}])`, 'gu');
    const spaces = [];
    for (const b of blocks) {
        for (const m of b.text.matchAll(softBreak)) spaces.push(snippet(b, m.index, m.index + m[0].length, true));
    }

    // 3. 行首的收尾标点
    const CLOSING_WIDE = '，。、；：？！）」』》〉】〕〗〙〛｝］｠”’…·％';
    const CLOSING_ASCII = ',.;:!?)]}%';
    const rectOf = item => {
        if (item.element) {
            const rects = item.element.getClientRects();
            return rects.length ? rects[rects.length - 1] : null;
        }
        const range = document.createRange();
        range.setStart(item.node, item.offset);
        range.setEnd(item.node, item.offset + 1);
        const rects = [...range.getClientRects()].filter(r => r.width > 0 || r.height > 0);
        return rects.length ? rects[0] : null;
    };
    const lineStarts = [];
    let measured = 0;
    for (const b of blocks) {
        for (let i = 1; i < b.items.length; i++) {
            const ch = b.text[i];
            const wideClose = CLOSING_WIDE.includes(ch);
            if (!wideClose && !(CLOSING_ASCII.includes(ch) && /\S/.test(b.text[i - 1]))) continue;
            let j = i - 1;
            while (j >= 0 && /\s/.test(b.text[j])) j--;
            if (j < 0) continue;
            const here = rectOf(b.items[i]);
            const before = rectOf(b.items[j]);
            if (!here || !before) continue;
            measured++;
            if ((here.top + here.bottom) / 2 > before.bottom) {
                lineStarts.push(snippet(b, i, i + 1, false));
            }
        }
    }

    // 4. 代码块：内容比框宽（出现横向滚动条）；另量一行 88 列（88 个拉丁字母、44 个汉字）在每个代码框里放不放得下，
    //    这与页面上现有的代码无关，量的是版面本身（练习、答案等提示框里的代码框比正文的窄）。API 页函数说明（dd）
    //    里的 doctest 来自文档字符串，源文件里至少缩进 4 格，88 列的行宽下显示出来至多 84 列
    const wideCode = [];
    const narrowBoxes = [];
    const probe = document.createElement('span');
    probe.style.whiteSpace = 'pre';
    const seen = new Set();
    for (const pre of article.querySelectorAll('pre')) {
        if (!pre.getClientRects().length) continue;
        if (pre.scrollWidth > pre.clientWidth + 1) {
            const longest = pre.textContent.split('\n').reduce((a, l) => (l.length > a.length ? l : a), '');
            wideCode.push({overflow: pre.scrollWidth - pre.clientWidth, box: pre.clientWidth,
                           line: longest.slice(0, 60)});
        }
        const style = getComputedStyle(pre);
        const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        pre.appendChild(probe);
        const columns = pre.closest('dl.py dd') ? 84 : 88;
        const need = Math.max(...['x'.repeat(columns), '中'.repeat(columns / 2)].map(line => {
            probe.textContent = line;
            return probe.getBoundingClientRect().width;
        }));
        probe.remove();
        const box = pre.closest('.cell_input, .cell_output, .doctest, .literal-block-wrapper, dd') || pre.parentElement;
        const where = pre.closest('.admonition') ? ' in ' + pre.closest('.admonition').className.split(' ')[0] : '';
        const kind = (box.className.split(' ')[0] || 'pre') + where;
        const key = kind + Math.round(room);
        if (need > room + 0.5 && !seen.has(key)) {
            seen.add(key);
            narrowBoxes.push({kind, columns, room: Math.round(room), need: Math.round(need), font: style.fontSize});
        }
    }

    // 5. 执行生成的图：单元输出里的图、myst-nb 以内容哈希命名的图
    const figures = [];
    for (const img of article.querySelectorAll('img')) {
        const src = img.getAttribute('src') || '';
        const executed = !!img.closest('.cell_output, .output') || /[0-9a-f]{32,}\.(png|jpe?g|svg)$/i.test(src);
        if (!executed) continue;
        const figure = img.closest('figure');
        const caption = figure ? figure.querySelector('figcaption') : null;
        const number = caption ? caption.querySelector('.caption-number') : null;
        const captionText = caption ? caption.textContent.replace(number ? number.textContent : '', '').trim() : '';
        figures.push({src: src.split('/').pop(), alt: (img.getAttribute('alt') || '').trim(),
                      number: number ? number.textContent.trim() : '', caption: captionText.slice(0, 40)});
    }

    // 行内公式不能断行：比正文栏宽的会被截掉一截（表格里的除外，表格在自己的框里横向滚动）
    const column = document.querySelector('.bd-article').getBoundingClientRect();
    const scrollable = el => {
        for (let a = el.parentElement; a && !a.classList.contains('bd-article'); a = a.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true;
        }
        return false;
    };
    const clippedMath = [...document.querySelectorAll('.bd-article mjx-container:not([display="true"])')]
        .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > column.right + 1; })
        .filter(e => !scrollable(e))
        .map(e => `${Math.round(e.getBoundingClientRect().width)} px：${e.textContent.slice(0, 50)}`);

    return {spaces, lineStarts, measured, wideCode, narrowBoxes, figures, clippedMath,
            pageOverflow: document.scrollingElement.scrollWidth - window.innerWidth};
}
"""
for _name, _chars in {"WIDE": cjk.WIDE, "FULLWIDTH": cjk.FULLWIDTH, "SHARED": cjk.SHARED}.items():
    _MEASURE_JS = _MEASURE_JS.replace(f"__{_name}__", json.dumps(_chars, ensure_ascii=True))


@dataclass
class Layout:
    url: str
    data: dict[str, Any]
    page_errors: list[str]


@pytest.fixture(scope="session")
def layouts() -> dict[tuple[str, int], Layout]:
    return {}


def measure(browser: Any, base_url: str, layouts: dict[tuple[str, int], Layout], page: str, width: int) -> Layout:
    """在 ``width`` px 宽的窗口里打开书页并量一次（同一页同一宽度在一次测试运行里只量一次）。"""
    require_site()
    key = (page, width)
    if key not in layouts:
        visit = Visit(url=base_url + page)
        with open_page(browser, visit, viewport={"width": width, "height": 900}) as tab:
            wait_for_math(tab)
            data = tab.evaluate(_MEASURE_JS)
        layouts[key] = Layout(url=visit.url, data=data, page_errors=visit.page_errors)
    return layouts[key]


# -- 逐页的排版检查 -------------------------------------------------------------------


def test_no_space_between_chinese_characters(new_context: Any, base_url: str, layouts: Any, content_page: str) -> None:
    """正文里两个中文字符之间、全角标点两侧没有空白（源文件的换行不能变成空格）。"""
    layout = measure(new_context, base_url, layouts, content_page, DESKTOP)
    spaces = layout.data["spaces"]
    assert not spaces, f"{content_page} 正文里有 {len(spaces)} 处中文之间的空白（⏎ 标出空白）：{format_list(spaces)}"


@pytest.mark.parametrize("width", LINE_WIDTHS)
def test_no_closing_punctuation_at_line_start(
    new_context: Any, base_url: str, layouts: Any, content_page: str, width: int
) -> None:
    """收尾标点（，。、；：？！）」』》 等）不出现在行首：量两种手机宽度与桌面宽度。"""
    layout = measure(new_context, base_url, layouts, content_page, width)
    starts = layout.data["lineStarts"]
    assert not starts, f"{content_page} 在 {width} px 宽时有 {len(starts)} 个标点落在行首：{format_list(starts)}"


def test_code_fits_the_column_on_desktop(new_context: Any, base_url: str, layouts: Any, content_page: str) -> None:
    """1280 px 桌面上代码与输出不出现横向滚动条（每行至多 88 个显示列，中文算 2 列）。"""
    layout = measure(new_context, base_url, layouts, content_page, DESKTOP)
    wide = layout.data["wideCode"]
    assert not wide, f"{content_page} 在 {DESKTOP} px 宽时有 {len(wide)} 个代码块比栏宽：{format_list(wide)}"


def test_code_boxes_hold_88_columns_on_desktop(
    new_context: Any, base_url: str, layouts: Any, content_page: str
) -> None:
    """版面本身：1280 px 桌面上每个代码框（代码单元、输出、doctest、literalinclude，包括提示框里的）
    放得下一行 88 列（API 页函数说明里的 doctest：84 列）。"""
    layout = measure(new_context, base_url, layouts, content_page, DESKTOP)
    narrow = layout.data["narrowBoxes"]
    assert not narrow, f"{content_page} 在 {DESKTOP} px 宽时代码框放不下 88 列：{format_list(narrow)}"


_FILE_NAME = re.compile(r"(^|/)[^\s/]+\.(png|jpe?g|svg|gif|webp)$|^[0-9a-f]{16,}|/", re.IGNORECASE)


def test_executed_figures_are_numbered_with_caption_and_alt(
    new_context: Any, base_url: str, layouts: Any, content_page: str
) -> None:
    """代码生成的每张图：有编号（图 N）、有图题、替代文本不是文件名。"""
    layout = measure(new_context, base_url, layouts, content_page, DESKTOP)
    faults = []
    for figure in layout.data["figures"]:
        missing = []
        if not figure["number"]:
            missing.append("没有编号")
        if not figure["caption"]:
            missing.append("没有图题")
        if not figure["alt"] or _FILE_NAME.search(figure["alt"]):
            missing.append(f"替代文本不说明图的内容：{figure['alt']!r}")
        if missing:
            faults.append(f"{figure['src']}：{'，'.join(missing)}")
    assert not faults, f"{content_page} 有 {len(faults)} 张执行生成的图不合要求：{format_list(faults)}"


@pytest.mark.parametrize("width", LINE_WIDTHS)
def test_page_does_not_scroll_sideways(
    new_context: Any, base_url: str, layouts: Any, content_page: str, width: int
) -> None:
    """整页没有横向滚动（宽的代码、公式、表格只在自己的框里滚动）。"""
    layout = measure(new_context, base_url, layouts, content_page, width)
    assert layout.data["pageOverflow"] <= 0, (
        f"{content_page} 在 {width} px 宽时整页向右多出 {layout.data['pageOverflow']} px"
    )
    assert not layout.page_errors, format_list(layout.page_errors)


@pytest.mark.parametrize("width", LINE_WIDTHS)
def test_inline_math_fits_the_column(
    new_context: Any, base_url: str, layouts: Any, content_page: str, width: int
) -> None:
    """行内公式不能断行，比正文栏宽就会被截掉：长的式子写成行间公式（它在自己的框里横向滚动）。"""
    layout = measure(new_context, base_url, layouts, content_page, width)
    clipped = layout.data["clippedMath"]
    assert not clipped, (
        f"{content_page} 在 {width} px 宽时有 {len(clipped)} 个行内公式超出正文栏：{format_list(clipped)}"
    )


# -- 界面：搜索框、中文标签、地标 --------------------------------------------------------

CHAPTER = "part1/03-structure.html"
SOLUTIONS = "part2/09-remedies.html"  # 有折叠的答案与提示框

# 页面上看得见的搜索框与搜索按钮（搜索对话框 <dialog> 里的输入框只在打开时出现，不算）
_SEARCH_FIELDS_JS = """
() => [...document.querySelectorAll('input[type="search"], .search-button-field, .bd-search')]
    .filter(e => !e.closest('dialog') && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
    .map(e => (e.closest('[class*="sidebar"], header, nav') || e).className.split(' ')[0] + ' > ' + e.className)
"""


def test_one_search_box_on_desktop_and_the_shortcut_opens_it(new_context: Any, base_url: str) -> None:
    """1280 px 桌面页上只看得到一个搜索框；Ctrl+K 打开搜索对话框，输入后回车到搜索页。"""
    require_site()
    visit = Visit(url=base_url + CHAPTER)
    with open_page(new_context, visit, viewport={"width": DESKTOP, "height": 900}) as tab:
        tab.wait_for_load_state("networkidle")
        fields = tab.evaluate(_SEARCH_FIELDS_JS)
        tab.keyboard.press("Control+k")
        dialog = tab.locator("dialog[open] input[type='search']")
        dialog.wait_for(state="visible", timeout=5_000)
        dialog.fill("隐藏状态")
        dialog.press("Enter")
        tab.wait_for_url("**/search.html?q=*", timeout=10_000)
    assert len(fields) == 1, f"{CHAPTER} 在 {DESKTOP} px 宽时有 {len(fields)} 个搜索框：{format_list(fields)}"
    assert not visit.page_errors, format_list(visit.page_errors)


# 界面文字里允许出现的拉丁字母词：书名缩写、文件类型、库名、按键名
_ALLOWED_LATIN = {"RNN", "BPTT", "LSTM", "GRU", "API", "PDF", "pdf", "md", "ipynb", "PyTorch", "Ctrl", "Esc"}
# 主题与扩展自带的英文界面词：出现在任何界面文字里（哪怕句子里有中文）都算没翻译
_ENGLISH_UI = re.compile(
    r"\b(search|settings|system|light|dark|toggle|contents|download|back|top|skip|main|content|navigation"
    r"|previous|next|by|copyright|print|fullscreen|mode|source|file|copy|copied|click|show|hide|code|cell"
    r"|outputs|sidebar|primary|secondary|page|color|expand|collapse)\b",
    re.IGNORECASE,
)

# 正文之外的全部界面文字（含隐藏的：跳转链接、菜单、提示），正文里只取按钮与折叠提示；
# 再打开每个下拉菜单与搜索对话框（Ctrl+K）各收集一次
_CHROME_TEXT_JS = r"""
async () => {
    const texts = new Set();
    const article = document.querySelector('.bd-article');
    // data-toggle-hint：折叠按钮旁的提示（“Click to show”），由 CSS 的 content: attr() 显示
    const ATTRS = ['aria-label', 'title', 'placeholder', 'data-bs-title', 'data-bs-original-title', 'alt',
                   'data-toggle-hint'];
    const UI_IN_ARTICLE = 'button, [role="button"], summary, .toggle-button, .toggle-button-hint, .copybtn';
    const collect = () => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            // 只在打印时显示的部分（主题的打印版目录）屏幕上与读屏软件都看不到
            if (!el || el.closest('script, style, template, noscript, .onlyprint')) continue;
            if (article && article.contains(el) && !el.closest(UI_IN_ARTICLE)) continue;
            if (n.data.trim()) texts.add(n.data.trim().replace(/\s+/g, ' '));
        }
        for (const el of document.body.querySelectorAll('*')) {
            if (el.closest('.onlyprint') || (article && article.contains(el) && !el.matches(UI_IN_ARTICLE))) continue;
            for (const a of ATTRS) {
                const v = el.getAttribute(a);
                if (v && v.trim()) texts.add(v.trim());
            }
        }
    };
    const pause = ms => new Promise(r => setTimeout(r, ms));
    collect();
    for (const toggle of document.querySelectorAll('.dropdown-toggle')) {
        if (!toggle.getClientRects().length) continue;
        toggle.click();
        await pause(100);
        collect();
        toggle.click();
    }
    return [...texts];
}
"""


def _untranslated(text: str) -> bool:
    words = set(re.findall(r"[A-Za-z]{2,}", text)) - _ALLOWED_LATIN
    has_chinese = cjk.HAN_RUN.search(text) is not None
    return bool(words and (_ENGLISH_UI.search(text) or not has_chinese))


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_theme_labels_are_chinese(new_context: Any, base_url: str, mode: str, width: int) -> None:
    """主题与扩展的按钮、菜单、提示、跳转链接都是中文（“System Settings”“Toggle primary sidebar”等不再出现）。"""
    require_site()
    english = set()
    for page in ("index.html", CHAPTER, SOLUTIONS):
        visit = Visit(url=base_url + page)
        with open_page(new_context, visit, color_scheme=mode, viewport={"width": width, "height": 900}) as tab:
            tab.wait_for_load_state("networkidle")
            texts = tab.evaluate(_CHROME_TEXT_JS)
            tab.keyboard.press("Control+k")
            tab.wait_for_timeout(200)
            texts += tab.evaluate(_CHROME_TEXT_JS)
        english |= {f"{page}: {text}" for text in texts if _untranslated(text)}
    assert not english, f"{mode} 模式、{width} px 宽时界面上还有英文：{format_list(sorted(english))}"


def test_no_region_violation(page_audit: Any) -> None:
    """axe-core 的 region 规则：页面内容（包括侧栏的书名）都在地标区域里。"""
    regions = [v for v in page_audit.axe_violations if v["id"] == "region"]
    assert not regions, f"{page_audit.visit.url} 有不在地标里的内容（axe region）：{format_list(regions)}"


# -- 截图：第 3、9、13 章，亮/暗，手机/桌面 ------------------------------------------------------

# 第 13 章：代码画的 LSTM、GRU 结构图在暗色模式下的样子
SCREENSHOT_PAGES = ["part1/03-structure.html", "part2/09-remedies.html", "part4/13-lstm-gru.html"]


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", SCREENSHOT_PAGES)
def test_chapter_screenshots(new_context: Any, base_url: str, page: str, width: int, mode: str) -> None:
    """截下第 3、9、13 章的整页（存到 docs/_build/screenshots/，供人看），并确认页面按所选模式显示。"""
    require_site()
    visit = Visit(url=base_url + page)
    with open_page(new_context, visit, color_scheme=mode, viewport={"width": width, "height": 900}) as tab:
        wait_for_math(tab)
        tab.wait_for_load_state("networkidle")
        theme = tab.evaluate("() => document.documentElement.dataset.theme")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / f"{page.removesuffix('.html').replace('/', '-')}-{width}-{mode}.png"
        tab.screenshot(path=str(target), full_page=True)
    assert theme == mode, f"{page} 的主题是 {theme}，应为 {mode}"
    assert target.stat().st_size > 10_000, json.dumps(str(target))
    assert not visit.page_errors, format_list(visit.page_errors)
