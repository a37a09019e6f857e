r"""固定窗口的前馈序列模型：每个输出只看最近 ``τ`` 步，是 RNN 最直接的简单对手。

第 1 章说前馈网络处理不好序列；它最直接的补救不是逐步作用的感知机，而是固定窗口的
自回归模型：第 ``t`` 步的输出只由窗口 :math:`x_{t-\tau+1}, \dots, x_t` 决定
（Bengio 等 2003 年的神经语言模型、d2l 第 8.1 节的做法）。
它能处理任意长度（不短于 ``τ`` 步）的序列，也看得见窗口之内的次序，
只是窗口之外的历史一概看不见。

1. :func:`windows`：把 ``(B, T, D)`` 的序列切成 ``T-τ+1`` 个窗口，
   每个拼成 ``τ·D`` 维的向量。
2. :class:`WindowMLP`：在每个窗口上用同一个两层感知机（所有窗口共用参数）。
   它就是一层宽度为 ``τ`` 的一维卷积，后面接一个宽度为 1 的卷积
   （:meth:`WindowMLP.as_conv1d` 给出这个等价的卷积网络）。
3. :class:`LinearAR`：窗口上的线性模型（线性自回归），
   :meth:`LinearAR.fit` 用最小二乘一步求出参数。

形状记号：``B`` 批大小，``T`` 时间步数，``D`` 输入特征数，``H`` 隐藏层宽度，
``O`` 输出维数，``τ`` 窗口长度（代码里是 ``window``）。
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_float_tensor, check_positive_int, check_sequence

__all__ = ["LinearAR", "WindowMLP", "windows"]


def windows(x: torch.Tensor, window: int) -> torch.Tensor:
    r"""把序列切成长度为 ``window`` 的全部窗口，每个窗口拼成一个向量。

    第 ``j`` 个窗口（从 1 数起）是 :math:`[x_j; x_{j+1}; \dots; x_{j+\tau-1}]`，
    对应第 :math:`t = j + \tau - 1` 步的输出。

    形状:
        - ``x``: ``(B, T, D)``，``T >= window``。
        - 返回: ``(B, T - window + 1, window * D)``。

    Raises:
        TypeError: ``x`` 不是浮点张量，或 ``window`` 不是整数。
        ValueError: ``window`` 不为正，``x`` 不是 3 维，或序列比窗口短。

    Example:
        >>> import torch
        >>> x = torch.arange(5.0).reshape(1, 5, 1)      # (B, T, D) = (1, 5, 1)
        >>> windows(x, 3)[0]
        tensor([[0., 1., 2.],
                [1., 2., 3.],
                [2., 3., 4.]])
    """
    x = check_float_tensor("x", x, ndim=3, layout="(B, T, D)")
    window = check_positive_int("window", window)
    if x.shape[1] < window:
        raise ValueError(
            f"x 的长度（dim=1）应不小于 window={window}，"
            f"实际为 {x.shape[1]}（形状 {tuple(x.shape)}）"
        )
    # unfold 在时间维上取窗口：(B, T-τ+1, D, τ)，再把 τ 步按时间顺序拼起来
    patches = x.unfold(1, window, 1).transpose(2, 3)  # (B, T-τ+1, τ, D)
    return patches.flatten(start_dim=2)  # (B, T-τ+1, τ·D)


class WindowMLP(nn.Module):
    r"""固定窗口的自回归感知机：每个输出只看最近 ``window`` 步。

    .. math::

        \hat{y}_t = V\,\mathrm{relu}\big(A\,[x_{t-\tau+1}; \dots; x_t] + a\big) + b_y,
        \qquad t = \tau, \dots, T

    所有窗口共用同一组 :math:`A, a, V, b_y`，
    所以参数量与 ``T`` 无关，只随 ``τ`` 线性增长。

    Args:
        window: 窗口长度 ``τ``。
        input_size: 输入特征数 ``D``。
        hidden_size: 隐藏层宽度 ``H``。
        output_size: 输出维数 ``O``。

    形状:
        - ``x``: ``(B, T, D)``，``T >= window``。
        - 返回: ``(B, T - window + 1, O)``，第 ``j`` 个输出属于第 ``j + τ - 1`` 步；
          最后一步的预测是 ``model(x)[:, -1]``。

    Raises:
        TypeError: 尺寸不是整数，或输入不是浮点张量。
        ValueError: 尺寸不为正，输入的维数、特征数不符，或序列比窗口短。

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> model = WindowMLP(window=3, input_size=2, hidden_size=8, output_size=1)
        >>> x = torch.randn(4, 10, 2)                    # (B, T, D)
        >>> model(x).shape                               # (B, T-τ+1, O)
        torch.Size([4, 8, 1])
        >>> conv = model.as_conv1d()                     # 同一个函数写成卷积
        >>> y = conv(x.transpose(1, 2)).transpose(1, 2)  # 卷积要通道在前
        >>> torch.testing.assert_close(y, model(x))
    """

    def __init__(
        self, window: int, input_size: int, hidden_size: int, output_size: int
    ) -> None:
        super().__init__()
        self.window = check_positive_int("window", window)
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.hidden = nn.Linear(window * input_size, hidden_size)  # A, a
        self.out = nn.Linear(hidden_size, output_size)  # V, b_y

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, D)`` -> ``(B, T-τ+1, O)``：每个窗口一个输出。"""
        x = check_sequence(x, self.input_size)
        z = windows(x, self.window)  # (B, T-τ+1, τ·D)
        y_hat: torch.Tensor = self.out(torch.relu(self.hidden(z)))  # (B, T-τ+1, O)
        return y_hat

    def as_conv1d(self) -> nn.Sequential:
        """同一个函数写成卷积：宽度 ``τ`` 的 ``Conv1d``、ReLU、宽度 1 的 ``Conv1d``。

        卷积的通道在前：输入形状 ``(B, D, T)``，输出形状 ``(B, O, T-τ+1)``。
        权重从本模型复制，不共享内存。
        """
        D, H, tau = self.input_size, self.hidden_size, self.window
        reference = self.hidden.weight  # 卷积层的设备与数据类型跟随它
        first = nn.Conv1d(D, H, tau).to(reference)
        last = nn.Conv1d(H, self.output_size, 1).to(reference)
        # 窗口向量按 [第 1 步的 D 个特征; 第 2 步的; …] 排列：(H, τ·D) -> (H, D, τ)
        weight = self.hidden.weight.detach().reshape(H, tau, D).transpose(1, 2)
        first.load_state_dict({"weight": weight, "bias": self.hidden.bias.detach()})
        last.load_state_dict(
            {
                "weight": self.out.weight.detach().unsqueeze(-1),  # (O, H) -> (O, H, 1)
                "bias": self.out.bias.detach(),
            }
        )
        return nn.Sequential(first, nn.ReLU(), last)

    def extra_repr(self) -> str:
        return f"window={self.window}"


class LinearAR(nn.Module):
    r"""窗口上的线性模型（线性自回归）。

    .. math::

        \hat{y}_t = A\,[x_{t-\tau+1}; \dots; x_t] + b, \qquad t = \tau, \dots, T

    :meth:`fit` 用最小二乘直接求出使平方误差最小的 :math:`A, b`：
    这是闭式解，不需要训练，所以它给出“只用最近 ``τ`` 步、线性地预测”
    能做到的最好结果，是一个很强的简单基线。

    Args:
        window: 窗口长度 ``τ``。
        input_size: 输入特征数 ``D``。
        output_size: 输出维数 ``O``。

    形状:
        - ``x``: ``(B, T, D)``，``T >= window``。
        - 返回: ``(B, T - window + 1, O)``，第 ``j`` 个输出属于第 ``j + τ - 1`` 步。

    Raises:
        TypeError: 尺寸不是整数，或输入不是浮点张量。
        ValueError: 尺寸不为正，输入的维数、特征数不符，或序列比窗口短。

    Example:
        >>> import math, torch
        >>> t = torch.arange(50.0)
        >>> wave = torch.sin(2 * math.pi * t / 25)       # 无噪声的正弦
        >>> x, y = wave[:-1].reshape(1, 49, 1), wave[2:].reshape(1, 48, 1)
        >>> model = LinearAR.fit(x, y, window=2)         # 用前两步预测下一步
        >>> # 正弦满足 x_{t+1} = 2 cos(2π/25) x_t − x_{t−1}
        >>> [round(v, 4) for v in model.linear.weight[0].tolist()]
        [-1.0, 1.9372]
    """

    def __init__(self, window: int, input_size: int, output_size: int) -> None:
        super().__init__()
        self.window = check_positive_int("window", window)
        self.input_size = check_positive_int("input_size", input_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.linear = nn.Linear(window * input_size, output_size)  # A, b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, D)`` -> ``(B, T-τ+1, O)``：每个窗口一个线性预测。"""
        x = check_sequence(x, self.input_size)
        y_hat: torch.Tensor = self.linear(windows(x, self.window))
        return y_hat

    @classmethod
    def fit(cls, x: torch.Tensor, y: torch.Tensor, window: int) -> LinearAR:
        """最小二乘：求使 ``((model(x) - y) ** 2).sum()`` 最小的模型。

        Args:
            x: 输入序列 ``(B, T, D)``。
            y: 每个窗口的目标，与 ``model(x)`` 同形状 ``(B, T - window + 1, O)``。
            window: 窗口长度 ``τ``。

        Returns:
            参数已求好的 :class:`LinearAR`，数据类型与 ``x`` 相同。

        Raises:
            TypeError: ``x`` 或 ``y`` 不是浮点张量。
            ValueError: 形状不对，或 ``y`` 的前两维与窗口个数不符。
        """
        x = check_float_tensor("x", x, ndim=3, layout="(B, T, D)")
        y = check_float_tensor("y", y, ndim=3, layout="(B, T-τ+1, O)")
        z = windows(x, window)  # (B, T-τ+1, τ·D)
        if y.shape[:2] != z.shape[:2]:
            raise ValueError(
                f"y 的前两维应为 {tuple(z.shape[:2])}（批大小与窗口个数 T-τ+1），"
                f"实际收到形状 {tuple(y.shape)}"
            )
        features = z.flatten(end_dim=1).double()  # (B·(T-τ+1), τ·D)
        design = torch.cat([features, features.new_ones(len(features), 1)], dim=1)
        targets = y.flatten(end_dim=1).double()  # (B·(T-τ+1), O)
        solution = torch.linalg.lstsq(design, targets).solution  # (τ·D + 1, O)
        model = cls(window, x.shape[2], y.shape[2]).to(x.dtype)
        with torch.no_grad():
            model.linear.weight.copy_(solution[:-1].T)
            model.linear.bias.copy_(solution[-1])
        return model

    def extra_repr(self) -> str:
        return f"window={self.window}"
