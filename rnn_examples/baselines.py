r"""第 1 章用来对比的前馈基线模型：它们说明前馈网络处理序列时缺了什么。

- :class:`MeanPoolMLP`：先对时间维取平均，再接一个两层感知机。它能接受任意长度的序列，
  代价是完全看不见顺序——打乱时间步，输出不变（置换不变）。
- :class:`FlattenMLP`：把整个序列展平成一个长向量再送进感知机。它看得见每个位置，
  但输入长度在构造时就定死了，而且每个位置各用一套权重，位置之间没有任何共享。

形状记号：``B`` 批大小，``T`` 时间步数，``D`` 输入特征数，``H`` 隐藏层宽度，
``O`` 输出维数。
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_positive_int, check_sequence, check_size

__all__ = ["FlattenMLP", "MeanPoolMLP"]


def _two_layer_mlp(in_features: int, hidden: int, out_features: int) -> nn.Sequential:
    r"""两个基线共用的两层感知机 :math:`V\,\mathrm{relu}(A z + a) + b_y`。"""
    return nn.Sequential(
        nn.Linear(in_features, hidden),
        nn.ReLU(),
        nn.Linear(hidden, out_features),
    )


class MeanPoolMLP(nn.Module):
    r"""对时间维取平均后接两层感知机：一个对顺序不敏感的序列模型。

    .. math::

        \bar{x} = \frac{1}{T}\sum_{t=1}^{T} x_t, \qquad
        \hat{y} = V\,\mathrm{relu}(A\bar{x} + a) + b_y

    平均 :math:`\bar{x}` 与求和的次序无关，所以把时间步任意重排，输出完全相同。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 隐藏层宽度 ``H``。
        output_size: 输出维数 ``O``。

    形状:
        - ``x``: ``(B, T, D)``，``T`` 可以任意。
        - 返回: ``(B, O)``。

    Raises:
        TypeError: 尺寸不是整数，或输入不是浮点张量。
        ValueError: 尺寸不为正，或输入的维数、特征数不符。

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> model = MeanPoolMLP(input_size=4, hidden_size=8, output_size=1)
        >>> x = torch.randn(2, 6, 4)                     # (B, T, D)
        >>> shuffled = x[:, torch.randperm(6), :]        # 打乱时间步
        >>> torch.testing.assert_close(model(shuffled), model(x))
        >>> model(torch.randn(2, 9, 4)).shape            # 另一个长度也可以
        torch.Size([2, 1])
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.mlp = _two_layer_mlp(input_size, hidden_size, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, D)`` 的序列先对时间维取平均，再经过感知机，返回 ``(B, O)``。"""
        x = check_sequence(x, self.input_size)
        y_hat: torch.Tensor = self.mlp(x.mean(dim=1))  # (B, T, D) -> (B, D) -> (B, O)
        return y_hat


class FlattenMLP(nn.Module):
    r"""把长度为 ``T`` 的序列展平后送进两层感知机：只能处理固定长度。

    .. math::

        \hat{y} = V\,\mathrm{relu}\big(A\,[x_1; x_2; \dots; x_T] + a\big) + b_y

    :math:`[x_1; \dots; x_T]` 是把各步拼成的 ``T·D`` 维向量，
    :math:`A` 的形状为 ``(H, T·D)``：第一层对每个位置各有一块独立的权重。

    Args:
        seq_len: 序列长度 ``T``，构造后不能再改。
        input_size: 输入特征数 ``D``。
        hidden_size: 隐藏层宽度 ``H``。
        output_size: 输出维数 ``O``。

    形状:
        - ``x``: ``(B, T, D)``，``T`` 必须等于 ``seq_len``。
        - 返回: ``(B, O)``。

    Raises:
        TypeError: 尺寸不是整数，或输入不是浮点张量。
        ValueError: 尺寸不为正，输入的维数、特征数不符，或序列长度不等于 ``seq_len``。

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> model = FlattenMLP(seq_len=6, input_size=4, hidden_size=8, output_size=1)
        >>> model(torch.randn(2, 6, 4)).shape
        torch.Size([2, 1])
        >>> model(torch.randn(2, 9, 4))
        Traceback (most recent call last):
            ...
        ValueError: x 的 dim=1（构造时的 seq_len）应为 6，实际为 9（形状 (2, 9, 4)）
    """

    def __init__(
        self, seq_len: int, input_size: int, hidden_size: int, output_size: int
    ) -> None:
        super().__init__()
        self.seq_len = check_positive_int("seq_len", seq_len)
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.mlp = _two_layer_mlp(seq_len * input_size, hidden_size, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, D)`` 的序列展平成 ``(B, T*D)``，再经过感知机，返回 ``(B, O)``。"""
        x = check_sequence(x, self.input_size)
        check_size("x", x, 1, self.seq_len, "构造时的 seq_len")
        y_hat: torch.Tensor = self.mlp(x.flatten(start_dim=1))  # (B, T*D) -> (B, O)
        return y_hat
