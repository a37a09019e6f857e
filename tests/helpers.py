"""测试用的小书：在临时目录里写一本只有几页、装着本书扩展 ``book_site`` 的书，在本进程里
（:func:`build_in_process`）或子进程里（:func:`sphinx_build`：要执行笔记本、要杀掉构建时）构建。

``tests/test_book_site.py``、``test_search_index.py``、``test_book_latex.py``、``test_cell_errors.py``
与 ``test_bench.py`` 共用。
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXT_DIR = Path(__file__).resolve().parents[1] / "docs" / "_ext"
# MyST 文本笔记本的头信息：有它的页在构建时执行
NOTEBOOK_HEADER = """\
---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
"""


def write_book(src: Path, conf: str, pages: dict[str, str]) -> None:
    """写出 ``conf.py``（开头让 Sphinx 找得到 ``docs/_ext`` 里的扩展，再接 ``conf``）与各页（文件名 -> 文本）。

    开头还有 ``html_search_options = {"dict": ""}``（与 ``docs/conf.py`` 相同，``conf`` 可以改写）：
    否则 Sphinx 的中文搜索把 jieba 的整本词典当用户词典载入，每次 HTML 构建多花 1–3 s。"""
    src.mkdir(parents=True, exist_ok=True)
    head = f"import sys\nsys.path.insert(0, {str(EXT_DIR)!r})\nhtml_search_options = {{'dict': ''}}\n"
    (src / "conf.py").write_text(head + conf, encoding="utf-8")
    for name, text in pages.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")


def sphinx_build(src: Path, out: Path, *options: str, builder: str = "html") -> subprocess.CompletedProcess[str]:
    """``sphinx-build <options> -b <builder> src out``，返回结果（不检查退出码）。

    第三方库的 Python 警告不显示；``--no-color``：CI 常设 ``FORCE_COLOR``，Sphinx 便给警告上色，
    而测试要看的是输出里有没有别的颜色码（例如带颜色的回溯）。
    """
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "--no-color", *options, "-b", builder, str(src), str(out)],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"PYTHONWARNINGS": "ignore"},
    )


def build_in_process(src: Path, builddir: Path, builder: str = "html") -> tuple[Path, str]:
    """在本进程里用 ``sphinx.testing`` 构建 ``src``（扩展不改 Sphinx 的任何状态；别的包只有
    :mod:`book_site.workarounds` 的两个客户端默认值，重复设置无害，所以不必另起进程）；
    返回 (输出目录 ``builddir/<builder>``, 警告的文字)。

    扩展为执行笔记本的内核设置的环境变量（``IPYTHONDIR`` 指向这次构建的目录、``OMP_NUM_THREADS``、
    去掉 ``MPLBACKEND``，见 :mod:`book_site.notebooks`）在构建后复原：同一个测试进程里后面的测试
    （例如启动读者环境内核的）不应继承它们。"""
    import io
    import warnings

    from sphinx.testing.util import SphinxTestApp

    log = io.StringIO()
    environ = dict(os.environ)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 第三方扩展的 Python 警告（如 myst-parser 用了将废弃的接口）不算
        app = SphinxTestApp(builder, srcdir=src, builddir=builddir, status=io.StringIO(), warning=log)
        try:
            app.build()
        finally:
            app.cleanup()
            os.environ.clear()
            os.environ.update(environ)
    return Path(app.outdir), log.getvalue()
