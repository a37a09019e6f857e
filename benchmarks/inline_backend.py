"""地板脚本用的 matplotlib 后端：像 Jupyter 的 inline 后端那样，``plt.show()`` 把图渲染成 PNG。

构建时内核用 ``matplotlib_inline`` 后端，每个 ``plt.show()`` 都把打开的图渲染成 PNG 放进输出；
普通 Python 用 Agg 后端时 ``plt.show()`` 什么也不做。地板要与构建做同样的计算，所以用这个后端
（``MPLBACKEND=module://benchmarks.inline_backend``）：渲染到内存里丢掉，再关掉图。
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg

FigureCanvas = FigureCanvasAgg


def show(*args: object, **kwargs: object) -> None:
    """渲染全部打开的图（PNG，``bbox_inches="tight"``，与 inline 后端相同），然后关掉它们。"""
    import matplotlib.pyplot as plt

    for number in plt.get_fignums():
        plt.figure(number).savefig(io.BytesIO(), format="png", bbox_inches="tight")
    plt.close("all")
