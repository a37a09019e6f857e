r"""画出书中的结构图：折叠的 RNN（RNN1）、按时间展开的 RNN（RNN2）、BPTT 的计算图，
以及 LSTM 与 GRU 单元。

记号与全书一致（见第 3 章）::

    s_t = f(U x_t + W s_{t-1} + b_h)      公式 (1)
    ŷ_t = g(V s_t + b_y)                  公式 (2)

- :func:`draw_folded`：``x_t`` 经 ``U`` 进入隐藏状态 ``s_t``，``s_t`` 经自环 ``W``
  回到自己，再经 ``V`` 得到输出 ``ŷ_t``。自环上的黑色小方块表示延迟一步：
  这一步的状态到下一步才回到节点。
- :func:`draw_unrolled`：左边是折叠图，右边是同一个网络在 ``t-1, t, t+1``
  三个时间步上的展开，每一步用的都是同一组 ``U, W, V``。
- :func:`draw_bptt`：三个时间步的计算图，前向计算（黑色实线）与反向传播
  （红色虚线）画在同一张图上，反向箭头标着第 7 章递推式里的各项。
- :func:`draw_lstm`、:func:`draw_gru`：第 13 章的 LSTM 与 GRU 单元，方框是仿射变换
  加激活函数，圆圈是逐元素运算，上方的粗线是沿时间传递的状态（``c_t`` 或 ``s_t``）。
- :func:`save_figures`：把这些图写成 PNG。输出逐字节稳定：不写时间戳和软件版本，
  同一环境下重复生成得到完全相同的文件
  （``tests/test_diagrams.py`` 以此检查仓库里的图没有过时）。

图中只用 matplotlib 自带的 DejaVu 字体（数学记号由 mathtext 排版），不依赖系统字体；
背景为不透明白色、线条与文字为深色，在网站的浅色与深色模式下都清晰可读。

命令行：``python -m rnn_examples.diagrams images`` 重新生成 ``images/`` 里的全部结构图
（:data:`FILENAMES`），每张一个 PNG 与一个同名的 PDF（矢量图，PDF 版的书用它们；
书页写 ``images/RNN1.*``，Sphinx 为网站取 PNG、为 LaTeX 取 PDF）；
``nox -s images`` 即运行这条命令。
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import (
    Circle,
    Ellipse,
    FancyArrowPatch,
    FancyBboxPatch,
    Rectangle,
)
from matplotlib.typing import LineStyleType

__all__ = [
    "DPI",
    "FILENAMES",
    "draw_bptt",
    "draw_folded",
    "draw_gru",
    "draw_lstm",
    "draw_unrolled",
    "main",
    "save_figures",
    "save_vector_figures",
]

DPI = 200
"""PNG 的分辨率（每英寸点数）：高 DPI，在高分屏上也清楚。"""

FILENAMES = {
    "folded": "RNN1.png",
    "unrolled": "RNN2.png",
    "bptt": "BPTT.png",
    "lstm": "LSTM.png",
    "gru": "GRU.png",
}
"""各图的文件名：RNN1（折叠）、RNN2（展开）、BPTT（计算图）、LSTM 与 GRU 单元。"""

_INK = "#1f2328"  # 线条与文字：深灰，白底上对比度高
_FILL = {
    "x": "#dbeafe",
    "s": "#fde7c7",
    "y": "#d9f2dc",
    "loss": "#ede9fe",
}  # 输入、隐藏状态、输出、损失的浅色填充
_EDGE = {"x": "#1d4ed8", "s": "#b45309", "y": "#15803d", "loss": "#6d28d9"}
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


def _column(ax: Axes, cx: float, step: str) -> None:
    """横坐标 ``cx`` 处的一个时间步（下标 ``step``）：自下而上 x → s → ŷ。"""
    r = _RADIUS
    _node(ax, (cx, 0.0), "x", f"$x_{{{step}}}$")
    _node(ax, (cx, 1.8), "s", f"$s_{{{step}}}$")
    _node(ax, (cx, 3.6), "y", f"$\\hat{{y}}_{{{step}}}$")
    _arrow(ax, (cx, r), (cx, 1.8 - r))
    _weight(ax, (cx - 0.25, 0.9), "U")
    _arrow(ax, (cx, 1.8 + r), (cx, 3.6 - r))
    _weight(ax, (cx - 0.25, 2.7), "V")


def _delay(ax: Axes, xy: tuple[float, float]) -> None:
    """延迟一步的标记：实心小方块（Goodfellow 等《深度学习》图 10.2 的画法）。"""
    side = 0.2
    ax.add_patch(
        Rectangle(
            (xy[0] - side / 2, xy[1] - side / 2),
            side,
            side,
            facecolor=_INK,
            edgecolor=_INK,
            zorder=4,
        )
    )


def _folded(ax: Axes, cx: float) -> None:
    """在横坐标 ``cx`` 处画折叠的网络：时间步 t 的一列，再加右边的自环 W。"""
    r = _RADIUS
    _column(ax, cx, "t")
    # 自环：从 s_t 右上方出发，绕到右边，回到 s_t 右下方
    # （表示 s_t 作为 s_{t-1} 进入下一步）
    start, end, rad = (cx + r * 0.7, 1.8 + r * 0.7), (cx + r * 0.7, 1.8 - r * 0.7), -1.9
    _arrow(ax, start, end, rad=rad)
    # 自环的最右点（二次贝塞尔曲线 t = 1/2 处）画上延迟一步的方块：
    # 这一步的 s_t 要到下一步才作为 s_{t-1} 回到节点，而不是立刻回来
    chord = start[1] - end[1]
    _delay(ax, (start[0] - rad * chord / 2, (start[1] + end[1]) / 2))
    _weight(ax, (cx + 1.38, 1.8), "W")


def _frame(fig: Figure) -> Axes:
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _canvas(width: float, right: float) -> tuple[Figure, Axes]:
    """白底画布：宽 ``width`` 英寸、高 4.68 英寸。

    两张图共用纵向范围 y ∈ [-0.75, 4.45]；横向范围 x ∈ [-1.1, right]。
    """
    fig = Figure(figsize=(width, 4.68), facecolor="white")
    FigureCanvasAgg(fig)
    ax = _frame(fig)
    ax.set_xlim(-1.1, right)
    ax.set_ylim(-0.75, 4.45)
    return fig, ax


def draw_folded() -> Figure:
    r"""折叠的 RNN（书中的图 RNN1）。

    一个隐藏状态节点 :math:`s_t` 和一个带权重 :math:`W` 的自环：上一步的状态
    :math:`s_{t-1}` 经 :math:`W` 回到同一个节点。自环上的黑色小方块表示延迟一步
    （Goodfellow 等《深度学习》图 10.2 的画法）。输入 :math:`x_t` 经 :math:`U` 进入，
    输出 :math:`\hat{y}_t` 经 :math:`V` 得到。

    Returns:
        一个新的 ``matplotlib.figure.Figure``，未经 pyplot 管理，无需手动关闭。

    Example:
        >>> fig = draw_folded()
        >>> fig.get_size_inches().round(1).tolist()
        [2.9, 4.7]
    """
    fig, ax = _canvas(2.88, right=2.1)
    _folded(ax, 0.0)
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
    fig, ax = _canvas(11.79, right=12.0)
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
        _column(ax, cx, step)

    # 水平方向的 W：s_{t-2} ... -> s_{t-1} -> s_t -> s_{t+1} -> ...
    xs = [cx for cx, _ in columns]
    _arrow(ax, (xs[0] - 1.45, 1.8), (xs[0] - r, 1.8), linestyle=(0, (3, 2)))
    for left, right in pairwise(xs):
        _arrow(ax, (left + r, 1.8), (right - r, 1.8))
        _weight(ax, ((left + right) / 2, 2.12), "W")
    _weight(ax, (xs[0] - 0.95, 2.12), "W")
    _arrow(ax, (xs[-1] + r, 1.8), (xs[-1] + 1.5, 1.8), linestyle=(0, (3, 2)))
    _weight(ax, (xs[-1] + 0.95, 2.12), "W")
    return fig


_BACK = "#c81e1e"  # 反向传播：红色虚线，与前向的深灰实线区分
_BACK_STYLE = (0, (4, 2.5))
_SMALL = 13


def _back_arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    """反向传播的一条边：红色虚线箭头。"""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=16,
            linewidth=1.8,
            color=_BACK,
            linestyle=_BACK_STYLE,
            shrinkA=0,
            shrinkB=0,
            zorder=2,
        )
    )


def _label(
    ax: Axes,
    xy: tuple[float, float],
    text: str,
    *,
    color: str = _INK,
    ha: str = "left",
) -> None:
    """小号的说明文字（默认左对齐，竖直居中）。"""
    ax.text(*xy, text, fontsize=_SMALL, color=color, ha=ha, va="center")


def draw_bptt() -> Figure:
    r"""BPTT 的计算图（书中第 7 章的图）：:math:`T = 3` 个时间步，前向与反向画在一起。

    黑色实线是前向计算：:math:`x_t \xrightarrow{U} s_t`、
    :math:`s_{t-1} \xrightarrow{W} s_t`、:math:`s_t \xrightarrow{V} \hat{y}_t`，
    :math:`\hat{y}_t` 与目标 :math:`y_t` 给出 :math:`\ell_t`，各步相加得到 :math:`L`。
    红色虚线是反向传播：流进 :math:`s_t` 的两支正是递推式
    :math:`\delta_t = V^\top e_t + W^\top \mathrm{diag}(1 - s_{t+1}^2)\,\delta_{t+1}`
    的两项，:math:`e_t = \hat{y}_t - y_t`。

    Returns:
        一个新的 ``matplotlib.figure.Figure``。

    Example:
        >>> fig = draw_bptt()
        >>> fig.get_size_inches().round(1).tolist()
        [11.8, 7.2]
    """
    fig = Figure(figsize=(11.79, 7.2), facecolor="white")
    FigureCanvasAgg(fig)
    ax = _frame(fig)
    r = _RADIUS
    gap = 0.3  # 反向箭头与前向箭头的间距
    side = (r**2 - gap**2) ** 0.5  # 偏离圆心 gap 处，圆周在另一方向上的位置
    y_x, y_s, y_hat, y_loss, y_total = 0.0, 2.0, 4.0, 5.8, 7.55
    columns = [3.4, 7.0, 10.6]  # t = 1, 2, 3 的横坐标；s_0 在 0.0

    _node(ax, (0.0, y_s), "s", "$s_0$")
    for step, cx in enumerate(columns, start=1):
        _node(ax, (cx, y_x), "x", f"$x_{step}$")
        _node(ax, (cx, y_s), "s", f"$s_{step}$")
        _node(ax, (cx, y_hat), "y", f"$\\hat{{y}}_{step}$")
        _node(ax, (cx, y_loss), "loss", f"$\\ell_{step}$")
        # 前向：x_t -U-> s_t -V-> ŷ_t -> ℓ_t <- y_t
        _arrow(ax, (cx, y_x + r), (cx, y_s - r))
        _weight(ax, (cx - 0.3, (y_x + y_s) / 2), "U")
        _arrow(ax, (cx - gap, y_s + side), (cx - gap, y_hat - side))
        _weight(ax, (cx - 0.62, (y_s + y_hat) / 2), "V")
        _arrow(ax, (cx - gap, y_hat + side), (cx - gap, y_loss - side))
        ax.text(
            cx + 1.25,
            y_loss,
            f"$y_{step}$",
            fontsize=_FONT - 1,
            color=_INK,
            ha="center",
            va="center",
        )
        _arrow(ax, (cx + 1.0, y_loss), (cx + r, y_loss))
        # 反向：ℓ_t -> ŷ_t 带 e_t，ŷ_t -> s_t 带 Vᵀe_t
        _back_arrow(ax, (cx + gap, y_loss - side), (cx + gap, y_hat + side))
        _label(ax, (cx + gap + 0.12, (y_hat + y_loss) / 2), f"$e_{step}$", color=_BACK)
        _back_arrow(ax, (cx + gap, y_hat - side), (cx + gap, y_s + side))
        _label(
            ax,
            (cx + gap + 0.12, (y_s + y_hat) / 2),
            f"$V^{{\\top}} e_{step}$",
            color=_BACK,
        )
        # δ_t 标在 s_t 的右下方，紧挨着从右边流进来的反向箭头
        _label(ax, (cx + 0.44, y_s - 0.6), f"$\\delta_{step}$", color=_BACK)
        # ℓ_t -> L（前向）与 L -> ℓ_t（反向），沿斜线并排
        total = (columns[1], y_total)
        dx, dy = total[0] - cx, total[1] - y_loss
        length = (dx**2 + dy**2) ** 0.5
        ux, uy = dx / length, dy / length  # 从 ℓ_t 指向 L 的单位向量
        nx, ny = -uy * 0.13, ux * 0.13  # 法向偏移
        start = (cx + ux * r, y_loss + uy * r)
        end = (total[0] - ux * r, total[1] - uy * r)
        if abs(dx) < 1e-9:  # 正上方那一支：前向在左、反向在右
            start, end = (cx - gap, y_loss + side), (cx - gap, y_total - side)
            nx, ny = 2 * gap, 0.0
        else:
            start = (start[0] - nx, start[1] - ny)
            end = (end[0] - nx, end[1] - ny)
            nx, ny = 2 * nx, 2 * ny
        _arrow(ax, start, end)
        _back_arrow(ax, (end[0] + nx, end[1] + ny), (start[0] + nx, start[1] + ny))
    _node(ax, (columns[1], y_total), "loss", "$L$")

    # 水平方向：前向 s_{t-1} -W-> s_t 在上，反向 s_{t+1} -> s_t 在下
    lefts = [0.0, *columns[:-1]]
    for step, (left, right) in enumerate(zip(lefts, columns, strict=True), start=1):
        if step == 1:
            _arrow(ax, (left + r, y_s), (right - r, y_s))
            _weight(ax, ((left + right) / 2, y_s + 0.3), "W")
            continue
        _arrow(ax, (left + side, y_s + gap), (right - side, y_s + gap))
        _weight(ax, ((left + right) / 2, y_s + gap + 0.3), "W")
        _back_arrow(ax, (right - side, y_s - gap), (left + side, y_s - gap))
        _label(
            ax,
            ((left + right) / 2 - 0.1, y_s - gap - 0.62),
            f"$W^{{\\top}} \\mathrm{{diag}}(1 - s_{step}^2)\\,\\delta_{step}$",
            color=_BACK,
            ha="center",
        )

    ax.set_xlim(-0.75, 12.15)
    ax.set_ylim(-0.75, 8.3)
    return fig


# -- 门控单元：LSTM 与 GRU（第 13 章） -------------------------------------------------

_GATE = {"fill": "#fef3c7", "edge": "#b45309"}  # σ 门：琥珀色
_SQUASH = {"fill": "#dbeafe", "edge": "#1d4ed8"}  # tanh（与输入节点同为蓝色）
_LINEAR = {"fill": "#ede9fe", "edge": "#6d28d9"}  # 只做线性变换的方框
_CELL_FILL = "#f6f8fa"  # 单元的底色
_BOX_W, _BOX_H = 0.9, 0.7
_OP_R = 0.3  # 逐元素运算（×、+）的圆


def _box(
    ax: Axes, center: tuple[float, float], text: str, style: dict[str, str]
) -> None:
    """一个带激活函数（或线性变换）的方框：它的输入是一次仿射变换。"""
    cx, cy = center
    ax.add_patch(
        FancyBboxPatch(
            (cx - _BOX_W / 2, cy - _BOX_H / 2),
            _BOX_W,
            _BOX_H,
            boxstyle="round,pad=0,rounding_size=0.12",
            facecolor=style["fill"],
            edgecolor=style["edge"],
            linewidth=2.0,
            zorder=3,
        )
    )
    ax.text(
        cx, cy, text, ha="center", va="center", fontsize=_FONT, color=_INK, zorder=4
    )


def _op(ax: Axes, center: tuple[float, float], text: str) -> None:
    """逐元素运算：× 是 ⊙，+ 是相加。"""
    ax.add_patch(
        Circle(
            center, _OP_R, facecolor="white", edgecolor=_INK, linewidth=1.8, zorder=3
        )
    )
    ax.text(
        *center, text, ha="center", va="center", fontsize=_FONT, color=_INK, zorder=4
    )


def _wire(
    ax: Axes,
    points: list[tuple[float, float]],
    *,
    width: float = 1.8,
    arrow: bool = True,
) -> None:
    """折线：依次连接 ``points``，最后一段带箭头。"""
    for start, end in pairwise(points[:-1]):
        ax.plot(*zip(start, end, strict=True), color=_INK, linewidth=width, zorder=2)
    ax.add_patch(
        FancyArrowPatch(
            points[-2],
            points[-1],
            arrowstyle="-|>" if arrow else "-",
            mutation_scale=16,
            linewidth=width,
            color=_INK,
            shrinkA=0,
            shrinkB=0,
            zorder=2,
        )
    )


def _dot(ax: Axes, xy: tuple[float, float]) -> None:
    """导线的分叉点。"""
    ax.add_patch(Circle(xy, 0.07, color=_INK, zorder=3))


def _cell_canvas(right: float) -> tuple[Figure, Axes]:
    """门控单元的画布：单元是一个浅灰底的圆角矩形，x ∈ [0.6, right − 0.6]。"""
    fig = Figure(figsize=(9.6, 5.4), facecolor="white")
    FigureCanvasAgg(fig)
    ax = _frame(fig)
    ax.add_patch(
        FancyBboxPatch(
            (0.6, 0.35),
            right - 1.2,
            5.25,
            boxstyle="round,pad=0,rounding_size=0.3",
            facecolor=_CELL_FILL,
            edgecolor="#6e7781",
            linewidth=1.4,
            zorder=1,
        )
    )
    ax.set_xlim(-1.0, right + 1.0)
    ax.set_ylim(-0.9, 6.0)
    return fig, ax


def _io(ax: Axes, xy: tuple[float, float], text: str, ha: str) -> None:
    """单元外面的输入或输出记号。"""
    ax.text(*xy, text, ha=ha, va="center", fontsize=_FONT + 1, color=_INK)


def draw_lstm() -> Figure:
    r"""LSTM 单元的结构图（第 13 章）。

    上面一条是细胞状态 :math:`c_{t-1} \to c_t`：先逐元素乘遗忘门 :math:`\phi_t`，
    再加上 :math:`i_t \odot \tilde c_t`；这条路上没有权重矩阵，也没有压缩函数。
    下面一条把 :math:`s_{t-1}` 与 :math:`x_t` 送进四个方框，每个方框是
    一次仿射变换 :math:`U_\bullet x_t + W_\bullet s_{t-1} + b_\bullet` 加一个激活函数，
    依次给出 :math:`\phi_t, i_t, \tilde c_t, o_t`。右边 :math:`c_t` 经 tanh 再乘
    :math:`o_t`，得到 :math:`s_t`。

    Returns:
        一个新的 ``matplotlib.figure.Figure``。

    Example:
        >>> fig = draw_lstm()
        >>> fig.get_size_inches().round(1).tolist()
        [9.6, 5.4]
    """
    right = 10.0
    fig, ax = _cell_canvas(right)
    top, bus, gates = 5.0, 1.0, 2.2
    half = _BOX_H / 2
    x_phi, x_i, x_c, x_o, x_out = 2.6, 4.2, 5.6, 7.2, 8.6
    # 细胞状态：c_{t-1} -> × φ_t -> + -> c_t
    _wire(ax, [(-0.2, top), (x_phi - _OP_R, top)], width=3.0)
    _wire(ax, [(x_phi + _OP_R, top), (x_c - _OP_R, top)], width=3.0)
    _wire(ax, [(x_c + _OP_R, top), (right + 0.2, top)], width=3.0)
    _op(ax, (x_phi, top), r"$\times$")
    _op(ax, (x_c, top), "$+$")
    _io(ax, (-0.3, top), "$c_{t-1}$", "right")
    _io(ax, (right + 0.3, top), "$c_t$", "left")
    # 输入：s_{t-1} 与 x_t 汇合，送进四个方框
    _wire(ax, [(-0.2, bus), (x_o, bus)], arrow=False)
    _io(ax, (-0.3, bus), "$s_{t-1}$", "right")
    _wire(ax, [(1.4, -0.45), (1.4, bus)], arrow=False)
    _dot(ax, (1.4, bus))
    _io(ax, (1.4, -0.7), "$x_t$", "center")
    boxes = [
        (x_phi, r"$\sigma$", _GATE),
        (x_i, r"$\sigma$", _GATE),
        (x_c, r"$\tanh$", _SQUASH),
        (x_o, r"$\sigma$", _GATE),
    ]
    for cx, text, style in boxes:
        _wire(ax, [(cx, bus), (cx, gates - half)])
        if cx != x_o:
            _dot(ax, (cx, bus))
        _box(ax, (cx, gates), text, style)
    mix = 3.6  # i_t ⊙ c̃_t 所在的高度
    _wire(ax, [(x_phi, gates + half), (x_phi, top - _OP_R)])  # φ_t
    _wire(ax, [(x_i, gates + half), (x_i, mix), (x_c - _OP_R, mix)])  # i_t
    _wire(ax, [(x_c, gates + half), (x_c, mix - _OP_R)])  # c̃_t
    _op(ax, (x_c, mix), r"$\times$")
    _wire(ax, [(x_c, mix + _OP_R), (x_c, top - _OP_R)])
    labels = [
        ((x_phi - 0.42, 3.5), r"$\phi_t$"),
        ((x_i - 0.35, 3.0), "$i_t$"),
        ((x_c + 0.4, 2.95), r"$\tilde{c}_t$"),
        (((x_o + x_out) / 2 - 0.05, gates + 0.32), "$o_t$"),
    ]
    for xy, text in labels:
        ax.text(*xy, text, ha="center", va="center", fontsize=_FONT - 1, color=_INK)
    # 输出：c_t -> tanh -> × o_t -> s_t
    _dot(ax, (x_out, top))
    _wire(ax, [(x_out, top), (x_out, mix + 0.28)])
    ax.add_patch(
        Ellipse(
            (x_out, mix),
            0.95,
            0.56,
            facecolor=_SQUASH["fill"],
            edgecolor=_SQUASH["edge"],
            linewidth=1.8,
            zorder=3,
        )
    )
    ax.text(x_out, mix, r"$\tanh$", ha="center", va="center", fontsize=_FONT - 2)
    _wire(ax, [(x_out, mix - 0.28), (x_out, gates + _OP_R)])
    _wire(ax, [(x_o + _BOX_W / 2, gates), (x_out - _OP_R, gates)])  # o_t
    _op(ax, (x_out, gates), r"$\times$")
    _wire(ax, [(x_out + _OP_R, gates), (right + 0.2, gates)])
    _io(ax, (right + 0.3, gates), "$s_t$", "left")
    return fig


def draw_gru() -> Figure:
    r"""GRU 单元的结构图（第 13 章）。

    上面一条是状态 :math:`s_{t-1} \to s_t`：旧状态乘更新门 :math:`z_t` （保留的份额），
    候选状态 :math:`\tilde s_t` 乘 :math:`1 - z_t`，两者相加。候选状态的方框读
    :math:`U_s x_t + b_s` 与经重置门 :math:`r_t` 缩放的 :math:`W_s s_{t-1} + b_s'`
    （PyTorch 的写法：重置门乘在线性变换之后）。

    Returns:
        一个新的 ``matplotlib.figure.Figure``。

    Example:
        >>> fig = draw_gru()
        >>> fig.get_size_inches().round(1).tolist()
        [9.6, 5.4]
    """
    right = 10.0
    fig, ax = _cell_canvas(right)
    top, bus, gates, mix, blend = 5.1, 0.95, 1.9, 2.85, 4.0
    half = _BOX_H / 2
    x_split, x_in, x_z, x_r, x_w, x_keep, x_flip, x_new = (
        1.0, 1.8, 2.6, 4.2, 6.0, 6.0, 7.2, 8.4,
    )  # fmt: skip
    # 状态：s_{t-1} -> × z_t -> + -> s_t
    _wire(ax, [(-0.2, top), (x_keep - _OP_R, top)], width=3.0)
    _wire(ax, [(x_keep + _OP_R, top), (x_new - _OP_R, top)], width=3.0)
    _wire(ax, [(x_new + _OP_R, top), (right + 0.2, top)], width=3.0)
    _op(ax, (x_keep, top), r"$\times$")
    _op(ax, (x_new, top), "$+$")
    _io(ax, (-0.3, top), "$s_{t-1}$", "right")
    _io(ax, (right + 0.3, top), "$s_t$", "left")
    # s_{t-1} 分一支下来，与 x_t 汇合
    _dot(ax, (x_split, top))
    _wire(ax, [(x_split, top), (x_split, bus), (x_new, bus)], arrow=False)
    _wire(ax, [(x_in, -0.45), (x_in, bus)], arrow=False)
    _dot(ax, (x_in, bus))
    _io(ax, (x_in, -0.7), "$x_t$", "center")
    for cx, text, style in [
        (x_z, r"$\sigma$", _GATE),
        (x_r, r"$\sigma$", _GATE),
        (x_w, "$W_s$", _LINEAR),
    ]:
        _dot(ax, (cx, bus))
        _wire(ax, [(cx, bus), (cx, gates - half)])
        _box(ax, (cx, gates), text, style)
    # z_t：一支去乘旧状态，一支经 1 − z_t 去乘候选状态
    _wire(
        ax, [(x_z, gates + half), (x_z, blend), (x_keep, blend), (x_keep, top - _OP_R)]
    )
    _dot(ax, (x_keep, blend))
    _wire(ax, [(x_keep, blend), (x_flip - 0.4, blend)])
    ax.add_patch(
        Ellipse(
            (x_flip, blend),
            0.8,
            2 * _OP_R,
            facecolor="white",
            edgecolor=_INK,
            linewidth=1.8,
            zorder=3,
        )
    )
    ax.text(x_flip, blend, "$1-$", ha="center", va="center", fontsize=_FONT - 2)
    _wire(ax, [(x_flip + 0.4, blend), (x_new - _OP_R, blend)])
    _op(ax, (x_new, blend), r"$\times$")
    _wire(ax, [(x_new, blend + _OP_R), (x_new, top - _OP_R)])
    # r_t 乘在 W_s s_{t-1} + b_s' 上，结果进入候选状态的 tanh
    _wire(ax, [(x_r, gates + half), (x_r, mix), (x_w - _OP_R, mix)])
    _wire(ax, [(x_w, gates + half), (x_w, mix - _OP_R)])
    _op(ax, (x_w, mix), r"$\times$")
    _wire(ax, [(x_w + _OP_R, mix), (x_new - _BOX_W / 2, mix)])
    _wire(ax, [(x_new, bus), (x_new, mix - half)])
    _box(ax, (x_new, mix), r"$\tanh$", _SQUASH)
    _wire(ax, [(x_new, mix + half), (x_new, blend - _OP_R)])
    labels = [
        ((x_z - 0.38, 3.1), "$z_t$"),
        ((x_r - 0.35, 2.55), "$r_t$"),
        ((x_new + 0.42, 3.45), r"$\tilde{s}_t$"),
        ((x_w + 0.45, 1.28), "$s_{t-1}$"),  # W_s 只作用于 s_{t-1}
        ((x_new + 0.35, 1.28), "$x_t$"),  # 候选状态的 U_s x_t + b_s
    ]
    for xy, text in labels:
        ax.text(*xy, text, ha="center", va="center", fontsize=_FONT - 1, color=_INK)
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


def _drawers() -> list[tuple[str, Callable[[], Figure]]]:
    """:data:`FILENAMES` 里每张图的画法，顺序与 :data:`FILENAMES` 相同。"""
    drawers = {
        "folded": draw_folded,
        "unrolled": draw_unrolled,
        "bptt": draw_bptt,
        "lstm": draw_lstm,
        "gru": draw_gru,
    }
    return [(kind, drawers[kind]) for kind in FILENAMES]


def save_figures(directory: str | os.PathLike[str]) -> list[Path]:
    """把 :data:`FILENAMES` 中的各图写入已存在的目录 ``directory``，返回写出的文件路径。

    PNG 以 :data:`DPI` 保存，白色不透明背景；``metadata={"Software": None}`` 去掉
    matplotlib 默认写入的版本信息，所以同一环境下重复运行得到逐字节相同的文件。

    Args:
        directory: 输出目录，``str`` 或 ``os.PathLike``，必须已经存在。

    Returns:
        写出的文件路径（``pathlib.Path`` 的列表），依次为 RNN1、RNN2、BPTT、LSTM、GRU。

    Raises:
        TypeError: ``directory`` 不是字符串或路径对象。
        ValueError: ``directory`` 不存在或不是目录。

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     [p.name for p in save_figures(tmp)]
        ['RNN1.png', 'RNN2.png', 'BPTT.png', 'LSTM.png', 'GRU.png']
    """
    out = _check_directory(directory)
    written = []
    for kind, draw in _drawers():
        path = out / FILENAMES[kind]
        draw().savefig(path, dpi=DPI, facecolor="white", metadata={"Software": None})
        written.append(path)
    return written


def save_vector_figures(directory: str | os.PathLike[str]) -> list[Path]:
    """同 :func:`save_figures`，但存成 PDF（矢量图，给 PDF 版的书）。

    不写创建时间，重复运行得到逐字节相同的文件。

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     [p.name for p in save_vector_figures(tmp)]
        ['RNN1.pdf', 'RNN2.pdf', 'BPTT.pdf', 'LSTM.pdf', 'GRU.pdf']
    """
    out = _check_directory(directory)
    written = []
    for kind, draw in _drawers():
        path = (out / FILENAMES[kind]).with_suffix(".pdf")
        draw().savefig(path, facecolor="white", metadata={"CreationDate": None})
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
    for path in [*save_figures(directory), *save_vector_figures(directory)]:
        sys.stderr.write(f"已写出 {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
