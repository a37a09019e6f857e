r"""门控循环单元：LSTM 与 GRU 的一步，用本书的记号写，按 PyTorch 的参数布局取权重。

LSTM（第 13 章；记号见记号表）::

    i_t = σ(U_i x_t + W_i s_{t-1} + b_i)        输入门
    φ_t = σ(U_φ x_t + W_φ s_{t-1} + b_φ)        遗忘门
    c̃_t = tanh(U_c x_t + W_c s_{t-1} + b_c)     候选细胞状态
    o_t = σ(U_o x_t + W_o s_{t-1} + b_o)        输出门
    c_t = φ_t ⊙ c_{t-1} + i_t ⊙ c̃_t,   s_t = o_t ⊙ tanh(c_t)

``torch.nn.LSTM`` 把四组参数上下叠在一起：``weight_ih_l0`` = [U_i; U_φ; U_c; U_o]，
形状 ``(4H, D)``；``weight_hh_l0`` 形状 ``(4H, H)``；块的次序是 **i, f, g, o**
（PyTorch 文档里的 h_t、f_t、g_t 就是这里的 s_t、φ_t、c̃_t）；每个 ``b_•`` 是
``bias_ih_l0`` 与 ``bias_hh_l0`` 对应块之和。

GRU（块的次序 **r, z, n**，``(3H, D)`` 与 ``(3H, H)``）::

    r_t = σ(U_r x_t + W_r s_{t-1} + b_r)        重置门
    z_t = σ(U_z x_t + W_z s_{t-1} + b_z)        更新门：保留旧状态的份额
    s̃_t = tanh(U_s x_t + b_s + r_t ⊙ (W_s s_{t-1} + b_s'))      候选状态
    s_t = (1 − z_t) ⊙ s̃_t + z_t ⊙ s_{t-1}

GRU 的重置门乘在 ``W_s s_{t-1} + b_s'`` 上（连同偏置 b_s'，即 ``bias_hh_l0`` 的
n 块），这是 PyTorch 与 cuDNN 的写法；Cho 等人 (2014) 的原文把 r_t 乘在 s_{t-1} 上，
两者不完全相同。

1. :func:`lstm_step`、:func:`gru_step`：上面的公式，一步。
2. :func:`unroll`：用它们在时间上展开一个单层的 ``nn.LSTM``/``nn.GRU``，
   结果与 PyTorch 相同。
3. :class:`SequenceRegressor`：``nn.RNN``/``nn.LSTM``/``nn.GRU`` 接一个线性层，
   用最后一步的隐藏状态做预测，可以设定“保留”门的偏置；
   第 9 章与第 13 章的长期依赖实验用它。

多层、双向的手写实现在 :mod:`rnn_examples.gated_layers`。

形状记号： ``B`` 批大小， ``T`` 时间步数， ``D`` 输入特征数， ``H`` 隐藏状态维数，
``O`` 输出维数。
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_choice, check_positive_int, check_real, check_sequence

KINDS = ("rnn", "lstm", "gru")


def lstm_step(
    x_t: torch.Tensor,
    s_prev: torch.Tensor,
    c_prev: torch.Tensor,
    weights: list[torch.Tensor] | tuple[torch.Tensor, ...],
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""LSTM 的一步：由 :math:`x_t, s_{t-1}, c_{t-1}` 算出 :math:`s_t, c_t`。

    ``weights`` 是 PyTorch 布局的四个张量 ``(weight_ih, weight_hh, bias_ih, bias_hh)``，
    形状 ``(4H, D)``、``(4H, H)``、``(4H,)``、``(4H,)``，例如 ``lstm.all_weights[0]``
    （``nn.LSTM`` 第 1 层的参数）。为了在时间循环里调用，这里不检查输入的形状。

    形状:
        - ``x_t``: ``(B, D)``；``s_prev``、``c_prev``: ``(B, H)``。
        - 返回: ``(s_t, c_t)``，各为 ``(B, H)``。
    """
    w_ih, w_hh, b_ih, b_hh = weights
    a = x_t @ w_ih.T + b_ih + s_prev @ w_hh.T + b_hh  # 四块激活之前的值：(B, 4H)
    a_i, a_phi, a_c, a_o = a.chunk(4, dim=-1)  # 块的次序：i, f, g, o
    i_t = torch.sigmoid(a_i)  # 输入门：候选内容写入多少
    phi_t = torch.sigmoid(a_phi)  # 遗忘门：旧的细胞状态保留多少
    o_t = torch.sigmoid(a_o)  # 输出门：细胞状态拿出多少给 s_t
    c_tilde = torch.tanh(a_c)  # 候选细胞状态
    c_t = phi_t * c_prev + i_t * c_tilde
    s_t = o_t * torch.tanh(c_t)
    return s_t, c_t


def gru_step(
    x_t: torch.Tensor,
    s_prev: torch.Tensor,
    weights: list[torch.Tensor] | tuple[torch.Tensor, ...],
) -> torch.Tensor:
    r"""GRU 的一步：由 :math:`x_t, s_{t-1}` 算出 :math:`s_t`。

    ``weights`` 同 :func:`lstm_step`，只是每个张量是三块（r, z, n）：``(3H, D)``、
    ``(3H, H)``、``(3H,)``、``(3H,)``，例如 ``gru.all_weights[0]``。不检查输入的形状。

    形状:
        - ``x_t``: ``(B, D)``；``s_prev``: ``(B, H)``；返回 ``s_t``: ``(B, H)``。
    """
    w_ih, w_hh, b_ih, b_hh = weights
    x_r, x_z, x_s = (x_t @ w_ih.T + b_ih).chunk(3, dim=-1)  # U_• x_t + 偏置
    h_r, h_z, h_s = (s_prev @ w_hh.T + b_hh).chunk(3, dim=-1)  # W_• s_{t-1} + 偏置
    r_t = torch.sigmoid(x_r + h_r)  # 重置门：候选状态用多少旧状态
    z_t = torch.sigmoid(x_z + h_z)  # 更新门：保留旧状态的份额
    s_tilde = torch.tanh(x_s + r_t * h_s)  # 候选状态；r_t 连同偏置 b_s' 一起乘
    return (1 - z_t) * s_tilde + z_t * s_prev


def unroll(module: nn.LSTM | nn.GRU, x: torch.Tensor) -> torch.Tensor:
    """用 :func:`lstm_step` 或 :func:`gru_step` 在时间上展开，返回每一步的 :math:`s_t`。

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
        weights = tuple(module.all_weights[0])  # 第 1 层：weight_ih_l0 等四个张量
        if isinstance(module, nn.LSTM):
            h, c = lstm_step(x[:, t], h, c, weights)
        else:
            h = gru_step(x[:, t], h, weights)
        outputs.append(h)
    return torch.stack(outputs, dim=1)


class SequenceRegressor(nn.Module):
    r"""单层 ``nn.RNN`` 、 ``nn.LSTM`` 或 ``nn.GRU`` 加一个线性输出层。

    循环层 ``batch_first=True`` 。与 :class:`~rnn_examples.models.SimpleRNN` 一样只用
    最后一步的隐藏状态： ``(B, T, D) -> (B, O)`` 。

    ``gate_bias`` 把“保持记忆”的门的偏置设成给定值（其余参数保持 PyTorch 默认初始化）：
    LSTM 的遗忘门 :math:`\phi_t` 与 GRU 的更新门 :math:`z_t`，
    即 ``bias_ih`` 的第二块设为 ``gate_bias`` 、 ``bias_hh`` 的第二块设为 0。
    于是初始时这个门约为 ``σ(gate_bias)`` （``gate_bias = 3`` 时约 0.95），
    状态的大部分被带到下一步。
    对 ``"rnn"`` 没有作用。

    ``SequenceRegressor("rnn", D, H, O)`` 就是 ``SimpleRNN(D, H, O)``：子模块、参数名
    与构造顺序都相同，同一个随机种子下参数与输出逐位相同（见下面的例子）。这个类只是
    让第 9、13 章用同一个接口（ ``kind`` 与 ``gate_bias`` ）比较三种循环层；LSTM 的状态
    是二元组 :math:`(s_t, c_t)` ，所以这里不像 ``SimpleRNN`` 那样显式传入 ``h0`` ，而用
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
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
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
