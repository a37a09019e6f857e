"""第 11 章的语料：MyST 标记去得干净、抽取结果确定、快照可读且不含标记。"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rnn_examples.corpus import _main, build_corpus, extract_prose, load_corpus

DOCS = Path(__file__).resolve().parents[1] / "docs"

PAGE = """---
file_format: mystnb
kernelspec:
  name: python3
---

(ch-demo)=
# 第一章：演示

本章用 `nn.RNN` 计算式 {eq}`eq-state`，
见 {ref}`第 3 章 <ch-structure>` 与 {ref}`ch-code`。
**隐藏状态** $s_t$ 是{term}`隐藏状态`的记号 {cite:p}`elman1990`，
数值为 {glue:text}`loss:.3f`，见 {numref}`fig-demo` 与[网站](https://example.org)。
![图](a.png)

- 第一项
- 第二项，
  接着第二项
1. 编号项

<!-- 注释
不是正文 -->
| 表头 | 表头 |
|---|---|

$$
s_t = f(a_t)
$$ (eq-state)

$$ y = x $$

```{code-cell} python
print("代码不是正文")
```

````{exercise} 一道题
:label: ex-demo

题面，含公式 $x$。
````

````{solution-start} ex-demo
:class: dropdown
````

```{code-cell} python
x = 1  # 解答的代码
```

```{solution-end}
```

```{glossary}
序列数据
sequence data
  元素之间存在先后顺序的数据。
```

```{glue:figure} fig-demo
:name: fig-demo
:alt: 替代文字

图题：读者看到什么。
```

```{literalinclude} ../x.py
:pyobject: f
```

English only paragraph.
"""

EXPECTED = """第一章：演示
本章用计算式，见第 3 章与。隐藏状态是隐藏状态的记号，数值为，见与网站。
第一项
第二项，接着第二项
编号项
一道题
题面，含公式。
序列数据
元素之间存在先后顺序的数据。
图题：读者看到什么。
"""


def test_extract_prose_strips_every_kind_of_markup():
    assert extract_prose(PAGE) == EXPECTED


def test_extract_prose_keeps_latin_words_apart_and_joins_chinese_lines():
    text = "第一行是中文\n第二行也是。\nRNN\nworks well\n"
    assert extract_prose(text) == "第一行是中文第二行也是。RNN works well\n"


def test_extract_prose_without_prose_is_empty():
    assert extract_prose("```python\nprint('x')\n```\n") == ""
    assert extract_prose("") == ""


def test_build_corpus_is_deterministic_and_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.md").write_text("# 乙\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("甲。\n", encoding="utf-8")
    (tmp_path / "_build").mkdir()
    (tmp_path / "_build" / "0.md").write_text("构建目录\n", encoding="utf-8")
    (tmp_path / ".jupyter_cache").mkdir()
    (tmp_path / ".jupyter_cache" / "0.md").write_text("缓存\n", encoding="utf-8")
    assert build_corpus(tmp_path) == "甲。\n乙\n"
    assert build_corpus(str(tmp_path)) == build_corpus(tmp_path)


def test_build_corpus_on_the_book_is_deterministic_and_clean():
    first = build_corpus(DOCS)
    assert first == build_corpus(DOCS)
    assert len(first) > 10_000
    for marker in ("```", "{ref}", "{eq}", "$$", "`", "(ch-"):
        assert marker not in first


def test_snapshot_is_clean_text():
    text = load_corpus()
    assert text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) > 100
    assert all(re.search(r"[\u3400-\u9fff]", line) for line in lines)
    for marker in ("`", "$", "{", "}", "](", "<", ">", "|", "\\"):
        assert marker not in text, marker


def test_main_writes_the_corpus(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# 标题\n\n正文。\n", encoding="utf-8")
    target = tmp_path / "corpus.txt"
    assert _main([str(tmp_path / "docs"), str(target)]) == 0
    assert target.read_text(encoding="utf-8") == "标题\n正文。\n"
    assert _main([]) == 2


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: extract_prose(b"bytes"), TypeError, "markdown 应为 str，实际收到 bytes"),
        (lambda: build_corpus(3), TypeError, "docs 应为目录路径（str 或 Path），实际收到 int"),
        (lambda: build_corpus("/no/such/dir"), ValueError, "docs 应为存在的目录，实际收到 '/no/such/dir'"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_directory_without_pages(tmp_path):
    with pytest.raises(ValueError, match=r"中应有 \.md 文件，实际一个也没有"):
        build_corpus(tmp_path)
