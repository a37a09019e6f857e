"""构建后的流水线的“搜索”一步（docs/_ext/book_site/site/search.py 与 search.js）：索引里写了什么，
查询在 Node 里怎样检索排序（同一份 search.js，不开浏览器）。

整本书上的召回与排序由 tests/browser/test_search.py 检查。
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from book_site.site import Site, formulas, search
from book_site.site.search import cjk_grams, split_text


def page(title: str, body: str, *, reference: bool = False, anchor: str = "top") -> str:
    meta = '<meta name="book-search" content="reference" />' if reference else ""
    return (
        f"<html><head>{meta}<script src='_static/searchtools.js'></script></head><body>"
        f'<div class="onlyprint"><h1>{title}</h1><h2>目录</h2></div>'
        f'<article class="bd-article"><section id="{anchor}">'
        f'<h1>{title}<a class="headerlink" href="#{anchor}">#</a></h1>'
        f"{body}</section></article></body></html>"
    )


PAGES = {
    # 行内标记两侧、软换行两侧的字都要连成二元组；代码块里的词能搜到，但不计入次数
    "chapter.html": page(
        "讲隐藏状态",
        "<p>网络的<strong>隐藏状态</strong>是记忆，隐藏状态逐步更新，隐藏状态在每一步都被\n读入。"
        '用 <span class="math notranslate nohighlight">\\(\\tanh W\\)</span> 乘</p>'
        '<div class="highlight"><pre>s = rnn(x)  # 隐藏状态 隐藏状态 隐藏状态 隐藏状态</pre></div>'
        '<section id="sec-gate"><h2>遗忘门<a class="headerlink" href="#sec-gate">#</a></h2>'
        "<p>遗忘门决定忘掉什么。</p></section>"
        '<div class="exercise admonition" id="ex-1"><p class="admonition-title">练习 1（数一数）</p>'
        "<p>数隐藏状态。</p></div>",
    ),
    "appendix/errata.html": page("勘误", "<p>笔记里的隐藏状态写错了。</p>", reference=True),
    "appendix/glossary.html": page(
        "术语表",
        '<dl class="glossary simple"><dt id="term-0">隐藏状态</dt><dt id="term-hidden-state">hidden state</dt>'
        "<dd><p>每一步留下的摘要。</p></dd></dl>",
        reference=True,
    ),
    "appendix/api.html": page(
        "API 参考",
        '<dl class="py class"><dt class="sig sig-object py" id="rnn_examples.models.RNNCell">RNNCell</dt>'
        "<dd><p>一个时间步。</p></dd></dl>",
        reference=True,
    ),
    "search.html": page("搜索", "<div id='search-results'></div>"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("search-site")
    for rel, text in PAGES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "_static").mkdir()
    (root / "_static" / "searchtools.js").write_text("var Search;", encoding="utf-8")
    (root / "searchindex.js").write_text("Search.setIndex({})", encoding="utf-8")
    site = Site(root, root.parent / "cache", log=lambda message: None)
    search.build_search(site)
    return site


@pytest.fixture(scope="module")
def index(built: Site) -> dict[str, Any]:
    return json.loads((built.root / search.INDEX_FILE).read_text(encoding="utf-8"))


def counts(index: dict[str, Any], word: str) -> dict[str, int]:
    pairs = index["terms"].get(word, [])
    return {index["docnames"][d]: n for d, n in zip(pairs[::2], pairs[1::2], strict=True)}


def test_split_text_gives_bigrams_latin_words_and_lone_characters() -> None:
    assert cjk_grams("隐藏状态") == ["隐藏", "藏状", "状态"]
    assert split_text("用 W 乘") == ["用", "乘"]  # 单个字母不进索引
    # 软换行与空格不隔开汉字；全角字母折成半角
    assert split_text("梯度\n消失 ＬＳＴＭ") == ["梯度", "度消", "消失", "lstm"]


def test_bigrams_span_inline_markup_and_line_breaks(index: dict[str, Any]) -> None:
    assert "chapter" in counts(index, "的隐")  # “网络的<strong>隐藏状态</strong>是”
    assert "chapter" in counts(index, "态是")
    assert "chapter" in counts(index, "被读")  # “都被\n读入”
    assert counts(index, "新隐") == {}  # 标点隔开的字不连：“更新，隐藏”
    assert "chapter" in counts(index, "乘")  # 公式把“用”“乘”隔成单独成段的字
    assert "chapter" in counts(index, "用")
    assert counts(index, "隐") == {}
    assert "chapter" in counts(index, "tanh"), "行内公式的 TeX 可搜"


def test_counts_come_from_prose_only(index: dict[str, Any]) -> None:
    """正文里“隐藏状态”出现 5 次（标题 1 次、段落 3 次、练习 1 次）；代码注释里的 4 次不算。"""
    assert counts(index, "藏状")["chapter"] == 5
    assert counts(index, "藏状")["appendix/errata"] == 1
    assert counts(index, "rnn") == {"chapter": 1}, "只在代码里出现的词照样可搜，记 1 次"


def test_titles_terms_objects_and_reference_pages(index: dict[str, Any]) -> None:
    docs = index["docnames"]
    titles = [(title, docs[d], anchor) for title, d, anchor in index["alltitles"]]
    chapter = [(title, anchor) for title, doc, anchor in titles if doc == "chapter"]
    assert chapter == [("讲隐藏状态", None), ("遗忘门", "sec-gate"), ("练习 1（数一数）", "ex-1")]
    assert "目录" not in [t for t, _, _ in titles], "只供打印的目录不进索引"
    assert [(t, docs[d], a) for t, d, a in index["glossary"]] == [
        ("隐藏状态", "appendix/glossary", "term-0"),
        ("hidden state", "appendix/glossary", "term-hidden-state"),
    ]
    assert [(name, docs[d]) for name, d in index["objects"]] == [("rnn_examples.models.RNNCell", "appendix/api")]
    assert sorted(docs[d] for d in index["reference"]) == ["appendix/api", "appendix/errata", "appendix/glossary"]
    assert "search" not in docs


def test_search_page_uses_the_book_search_only(built: Site) -> None:
    html = (built.root / "search.html").read_text(encoding="utf-8")
    assert "searchtools.js" not in html
    assert 'src="_static/book-search.js?v=' in html
    assert 'data-index="_static/book-search.json?v=' in html
    assert not (built.root / "searchindex.js").exists()
    assert not (built.root / "_static" / "searchtools.js").exists()
    script = (built.root / "_static" / "book-search.js").read_text(encoding="utf-8")
    assert script.startswith("const BOOK_CJK = ")
    # 字符范围只来自 book_site.cjk（写在脚本开头），search.js 自己不定义
    assert "const BOOK_FULLWIDTH = " in script
    source = (Path(search.__file__).with_name("search.js")).read_text(encoding="utf-8")
    assert "\\u" not in source, "search.js 里不写字符范围：用开头的 BOOK_CJK 与 BOOK_FULLWIDTH（book_site.cjk）"


def query(built: Site, *queries: str) -> dict[str, list[list[str]]]:
    """在 Node 里用网站的 book-search.js 检索：{查询: [[文档名, 锚点, 种类, 标题], ...]}。"""
    runner = (
        "const fs = require('fs'); const B = require(process.argv[1]);"
        "B.index = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));"
        "const out = {}; for (const q of process.argv.slice(3)) out[q] = B.query(q);"
        "process.stdout.write(JSON.stringify(out));"
    )
    script, index_file = built.root / search.SCRIPT_FILE, built.root / search.INDEX_FILE
    command = [formulas.node_executable(), "-e", runner, str(script), str(index_file), *queries]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def test_queries_rank_the_teaching_page_first(built: Site) -> None:
    results = query(built, "隐藏状态", "遗忘门", "隐藏状态遗忘", "RNNCell", "hidden state", "没有的词")
    hidden = [(doc, anchor, kind) for doc, anchor, kind, _ in results["隐藏状态"]]
    assert hidden[0] == ("chapter", "", "title"), "标题含查询的章节排第一"
    assert hidden[1] == ("appendix/glossary", "#term-0", "index"), "紧接着是术语表里的定义"
    assert {doc for doc, _, _ in hidden[2:]} >= {"appendix/errata"}, "参考页排在后面"
    assert results["遗忘门"][0][:3] == ["chapter", "#sec-gate", "title"]
    assert [r[0] for r in results["隐藏状态遗忘"]] == ["chapter"], "连打的两个词按两部分去找"
    assert results["RNNCell"][0][:3] == ["appendix/api", "#rnn_examples.models.RNNCell", "object"]
    assert results["hidden state"][0][:3] == ["appendix/glossary", "#term-hidden-state", "index"]
    assert results["没有的词"] == []
