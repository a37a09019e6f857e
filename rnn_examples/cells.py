r"""普通 RNN 单元的两种变体，以及测量梯度随距离变化的工具（第 9 章）。

两种单元的参数、初始化和调用方式都与 :class:`~rnn_examples.models.RNNCell` 相同
（``U = weight_ih``，``W = weight_hh``，``b_h = bias_ih + bias_hh``），
只是一步的公式不同::

    普通单元   s_t = f(U x_t + W s_{t-1} + b_h)
    残差单元   s_t = s_{t-1} + f(U x_t + W s_{t-1} + b_h)
    层归一化   s_t = f(LN(U x_t + W s_{t-1}) + b_h)
               LN(a) = α ⊙ (a − μ) / √(var(a) + ε_LN)，
               μ、var(a) 是 a 在 H 个分量上的均值与有偏方差

1. :class:`ResidualRNNCell`：雅可比矩阵 ∂s_t/∂s_{t-1} = I + diag(f'(a_t)) W，
   恒等项给梯度留了一条不经过 W 的通路。
2. :class:`LayerNormRNNCell`：把 ``U``、``W`` 同乘一个正数 c，LN 的输入也乘 c，
   输出不变（只差 ε_LN 的影响），所以整个单元与权重的尺度无关。缩放 α 初始为 1；
   平移由 ``b_h`` 承担，LN 本身不再带偏置。
3. :func:`gradient_norms_by_distance`：对任意单元，把 ``x`` 从 :math:`s_0 = 0`
   开始展开，取 :math:`L = v^\top s_T`，返回 :math:`\|\partial L/\partial s_k\|`
   随距离 ``T − k`` 的变化。

形状记号：``B`` 批大小，``T`` 时间步数，``D`` 输入特征数，``H`` 隐藏状态维数。
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_float_tensor, check_size, check_step
from .models import ACTIVATIONS, RNNCell

__all__ = ["LayerNormRNNCell", "ResidualRNNCell", "gradient_norms_by_distance"]


class ResidualRNNCell(RNNCell):
    r"""残差 RNN 单元：:math:`s_t = s_{t-1} + f(U x_t + W s_{t-1} + b_h)`。

    参数与 :class:`~rnn_examples.models.RNNCell` 完全相同，
    只是把上一步的状态原样加回来。

    形状:
        - ``x_t``: ``(B, D)``；``s_prev``: ``(B, H)``，即 :math:`s_{t-1}`。
        - 返回: ``(B, H)``，即 :math:`s_t`。

    Example:
        >>> import torch
        >>> from rnn_examples import RNNCell
        >>> from rnn_examples.cells import ResidualRNNCell
        >>> _ = torch.manual_seed(0)
        >>> cell = ResidualRNNCell(3, 4)
        >>> plain = RNNCell(3, 4)
        >>> _ = plain.load_state_dict(cell.state_dict())
        >>> x_t, s = torch.randn(2, 3), torch.randn(2, 4)
        >>> torch.testing.assert_close(cell(x_t, s), s + plain(x_t, s))
    """

    def forward(self, x_t: torch.Tensor, s_prev: torch.Tensor) -> torch.Tensor:
        """一步：``(B, D), (B, H) -> (B, H)``。"""
        update: torch.Tensor = super().forward(x_t, s_prev)  # f(U x_t + W s + b_h)
        return s_prev + update


class LayerNormRNNCell(RNNCell):
    r"""层归一化 RNN 单元：:math:`s_t = f(\mathrm{LN}(U x_t + W s_{t-1}) + b_h)`。

    :math:`\mathrm{LN}(a) = \gamma \odot (a - \mu)/\sqrt{\sigma^2 + \epsilon}`，
    :math:`\gamma` 为可学习的缩放（``norm.weight``，初始为 1），
    :math:`\epsilon = 10^{-5}`；
    平移就是 :math:`b_h` （``bias_ih + bias_hh``），所以 ``norm`` 不带偏置。

    形状:
        - ``x_t``: ``(B, D)``；``s_prev``: ``(B, H)``，即 :math:`s_{t-1}`。
        - 返回: ``(B, H)``。

    Example:
        >>> import torch
        >>> from rnn_examples.cells import LayerNormRNNCell
        >>> _ = torch.manual_seed(0)
        >>> cell = LayerNormRNNCell(3, 4)
        >>> x_t, s = torch.randn(2, 3), torch.randn(2, 4)
        >>> before = cell(x_t, s)
        >>> with torch.no_grad():  # U、W 同乘 10：输出几乎不变
        ...     _ = cell.weight_ih.mul_(10.0), cell.weight_hh.mul_(10.0)
        >>> torch.testing.assert_close(cell(x_t, s), before, rtol=1e-4, atol=1e-4)
    """

    def __init__(
        self, input_size: int, hidden_size: int, nonlinearity: str = "tanh"
    ) -> None:
        super().__init__(input_size, hidden_size, nonlinearity)
        self.norm = nn.LayerNorm(hidden_size, bias=False)  # α：(H,)，初始为 1

    def reset_parameters(self) -> None:
        """``U``、``W``、``b_h`` 的初始化与 :class:`~rnn_examples.models.RNNCell` 相同。

        α 重置为 1。
        """
        super().reset_parameters()
        if hasattr(self, "norm"):  # 父类的 __init__ 调用本方法时 norm 还不存在
            self.norm.reset_parameters()

    def forward(self, x_t: torch.Tensor, s_prev: torch.Tensor) -> torch.Tensor:
        """一步：``(B, D), (B, H) -> (B, H)``。"""
        check_step(x_t, s_prev, self.input_size, self.hidden_size)
        summed = x_t @ self.weight_ih.T + s_prev @ self.weight_hh.T  # U x + W s: (B, H)
        normalized = self.norm(summed) + self.bias_ih + self.bias_hh  # LN(·) + b_h
        return ACTIVATIONS[self.nonlinearity](normalized)


def gradient_norms_by_distance(
    cell: nn.Module, x: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    r"""把 ``cell`` 在 ``x`` 上展开，测量 :math:`\|\partial L/\partial s_k\|`
    随距离的变化。

    从 :math:`s_0 = 0` 开始，:math:`s_t = \text{cell}(x_t, s_{t-1})`，损失
    :math:`L = \sum_b v^\top s_T^{(b)}` （批内各序列相加），用自动求导取各步的
    :math:`\delta_k = \partial L/\partial s_k`。只对状态求导，不改动参数的 ``.grad``。

    Args:
        cell: 一步的模块，``cell(x_t, s)`` 把 ``(B, D)`` 与 ``(B, H)``
            映射到 ``(B, H)``，并有整数属性 ``hidden_size``
            （如 :class:`~rnn_examples.models.RNNCell` 与本模块的两种单元）。
        x: ``(B, T, D)`` 输入，dtype 须与 ``cell`` 的参数相同。
        v: ``(H,)`` 投影方向。

    Returns:
        ``(T,)`` 张量 ``norms``：``norms[d]`` 是距离 ``d = T − k`` 处
        :math:`\|\delta_k\|_2` 的批平均；``norms[0]`` 是 :math:`\|v\|`。

    Raises:
        TypeError: ``cell`` 不是带 ``hidden_size`` 的 ``nn.Module``，
            或 ``x``、``v`` 不是浮点张量。
        ValueError: ``x``、``v`` 的维数或大小不符。

    Example:
        >>> import torch
        >>> from rnn_examples import RNNCell
        >>> from rnn_examples.cells import gradient_norms_by_distance
        >>> _ = torch.manual_seed(0)
        >>> v = torch.ones(8) / 8**0.5
        >>> norms = gradient_norms_by_distance(RNNCell(2, 8), torch.randn(4, 30, 2), v)
        >>> norms.shape, round(float(norms[0]), 4), bool(norms[-1] < 1e-3)
        (torch.Size([30]), 1.0, True)
    """
    hidden = getattr(cell, "hidden_size", None)
    if not isinstance(cell, nn.Module) or not isinstance(hidden, int):
        raise TypeError(
            "cell 应为带整数属性 hidden_size 的 torch.nn.Module，"
            f"实际收到 {type(cell).__name__}"
        )
    check_float_tensor("x", x, ndim=3, layout="(B, T, D)")
    check_float_tensor("v", v, ndim=1, layout="(H,)")
    check_size("v", v, 0, hidden, "隐藏状态维数 H，须与 cell.hidden_size 相同")
    # s_0 = 0 也要求梯度：这样即使参数被冻结，每个 s_t 也都在计算图里
    s = x.new_zeros(x.shape[0], hidden).requires_grad_(True)  # s_0: (B, H)
    states = []
    for t in range(x.shape[1]):
        s = cell(x[:, t], s)  # s_t: (B, H)
        states.append(s)
    loss = (states[-1] @ v).sum()  # L = Σ_b vᵀ s_T
    # 只对各步状态求导，不碰参数的 .grad
    deltas = torch.autograd.grad(loss, states)  # T 个 (B, H)
    norms = torch.stack([delta.norm(dim=-1).mean() for delta in deltas])  # 下标 k − 1
    return norms.flip(0)  # 下标 T − k
