r"""第 12 章：双向循环神经网络，用 :class:`~rnn_examples.models.RNNCell` 手写。

双向 RNN 在同一个输入序列上跑两个方向相反的 RNN，各有一套参数::

    正向  s→_t = f(U→ x_t + W→ s→_{t-1} + b→_h),  t = 1, …, T,  s→_0 = 0
    逆向  s←_t = f(U← x_t + W← s←_{t+1} + b←_h),  t = T, …, 1,  s←_{T+1} = 0
    输出  第 t 步的状态是两者拼接 [s→_t ; s←_t]，形状 (B, 2H)

层号 ``ℓ`` 从 1 数起。多层时，第 ``ℓ + 1`` 层两个方向的输入都是第 ``ℓ`` 层的拼接状态
（``2H`` 维）。PyTorch 的层号从 0 数起：``nn.RNN(bidirectional=True)`` 把第 ``ℓ`` 层
逆向（reverse）的参数命名为 ``weight_ih_l{ℓ-1}_reverse`` 等，
返回的 ``h_n`` 形状 ``(2L, B, H)``：
第 ``2ℓ - 2`` 行是第 ``ℓ`` 层正向在 ``t = T`` 的状态，第 ``2ℓ - 1`` 行是第 ``ℓ`` 层
逆向在 ``t = 1`` 的状态（逆向的“最后一步”是序列的开头）。

1. :func:`scan`：一个 ``RNNCell`` 沿时间正向或逆向扫一遍。
2. :class:`BiRNN`：逐层、逐方向调用 :func:`scan`，输出与 ``nn.RNN(bidirectional=True)``
   相同；:meth:`BiRNN.from_rnn` 复制一个 ``nn.RNN`` 的权重。
3. :class:`RNNTagger`：``nn.RNN`` （单向或双向）加一个逐步的线性层，每一步都给出预测。

形状记号：``B`` 批大小，``T`` 时间步数，``D`` 输入特征数，``H`` 每个方向的隐藏状态维数，
``L`` 层数，``O`` 输出维数。
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import (
    check_float_tensor,
    check_nonlinearity,
    check_positive_int,
    check_sequence,
    check_size,
)
from .models import RNNCell

__all__ = ["BiRNN", "RNNTagger", "scan"]


def scan(
    cell: nn.Module, x: torch.Tensor, s0: torch.Tensor, *, reverse: bool = False
) -> torch.Tensor:
    r"""用 ``cell`` （一个 :class:`~rnn_examples.models.RNNCell`）沿时间扫一遍 ``x``，
    返回每一步的状态（按时间顺序排列）。

    ``reverse=False`` 时 :math:`t = 1, \dots, T`，每步用 :math:`s_{t-1}`；
    ``reverse=True`` 时 :math:`t = T, \dots, 1`，每步用 :math:`s_{t+1}`。
    无论哪个方向，返回值按时间顺序排列：``states[:, t - 1]`` 是第 ``t`` 步的状态
    :math:`s_t`。

    形状:
        - ``x``: ``(B, T, D)``；``s0``: ``(B, H)``，起点的状态。
        - 返回: ``(B, T, H)``。

    Example:
        >>> import torch
        >>> from rnn_examples import RNNCell
        >>> cell = RNNCell(3, 4)
        >>> x, s0 = torch.randn(2, 5, 3), torch.zeros(2, 4)
        >>> reversed_ = scan(cell, x, s0, reverse=True)     # (B, T, H)
        >>> forward_on_flipped = scan(cell, x.flip(1), s0)  # 把序列倒过来正向扫
        >>> torch.testing.assert_close(reversed_, forward_on_flipped.flip(1))
    """
    steps = range(x.shape[1] - 1, -1, -1) if reverse else range(x.shape[1])
    states: list[torch.Tensor] = []
    s = s0  # (B, H)
    for t in steps:
        s = cell(x[:, t], s)  # (B, D), (B, H) -> (B, H)
        states.append(s)
    if reverse:
        states.reverse()  # 按时间顺序 t = 1, …, T 排列
    return torch.stack(states, dim=1)  # (B, T, H)


class BiRNN(nn.Module):
    r"""双向、可多层的 RNN：每层每个方向各用一个 :class:`~rnn_examples.models.RNNCell`。

    .. math::

        \overrightarrow{s}^{(\ell)}_t = f\big(\overrightarrow{U}^{(\ell)} s^{(\ell-1)}_t
            + \overrightarrow{W}^{(\ell)} \overrightarrow{s}^{(\ell)}_{t-1}
            + \overrightarrow{b}^{(\ell)}_h\big),\qquad
        \overleftarrow{s}^{(\ell)}_t = f\big(\overleftarrow{U}^{(\ell)} s^{(\ell-1)}_t
            + \overleftarrow{W}^{(\ell)} \overleftarrow{s}^{(\ell)}_{t+1}
            + \overleftarrow{b}^{(\ell)}_h\big)

    其中 :math:`s^{(\ell)}_t
    = [\overrightarrow{s}^{(\ell)}_t ; \overleftarrow{s}^{(\ell)}_t]`，
    :math:`s^{(0)}_t = x_t`，层号 :math:`\ell` 从 1 数起。调用方式与返回值都与
    ``nn.RNN(D, H, L, bidirectional=True, batch_first=True)`` 相同；
    用 :meth:`from_rnn` 复制其权重后，两者的输出与梯度一致。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 每个方向的隐藏状态维数 ``H``。
        num_layers: 层数 ``L``，默认 1。
        nonlinearity: 激活函数 ``f``，``"tanh"`` （默认）或 ``"relu"``。

    形状:
        - ``x``: ``(B, T, D)``；``h0``: ``(2L, B, H)`` 或 ``None`` （全为 0），
          第 ``2ℓ - 2`` 行给第 ``ℓ`` 层正向、第 ``2ℓ - 1`` 行给逆向。
        - 返回: ``(out, h_n)``。``(B, T, 2H)`` 是最后一层每一步的拼接状态，
          前 ``H`` 维是正向、后 ``H`` 维是逆向；``(2L, B, H)`` 是每层每个方向
          最后算出的状态（正向在 ``t = T``，逆向在 ``t = 1``）。

    Raises:
        TypeError: 尺寸不是整数，输入不是浮点张量。
        ValueError: 尺寸不为正、激活函数未知、张量的维数或大小不符。

    Example:
        >>> import torch
        >>> from torch import nn
        >>> _ = torch.manual_seed(0)
        >>> reference = nn.RNN(3, 4, num_layers=2, bidirectional=True, batch_first=True)
        >>> model = BiRNN.from_rnn(reference)
        >>> x = torch.randn(5, 7, 3)                       # (B, T, D)
        >>> out, h_n = model(x)
        >>> out.shape, h_n.shape                           # (B, T, 2H), (2L, B, H)
        (torch.Size([5, 7, 8]), torch.Size([4, 5, 4]))
        >>> expected_out, expected_h_n = reference(x)
        >>> torch.testing.assert_close(out, expected_out)
        >>> torch.testing.assert_close(h_n, expected_h_n)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.nonlinearity = check_nonlinearity(nonlinearity)
        # 第 1 层的输入是 x_t（D 维），之后每层的输入是下面一层两个方向的拼接（2H 维）
        sizes = [input_size] + [2 * hidden_size] * (num_layers - 1)
        self.forward_cells = nn.ModuleList(
            RNNCell(size, hidden_size, nonlinearity) for size in sizes
        )
        self.reverse_cells = nn.ModuleList(
            RNNCell(size, hidden_size, nonlinearity) for size in sizes
        )

    def forward(
        self, x: torch.Tensor, h0: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x = check_sequence(x, self.input_size)
        batch_size = x.shape[0]
        if h0 is None:
            h0 = x.new_zeros(2 * self.num_layers, batch_size, self.hidden_size)
        check_float_tensor("h0", h0, ndim=3, layout="(2L, B, H)")
        check_size("h0", h0, 0, 2 * self.num_layers, "层数 × 方向数 2L")
        check_size("h0", h0, 1, batch_size, "批大小 B，须与 x 相同")
        check_size("h0", h0, 2, self.hidden_size, "隐藏状态维数 H")
        layer_input = x  # (B, T, D)
        finals = []
        for layer in range(self.num_layers):
            forward_cell = self.forward_cells[layer]
            reverse_cell = self.reverse_cells[layer]
            ahead = scan(forward_cell, layer_input, h0[2 * layer])  # (B, T, H)
            behind = scan(  # (B, T, H)
                reverse_cell, layer_input, h0[2 * layer + 1], reverse=True
            )
            finals += [ahead[:, -1], behind[:, 0]]  # 正向停在 t = T，逆向停在 t = 1
            layer_input = torch.cat([ahead, behind], dim=-1)  # (B, T, 2H)
        return layer_input, torch.stack(finals)  # (B, T, 2H), (2L, B, H)

    @classmethod
    def from_rnn(cls, rnn: nn.RNN) -> BiRNN:
        """构造一个与 ``rnn`` 权重相同的 ``BiRNN``，设备、数据类型也相同（不共享内存）。

        第 ``ℓ`` 层（PyTorch 的层号 ``ℓ - 1``）的 ``weight_ih_l{ℓ-1}`` 等复制到
        ``forward_cells[ℓ - 1]``，``weight_ih_l{ℓ-1}_reverse`` 等复制到
        ``reverse_cells[ℓ - 1]``。

        Raises:
            TypeError: ``rnn`` 不是 ``nn.RNN`` （``nn.LSTM``、``nn.GRU`` 也不行）。
            ValueError: ``rnn`` 不是双向、不是 ``batch_first=True`` 或没有偏置。
        """
        if not isinstance(rnn, nn.RNN):
            raise TypeError(f"rnn 应为 torch.nn.RNN，实际收到 {type(rnn).__name__}")
        settings = {
            "bidirectional": rnn.bidirectional,
            "batch_first": rnn.batch_first,
            "bias": rnn.bias,
        }
        wrong = [f"{name}={value}" for name, value in settings.items() if not value]
        if wrong:
            raise ValueError(
                "rnn 应为 bidirectional=True、batch_first=True、bias=True，"
                f"实际收到 {', '.join(wrong)}"
            )
        reference = next(rnn.parameters())
        model = cls(rnn.input_size, rnn.hidden_size, rnn.num_layers, rnn.nonlinearity)
        model = model.to(device=reference.device, dtype=reference.dtype)
        with torch.no_grad():
            for layer in range(rnn.num_layers):
                for cells, suffix in [
                    (model.forward_cells, ""),
                    (model.reverse_cells, "_reverse"),
                ]:
                    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                        source = getattr(rnn, f"{name}_l{layer}{suffix}")
                        getattr(cells[layer], name).copy_(source)
        return model


class RNNTagger(nn.Module):
    r"""序列标注：``nn.RNN`` （单向或双向）加一个作用在每一步上的线性层。

    .. math::

        \hat{y}_t = V s_t + b_y, \qquad
        s_t = \overrightarrow{s}_t \ \text{（单向）}
        \quad\text{或}\quad
        s_t = [\overrightarrow{s}_t ; \overleftarrow{s}_t] \ \text{（双向）}

    单向时 :math:`\hat{y}_t` 只能用到 :math:`x_1, \dots, x_t`；双向时用到整个序列。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 每个方向的隐藏状态维数 ``H``。
        output_size: 输出维数 ``O``。
        bidirectional: 是否双向，默认 ``False``。
        num_layers: 层数 ``L``，默认 1。

    形状:
        - ``x``: ``(B, T, D)``；返回 ``(B, T, O)``，每一步一个预测。

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> tagger = RNNTagger(2, 8, 1, bidirectional=True)
        >>> tagger.fc                                      # V 的形状是 (O, 2H)
        Linear(in_features=16, out_features=1, bias=True)
        >>> tagger(torch.randn(4, 10, 2)).shape            # (B, T, O)
        torch.Size([4, 10, 1])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        bidirectional: bool = False,
        num_layers: int = 1,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        if not isinstance(bidirectional, bool):
            raise TypeError(
                "bidirectional 应为 True 或 False，实际收到 "
                f"{type(bidirectional).__name__}: {bidirectional!r}"
            )
        self.bidirectional = bidirectional
        self.rnn = nn.RNN(
            input_size,
            hidden_size,
            num_layers,
            batch_first=True,
            bidirectional=bidirectional,
        )
        directions = 2 if bidirectional else 1
        self.fc = nn.Linear(directions * hidden_size, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_sequence(x, self.input_size)
        states, _ = self.rnn(x)  # (B, T, H) 或 (B, T, 2H)
        outputs: torch.Tensor = self.fc(states)  # (B, T, O)
        return outputs
