r"""画出书中的三张结构图：折叠的 RNN（RNN1）、按时间展开的 RNN（RNN2）与 BPTT 的计算图。

记号与全书一致（见第 3 章）::

    s_t = f(U x_t + W s_{t-1} + b_h)      公式 (1)
    ŷ_t = g(V s_t + b_y)                  公式 (2)

- :func:`draw_folded`：``x_t`` 经 ``U`` 进入隐藏状态 ``s_t``，``s_t`` 经自环 ``W``
  回到自己，再经 ``V`` 得到输出 ``ŷ_t``。
- :func:`draw_unrolled`：左边是折叠图，右边是同一个网络在 ``t-1, t, t+1``
  三个时间步上的展开，每一步用的都是同一组 ``U, W, V``。
- :func:`draw_bptt`：三个时间步的计算图，前向计算（黑色实线）与反向传播
  （红色虚线）画在同一张图上，反向箭头标着第 7 章递推式里的各项。
- :func:`save_figures`：把三张图写成 PNG。输出逐字节稳定：不写时间戳和软件版本，
  同一环境下重复生成得到完全相同的文件
  （``tests/test_diagrams.py`` 以此检查仓库里的图没有过时）。

图中只用 matplotlib 自带的 DejaVu 字体（数学记号由 mathtext 排版），不依赖系统字体；
背景为不透明白色、线条与文字为深色，在网站的浅色与深色模式下都清晰可读。

命令行：``python -m rnn_examples.diagrams images`` 重新生成 ``images/RNN1.png`` 、
``images/RNN2.png`` 与 ``images/BPTT.png``，以及同名的 PDF（矢量图，PDF 版的书
用它们；书页写 ``images/RNN1.*``，Sphinx 为网站取 PNG、为 LaTeX 取 PDF）；
``nox -s images`` 即运行这条命令。
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

__all__ = [
    "DPI",
    "FILENAMES",
    "draw_bptt",
    "draw_folded",
    "draw_unrolled",
    "main",
    "save_figures",
    "save_vector_figures",
]

DPI = 200
"""PNG 的分辨率（每英寸点数）：高 DPI，在高分屏上也清楚。"""

FILENAMES = {"folded": "RNN1.png", "unrolled": "RNN2.png", "bptt": "BPTT.png"}
"""三张图的文件名：书中的图 RNN1（折叠）、RNN2（展开）与 BPTT（计算图）。"""

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


def _folded(ax: Axes, cx: float) -> None:
    """在横坐标 ``cx`` 处画折叠的网络：时间步 t 的一列，再加右边的自环 W。"""
    r = _RADIUS
    _column(ax, cx, "t")
    # 自环：从 s_t 右上方出发，绕到右边，回到 s_t 右下方
    # （表示 s_t 作为 s_{t-1} 进入下一步）
    _arrow(ax, (cx + r * 0.7, 1.8 + r * 0.7), (cx + r * 0.7, 1.8 - r * 0.7), rad=-1.9)
    _weight(ax, (cx + 1.32, 1.8), "W")


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
    :math:`s_{t-1}` 经 :math:`W` 回到同一个节点。输入 :math:`x_t` 经 :math:`U` 进入，
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
    """把 RNN1、RNN2、BPTT 三张图写入已存在的目录 ``directory``，返回写出的文件路径。

    PNG 以 :data:`DPI` 保存，白色不透明背景；``metadata={"Software": None}`` 去掉
    matplotlib 默认写入的版本信息，所以同一环境下重复运行得到逐字节相同的文件。

    Args:
        directory: 输出目录，``str`` 或 ``os.PathLike``，必须已经存在。

    Returns:
        写出的三个文件路径（``pathlib.Path`` 的列表），依次为 RNN1、RNN2、BPTT。

    Raises:
        TypeError: ``directory`` 不是字符串或路径对象。
        ValueError: ``directory`` 不存在或不是目录。

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     [p.name for p in save_figures(tmp)]
        ['RNN1.png', 'RNN2.png', 'BPTT.png']
    """
    out = _check_directory(directory)
    written = []
    for kind, draw in (
        ("folded", draw_folded),
        ("unrolled", draw_unrolled),
        ("bptt", draw_bptt),
    ):
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
        ['RNN1.pdf', 'RNN2.pdf', 'BPTT.pdf']
    """
    out = _check_directory(directory)
    written = []
    for kind, draw in (
        ("folded", draw_folded),
        ("unrolled", draw_unrolled),
        ("bptt", draw_bptt),
    ):
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
