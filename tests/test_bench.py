"""构建性能基准（benchmarks/）的纯函数：取代码单元、造编辑副本、解析日志、统计与报告。不运行构建。"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import helpers
from benchmarks.run import DEFAULT_SPHINX_FLAGS

ROOT = Path(__file__).resolve().parent.parent

PAGE = """\
---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---

(ch-demo)=
# 示例

第一句正文。

```{code-cell} python
:tags: [hide-input]
import torch
x = torch.ones(2)
```

这一段不以句号结尾：

```python
not_a_cell = True
```

$$
s_t = f(U x_t + W s_{t-1} + b_h)
$$ (eq-demo)

````{exercise}
练习里的文字。

```{code-cell} python
print("不是顶层单元")
```
````

```{code-cell} python
%matplotlib inline
print(x.sum())
```
"""


def test_code_cells_are_the_cells_myst_nb_executes():
    cells = helpers.code_cells(PAGE)
    assert cells == ["import torch\nx = torch.ones(2)", "%matplotlib inline\nprint(x.sum())"]


def test_is_text_notebook():
    assert helpers.is_text_notebook(PAGE)
    assert not helpers.is_text_notebook("# 普通页面\n\n正文。\n")


def test_cells_to_script_comments_out_magics_and_compiles():
    script = helpers.cells_to_script(helpers.code_cells(PAGE))
    assert "# (IPython) %matplotlib inline" in script
    assert script.index("# %% 代码单元 1") < script.index("# %% 代码单元 2")
    compile(script, "<page>", "exec")


def test_edit_sentence_changes_prose_only():
    edited = helpers.edit_sentence(PAGE, "改动")
    assert "第一句正文。改动。" in edited
    assert edited.replace("改动。", "", 1) == PAGE
    assert helpers.code_cells(edited) == helpers.code_cells(PAGE)


def test_edit_sentence_skips_front_matter_fences_and_math():
    text = (
        "---\nfile_format: mystnb\n---\n\n"
        "```{code-cell} python\n# 代码里的句子。\n```\n\n"
        "$$\n中文公式。\n$$\n\n真正的正文。\n"
    )
    assert helpers.edit_sentence(text, "X").endswith("真正的正文。X。\n")


def test_edit_sentence_without_prose_fails():
    with pytest.raises(ValueError, match="实际没有找到"):
        helpers.edit_sentence("```{code-cell} python\nx = 1\n```\n", "X")


def test_edit_code_cell_changes_only_the_first_cell():
    edited = helpers.edit_code_cell(PAGE, "改动")
    before, after = helpers.code_cells(PAGE), helpers.code_cells(edited)
    assert after[0] == before[0] + "\n# 改动"
    assert after[1:] == before[1:]


def test_edit_code_cell_without_cells_fails():
    with pytest.raises(ValueError, match="code-cell"):
        helpers.edit_code_cell("# 标题\n\n正文。\n", "X")


LOG = """\
updating environment: 0 added, 2 changed, 1 removed
reading sources... [ 50%] part1/a
/tmp/w/docs/part1/a.md: Executing notebook using local CWD [mystnb]
/tmp/w/docs/part1/a.md: Executed notebook in 3.10 seconds [mystnb]
/tmp/w/docs/b.md: Using cached notebook: ID=2 [mystnb]
"""


def test_log_parsing():
    assert helpers.executed_notebooks(LOG) == ["/tmp/w/docs/part1/a.md"]
    assert helpers.updated_documents(LOG) == 3
    assert helpers.updated_documents("no targets are out of date.") == 0
    assert not helpers.has_cache_race(LOG)
    assert helpers.has_cache_race("sqlite3.OperationalError: table nbproject already exists")


def test_local_assets():
    html = (
        '<link rel="stylesheet" href="../_static/a.css?v=1"><link rel="icon" href="../_static/f.svg">'
        '<link rel="canonical" href="x.html"><script src="../_static/b.js"></script>'
        '<script src="https://cdn.example/x.js"></script><img src="../_images/c.png"><img src="data:image/png;base64,">'
        '<script src="../_static/b.js"></script>'
    )
    assert helpers.local_assets(html) == ["../_static/a.css", "../_static/f.svg", "../_static/b.js", "../_images/c.png"]


def test_summarize_median():
    assert helpers.summarize([3.0, 1.0, 2.0]) == {"median": 2.0, "min": 1.0, "max": 3.0, "samples": [3.0, 1.0, 2.0]}
    assert helpers.summarize([1.0, 2.0])["median"] == 1.5
    assert helpers.summarize([1.0, 2.0], cpu=[0.5, 0.7, 0.9])["cpu"] == 0.7
    with pytest.raises(ValueError, match="实际收到空列表"):
        helpers.summarize([])


def _results() -> dict:
    total = helpers.summarize
    return {
        "machine": {
            "date": "2026-01-01 00:00",
            "cpu": "测试 CPU",
            "cores": 2,
            "python": "3.11",
            "torch": "2.13.0",
            "torch_threads": "1",
            "load_min": 0.5,
            "load_max": 2.0,
        },
        "config": {"runs": 3, "sphinx_flags": ["-W"], "pages": ["a", "part1/b"], "edit_page": "part1/b"},
        "floor_parts": {"python": 0.02, "imports": 1.5, "kernel": 1.0, "kernel_imports": 1.4},
        "floor": {"total": total([10.0, 11.0, 12.0]), "pages": {"a": 4.0, "part1/b": 7.0}},
        "cold": {"total": total([14.0, 15.0, 16.0]), "executed": [["a", "part1/b"]] * 3},
        "exec_times": {"a": 5.0, "part1/b": 8.0},
        "noop": {"total": total([2.0, 2.5, 3.0]), "first": 3.0},
        "nox_overhead": total([0.5, 0.6, 0.7]),
        "text_edit": {"total": total([4.0] * 3), "page": "part1/b", "executed": [[], [], []], "reread": [1, 1, 1]},
        "code_edit": {"total": total([9.0] * 3), "page": "part1/b", "executed": [["part1/b"]] * 3, "reread": [1, 1, 1]},
        "parallel": {"runs": 3, "succeeded": 3, "races": 0, "executed": [], "total": total([9.0, 9.5, 10.0])},
        "page_weight": {
            "page": "part1/b",
            "html": 30_000,
            "html_gzip": 8_000,
            "by_kind": {"HTML": [1, 30_000], "样式表": [2, 50_000]},
            "requests": 3,
            "total": 80_000,
        },
        "tests": {"seconds": 100.0, "returncode": 0},
    }


def test_check_targets():
    checks = {name: (value, ok) for name, value, _, ok in helpers.check_targets(_results())}
    assert checks["冷构建 / 地板"] == ("1.36×", True)
    assert checks["冷构建"] == ("15.0 s", True)
    assert checks["空重建（`nox -R -s docs` 估计 = sphinx + nox 开销）"] == ("3.1 s", True)
    assert checks["改一句话：重新执行 0 个笔记本，时间"] == ("0 个，4.0 s", True)
    assert checks["改一个代码单元：只重新执行这一页"][1] is True

    slow = _results()
    slow["cold"]["total"] = helpers.summarize([200.0])
    slow["text_edit"]["executed"] = [["part1/b"]]
    checks = {name: ok for name, _, _, ok in helpers.check_targets(slow)}
    assert not checks["冷构建"]
    assert not checks["冷构建 / 地板"]
    assert not checks["改一句话：重新执行 0 个笔记本，时间"]


def test_render_report():
    report = helpers.render_report(_results())
    assert report.startswith("# 构建性能报告")
    assert "| 冷构建（空的构建目录与执行缓存） | 15.0 s | 14.0 s – 16.0 s | — | 3 | 冷构建 / 地板 = 1.36× |" in report
    assert "3/3 次成功，建表竞争 0 次" in report
    assert "`part1/b` | 8.0 s | 7.0 s" in report
    assert "**未达到**" not in report
    # 缺项（例如没给 --nox）时照样能生成
    partial = _results()
    for key in ("nox_overhead", "tests", "parallel", "page_weight", "floor_parts"):
        del partial[key]
    assert "未测" in helpers.render_report(partial)
    failed = _results()
    failed["parallel"] = {"runs": 3, "succeeded": 0, "races": 2, "executed": [], "total": None}
    assert "| 并行冷构建 `-j auto` | — | — | — | 0 | 0/3 次成功，建表竞争 2 次 |" in helpers.render_report(failed)


def test_sphinx_flags_match_the_docs_session():
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    flags = re.search(r"^SPHINX_FLAGS = (\[.*\])$", noxfile, re.MULTILINE)
    assert flags is not None
    assert ast.literal_eval(flags[1]) == DEFAULT_SPHINX_FLAGS


def test_inline_backend_renders_and_closes_figures(tmp_path):
    """地板脚本的后端：plt.show() 像 inline 后端那样渲染（这里存一张 PNG 来核对）并关掉图。"""
    script = tmp_path / "page.py"
    script.write_text(
        "import matplotlib.pyplot as plt\n"
        "import benchmarks.inline_backend as backend\n"
        "fig, ax = plt.subplots()\n"
        "ax.plot([0, 1])\n"
        "saved = []\n"
        "fig.savefig = lambda *args, **kwargs: saved.append(kwargs)\n"
        "plt.show()\n"
        "print(plt.get_backend(), saved, plt.get_fignums())\n",
        encoding="utf-8",
    )
    env = {"MPLBACKEND": "module://benchmarks.inline_backend", "PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]}
    out = subprocess.run(
        [sys.executable, "-W", "error", str(script)], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "module://benchmarks.inline_backend [{'format': 'png', 'bbox_inches': 'tight'}] []"
