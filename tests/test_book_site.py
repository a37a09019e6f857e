"""docs/_ext/book_site/search.py：增量构建后的搜索索引与干净构建相同（含术语表的索引条目与词频）。"""

from __future__ import annotations

from pathlib import Path

from sphinx.search import js_index

from helpers import sphinx_build, write_book

CONF = """
project = "t"
language = "zh_CN"
extensions = ["book_site"]
"""

PAGES = {
    "index": "索引页\n======\n\n.. toctree::\n\n   a\n   b\n",
    "a": "\n".join(
        [
            "甲页",
            "====",
            "",
            ".. glossary::",
            "",
            "   隐藏状态",
            "      每一步留下的摘要。",
            "",
            "   梯度裁剪",
            "      限制梯度的范数。",
            "",
        ]
    ),
    "b": "乙页\n====\n\n.. index:: 反向传播, 时间步\n\n见 :term:`隐藏状态`。\n",
}


def build(src: Path, out: Path) -> dict:
    result = sphinx_build(src, out, "-q", "-W")
    assert result.returncode == 0, result.stderr
    return js_index.loads((out / "searchindex.js").read_text(encoding="utf-8"))


def test_incremental_build_keeps_index_entries(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_book(src, CONF, {f"{name}.rst": text for name, text in PAGES.items()})

    clean = build(src, tmp_path / "out")
    assert {"隐藏状态", "梯度裁剪", "反向传播", "时间步"} <= set(clean["indexentries"])

    # 什么都不改，再改一页：两次增量构建的索引都应与干净构建相同（索引条目、词表、词频……全部）
    assert build(src, tmp_path / "out") == clean
    (src / "b.rst").write_text(PAGES["b"].replace("见", "多一句话，参阅"), encoding="utf-8")
    incremental = build(src, tmp_path / "out")
    assert incremental["indexentries"] == clean["indexentries"]
    assert "booktf" in incremental
    assert incremental == build(src, tmp_path / "clean")
