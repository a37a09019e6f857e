r"""门控循环单元：LSTM 与 GRU 的公式，按 PyTorch 的参数布局手写一步。

``torch.nn.LSTM`` 把四个门的参数上下叠在一起， ``weight_ih_l0`` 形状 ``(4H, D)`` ，
``weight_hh_l0`` 形状 ``(4H, H)`` ，按 **i, f, g, o** 的顺序分块::

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)        输入门
    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)        遗忘门
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)     候选记忆
    o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)        输出门
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)

``torch.nn.GRU`` 的参数按 **r, z, n** 的顺序分块（ ``(3H, D)`` 与 ``(3H, H)`` ）::

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)        重置门
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)        更新门
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}

注意 GRU 的重置门乘在 ``W_hn h_{t-1} + b_hn`` 上（连同偏置），这是 PyTorch 与
cuDNN 的写法；Cho 等人 (2014) 的原文把 r_t 乘在 h_{t-1} 上，两者不完全相同。

:class:`SequenceRegressor` 把 ``nn.RNN``/``nn.LSTM``/``nn.GRU`` 接上一个线性层，
用最后一步的隐藏状态做预测，供第 9 章的长程记忆实验使用。

形状记号： ``B`` 批大小， ``T`` 时间步数， ``D`` 输入特征数， ``H`` 隐藏状态维数，
``O`` 输出维数。
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_choice, check_positive_int, check_real, check_sequence

KINDS = ("rnn", "lstm", "gru")


def lstm_step(
    x_t: torch.Tensor, h_prev: torch.Tensor, c_prev: torch.Tensor, lstm: nn.LSTM
) -> tuple[torch.Tensor, torch.Tensor]:
    """用单层 ``nn.LSTM`` 的权重按模块说明中的公式算一步。

    返回 ``(h_t, c_t)`` ，各为 ``(B, H)`` 。
    """
    # 第 0 层的 weight_ih_l0、weight_hh_l0、bias_ih_l0、bias_hh_l0
    w_ih, w_hh, b_ih, b_hh = lstm.all_weights[0]
    gates = x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh  # (B, 4H)
    i, f, g, o = gates.chunk(4, dim=-1)  # PyTorch 的顺序：i, f, g, o
    c_t = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
    h_t = torch.sigmoid(o) * torch.tanh(c_t)
    return h_t, c_t


def gru_step(x_t: torch.Tensor, h_prev: torch.Tensor, gru: nn.GRU) -> torch.Tensor:
    """用单层 ``nn.GRU`` 的权重按模块说明中的公式算一步。

    返回 ``h_t`` ： ``(B, H)`` 。
    """
    w_ih, w_hh, b_ih, b_hh = gru.all_weights[0]  # 第 0 层，同 lstm_step
    x_r, x_z, x_n = (x_t @ w_ih.T + b_ih).chunk(3, dim=-1)  # 顺序：r, z, n
    h_r, h_z, h_n = (h_prev @ w_hh.T + b_hh).chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h_prev


def unroll(module: nn.LSTM | nn.GRU, x: torch.Tensor) -> torch.Tensor:
    """用 :func:`lstm_step` 或 :func:`gru_step` 在时间上展开，返回每一步的 ``h_t`` 。

    ``module`` 须为单层、 ``batch_first=True`` 的 ``nn.LSTM`` 或 ``nn.GRU`` ；
    初始状态全为 0。
    结果应与 ``module(x)[0]`` 相同。

    形状:
        - ``x``: ``(B, T, D)`` ；返回 ``(B, T, H)`` 。

    Example:
        >>> import torch
        >>> from torch import nn
        >>> from rnn_examples.gated import unroll
        >>> _ = torch.manual_seed(0)
        >>> lstm, gru = nn.LSTM(3, 4, batch_first=True), nn.GRU(3, 4, batch_first=True)
        >>> x = torch.randn(2, 5, 3)
        >>> torch.testing.assert_close(unroll(lstm, x), lstm(x)[0])
        >>> torch.testing.assert_close(unroll(gru, x), gru(x)[0])
    """
    if not isinstance(module, nn.LSTM | nn.GRU):
        raise TypeError(
            f"module 应为 nn.LSTM 或 nn.GRU，实际收到 {type(module).__name__}"
        )
    if module.num_layers != 1 or not module.batch_first or module.bidirectional:
        raise ValueError(
            "module 应为单层、单向、batch_first=True，实际收到 "
            f"num_layers={module.num_layers}, bidirectional={module.bidirectional}, "
            f"batch_first={module.batch_first}"
        )
    x = check_sequence(x, module.input_size)
    h = x.new_zeros(x.shape[0], module.hidden_size)
    c = torch.zeros_like(h)
    outputs = []
    for t in range(x.shape[1]):
        if isinstance(module, nn.LSTM):
            h, c = lstm_step(x[:, t], h, c, module)
        else:
            h = gru_step(x[:, t], h, module)
        outputs.append(h)
    return torch.stack(outputs, dim=1)


class SequenceRegressor(nn.Module):
    r"""单层 ``nn.RNN`` 、 ``nn.LSTM`` 或 ``nn.GRU`` 加一个线性输出层。

    循环层 ``batch_first=True`` 。与 :class:`~rnn_examples.models.SimpleRNN` 一样只用
    最后一步的隐藏状态： ``(B, T, D) -> (B, O)`` 。

    ``gate_bias`` 把“保持记忆”的门的偏置设成给定值（其余参数保持 PyTorch 默认初始化）：
    LSTM 的遗忘门 :math:`f_t` 与 GRU 的更新门 :math:`z_t`，即 ``bias_ih`` 的第二块设为
    ``gate_bias`` 、 ``bias_hh`` 的第二块设为 0。于是初始时
    :math:`\sigma(\text{gate\_bias})` 接近 1，状态大部分被原样带到下一步。
    对 ``"rnn"`` 没有作用。

    ``SequenceRegressor("rnn", D, H, O)`` 就是 ``SimpleRNN(D, H, O)``：子模块、参数名
    与构造顺序都相同，同一个随机种子下参数与输出逐位相同（见下面的例子）。这个类只是
    让第 9 章用同一个接口（ ``kind`` 与 ``gate_bias`` ）比较三种循环层；LSTM 的状态
    是二元组 ``(h, c)`` ，所以这里不像 ``SimpleRNN`` 那样显式传入 ``h0`` ，而用
    PyTorch 默认的零初始状态。

    Args:
        kind: ``"rnn"`` 、 ``"lstm"`` 或 ``"gru"`` 。
        input_size: ``D`` 。
        hidden_size: ``H`` 。
        output_size: ``O`` 。
        gate_bias: 门偏置的初值， ``None`` 表示保持默认初始化。

    Example:
        >>> import torch
        >>> from rnn_examples.gated import SequenceRegressor
        >>> _ = torch.manual_seed(0)
        >>> model = SequenceRegressor("lstm", 2, 8, 1, gate_bias=3.0)
        >>> model(torch.randn(4, 10, 2)).shape
        torch.Size([4, 1])
        >>> model.rnn.bias_ih_l0[8:16].tolist() == [3.0] * 8
        True
        >>> from rnn_examples import SimpleRNN
        >>> _ = torch.manual_seed(1)
        >>> rnn = SequenceRegressor("rnn", 2, 8, 1)
        >>> _ = torch.manual_seed(1)
        >>> simple = SimpleRNN(2, 8, 1)
        >>> x = torch.randn(4, 10, 2)
        >>> torch.equal(rnn(x), simple(x))
        True
    """

    def __init__(
        self,
        kind: str,
        input_size: int,
        hidden_size: int,
        output_size: int,
        gate_bias: float | None = None,
    ) -> None:
        super().__init__()
        self.kind = check_choice("kind", kind, KINDS)
        self.input_size = check_positive_int("input_size", input_size)
        check_positive_int("hidden_size", hidden_size)
        check_positive_int("output_size", output_size)
        if gate_bias is not None:
            check_real("gate_bias", gate_bias)
        recurrent = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        self.rnn = recurrent(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, output_size)
        if gate_bias is not None and kind != "rnn":
            with torch.no_grad():  # 第二块：LSTM 的 f（i,f,g,o），GRU 的 z（r,z,n）
                self.rnn.bias_ih_l0[hidden_size : 2 * hidden_size].fill_(
                    float(gate_bias)
                )
                self.rnn.bias_hh_l0[hidden_size : 2 * hidden_size].zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, D) -> (B, O)`` ：最后一步的隐藏状态经过线性层。"""
        x = check_sequence(x, self.input_size)
        out, _ = self.rnn(x)  # (B, T, H)
        y_hat: torch.Tensor = self.fc(out[:, -1])  # (B, O)
        return y_hat
