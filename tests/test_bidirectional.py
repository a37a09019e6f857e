"""第 12 章的双向 RNN：BiRNN == nn.RNN(bidirectional=True)，输出、h_n 与梯度逐项一致。"""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnn_examples import RNNCell
from rnn_examples.bidirectional import BiRNN, RNNTagger, scan

GRID = list(
    itertools.product(
        [1, 2, 3],  # num_layers
        ["tanh", "relu"],  # nonlinearity
        [torch.float32, torch.float64],  # dtype
        [1, 7, 60],  # seq_len
    )
)


def formula_reference(rnn: nn.RNN, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """逐字按双向公式用 rnn 的参数计算，不经过 RNNCell、scan 或 nn.RNN 的前向。"""
    f = torch.tanh if rnn.nonlinearity == "tanh" else torch.relu
    batch, steps, _ = x.shape
    layer_input, finals = x, []
    for layer in range(rnn.num_layers):
        directions = []
        for suffix, order in [("", range(steps)), ("_reverse", range(steps - 1, -1, -1))]:
            U = getattr(rnn, f"weight_ih_l{layer}{suffix}")
            W = getattr(rnn, f"weight_hh_l{layer}{suffix}")
            b_h = getattr(rnn, f"bias_ih_l{layer}{suffix}") + getattr(rnn, f"bias_hh_l{layer}{suffix}")
            s = x.new_zeros(batch, rnn.hidden_size)
            states = [None] * steps
            for t in order:  # 前向用 s_{t-1}，后向用 s_{t+1}
                s = f(layer_input[:, t] @ U.T + s @ W.T + b_h)
                states[t] = s
            finals.append(s)  # 前向停在 t = T，后向停在 t = 1
            directions.append(torch.stack(states, dim=1))
        layer_input = torch.cat(directions, dim=-1)
    return layer_input, torch.stack(finals)


def grads(outputs: tuple[torch.Tensor, ...], inputs: list[torch.Tensor]) -> tuple[torch.Tensor, ...]:
    total = sum((out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).reshape(out.shape)).sum() for out in outputs)
    return torch.autograd.grad(total, inputs)


def paired_parameters(model: BiRNN, rnn: nn.RNN) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    ours, theirs = [], []
    for name, parameter in rnn.named_parameters():
        stem, layer = name.removesuffix("_reverse").rsplit("_l", 1)
        cells = model.reverse_cells if name.endswith("_reverse") else model.forward_cells
        ours.append(getattr(cells[int(layer)], stem))
        theirs.append(parameter)
    return ours, theirs


@pytest.mark.parametrize(("num_layers", "nonlinearity", "dtype", "seq_len"), GRID)
def test_birnn_equals_torch_bidirectional_rnn(num_layers, nonlinearity, dtype, seq_len):
    torch.manual_seed(100 * num_layers + seq_len)
    rnn = nn.RNN(4, 5, num_layers, nonlinearity=nonlinearity, batch_first=True, bidirectional=True).to(dtype)
    model = BiRNN.from_rnn(rnn)
    x = torch.randn(3, seq_len, 4, dtype=dtype, requires_grad=True)
    h0 = 0.5 * torch.randn(2 * num_layers, 3, 5, dtype=dtype, requires_grad=True)

    out, h_n = model(x, h0)
    expected_out, expected_h_n = rnn(x, h0)
    assert out.shape == (3, seq_len, 10)
    assert h_n.shape == (2 * num_layers, 3, 5)
    assert out.dtype == h_n.dtype == dtype
    assert_close(out, expected_out)
    assert_close(h_n, expected_h_n)

    # 零初始状态时还与逐字按公式的计算一致
    zero_out, zero_h_n = model(x)
    reference_out, reference_h_n = formula_reference(rnn, x)
    assert_close(zero_out, reference_out)
    assert_close(zero_h_n, reference_h_n)

    # 梯度：对输入、初始状态和每个参数都一致
    ours, theirs = paired_parameters(model, rnn)
    assert len(ours) == 8 * num_layers
    ours_grads = grads((out, h_n), [x, h0, *ours])
    theirs_grads = grads((expected_out, expected_h_n), [x, h0, *theirs])
    # float32 时两边的求和顺序不同：60 步、3 层的 ReLU 梯度相对误差可到 4e-6；float64 用默认容差
    tolerance = {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {}
    for g_ours, g_theirs in zip(ours_grads, theirs_grads, strict=True):
        assert_close(g_ours, g_theirs, **tolerance)


def test_output_layout_forward_first_and_backward_final_state_at_the_start():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, 2, batch_first=True, bidirectional=True)
    out, h_n = BiRNN.from_rnn(rnn)(torch.randn(2, 6, 3))
    assert_close(out[:, -1, :4], h_n[2])  # 最后一层前向：t = T
    assert_close(out[:, 0, 4:], h_n[3])  # 最后一层后向：t = 1
    assert not torch.allclose(out[:, -1, 4:], h_n[3])


def test_backward_direction_is_a_forward_rnn_on_the_reversed_sequence():
    torch.manual_seed(1)
    cell = RNNCell(3, 4, "relu")
    x, s0 = torch.randn(2, 9, 3), torch.randn(2, 4)
    assert_close(scan(cell, x, s0, reverse=True), scan(cell, x.flip(1), s0).flip(1))
    manual = s0
    for t in range(9):
        manual = cell(x[:, t], manual)
    assert_close(scan(cell, x, s0)[:, -1], manual)


def test_from_rnn_copies_not_shares_and_follows_dtype():
    rnn = nn.RNN(3, 4, batch_first=True, bidirectional=True).double()
    model = BiRNN.from_rnn(rnn)
    assert next(model.parameters()).dtype == torch.float64
    with torch.no_grad():
        rnn.weight_hh_l0_reverse.add_(1.0)
    assert not torch.equal(model.reverse_cells[0].weight_hh, rnn.weight_hh_l0_reverse)


def test_tagger_uses_the_future_only_when_bidirectional():
    torch.manual_seed(0)
    x = torch.randn(1, 8, 2, requires_grad=True)
    for bidirectional in (False, True):
        tagger = RNNTagger(2, 6, 1, bidirectional=bidirectional)
        assert tagger.fc.in_features == (12 if bidirectional else 6)
        out = tagger(x)
        assert out.shape == (1, 8, 1)
        (grad,) = torch.autograd.grad(out[0, 3, 0], x)
        future = grad[0, 4:].abs().sum().item()  # ŷ_4 对 x_5, …, x_8 的依赖
        assert (future > 0) == bidirectional
        assert grad[0, :4].abs().sum().item() > 0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_size": 0}, ValueError, "input_size 应为正整数，实际收到 0"),
        ({"hidden_size": "4"}, TypeError, "hidden_size 应为正整数（int），实际收到 str: '4'"),
        ({"num_layers": False}, TypeError, "num_layers 应为正整数（int），实际收到 bool: False"),
        ({"nonlinearity": "sigmoid"}, ValueError, "nonlinearity 应为 'tanh' 或 'relu'，实际收到 'sigmoid'"),
    ],
)
def test_birnn_constructor_errors(kwargs, error, message):
    with pytest.raises(error) as info:
        BiRNN(**({"input_size": 3, "hidden_size": 4} | kwargs))
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("x", "h0", "error", "message"),
    [
        (torch.ones(2, 5), None, ValueError, "x 应为 3 维张量，形状 (B, T, D)，实际收到 2 维，形状 (2, 5)"),
        (torch.ones(2, 5, 4), None, ValueError, "x 的 dim=2（输入特征数 D）应为 3，实际为 4（形状 (2, 5, 4)）"),
        (
            torch.ones(2, 5, 3, dtype=torch.long),
            None,
            TypeError,
            "x 应为浮点张量（如 torch.float32），实际收到 torch.int64",
        ),
        (
            torch.ones(2, 5, 3),
            torch.zeros(2, 2, 4),
            ValueError,
            "h0 的 dim=0（层数 × 方向数 2L）应为 4，实际为 2（形状 (2, 2, 4)）",
        ),
        (
            torch.ones(2, 5, 3),
            torch.zeros(4, 3, 4),
            ValueError,
            "h0 的 dim=1（批大小 B，须与 x 相同）应为 2，实际为 3（形状 (4, 3, 4)）",
        ),
        (
            torch.ones(2, 5, 3),
            torch.zeros(4, 2),
            ValueError,
            "h0 应为 3 维张量，形状 (2L, B, H)，实际收到 2 维，形状 (4, 2)",
        ),
    ],
)
def test_birnn_input_errors(x, h0, error, message):
    with pytest.raises(error) as info:
        BiRNN(3, 4, num_layers=2)(x, h0)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("rnn", "error", "message"),
    [
        (nn.GRU(3, 4, bidirectional=True, batch_first=True), TypeError, "rnn 应为 torch.nn.RNN，实际收到 GRU"),
        (
            nn.RNN(3, 4, batch_first=True),
            ValueError,
            "rnn 应为 bidirectional=True、batch_first=True、bias=True，实际收到 bidirectional=False",
        ),
        (
            nn.RNN(3, 4, bias=False, bidirectional=True),
            ValueError,
            "rnn 应为 bidirectional=True、batch_first=True、bias=True，实际收到 batch_first=False, bias=False",
        ),
    ],
)
def test_from_rnn_errors(rnn, error, message):
    with pytest.raises(error) as info:
        BiRNN.from_rnn(rnn)
    assert str(info.value) == message


def test_tagger_errors():
    with pytest.raises(TypeError) as info:
        RNNTagger(2, 3, 1, bidirectional=1)
    assert str(info.value) == "bidirectional 应为 True 或 False，实际收到 int: 1"
    with pytest.raises(ValueError, match=r"x 的 dim=2（输入特征数 D）应为 2，实际为 5"):
        RNNTagger(2, 3, 1)(torch.ones(1, 4, 5))
