r"""第 13 章：手写的 LSTM 与 GRU（单元，以及多层、可双向的层），与 PyTorch 一致。

每一步的公式在 :mod:`rnn_examples.gated` （:func:`~rnn_examples.gated.lstm_step`、
:func:`~rnn_examples.gated.gru_step`）；这里只把它们组织起来：

1. :class:`LSTMCell`、:class:`GRUCell`：一组门的参数（PyTorch 的布局与初始化）
   加一步的计算，调用方式同 ``nn.LSTMCell``、``nn.GRUCell``。
2. :class:`ManualLSTM`、:class:`ManualGRU`：逐层、逐方向、逐时间步调用单元，
   调用方式与返回值同 ``nn.LSTM``、``nn.GRU`` （``batch_first=True``）；
   :meth:`ManualLSTM.from_lstm` 与 :meth:`ManualGRU.from_gru` 复制 PyTorch 模块的权重。

层号 ``ℓ`` 从 1 数起。第 ``ℓ + 1`` 层的输入是第 ``ℓ`` 层每一步的状态
（双向时两个方向拼接，``2H`` 维）。单元按 PyTorch 的参数顺序排在 ``cells`` 里：
第 ``ℓ`` 层正向是 ``cells[K(ℓ-1)]``，逆向是 ``cells[K(ℓ-1) + 1]`` （``K`` 为方向数），
与返回值 ``h_n`` （以及 LSTM 的 ``c_n``）的行一一对应。

形状记号：``B`` 批大小，``T`` 时间步数，``D`` 输入特征数，``H`` 每个方向的隐藏状态维数，
``L`` 层数，``K`` 方向数（单向 1，双向 2）。
"""

from __future__ import annotations

import math
from typing import ClassVar, Self, TypeVar, cast

import torch
from torch import nn

from ._checks import check_float_tensor, check_positive_int, check_sequence, check_size
from .gated import gru_step, lstm_step

__all__ = ["GRUCell", "LSTMCell", "ManualGRU", "ManualLSTM"]

State = tuple[torch.Tensor, ...]  # LSTM：(s, c)；GRU：(s,)


def _check_state(name: str, value: object, batch: int, hidden: int) -> torch.Tensor:
    state = check_float_tensor(name, value, ndim=2, layout="(B, H)")
    check_size(name, state, 1, hidden, "隐藏状态维数 H")
    check_size(name, state, 0, batch, "批大小 B，须与 x_t 相同")
    return state


def _check_pair(state: object, names: str) -> None:
    """LSTM 的状态是两个张量组成的元组（或列表）。"""
    if isinstance(state, tuple | list) and len(state) == 2:
        return
    received = type(state).__name__
    if isinstance(state, tuple | list):
        received += f"（{len(state)} 个元素）"
    raise TypeError(f"state 应为两个张量 {names}，实际收到 {received}")


class _GatedCell(nn.Module):
    """LSTM 与 GRU 单元共用的部分：``num_gates`` 块叠在一起的参数与初始化。"""

    num_gates: ClassVar[int]

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        rows = self.num_gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(rows, input_size))  # [U_•]: (G·H, D)
        self.weight_hh = nn.Parameter(torch.empty(rows, hidden_size))  # [W_•]: (G·H, H)
        self.bias_ih = nn.Parameter(torch.empty(rows))  # (G·H,)
        self.bias_hh = nn.Parameter(torch.empty(rows))  # (G·H,)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """与 ``nn.LSTM``、``nn.GRU`` 相同：每个参数服从 U(−1/√H, 1/√H)。"""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)

    @property
    def weights(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """四个参数 ``(weight_ih, weight_hh, bias_ih, bias_hh)``，即 ``weights``。"""
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def step(self, x_t: torch.Tensor, state: State) -> State:
        """一步，不检查输入（层在时间循环里调用它）。"""
        raise NotImplementedError

    def _check_input(self, x_t: object) -> torch.Tensor:
        x = check_float_tensor("x_t", x_t, ndim=2, layout="(B, D)")
        check_size("x_t", x, 1, self.input_size, "输入特征数 D")
        return x


class LSTMCell(_GatedCell):
    r"""LSTM 的一个时间步，参数布局与初始化同 ``nn.LSTMCell``。

    公式见 :func:`~rnn_examples.gated.lstm_step`。``weight_ih`` 是
    :math:`[U_i; U_\phi; U_c; U_o]`，形状 ``(4H, D)``；``weight_hh`` 形状 ``(4H, H)``；
    ``bias_ih``、``bias_hh`` 形状 ``(4H,)``，对应块之和是 :math:`b_\bullet`。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 隐藏状态维数 ``H``。

    形状:
        - ``x_t``: ``(B, D)``；``state``: ``(s_prev, c_prev)``，各 ``(B, H)``，
          即 :math:`(s_{t-1}, c_{t-1})`；``None`` 表示全为 0。
        - 返回: ``(s_t, c_t)``，各 ``(B, H)``。

    Raises:
        TypeError: 尺寸不是整数，输入不是浮点张量，``state`` 不是两个张量。
        ValueError: 尺寸不为正，张量的维数或大小不符。

    Example:
        >>> import torch
        >>> from torch import nn
        >>> _ = torch.manual_seed(0)
        >>> cell = LSTMCell(3, 4)
        >>> reference = nn.LSTMCell(3, 4)
        >>> _ = reference.load_state_dict(cell.state_dict())  # 参数名相同
        >>> x_t, state = torch.randn(2, 3), (torch.randn(2, 4), torch.randn(2, 4))
        >>> s_t, c_t = cell(x_t, state)
        >>> expected_s, expected_c = reference(x_t, state)
        >>> torch.testing.assert_close(s_t, expected_s)
        >>> torch.testing.assert_close(c_t, expected_c)
    """

    num_gates = 4

    def step(self, x_t: torch.Tensor, state: State) -> State:
        """``(s_{t-1}, c_{t-1}) -> (s_t, c_t)``，不检查输入。"""
        s_prev, c_prev = state
        return lstm_step(x_t, s_prev, c_prev, self.weights)

    def forward(
        self,
        x_t: torch.Tensor,
        state: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x_t = self._check_input(x_t)
        if state is None:
            zeros = x_t.new_zeros(x_t.shape[0], self.hidden_size)
            state = (zeros, zeros)
        _check_pair(state, "(s_prev, c_prev)")
        batch = x_t.shape[0]
        s_prev = _check_state("s_prev", state[0], batch, self.hidden_size)
        c_prev = _check_state("c_prev", state[1], batch, self.hidden_size)
        s_t, c_t = self.step(x_t, (s_prev, c_prev))
        return s_t, c_t


class GRUCell(_GatedCell):
    r"""GRU 的一个时间步，参数布局与初始化同 ``nn.GRUCell``。

    公式见 :func:`~rnn_examples.gated.gru_step`。``weight_ih`` 是
    :math:`[U_r; U_z; U_s]`，形状 ``(3H, D)``；``weight_hh`` 形状 ``(3H, H)``。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 隐藏状态维数 ``H``。

    形状:
        - ``x_t``: ``(B, D)``；``s_prev``: ``(B, H)``，``None`` 表示全为 0。
        - 返回: ``(B, H)``，即 :math:`s_t`。

    Raises:
        TypeError: 尺寸不是整数，或输入不是浮点张量。
        ValueError: 尺寸不为正，张量的维数或大小不符。

    Example:
        >>> import torch
        >>> from torch import nn
        >>> _ = torch.manual_seed(0)
        >>> cell = GRUCell(3, 4)
        >>> reference = nn.GRUCell(3, 4)
        >>> _ = reference.load_state_dict(cell.state_dict())
        >>> x_t, s_prev = torch.randn(2, 3), torch.randn(2, 4)
        >>> torch.testing.assert_close(cell(x_t, s_prev), reference(x_t, s_prev))
    """

    num_gates = 3

    def step(self, x_t: torch.Tensor, state: State) -> State:
        """``(s_{t-1},) -> (s_t,)``，不检查输入。"""
        (s_prev,) = state
        return (gru_step(x_t, s_prev, self.weights),)

    def forward(
        self, x_t: torch.Tensor, s_prev: torch.Tensor | None = None
    ) -> torch.Tensor:
        x_t = self._check_input(x_t)
        if s_prev is None:
            s_prev = x_t.new_zeros(x_t.shape[0], self.hidden_size)
        s_prev = _check_state("s_prev", s_prev, x_t.shape[0], self.hidden_size)
        (s_t,) = self.step(x_t, (s_prev,))
        return s_t


M = TypeVar("M", nn.LSTM, nn.GRU)


def _check_torch_module(name: str, module: object, expected: type[M]) -> M:
    """``module`` 须为 ``expected`` （``nn.LSTM`` 或 ``nn.GRU``），且能被逐项复制。"""
    if not isinstance(module, expected):
        raise TypeError(
            f"{name} 应为 torch.nn.{expected.__name__}，"
            f"实际收到 {type(module).__name__}"
        )
    wrong = []
    if not module.batch_first:
        wrong.append("batch_first=False")
    if not module.bias:
        wrong.append("bias=False")
    if module.dropout != 0:
        wrong.append(f"dropout={module.dropout}")
    is_lstm = isinstance(module, nn.LSTM)
    if is_lstm and module.proj_size != 0:
        wrong.append(f"proj_size={module.proj_size}")
    if wrong:
        raise ValueError(
            f"{name} 应为 batch_first=True、bias=True、dropout=0"
            + ("、proj_size=0" if is_lstm else "")
            + f"，实际收到 {', '.join(wrong)}"
        )
    return module


class _GatedLayers(nn.Module):
    """多层、可双向的门控循环层：ManualLSTM 与 ManualGRU 共用的时间循环。"""

    cell_class: ClassVar[type[_GatedCell]]

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        if not isinstance(bidirectional, bool):
            raise TypeError(
                "bidirectional 应为 True 或 False，实际收到 "
                f"{type(bidirectional).__name__}: {bidirectional!r}"
            )
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        # 第 1 层读 x_t（D 维），之后每层读下面一层每一步的状态（K·H 维）
        sizes = [input_size] + [self.num_directions * hidden_size] * (num_layers - 1)
        self.cells = nn.ModuleList(
            self.cell_class(size, hidden_size)
            for size in sizes
            for _ in range(self.num_directions)
        )

    def _initial(self, name: str, value: object, batch: int) -> torch.Tensor:
        state = check_float_tensor(name, value, ndim=3, layout="(L·K, B, H)")
        rows = self.num_layers * self.num_directions
        check_size(name, state, 0, rows, "层数 × 方向数 L·K")
        check_size(name, state, 1, batch, "批大小 B，须与 x 相同")
        check_size(name, state, 2, self.hidden_size, "隐藏状态维数 H")
        return state

    def _run(self, x: torch.Tensor, initial: State) -> tuple[torch.Tensor, State]:
        """``initial`` 的每个张量为 ``(L·K, B, H)``，第 ``k`` 行给 ``cells[k]``。

        返回最后一层每一步的状态 ``(B, T, K·H)`` 与每个单元最后算出的状态
        （与 ``initial`` 同形状；正向停在 ``t = T``，逆向停在 ``t = 1``）。
        """
        steps = x.shape[1]
        layer_input = x  # (B, T, D)
        finals: list[State] = []
        for layer in range(self.num_layers):
            directions = []
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction  # 这个单元对应 h_n[k]
                cell = cast(_GatedCell, self.cells[k])
                state = tuple(part[k] for part in initial)  # 各 (B, H)
                reverse = direction == 1  # 逆向：从 t = T 读到 t = 1
                order = range(steps - 1, -1, -1) if reverse else range(steps)
                states = []
                for t in order:  # 正向接着 t-1 的状态，逆向接着 t+1 的
                    state = cell.step(layer_input[:, t], state)
                    states.append(state[0])  # s_t: (B, H)
                if reverse:
                    states.reverse()  # 按时间顺序 t = 1, …, T 排列
                directions.append(torch.stack(states, dim=1))  # (B, T, H)
                finals.append(state)
            layer_input = torch.cat(directions, dim=-1)  # (B, T, K·H)
        stacked = tuple(torch.stack(parts) for parts in zip(*finals, strict=True))
        return layer_input, stacked  # (B, T, K·H)，各 (L·K, B, H)

    @classmethod
    def _from_torch(cls, module: nn.LSTM | nn.GRU) -> Self:
        """复制 PyTorch 模块的权重（``weight_ih_l0``、``weight_ih_l0_reverse`` 等）。"""
        reference = next(module.parameters())
        sizes = (module.input_size, module.hidden_size, module.num_layers)
        model = cls(*sizes, bidirectional=module.bidirectional)
        model = model.to(device=reference.device, dtype=reference.dtype)
        with torch.no_grad():
            for k, cell in enumerate(model.cells):
                layer, direction = divmod(k, model.num_directions)
                suffix = "_reverse" if direction == 1 else ""
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    source = getattr(module, f"{name}_l{layer}{suffix}")
                    getattr(cell, name).copy_(source)
        return model


class ManualLSTM(_GatedLayers):
    r"""多层、可双向的 LSTM：每层每个方向一个 :class:`LSTMCell`，按时间步循环。

    第 :math:`\ell` 层正向（逆向把 :math:`t-1` 换成 :math:`t+1`、从 :math:`t = T`
    读到 :math:`t = 1`）：

    .. math::

        (s^{(\ell)}_t, c^{(\ell)}_t)
        = \mathrm{LSTM}^{(\ell)}\big(s^{(\ell-1)}_t,
            s^{(\ell)}_{t-1}, c^{(\ell)}_{t-1}\big),
        \qquad s^{(0)}_t = x_t

    调用方式与返回值都同 ``nn.LSTM(D, H, L, bidirectional=..., batch_first=True)``；
    用 :meth:`from_lstm` 复制其权重后，输出、``(h_n, c_n)`` 与梯度都一致。
    同一个随机种子下直接构造的两者参数也相同（参数的创建与初始化顺序一样）。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 每个方向的隐藏状态维数 ``H``。
        num_layers: 层数 ``L``，默认 1。
        bidirectional: 是否双向，默认 ``False``。

    形状:
        - ``x``: ``(B, T, D)``；``state``: ``(h0, c0)``，各 ``(L·K, B, H)``，或 ``None``
          （全为 0）。
        - 返回: ``(out, (h_n, c_n))``。``out`` 为 ``(B, T, K·H)``：最后一层每一步的
          :math:`s_t` （双向时前 ``H`` 维是正向）；``h_n``、``c_n`` 各
          ``(L·K, B, H)``：每层每个方向最后算出的 :math:`s` 与 :math:`c`
          （正向在 ``t = T``，逆向在 ``t = 1``）。

    Raises:
        TypeError: 尺寸不是整数，``bidirectional`` 不是布尔值，输入不是浮点张量，
            ``state`` 不是两个张量。
        ValueError: 尺寸不为正，张量的维数或大小不符。

    Example:
        >>> import torch
        >>> from torch import nn
        >>> _ = torch.manual_seed(0)
        >>> reference = nn.LSTM(3, 4, 2, bidirectional=True, batch_first=True)
        >>> model = ManualLSTM.from_lstm(reference)
        >>> x = torch.randn(5, 7, 3)                        # (B, T, D)
        >>> out, (h_n, c_n) = model(x)
        >>> out.shape, h_n.shape, c_n.shape                 # (B, T, 2H), (2L, B, H)
        (torch.Size([5, 7, 8]), torch.Size([4, 5, 4]), torch.Size([4, 5, 4]))
        >>> expected_out, (expected_h, expected_c) = reference(x)
        >>> torch.testing.assert_close(out, expected_out)
        >>> torch.testing.assert_close(h_n, expected_h)
        >>> torch.testing.assert_close(c_n, expected_c)
    """

    cell_class = LSTMCell

    def forward(
        self,
        x: torch.Tensor,
        state: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        x = check_sequence(x, self.input_size)
        batch = x.shape[0]
        if state is None:
            rows = self.num_layers * self.num_directions
            h0 = x.new_zeros(rows, batch, self.hidden_size)
            state = (h0, torch.zeros_like(h0))
        _check_pair(state, "(h0, c0)")
        h0 = self._initial("h0", state[0], batch)
        c0 = self._initial("c0", state[1], batch)
        out, (h_n, c_n) = self._run(x, (h0, c0))
        return out, (h_n, c_n)

    @classmethod
    def from_lstm(cls, lstm: nn.LSTM) -> ManualLSTM:
        """构造一个与 ``lstm`` 权重相同的 ``ManualLSTM``。

        设备、数据类型也与 ``lstm`` 相同；参数是复制的，不共享内存。

        Raises:
            TypeError: ``lstm`` 不是 ``nn.LSTM``。
            ValueError: ``lstm`` 不是 ``batch_first=True``、没有偏置、有层间 dropout
                或用了 ``proj_size``。
        """
        return cls._from_torch(_check_torch_module("lstm", lstm, nn.LSTM))


class ManualGRU(_GatedLayers):
    r"""多层、可双向的 GRU：每层每个方向一个 :class:`GRUCell`，按时间步循环。

    结构与 :class:`ManualLSTM` 相同，只是状态只有 :math:`s_t`。调用方式与返回值都同
    ``nn.GRU(D, H, L, bidirectional=..., batch_first=True)``；用 :meth:`from_gru`
    复制其权重后，输出、``h_n`` 与梯度都一致。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 每个方向的隐藏状态维数 ``H``。
        num_layers: 层数 ``L``，默认 1。
        bidirectional: 是否双向，默认 ``False``。

    形状:
        - ``x``: ``(B, T, D)``；``h0``: ``(L·K, B, H)`` 或 ``None`` （全为 0）。
        - 返回: ``(out, h_n)``，``(B, T, K·H)`` 与 ``(L·K, B, H)``，
          含义同 :class:`ManualLSTM`。

    Raises:
        TypeError: 尺寸不是整数，``bidirectional`` 不是布尔值，输入不是浮点张量。
        ValueError: 尺寸不为正，张量的维数或大小不符。

    Example:
        >>> import torch
        >>> from torch import nn
        >>> _ = torch.manual_seed(0)
        >>> reference = nn.GRU(3, 4, num_layers=3, batch_first=True)
        >>> model = ManualGRU.from_gru(reference)
        >>> x, h0 = torch.randn(2, 6, 3), torch.randn(3, 2, 4)
        >>> out, h_n = model(x, h0)
        >>> out.shape, h_n.shape                            # (B, T, H), (L, B, H)
        (torch.Size([2, 6, 4]), torch.Size([3, 2, 4]))
        >>> expected_out, expected_h = reference(x, h0)
        >>> torch.testing.assert_close(out, expected_out)
        >>> torch.testing.assert_close(h_n, expected_h)
    """

    cell_class = GRUCell

    def forward(
        self, x: torch.Tensor, h0: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x = check_sequence(x, self.input_size)
        batch = x.shape[0]
        if h0 is None:
            rows = self.num_layers * self.num_directions
            h0 = x.new_zeros(rows, batch, self.hidden_size)
        h0 = self._initial("h0", h0, batch)
        out, (h_n,) = self._run(x, (h0,))
        return out, h_n

    @classmethod
    def from_gru(cls, gru: nn.GRU) -> ManualGRU:
        """构造一个与 ``gru`` 权重相同的 ``ManualGRU``。

        设备、数据类型也与 ``gru`` 相同；参数是复制的，不共享内存。

        Raises:
            TypeError: ``gru`` 不是 ``nn.GRU``。
            ValueError: ``gru`` 不是 ``batch_first=True``、没有偏置或有层间 dropout。
        """
        return cls._from_torch(_check_torch_module("gru", gru, nn.GRU))
