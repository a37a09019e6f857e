r"""画出书中的两张结构图：折叠的 RNN（RNN1）与按时间展开的 RNN（RNN2）。

记号与全书一致（见第 3 章）::

    s_t = f(U x_t + W s_{t-1} + b_h)      公式 (1)
    ŷ_t = g(V s_t + b_y)                  公式 (2)

- :func:`draw_folded`：``x_t`` 经 ``U`` 进入隐藏状态 ``s_t``，``s_t`` 经自环 ``W``
  回到自己，再经 ``V`` 得到输出 ``ŷ_t``。
- :func:`draw_unrolled`：左边是折叠图，右边是同一个网络在 ``t-1, t, t+1``
  三个时间步上的展开，每一步用的都是同一组 ``U, W, V``。
- :func:`save_figures`：把两张图写成 PNG。输出逐字节稳定：不写时间戳和软件版本，
  同一环境下重复生成得到完全相同的文件
  （``tests/test_diagrams.py`` 以此检查仓库里的图没有过时）。

图中只用 matplotlib 自带的 DejaVu 字体（数学记号由 mathtext 排版），不依赖系统字体；
背景为不透明白色、线条与文字为深色，在网站的浅色与深色模式下都清晰可读。

命令行：``python -m rnn_examples.diagrams images`` 重新生成 ``images/RNN1.png`` 与
``images/RNN2.png``；``nox -s images`` 即运行这条命令。
"""

from __future__ import annotations

import os
import sys
from itertools import pairwise
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch
from matplotlib.typing import LineStyleType

__all__ = ["DPI", "FILENAMES", "draw_folded", "draw_unrolled", "main", "save_figures"]

DPI = 200
"""PNG 的分辨率（每英寸点数）：高 DPI，在高分屏上也清楚。"""

FILENAMES = {"folded": "RNN1.png", "unrolled": "RNN2.png"}
"""两张图的文件名，与原始笔记引用的 ``images/RNN1.png``、``images/RNN2.png`` 相同。"""

_INK = "#1f2328"  # 线条与文字：深灰，白底上对比度高
_FILL = {
    "x": "#dbeafe",
    "s": "#fde7c7",
    "y": "#d9f2dc",
}  # 输入、隐藏状态、输出的浅色填充
_EDGE = {"x": "#1d4ed8", "s": "#b45309", "y": "#15803d"}
_RADIUS = 0.5
_FONT = 17


def _node(ax: Axes, xy: tuple[float, float], kind: str, label: str) -> None:
    ax.add_patch(
        Circle(
            xy,
            _RADIUS,
            facecolor=_FILL[kind],
            edgecolor=_EDGE[kind],
            linewidth=2.2,
            zorder=3,
        )
    )
    ax.text(*xy, label, ha="center", va="center", fontsize=_FONT, color=_INK, zorder=4)


def _arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    rad: float = 0.0,
    linestyle: LineStyleType = "-",
) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            connectionstyle=f"arc3,rad={rad}",
            arrowstyle="-|>",
            mutation_scale=18,
            linewidth=1.8,
            color=_INK,
            shrinkA=0,
            shrinkB=0,
            zorder=2,
            linestyle=linestyle,
        )
    )


def _weight(ax: Axes, xy: tuple[float, float], name: str) -> None:
    ax.text(
        *xy,
        f"${name}$",
        ha="center",
        va="center",
        fontsize=_FONT - 1,
        color=_INK,
        fontweight="bold",
    )


def _folded(ax: Axes, cx: float) -> None:
    """在横坐标 ``cx`` 处画折叠的网络：x_t 在下，s_t 在中，ŷ_t 在上，自环 W 在右。"""
    r = _RADIUS
    _node(ax, (cx, 0.0), "x", r"$x_t$")
    _node(ax, (cx, 1.8), "s", r"$s_t$")
    _node(ax, (cx, 3.6), "y", r"$\hat{y}_t$")
    _arrow(ax, (cx, r), (cx, 1.8 - r))
    _weight(ax, (cx - 0.25, 0.9), "U")
    _arrow(ax, (cx, 1.8 + r), (cx, 3.6 - r))
    _weight(ax, (cx - 0.25, 2.7), "V")
    # 自环：从 s_t 右上方出发，绕到右边，回到 s_t 右下方
    # （表示 s_t 作为 s_{t-1} 进入下一步）
    _arrow(ax, (cx + r * 0.7, 1.8 + r * 0.7), (cx + r * 0.7, 1.8 - r * 0.7), rad=-1.9)
    _weight(ax, (cx + 1.32, 1.8), "W")


def _frame(fig: Figure) -> Axes:
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_folded() -> Figure:
    r"""折叠的 RNN（书中的图 RNN1）。

    一个隐藏状态节点 :math:`s_t` 和一个带权重 :math:`W` 的自环：上一步的状态
    :math:`s_{t-1}` 经 :math:`W` 回到同一个节点。输入 :math:`x_t` 经 :math:`U` 进入，
    输出 :math:`\hat{y}_t` 经 :math:`V` 得到。

    Returns:
        一个新的 ``matplotlib.figure.Figure``，未经 pyplot 管理，无需手动关闭。

    Example:
        >>> fig = draw_folded()
        >>> fig.get_size_inches().round(1).tolist()
        [2.9, 4.7]
    """
    fig = Figure(figsize=(2.88, 4.68), facecolor="white")
    FigureCanvasAgg(fig)
    ax = _frame(fig)
    _folded(ax, 0.0)
    ax.set_xlim(-1.1, 2.1)
    ax.set_ylim(-0.75, 4.45)
    return fig


def draw_unrolled() -> Figure:
    r"""按时间展开的 RNN（书中的图 RNN2）。

    左边是折叠图，箭头右边是同一个网络在 :math:`t-1, t, t+1` 上的展开：
    隐藏状态沿水平方向经 :math:`W` 传递，:math:`s_{t-1} \to s_t \to s_{t+1}`；
    三个时间步共用同一组 :math:`U, W, V`。两端的虚线箭头表示序列在两边继续。

    Returns:
        一个新的 ``matplotlib.figure.Figure``。

    Example:
        >>> fig = draw_unrolled()
        >>> fig.get_size_inches().round(1).tolist()
        [11.8, 4.7]
    """
    fig = Figure(figsize=(11.79, 4.68), facecolor="white")
    FigureCanvasAgg(fig)
    ax = _frame(fig)
    r = _RADIUS
    _folded(ax, 0.0)

    # “展开”箭头：一个粗的空心箭头
    ax.add_patch(
        FancyArrowPatch(
            (2.0, 1.8),
            (3.1, 1.8),
            arrowstyle="simple,head_width=1.4,head_length=1.0,tail_width=0.55",
            mutation_scale=16,
            facecolor="#e5e7eb",
            edgecolor=_INK,
            linewidth=1.4,
        )
    )

    columns = [(5.2, "t-1"), (7.7, "t"), (10.2, "t+1")]
    for cx, step in columns:
        _node(ax, (cx, 0.0), "x", f"$x_{{{step}}}$")
        _node(ax, (cx, 1.8), "s", f"$s_{{{step}}}$")
        _node(ax, (cx, 3.6), "y", f"$\\hat{{y}}_{{{step}}}$")
        _arrow(ax, (cx, r), (cx, 1.8 - r))
        _weight(ax, (cx - 0.25, 0.9), "U")
        _arrow(ax, (cx, 1.8 + r), (cx, 3.6 - r))
        _weight(ax, (cx - 0.25, 2.7), "V")

    # 水平方向的 W：s_{t-2} ... -> s_{t-1} -> s_t -> s_{t+1} -> ...
    xs = [cx for cx, _ in columns]
    _arrow(ax, (xs[0] - 1.45, 1.8), (xs[0] - r, 1.8), linestyle=(0, (3, 2)))
    for left, right in pairwise(xs):
        _arrow(ax, (left + r, 1.8), (right - r, 1.8))
        _weight(ax, ((left + right) / 2, 2.12), "W")
    _weight(ax, (xs[0] - 0.95, 2.12), "W")
    _arrow(ax, (xs[-1] + r, 1.8), (xs[-1] + 1.5, 1.8), linestyle=(0, (3, 2)))
    _weight(ax, (xs[-1] + 0.95, 2.12), "W")

    ax.set_xlim(-1.1, 12.0)
    ax.set_ylim(-0.75, 4.45)
    return fig


def _check_directory(directory: object) -> Path:
    if not isinstance(directory, str | os.PathLike):
        raise TypeError(
            "directory 应为 str 或 os.PathLike（目录路径），"
            f"实际收到 {type(directory).__name__}"
        )
    path = Path(directory)
    if not path.is_dir():
        raise ValueError(
            f"directory 应为已存在的目录，实际收到 {str(path)!r}（不存在或不是目录）"
        )
    return path


def save_figures(directory: str | os.PathLike[str]) -> list[Path]:
    """把 RNN1、RNN2 两张图写入已存在的目录 ``directory``，返回写出的文件路径。

    PNG 以 :data:`DPI` 保存，白色不透明背景；``metadata={"Software": None}`` 去掉
    matplotlib 默认写入的版本信息，所以同一环境下重复运行得到逐字节相同的文件。

    Args:
        directory: 输出目录，``str`` 或 ``os.PathLike``，必须已经存在。

    Returns:
        写出的两个文件路径（``pathlib.Path`` 的列表），依次为 RNN1、RNN2。

    Raises:
        TypeError: ``directory`` 不是字符串或路径对象。
        ValueError: ``directory`` 不存在或不是目录。

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     [p.name for p in save_figures(tmp)]
        ['RNN1.png', 'RNN2.png']
    """
    out = _check_directory(directory)
    written = []
    for kind, draw in (("folded", draw_folded), ("unrolled", draw_unrolled)):
        path = out / FILENAMES[kind]
        draw().savefig(path, dpi=DPI, facecolor="white", metadata={"Software": None})
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """命令行入口：``python -m rnn_examples.diagrams [目录]``，目录默认为 ``images``。

    生成的文件路径写到标准错误（库函数本身从不打印）。
    """
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        raise ValueError(
            f"最多接受 1 个参数（输出目录），实际收到 {len(args)} 个: {args!r}"
        )
    directory = Path(args[0] if args else "images")
    directory.mkdir(parents=True, exist_ok=True)
    for path in save_figures(directory):
        sys.stderr.write(f"已写出 {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
