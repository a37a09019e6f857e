r"""书中使用的三个循环神经网络模型，自下而上搭建。

记号与全书相同（全书的记号与 PyTorch 参数名的完整对照在书的记号表里）::

    s_t = f(U x_t + W s_{t-1} + b_h)      公式 (1)，隐藏状态
    ŷ_t = g(V s_t + b_y)                  公式 (2)，输出（预测）

    U    <->  rnn.weight_ih_l0            形状 (H, D)
    W    <->  rnn.weight_hh_l0            形状 (H, H)
    b_h  <->  rnn.bias_ih_l0 + rnn.bias_hh_l0   形状 (H,)
    V    <->  fc.weight                   形状 (O, H)
    b_y  <->  fc.bias                     形状 (O,)

本模块的模型只在最后一个时间步计算输出，``g`` 取恒等函数（回归）。

0. ``ACTIVATIONS`` 与 ``DERIVATIVES``：激活函数 ``f`` 与它的导数，全书只在这里定义。
1. :class:`RNNCell`：公式 (1) 的一步。
2. :class:`SimpleRNN`：把循环交给 ``torch.nn.RNN``，再接一个 ``Linear``。
3. :class:`ManualRNN`：同一个模型，用 Python 循环按时间步、按层调用 ``RNNCell``。
   :meth:`ManualRNN.from_simple_rnn` 复制 ``SimpleRNN`` 的权重，两者输出和梯度完全一致。

形状记号：``B`` 批大小，``T`` 时间步数，``D`` 输入特征数，``H`` 隐藏状态维数，
``O`` 输出维数，``L`` 层数。
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from ._checks import (
    check_nonlinearity,
    check_positive_int,
    check_sequence,
    check_step,
)

# 激活函数 f（名字 -> 函数）与它的导数 f'。导数写成输出 s = f(a) 的函数，因为
# 反向传播时手里有的是状态 s_t：tanh'(a) = 1 − s²，relu'(a) = 1[s > 0]。
# 模型只接受 "tanh" 与 "relu"（与 torch.nn.RNN 相同）；恒等函数 "identity"
# 只用于第 8 章的线性实验（rnn_examples.gradients）。
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "identity": lambda a: a,
}
DERIVATIVES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": lambda s: 1 - s**2,
    "relu": lambda s: (s > 0).to(s.dtype),
    "identity": torch.ones_like,
}


class RNNCell(nn.Module):
    r"""循环神经网络的一个时间步：公式 (1)。

    .. math::

        s_t = f(U x_t + b_{ih} + W s_{t-1} + b_{hh})

    其中 ``U = weight_ih``、``W = weight_hh``，``b_h = bias_ih + bias_hh``，
    ``f`` 为 ``tanh`` 或 ``relu``。参数名与初始化方式都与 ``torch.nn.RNNCell`` 相同：
    每个参数独立地服从均匀分布 :math:`\mathcal{U}(-1/\sqrt{H}, 1/\sqrt{H})`。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 隐藏状态维数 ``H``。
        nonlinearity: 激活函数 ``f``，``"tanh"`` （默认）或 ``"relu"``。

    形状:
        - ``x_t``: ``(B, D)``，当前时间步的输入。
        - ``s_prev``: ``(B, H)``，上一时间步的隐藏状态 :math:`s_{t-1}`。
        - 返回: ``(B, H)``，新的隐藏状态 :math:`s_t`。

    Raises:
        TypeError: 尺寸不是整数，或输入不是浮点张量。
        ValueError: 尺寸不为正、激活函数未知、张量的维数或大小不符。

    Example:
        >>> import torch
        >>> from rnn_examples import RNNCell
        >>> _ = torch.manual_seed(0)
        >>> cell = RNNCell(input_size=10, hidden_size=20)
        >>> x_t = torch.randn(3, 10)            # (B, D)
        >>> s_prev = torch.zeros(3, 20)         # (B, H)
        >>> cell(x_t, s_prev).shape             # (B, H)
        torch.Size([3, 20])
    """

    def __init__(
        self, input_size: int, hidden_size: int, nonlinearity: str = "tanh"
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.nonlinearity = check_nonlinearity(nonlinearity)
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size))  # U: (H, D)
        self.weight_hh = nn.Parameter(
            torch.empty(hidden_size, hidden_size)
        )  # W: (H, H)
        self.bias_ih = nn.Parameter(torch.empty(hidden_size))  # (H,)
        self.bias_hh = nn.Parameter(torch.empty(hidden_size))  # (H,)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """与 ``torch.nn.RNNCell`` 相同的初始化。"""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)

    def forward(self, x_t: torch.Tensor, s_prev: torch.Tensor) -> torch.Tensor:
        check_step(x_t, s_prev, self.input_size, self.hidden_size)
        pre_activation = (
            x_t @ self.weight_ih.T
            + self.bias_ih  # U x_t + b_ih: (B, H)
            + s_prev @ self.weight_hh.T
            + self.bias_hh  # W s_{t-1} + b_hh: (B, H)
        )
        return ACTIVATIONS[self.nonlinearity](pre_activation)

    def extra_repr(self) -> str:
        return (
            f"{self.input_size}, {self.hidden_size}, nonlinearity={self.nonlinearity!r}"
        )


class SimpleRNN(nn.Module):
    r"""``torch.nn.RNN`` 加一个线性输出层：用最后一个时间步的隐藏状态做预测。

    .. math::

        s_t^{(\ell)} = f\big(U^{(\ell)} s_t^{(\ell-1)} + W^{(\ell)} s_{t-1}^{(\ell)}
            + b_h^{(\ell)}\big),
        \quad s_t^{(0)} = x_t, \quad s_0^{(\ell)} = 0

        \hat{y} = V s_T^{(L)} + b_y

    ``self.rnn`` 是 ``torch.nn.RNN(batch_first=True)``，
    ``self.fc`` 是 ``torch.nn.Linear``。
    初始隐藏状态为全零，设备和数据类型跟随输入 ``x``。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 隐藏状态维数 ``H``。
        output_size: 输出维数 ``O``。
        num_layers: 堆叠的循环层数 ``L``，默认 1。
        nonlinearity: 激活函数 ``f``，``"tanh"`` （默认）或 ``"relu"``。

    形状:
        - ``x``: ``(B, T, D)``，批在前（``batch_first=True``）。
        - 返回: ``(B, O)``，最后一个时间步的输出。

    Raises:
        TypeError: 尺寸不是整数，或输入不是浮点张量。
        ValueError: 尺寸不为正、激活函数未知、输入不是 3 维、特征数不符或某一维为空。

    Example:
        >>> import torch
        >>> from rnn_examples import SimpleRNN
        >>> _ = torch.manual_seed(42)
        >>> model = SimpleRNN(
        ...     input_size=10, hidden_size=20, output_size=1, num_layers=2
        ... )
        >>> model
        SimpleRNN(
          (rnn): RNN(10, 20, num_layers=2, batch_first=True)
          (fc): Linear(in_features=20, out_features=1, bias=True)
        )
        >>> x = torch.randn(3, 5, 10)           # (B, T, D)
        >>> model(x).shape                      # (B, O)
        torch.Size([3, 1])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.nonlinearity = check_nonlinearity(nonlinearity)
        self.rnn = nn.RNN(
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            nonlinearity=nonlinearity,
            batch_first=True,  # 输入形状为 (B, T, D)
        )
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_sequence(x, self.input_size)
        batch_size = x.shape[0]
        h0 = x.new_zeros(self.num_layers, batch_size, self.hidden_size)  # (L, B, H)
        # out: (B, T, H)，最后一层在每个时间步的隐藏状态
        # _h_n: (L, B, H)，每一层在最后一个时间步的隐藏状态
        out, _h_n = self.rnn(x, h0)
        y_hat: torch.Tensor = self.fc(out[:, -1, :])  # (B, H) -> (B, O)
        return y_hat


class ManualRNN(nn.Module):
    r"""与 :class:`SimpleRNN` 相同的模型，但循环写成显式的 Python 代码。

    每个时间步 ``t`` 依次经过 ``L`` 个 :class:`RNNCell`，第 ``ℓ`` 层的输入是
    第 ``ℓ-1`` 层在同一时间步的隐藏状态（第 1 层的输入是 :math:`x_t`，
    即 :math:`s_t^{(0)} = x_t`）：

    .. math::

        s_t^{(\ell)} = f\big(U^{(\ell)} s_t^{(\ell-1)} + W^{(\ell)} s_{t-1}^{(\ell)}
            + b_h^{(\ell)}\big),
        \qquad \hat{y} = V s_T^{(L)} + b_y

    调用方式与返回值都和 :class:`SimpleRNN` 相同；用 :meth:`from_simple_rnn`
    复制一个 ``SimpleRNN`` 的权重后，两者的输出与梯度一致。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 隐藏状态维数 ``H``。
        output_size: 输出维数 ``O``。
        num_layers: 堆叠的循环层数 ``L``，默认 1。
        nonlinearity: 激活函数 ``f``，``"tanh"`` （默认）或 ``"relu"``。

    形状:
        - ``x``: ``(B, T, D)``。
        - 返回: ``(B, O)``，最后一个时间步的输出。

    Raises:
        TypeError: 尺寸不是整数，或输入不是浮点张量。
        ValueError: 尺寸不为正、激活函数未知、输入不是 3 维、特征数不符或某一维为空。

    Example:
        >>> import torch
        >>> from rnn_examples import ManualRNN, SimpleRNN
        >>> _ = torch.manual_seed(42)
        >>> simple = SimpleRNN(10, 20, 1, num_layers=2)
        >>> manual = ManualRNN.from_simple_rnn(simple)
        >>> x = torch.randn(3, 5, 10)           # (B, T, D)
        >>> manual(x).shape                     # (B, O)
        torch.Size([3, 1])
        >>> torch.testing.assert_close(manual(x), simple(x))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.nonlinearity = check_nonlinearity(nonlinearity)
        self.cells = nn.ModuleList(
            RNNCell(
                input_size if layer == 0 else hidden_size, hidden_size, nonlinearity
            )
            for layer in range(num_layers)
        )
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_sequence(x, self.input_size)
        batch_size, seq_len, _ = x.shape
        # 每层一个隐藏状态 s_0^{(ℓ)} = 0，各为 (B, H)
        states = [x.new_zeros(batch_size, self.hidden_size) for _ in self.cells]
        for t in range(seq_len):
            layer_input = x[:, t, :]  # (B, D)
            for layer, cell in enumerate(self.cells):
                states[layer] = cell(layer_input, states[layer])  # (B, H)
                layer_input = states[layer]
        y_hat: torch.Tensor = self.fc(states[-1])  # 最后一层的 s_T: (B, H) -> (B, O)
        return y_hat

    @classmethod
    def from_simple_rnn(cls, model: SimpleRNN) -> ManualRNN:
        """构造一个与 ``model`` 权重完全相同的 ``ManualRNN``，设备、数据类型也相同。

        第 ``ℓ`` 层（PyTorch 的层号 ``ℓ - 1``）的 ``weight_ih_l{ℓ-1}``、
        ``weight_hh_l{ℓ-1}``、``bias_ih_l{ℓ-1}``、``bias_hh_l{ℓ-1}`` 复制到
        ``cells[ℓ - 1]`` 的同名参数，
        ``fc`` 原样复制。
        复制出的参数与 ``model`` 不共享内存。

        Raises:
            TypeError: ``model`` 不是 :class:`SimpleRNN`。
        """
        if not isinstance(model, SimpleRNN):
            raise TypeError(f"model 应为 SimpleRNN，实际收到 {type(model).__name__}")
        reference = next(model.parameters())
        manual = cls(
            model.input_size,
            model.hidden_size,
            model.output_size,
            num_layers=model.num_layers,
            nonlinearity=model.nonlinearity,
        ).to(device=reference.device, dtype=reference.dtype)
        with torch.no_grad():
            for layer, cell in enumerate(manual.cells):
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    getattr(cell, name).copy_(getattr(model.rnn, f"{name}_l{layer}"))
            manual.fc.load_state_dict(model.fc.state_dict())
        return manual
