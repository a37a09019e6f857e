"""没有漏给读者的标记：每一页渲染出来的文字里，不出现没被解析的 reST、MyST 或 TeX。

文档字符串是 reStructuredText：行内标记（````x````、``:class:`X```）前后要有空白或特定的标点，
紧挨着汉字或全角的左括号“（”时 docutils 不认它，页面上就原样出现两个反引号，napoleon 把列表项
“- ``x``”当参数名时也是如此。MyST 页面里写错的角色（``{term}`` 少了反引号）、没配对的 ``$``
同样会原样出现。这些都只有看渲染结果才发现，所以这里在 Chromium 里逐页打开网站（包括首页、
API 参考、搜索页与索引页），取浏览器渲染出的文字，找这些残留：

- 两个或一个反引号（正文与行内代码里都不该有；代码块 ``pre`` 里的源代码除外）；
- reST 角色 ``:class:`…```、``:func:`…``` 等，以及列表项被当成参数名的“- ``x``”；
- 没被解析的粗体 ``**…**`` （紧挨着汉字时 reST 同样不认）；
- 反引号紧挨着全角标点（“``（”“）``”），这是上面第一种情形最常见的原因；
- MyST 角色 ``{term}`…```、``{ref}`…```、``{eq}`…``` 等；
- 公式之外的 ``$…$``、``$$``（排好的公式在 ``mjx-container`` 里，不算正文）。

代码块、执行输出（程序打印的内容不是标记）与公式不在检查范围内。失败信息逐条列出页面、残留的种类与
前后文，一眼看出该改哪个文档字符串或哪一页。
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .helpers import Visit, format_list, open_page, require_site

pytestmark = pytest.mark.browser

# 渲染出的文字：整页（标题、侧栏、正文、脚注），先展开折叠的答案；去掉代码块、执行输出、公式、脚本。
# 行内代码（不在 pre 里的 code）单独收集：它们的内容里也不该有反引号或 reST 角色。
_TEXT_JS = r"""
() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    const clone = document.body.cloneNode(true);
    const drop = 'pre, script, style, template, noscript, mjx-container, .MathJax_Preview, '
        + '.cell_output, .output, .highlight, textarea, svg';
    clone.querySelectorAll(drop).forEach(n => n.remove());
    const codes = [...clone.querySelectorAll('code, kbd, samp, tt')];
    const inlineCode = codes.map(n => n.textContent);
    codes.forEach(n => n.replaceWith('\uFFFC'));  // 正文里只留一个占位符
    // 块级元素之间补一个换行，免得相邻两段的文字连在一起，造出本不存在的 $…$
    clone.querySelectorAll('p, li, dt, dd, td, th, h1, h2, h3, h4, h5, h6, div, section, figcaption, caption, br')
        .forEach(n => n.append('\n'));
    return {text: clone.textContent, inlineCode};
}
"""

WIDE_PUNCTUATION = "，。、；：？！（）【】《》「」『』“”‘’"
PROSE_LEAKS: list[tuple[str, re.Pattern[str]]] = [
    ("列表项被当成参数名", re.compile(r"-\s*``[^`\s]+``")),
    ("reST 角色", re.compile(r":(?:class|func|meth|mod|attr|math|data|exc|obj|ref|doc|term|numref|eq|py:\w+):`")),
    ("反引号紧挨着全角标点", re.compile(f"`[{WIDE_PUNCTUATION}]|[{WIDE_PUNCTUATION}]`")),
    ("两个反引号", re.compile(r"``")),
    ("没被解析的粗体", re.compile(r"\*\*[^*\s/][^*\n]{0,40}?[^*\s/]\*\*")),
    ("MyST 角色", re.compile(r"\{(?:term|ref|eq|numref|doc|download|cite(?::[pt])?|glue(?::\w+)?|math|sub-ref)\}`?")),
    ("公式之外的 $…$", re.compile(r"\$\$|(?<![\w$])\$[^$\s][^$\n]{0,80}(?<!\s)\$(?![\w$])")),
    ("反引号", re.compile(r"`")),
]
# 行内代码里可以原样引用源文件（勘误页引用笔记里写错的 `$U：输入$`），但不会有反引号与 reST 角色：
# 出现了，就是 docutils 没认出一个行内标记，把它连同后面的文字当成了代码
CODE_LEAKS = [(kind, pattern) for kind, pattern in PROSE_LEAKS if "$" not in kind and "MyST" not in kind]


def leaks_in(text: str, where: str, leaks: list[tuple[str, re.Pattern[str]]] = PROSE_LEAKS) -> list[str]:
    """``text`` 里的残留，每处写成“种类（位置）：…前后文…”；同一处只按最具体的种类报一次。"""
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in leaks:
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in taken):
                continue
            taken.append((match.start(), max(match.end(), match.start() + 1)))
            context = re.sub(r"\s+", " ", text[max(match.start() - 25, 0) : match.end() + 25]).strip()
            found.append(f"{kind}（{where}）：…{context}…")
    return found


def test_leak_patterns_catch_the_known_failures_and_pass_clean_text() -> None:
    """模式本身的检查：今天网站上出现过的几种残留都能找到，排好版的正常文字不误报。"""
    broken = [
        '激活函数 f，"tanh"``（默认）或 ``"relu"。',
        "- ``x`` -- (B, T, D)。",
        "可直接交给 :class:`~rnn_examples.models.SimpleRNN`（ ``D = O = 1）。",
        "用 {term}`隐藏状态` 概括",
        "状态 $s_t$ 没有排版",
        "断言对**每个**种子检查结论",
    ]
    for text in broken:
        assert leaks_in(text, "例子"), text
    clean = '激活函数 f，"tanh"（默认）或 "relu"。价格是 3 美元，另一件 5 美元。x: (B, T, D)；返回 (B, O)。'
    assert leaks_in(clean, "例子") == []
    assert leaks_in("书页（docs/**/*.md）", "路径里的通配符") == []
    assert leaks_in("$U：输入$", "勘误引用的源文件", CODE_LEAKS) == []
    assert leaks_in(":class:`~rnn_examples.", "行内代码", CODE_LEAKS)


def test_no_markup_leaks_into_the_rendered_text(site_page: str, base_url: str, browser: Any) -> None:
    require_site()
    visit = Visit(url=base_url + site_page)
    with open_page(browser, visit) as tab:
        tab.wait_for_load_state("load")
        data = tab.evaluate(_TEXT_JS)
    problems = leaks_in(data["text"], "正文")
    for code in data["inlineCode"]:
        problems += leaks_in(code, "行内代码", CODE_LEAKS)
    assert not problems, f"{site_page} 的渲染结果里有没被解析的标记（{len(problems)} 处）：{format_list(problems)}"
