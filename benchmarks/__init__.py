"""本书的构建性能基准：``nox -s bench`` 运行它，报告写到 ``docs/_build/bench/report.md``。

- :mod:`benchmarks.book`：书页与构建日志的纯函数（取代码单元、造编辑、读出执行了哪些页）；
- :mod:`benchmarks.report`：把测量结果写成一节一节的 Markdown 报告；
- :mod:`benchmarks.run`：在书的副本上计时（地板、冷构建、空重建、改文字、改代码、测试）。

直接运行：``.nox/bench/bin/python -m benchmarks --help``。
"""

import sys
from pathlib import Path

# 本书网站的工具 book_site（在 docs/_ext 下，与 docs/conf.py 用的是同一个）：基准用它提供网站
_EXT_DIR = str(Path(__file__).resolve().parents[1] / "docs" / "_ext")
if _EXT_DIR not in sys.path:
    sys.path.insert(0, _EXT_DIR)
