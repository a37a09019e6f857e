"""构建性能基准（benchmarks/）：执行缓存的两条性质、取代码单元与造编辑、报告。

两条性质在一本两页的临时小书上用真正的 Sphinx + myst-nb 构建检查：改一句话不重新执行任何
笔记本，改一个代码单元只重新执行那一页。
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import book, reader, report
from helpers import NOTEBOOK_HEADER, sphinx_build, write_book

# 执行方式与 docs/conf.py 相同（cache），并装上本书的扩展 book_site
CONF = """
extensions = ["myst_nb", "book_site"]
nb_execution_mode = "cache"
"""

PAGE = (
    NOTEBOOK_HEADER
    + """
# {title}

第一句正文。

```{{code-cell}} python
page = "{title}"  # 两页的代码不同：jupyter-cache 按代码的哈希认笔记本
```
"""
)


def test_prose_edit_executes_nothing_and_code_edit_only_that_page(tmp_path: Path) -> None:
    src = tmp_path / "src"
    index = PAGE.format(title="首页") + "\n```{toctree}\nb\n```\n"
    write_book(src, CONF, {"index.md": index, "b.md": PAGE.format(title="乙页")})

    def build() -> list[str]:
        result = sphinx_build(src, tmp_path / "html", "-W")
        assert result.returncode == 0, result.stdout + result.stderr
        return [Path(path).stem for path in book.executed_notebooks(result.stdout)]

    assert sorted(build()) == ["b", "index"]
    page = src / "b.md"
    page.write_text(book.edit_sentence(page.read_text(encoding="utf-8"), "改一句话"), encoding="utf-8")
    assert build() == []
    page.write_text(book.edit_code_cell(page.read_text(encoding="utf-8"), "改代码"), encoding="utf-8")
    assert build() == ["b"]


TRICKY = """\
---
file_format: mystnb
kernelspec: {name: python3, display_name: Python 3}
---

```{code-cell} python
# 代码里的句子。
x = 1
```

$$
中文公式。
$$

````{exercise}
练习里的句子。

```{code-cell} python
print("不是顶层单元")
```
````

真正的正文，
第二行。

```{code-cell} python
%matplotlib inline
print(x)
```
"""


def test_edits_touch_only_top_level_prose_and_the_first_cell() -> None:
    cells = book.code_cells(TRICKY)
    assert cells == ["# 代码里的句子。\nx = 1", "%matplotlib inline\nprint(x)"]
    prose = book.edit_sentence(TRICKY, "改动")
    assert prose == TRICKY.replace("第二行。", "第二行。改动。")
    assert book.code_cells(prose) == cells
    code = book.edit_code_cell(TRICKY, "改动")
    assert book.code_cells(code) == [cells[0] + "\n# 改动", cells[1]]
    with pytest.raises(ValueError, match="以“。”结尾的顶层正文段落"):
        book.edit_sentence("```{code-cell} python\nx = 1\n```\n", "X")
    with pytest.raises(ValueError, match="code-cell"):
        book.edit_code_cell("# 标题\n\n正文。\n", "X")


def test_floor_script_comments_out_magics_and_compiles() -> None:
    script = book.cells_to_script(book.code_cells(TRICKY))
    assert "# %matplotlib inline" in script
    assert script.index("# %% 代码单元 1") < script.index("# %% 代码单元 2")
    compile(script, "<page>", "exec")
    assert book.is_text_notebook(TRICKY)
    assert not book.is_text_notebook("# 普通页面\n\n正文。\n")


def test_summarize() -> None:
    assert report.summarize([3.0, 1.0, 2.0], cpu=[0.5, 0.7, 0.9]) == {
        "median": 2.0,
        "min": 1.0,
        "max": 3.0,
        "samples": [3.0, 1.0, 2.0],
        "cpu": 0.7,
    }
    with pytest.raises(ValueError, match="实际收到空列表"):
        report.summarize([])


def _results() -> dict:
    edited = {"executed": [["part1/b"]] * 3}
    return {
        "machine": {"date": "2026-01-01 00:00", "cpu": "测试 CPU", "cores": 2, "python": "3.11", "torch": "2.13.0"}
        | {"load_min": 0.5, "load_max": 2.0},
        "config": {"runs": 3, "pages": ["a", "part1/b"], "edit_page": "part1/b"},
        "timings": {
            "floor": report.summarize([10.0, 11.0, 12.0], [9.0]),
            "cold": report.summarize([14.0, 15.0, 16.0]),
            "noop": report.summarize([2.0, 2.5, 3.0]),
            "text": report.summarize([4.0] * 3) | {"executed": [[], [], []]},
            "code": report.summarize([9.0] * 3) | edited,
            "tests": report.summarize([100.0]),
        },
        "floor_pages": {"a": 4.0, "part1/b": 7.0},
        "exec_times": {"a": 5.0, "part1/b": 8.0},
    }


def test_report_renders_every_section_and_checks_targets() -> None:
    text = report.render(_results())
    assert text.startswith("# 构建性能报告")
    assert "。\n\n## 构建时间\n\n| 测量 |" in text  # 标题前后空行，Markdown 才认得出表格
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## 构建时间",
        "## 目标",
        "## 最慢的 5 页",
    ]
    assert "| 冷构建 `nox -R -s docs`（空的构建目录与执行缓存） | 15.0 s | 14.0 s – 16.0 s | — |  |" in text
    assert "| 冷构建 / 地板 | 1.36× | ≤ 1.5× | 达到 |" in text
    assert "| `part1/b` | 8.0 s | 7.0 s |" in text
    assert "**未达到**" not in text

    slow = _results()
    slow["timings"]["cold"] = report.summarize([200.0])
    slow["timings"]["text"]["executed"] = [["part1/b"]]
    slow["timings"]["tests"]["returncode"] = 1
    text = report.render(slow)
    failed = [line for line in text.splitlines() if "**未达到**" in line]
    assert [line.split(" | ")[0] for line in failed] == [
        "| 冷构建 / 地板",
        "| 冷构建 `nox -R -s docs`（空的构建目录与执行缓存）",
        "| `nox -R -s tests`（构建已是最新，全部测试含浏览器）",
        "| 改一句话后重建：重新执行的页",
    ]
    assert "**失败**（退出码 1，见 logs/tests.log）" in text
    # 只测了一部分（--skip）时照样能生成，缺的节不出现
    partial = _results()
    partial["timings"] = {"noop": partial["timings"]["noop"]}
    del partial["exec_times"]
    assert "## 最慢的 5 页" not in report.render(partial)


def test_report_reader_section_lists_pages_below_90_or_why_nothing_was_measured() -> None:
    row = {"page": "a.html", "mode": "mobile", "performance": 87.0, "accessibility": 100.0, "best_practices": 100.0}
    row |= {"fcp_ms": 1500.0, "lcp_ms": 2500.0, "tbt_ms": 120.0, "transfer_bytes": 200 * 1024.0}
    desktop = row | {"mode": "desktop", "performance": 99.0}
    results = _results() | {
        "reader": {"rows": [row, desktop], "site_size": {"total": 9 * 2**20, "files": 300}, "load": (0.4, 1.2)}
    }
    text = report.render(results)
    assert "## 读者一侧（Lighthouse）" in text
    assert "| a.html | mobile | 87 | 100 | 100 | 1.5 s | 2.5 s | 120 ms | 200 KiB |" in text
    assert "手机性能低于 90 的页：a.html（87）。" in text  # 桌面的 99 不算
    assert "网站大小：9.0 MiB，300 个文件。" in text
    missing = report.render(_results() | {"reader": {"error": "找不到 Chromium：/nowhere"}})
    assert "没有测量" in missing
    assert "找不到 Chromium：/nowhere" in missing


def test_inline_backend_renders_and_closes_figures(tmp_path: Path) -> None:
    """地板脚本的后端：plt.show() 像 inline 后端那样渲染（这里存一张 PNG 来核对）并关掉图。"""
    script = tmp_path / "page.py"
    script.write_text(
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\n"
        "ax.plot([0, 1])\n"
        "saved = []\n"
        "fig.savefig = lambda *args, **kwargs: saved.append(kwargs)\n"
        "plt.show()\n"
        "print(plt.get_backend(), saved, plt.get_fignums())\n",
        encoding="utf-8",
    )
    root = str(Path(__file__).resolve().parents[1])
    env = {"MPLBACKEND": "module://benchmarks.inline_backend", "PYTHONPATH": root, "PATH": os.environ["PATH"]}
    out = subprocess.run(
        [sys.executable, "-W", "error", str(script)], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "module://benchmarks.inline_backend [{'format': 'png', 'bbox_inches': 'tight'}] []"


# -- benchmarks.reader -----------------------------------------------------------------------------


def _lighthouse_report(performance: float, fcp: float, transfer: float) -> dict:
    return {
        "categories": {
            "performance": {"score": performance},
            "accessibility": {"score": 1.0},
            "best-practices": {"score": 1.0},
            "seo": {"score": None},
        },
        "audits": {
            "first-contentful-paint": {"numericValue": fcp},
            "largest-contentful-paint": {"numericValue": fcp + 100},
            "total-blocking-time": {"numericValue": 0},
            "cumulative-layout-shift": {"numericValue": 0.01},
            "total-byte-weight": {"numericValue": transfer},
            "network-requests": {"details": {"items": [{}, {}]}},
        },
    }


def test_median_row_takes_each_metric_median() -> None:
    samples = [
        reader.sample_from_report(_lighthouse_report(p, f, t))
        for p, f, t in [(0.9, 900, 3), (0.5, 2000, 1), (0.99, 800, 2)]
    ]
    row = reader.median_row("a.html", "mobile", samples)
    assert (row.performance, row.fcp_ms, row.lcp_ms, row.transfer_bytes) == (90, 900, 1000, 2)
    assert row.accessibility == 100
    assert row.requests == 2
    assert row.runs == 3
    assert math.isnan(row.seo)
    with pytest.raises(ValueError, match="没有任何一次测量结果"):
        reader.median_row("a.html", "mobile", [])


def test_site_size(tmp_path: Path) -> None:
    for name in ["index.html", "part1/a.html", "_static/x.html"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x" * 10, encoding="utf-8")
    (tmp_path / "_static" / "mathjax").mkdir()
    (tmp_path / "_static" / "mathjax" / "chtml.css").write_text("y" * 5, encoding="utf-8")
    assert reader.site_size(tmp_path) == {"total": 35, "mathjax": 5, "files": 4}


def test_markdown_table_formats_rows() -> None:
    row = reader.median_row("a.html", "mobile", [reader.sample_from_report(_lighthouse_report(0.93, 1234, 300 * 1024))])
    table = reader.markdown_table([row])
    assert "| a.html | mobile | 93 | 100 | 100 | 1.2 s | 1.3 s | 0 ms | 0.010 | 300 KiB |" in table
    assert io.StringIO(table).readline().startswith("| 页面 |")
