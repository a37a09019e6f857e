"""docs/_ext/book_site/search.py：汉字二元组索引、正文词频与参考页（在临时目录里构建一本小书）。

浏览器里的检索与排序由 tests/browser/test_search.py 在整本书上检查；这里检查索引里写了什么。
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sphinx.search import js_index

from book_site.search import cjk_grams, split_text
from helpers import sphinx_build, write_book

CONF = """
project = "t"
language = "zh_CN"
extensions = ["book_site"]
book_search_reference_pages = ["appendix/*"]
"""

PAGES = {
    "index": "索引页\n======\n\n.. toctree::\n\n   chapter\n   appendix/errata\n",
    # 行内标记两侧、软换行两侧的字都要连成二元组；代码块里的词能搜到，但不计入次数
    # （reST 里行内标记紧挨汉字要写成“\ **…**\ ”，反斜杠与空格在输出里消失）
    "chapter": "\n".join(
        [
            "讲隐藏状态",
            "==========",
            "",
            r"网络的\ **隐藏状态**\ 是记忆，隐藏状态逐步更新，隐藏状态在每一步都被",
            "读入。用 :math:`W` 乘",
            "",
            ".. code-block:: python",
            "",
            "   s = rnn(x)  # 隐藏状态 隐藏状态 隐藏状态 隐藏状态",
            "",
        ]
    ),
    "appendix/errata": "勘误\n====\n\n笔记里的隐藏状态写错了。\n",
}


def read_index(out: Path) -> dict[str, Any]:
    return js_index.loads((out / "searchindex.js").read_text(encoding="utf-8"))


def build(src: Path, out: Path) -> dict[str, Any]:
    result = sphinx_build(src, out, "-q", "-W")
    assert result.returncode == 0, result.stderr
    return read_index(out)


def write_site(src: Path, pages: dict[str, str]) -> None:
    write_book(src, CONF, {f"{name}.rst": text for name, text in pages.items()})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search")
    write_site(root / "src", PAGES)
    build(root / "src", root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def index(site: Path) -> dict[str, Any]:
    return read_index(site)


def docs_of(index: dict[str, Any], word: str) -> set[str]:
    """含有这个索引词的页（正文或标题）。"""
    found: set[str] = set()
    for table in (index["terms"], index["titleterms"]):
        files = table.get(word, [])
        found |= {index["docnames"][i] for i in (files if isinstance(files, list) else [files])}
    return found


def count_of(index: dict[str, Any], word: str, docname: str) -> int:
    pairs = index["booktf"].get(word, [])
    counts = {index["docnames"][i]: n for i, n in zip(pairs[::2], pairs[1::2], strict=True)}
    return counts.get(docname, 1 if docname in docs_of(index, word) else 0)


def test_split_text_gives_bigrams_latin_words_and_lone_characters() -> None:
    assert cjk_grams("隐藏状态") == ["隐藏", "藏状", "状态"]
    assert split_text("用 W 乘") == ["用", "乘", "W"]
    # 软换行与空格不隔开汉字；全角字母折成半角
    assert split_text("梯度\n消失 ＬＳＴＭ") == ["梯度", "度消", "消失", "LSTM"]


def test_bigrams_span_inline_markup_and_line_breaks(index: dict[str, Any]) -> None:
    # “网络的**隐藏状态**是记忆”：“的隐”“态是”跨过强调标记；“都被\n读入”跨过软换行
    assert "chapter" in docs_of(index, "的隐")
    assert "chapter" in docs_of(index, "态是")
    assert "chapter" in docs_of(index, "被读")
    # 标点隔开的字不连：“更新，隐藏”
    assert docs_of(index, "新隐") == set()
    # 单独成段的字（公式两侧）是索引词，成段的字只以二元组出现
    assert "chapter" in docs_of(index, "乘")
    assert "chapter" in docs_of(index, "用")
    assert docs_of(index, "隐") == set()


def test_titles_and_code_are_indexed(index: dict[str, Any]) -> None:
    assert "chapter" in docs_of(index, "讲隐")
    assert "rnn" in index["terms"] or "rnn" in index["titleterms"]
    assert "chapter" in docs_of(index, "rnn")


def test_counts_come_from_prose_only(index: dict[str, Any]) -> None:
    """正文里“隐藏状态”出现 4 次（标题 1 次、段落 3 次）；代码注释里的 4 次不算。"""
    assert count_of(index, "藏状", "chapter") == 4
    assert count_of(index, "藏状", "appendix/errata") == 1
    # 只出现一次的词不记次数
    assert all(n >= 2 for pairs in index["booktf"].values() for n in pairs[1::2])


def test_reference_pages_are_listed(index: dict[str, Any]) -> None:
    assert [index["docnames"][i] for i in index["bookreference"]] == ["appendix/errata"]


def test_search_page_gets_the_book_search_code(site: Path) -> None:
    """language_data.js（只有搜索页加载）里是本书的查询切分与检索，模板没有把代码转义。"""
    code = (site / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert "var splitQuery" in code
    assert "Search._performSearch =" in code
    assert "window.Stemmer = EnglishStemmer;" in code
    assert "&gt;" not in code
    assert "&#" not in code


def test_index_written_by_another_indexer_is_rebuilt(tmp_path: Path) -> None:
    """旧索引是另一版 search.py 写的：增量构建重写全部页面，旧切法留下的索引词不残留。"""
    write_site(tmp_path / "src", PAGES)
    clean = build(tmp_path / "src", tmp_path / "out")
    index_file = tmp_path / "out" / "searchindex.js"
    old = read_index(tmp_path / "out")
    old["bookindexversion"] = "另一版"
    old["terms"]["旧切法的词"] = 1
    index_file.write_text(f"Search.setIndex({json.dumps(old)})", encoding="utf-8")
    assert build(tmp_path / "src", tmp_path / "out") == clean
