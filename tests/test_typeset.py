"""docs/_ext/book_site/typeset.py：用一本小书检查中文排版的转换落到网页、搜索索引与页面描述里。

小书（MyST + sphinx-exercise + book_site，中文界面）在本进程里构建一次，各项检查读同一份输出。
浏览器里的效果（空格是否画出来、标点是否在行首）由 tests/browser/test_typesetting.py 在真实的书上量。
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from book_site.site import Site, markup, search
from helpers import build_in_process, write_book

CONF = """
project = "排版"
language = "zh_CN"
extensions = ["myst_parser", "sphinx_exercise", "book_site"]
myst_enable_extensions = ["dollarmath"]
numfig = True
"""


INDEX = """\
# 排版测试

这一页测试中文排版：二者相加，
再经过激活函数。
梯度
裁剪的英文是 gradient clipping，
RNN 在每一步更新状态。

状态 $s_t$
在每一步更新，最后得到 $s_T$。换行后的公式 $x$，
以及长名字 `torch.nn.utils.parametrizations.weight_norm`：
短名字 `nn.RNN` 不变。
参数名（`"U"`、`"W"`）到梯度的字典。
文献 [doi:10.1162/neco.1997.9.8.1735](https://doi.org/10.1162/neco.1997.9.8.1735)。

形状记号： `B` 批大小， `T` 时间步数。

两个汉字 之间手写的空格保留。

见
{ref}`sec-second`
的说明。再看 {ref}`sec-second` 一遍。

```python
text = "中
文"
```

```{exercise} 参数的形状
:label: ex-shapes

数一数。
```

```{solution} ex-shapes
数出来了。
```

(sec-second)=
## 第二节

完。
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("typeset-src")
    write_book(src, CONF, {"index.md": INDEX})
    out, warnings = build_in_process(src, src.parent / "typeset-build")
    assert not warnings, warnings
    # 编号后的空格由构建后的流水线去掉（book_site.site.markup）：检查的是读者看到的页面
    site = Site(out, src.parent / "typeset-cache", log=lambda message: None)
    search.build_search(site)  # 网站的搜索索引也由流水线从页面生成
    markup.rewrite_pages(site)
    return out


@pytest.fixture(scope="module")
def page(site: Path) -> str:
    return (site / "index.html").read_text(encoding="utf-8")


def visible(page: str) -> str:
    """页面正文去掉标签后的文字（换行保留：浏览器把它画成空格）。"""
    body = page[page.index('<section id="id1">') if '<section id="id1">' in page else 0 :]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_line_break_between_chinese_characters_is_dropped(page: str) -> None:
    text = visible(page)
    assert "二者相加，再经过激活函数。梯度裁剪的英文是" in text
    # 全角标点旁的换行也去掉，即使另一侧是拉丁字母
    assert "gradient clipping，RNN 在每一步" in text


def test_line_break_between_chinese_and_math_or_latin_stays(page: str) -> None:
    text = visible(page)
    assert re.search(r"\\\(s_t\\\)\n在每一步更新", text), "公式与中文之间的换行应保留（画成中西文间距）"


def test_space_next_to_fullwidth_punctuation_is_dropped_typed_space_between_han_kept(page: str) -> None:
    text = visible(page)
    assert "形状记号：B 批大小，T 时间步数。" in text
    assert "两个汉字 之间手写的空格保留" in text


def test_link_text_filled_in_at_write_time_is_joined_too(page: str) -> None:
    """不写链接文字的 {ref} 要到写出时才填上“第二节”，换行两侧那时才都是中文；
    源文件里角色两侧手写的空格（按中西文间距写的）也去掉。"""
    assert "见第二节的说明。再看第二节一遍。" in visible(page)


def test_code_and_math_are_untouched(page: str) -> None:
    code = re.search(r"<pre>(.*?)</pre>", page, re.DOTALL)
    assert code
    assert 'text = "中\n文"' in html.unescape(re.sub(r"<[^>]+>", "", code.group(1)))
    assert r"\(s_t\)" in page


def test_closing_punctuation_is_kept_with_inline_math(page: str) -> None:
    nobr = re.findall(r'<span class="nobr"><span class="math[^"]*">(.*?)</span>(.*?)</span>', page)
    assert (r"\(s_T\)", "。") in nobr
    assert (r"\(x\)", "，") in nobr
    assert all(punctuation for _, punctuation in nobr)
    # 公式后面不是标点的不包；写出前的第二遍不再包一层
    assert not any(math == r"\(s_t\)" for math, _ in nobr)
    assert '<span class="nobr"><span class="nobr">' not in page


def test_long_dotted_code_may_break_after_dots_short_code_unchanged(page: str) -> None:
    assert (
        '<span class="pre">torch.</span><wbr><span class="pre">nn.</span><wbr><span class="pre">utils.</span><wbr>'
        '<span class="pre">parametrizations.</span><wbr><span class="pre">weight_norm</span></code>：'
    ) in page
    assert '<span class="pre">nn.RNN</span></code>' in page


def test_break_allowed_after_fullwidth_punctuation_before_code(page: str) -> None:
    """“、"W"”：浏览器不在“、”与引号之间断行，这里明确留一个换行的位置；开括号后不留。"""
    assert '、<wbr><code class="docutils literal notranslate"><span class="pre">&quot;W&quot;' in page
    assert '（<code class="docutils literal notranslate"><span class="pre">&quot;U&quot;' in page


def test_long_link_text_may_break_after_dots_and_slashes(page: str) -> None:
    assert ">doi:10.<wbr>1162/<wbr>neco.<wbr>1997.<wbr>9.<wbr>8.<wbr>1735</a>。" in page


def test_exercise_and_solution_titles_use_chinese_punctuation(page: str) -> None:
    assert '<span class="caption-number">练习 1</span>（参数的形状）' in page
    assert re.search(r'解答：<a class="reference internal" href="#ex-shapes">练习 1（参数的形状）</a>', page)


def test_page_description_has_the_joined_text(page: str) -> None:
    match = re.search(r'<meta name="description" content="([^"]*)"', page)
    assert match
    assert html.unescape(match.group(1)) == (
        "这一页测试中文排版：二者相加，再经过激活函数。梯度裁剪的英文是 gradient clipping，RNN 在每一步更新状态。"
    )


def test_search_index_sees_the_joined_words(site: Path) -> None:
    """源文件里“梯度”与“裁剪”分在两行：索引里要有跨过换行的词（按词典分词得“梯度裁剪”，按二元组得“度裁”）。"""
    terms = json.loads((site / search.INDEX_FILE).read_text(encoding="utf-8"))["terms"]
    assert any("度裁" in term for term in terms), sorted(terms)[:50]
