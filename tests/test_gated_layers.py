"""第 13 章的手写门控层：ManualLSTM == nn.LSTM、ManualGRU == nn.GRU，输出、(h_n, c_n) 与梯度逐项一致。"""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnn_examples.gated_layers import GRUCell, LSTMCell, ManualGRU, ManualLSTM

GRID = list(
    itertools.product(
        ["lstm", "gru"],
        [1, 2, 3],  # num_layers
        [False, True],  # bidirectional
        [torch.float32, torch.float64],  # dtype
        [1, 7, 30],  # seq_len
    )
)
TORCH = {"lstm": nn.LSTM, "gru": nn.GRU}
MANUAL = {"lstm": ManualLSTM.from_lstm, "gru": ManualGRU.from_gru}


def weighted_sum(outputs: list[torch.Tensor]) -> torch.Tensor:
    """依赖每一个输出分量、且各分量权重不同的标量（简单的 sum 会掩盖行与行的对调）。"""
    return sum((out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).reshape(out.shape)).sum() for out in outputs)


def paired_parameters(model: ManualLSTM | ManualGRU, module: nn.Module) -> tuple[list, list]:
    """按 PyTorch 的参数顺序配对：weight_ih_l1_reverse 对应 cells[2·1 + 1].weight_ih 等。"""
    ours, theirs = [], []
    directions = 2 if module.bidirectional else 1
    for name, parameter in module.named_parameters():
        stem, layer = name.removesuffix("_reverse").rsplit("_l", 1)
        k = directions * int(layer) + name.endswith("_reverse")
        ours.append(getattr(model.cells[k], stem))
        theirs.append(parameter)
    return ours, theirs


@pytest.mark.parametrize(("kind", "num_layers", "bidirectional", "dtype", "seq_len"), GRID)
def test_manual_layers_equal_torch(kind, num_layers, bidirectional, dtype, seq_len):
    torch.manual_seed(100 * num_layers + seq_len + 7 * bidirectional)
    module = TORCH[kind](4, 5, num_layers, batch_first=True, bidirectional=bidirectional).to(dtype)
    model = MANUAL[kind](module)
    rows = num_layers * (2 if bidirectional else 1)
    x = torch.randn(3, seq_len, 4, dtype=dtype, requires_grad=True)
    h0 = 0.5 * torch.randn(rows, 3, 5, dtype=dtype, requires_grad=True)
    c0 = 0.5 * torch.randn(rows, 3, 5, dtype=dtype, requires_grad=True)
    inputs = [x, h0, c0] if kind == "lstm" else [x, h0]
    state = (h0, c0) if kind == "lstm" else h0

    out, final = model(x, state)
    expected_out, expected_final = module(x, state)
    finals = list(final) if kind == "lstm" else [final]
    expected_finals = list(expected_final) if kind == "lstm" else [expected_final]
    assert out.shape == (3, seq_len, 5 * (2 if bidirectional else 1))
    assert all(f.shape == (rows, 3, 5) and f.dtype == dtype for f in finals)
    assert_close(out, expected_out)
    for ours, theirs in zip(finals, expected_finals, strict=True):
        assert_close(ours, theirs)

    # 梯度：对输入、初始状态与每一个参数
    ours, theirs = paired_parameters(model, module)
    assert len(ours) == 4 * rows
    grads = torch.autograd.grad(weighted_sum([out, *finals]), inputs + ours)
    expected_grads = torch.autograd.grad(weighted_sum([expected_out, *expected_finals]), inputs + theirs)
    # float32 时两边的求和顺序不同，30 步、3 层时相对误差可到 1e-5 量级；float64 用默认容差
    tolerance = {"rtol": 1e-4, "atol": 1e-5} if dtype == torch.float32 else {}
    for g_ours, g_theirs in zip(grads, expected_grads, strict=True):
        assert_close(g_ours, g_theirs, **tolerance)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_zero_initial_state_by_default(kind):
    torch.manual_seed(0)
    module = TORCH[kind](3, 4, 2, batch_first=True, bidirectional=True)
    model = MANUAL[kind](module)
    x = torch.randn(2, 5, 3)
    zeros = torch.zeros(4, 2, 4)
    default_out, default_final = model(x)
    explicit_out, explicit_final = model(x, (zeros, zeros) if kind == "lstm" else zeros)
    assert_close(default_out, explicit_out)
    assert_close(default_final, explicit_final)
    assert_close(default_out, module(x)[0])


@pytest.mark.parametrize(("manual", "reference"), [(ManualLSTM, nn.LSTM), (ManualGRU, nn.GRU)])
def test_same_seed_gives_the_same_initialization_as_torch(manual, reference):
    torch.manual_seed(3)
    ours = manual(3, 4, 2, bidirectional=True)
    torch.manual_seed(3)
    theirs = reference(3, 4, 2, bidirectional=True, batch_first=True)
    pairs = paired_parameters(ours, theirs)
    for a, b in zip(*pairs, strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize(("ours", "reference"), [(LSTMCell, nn.LSTMCell), (GRUCell, nn.GRUCell)])
def test_cells_have_the_same_parameters_and_initialization_as_torch(ours, reference):
    torch.manual_seed(5)
    cell = ours(3, 4)
    torch.manual_seed(5)
    expected = reference(3, 4)
    assert [name for name, _ in cell.named_parameters()] == [name for name, _ in expected.named_parameters()]
    for a, b in zip(cell.parameters(), expected.parameters(), strict=True):
        assert torch.equal(a, b)


def test_layout_forward_last_step_and_backward_first_step():
    torch.manual_seed(0)
    model = ManualLSTM(3, 4, 2, bidirectional=True)
    out, (h_n, c_n) = model(torch.randn(2, 6, 3))
    assert_close(out[:, -1, :4], h_n[2])  # 第 2 层前向：t = T
    assert_close(out[:, 0, 4:], h_n[3])  # 第 2 层后向：t = 1
    assert not torch.allclose(out[:, -1, 4:], h_n[3])
    assert not torch.allclose(h_n, c_n)


def test_from_torch_copies_not_shares_and_follows_dtype():
    lstm = nn.LSTM(3, 4, batch_first=True, bidirectional=True).double()
    model = ManualLSTM.from_lstm(lstm)
    assert next(model.parameters()).dtype == torch.float64
    with torch.no_grad():
        lstm.weight_hh_l0_reverse.add_(1.0)
    assert not torch.equal(model.cells[1].weight_hh, lstm.weight_hh_l0_reverse)


@pytest.mark.parametrize(("cell_class", "reference_class"), [(LSTMCell, nn.LSTMCell), (GRUCell, nn.GRUCell)])
def test_cells_equal_torch_cells_with_and_without_state(cell_class, reference_class):
    torch.manual_seed(0)
    cell = cell_class(3, 4)
    reference = reference_class(3, 4)
    reference.load_state_dict(cell.state_dict())
    x_t = torch.randn(2, 3)
    if cell_class is LSTMCell:
        state = (torch.randn(2, 4), torch.randn(2, 4))
        for ours, theirs in zip(cell(x_t, state), reference(x_t, state), strict=True):
            assert_close(ours, theirs)
        for ours, theirs in zip(cell(x_t), reference(x_t), strict=True):
            assert_close(ours, theirs)
    else:
        s = torch.randn(2, 4)
        assert_close(cell(x_t, s), reference(x_t, s))
        assert_close(cell(x_t), reference(x_t))


@pytest.mark.parametrize("manual", [ManualLSTM, ManualGRU])
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_size": 0}, ValueError, "input_size 应为正整数，实际收到 0"),
        ({"hidden_size": 2.5}, TypeError, "hidden_size 应为正整数（int），实际收到 float: 2.5"),
        ({"num_layers": True}, TypeError, "num_layers 应为正整数（int），实际收到 bool: True"),
        ({"bidirectional": 1}, TypeError, "bidirectional 应为 True 或 False，实际收到 int: 1"),
    ],
)
def test_constructor_errors(manual, kwargs, error, message):
    with pytest.raises(error) as info:
        manual(**({"input_size": 3, "hidden_size": 4} | kwargs))
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: ManualLSTM(3, 4)(torch.ones(2, 5)),
            ValueError,
            "x 应为 3 维张量，形状 (B, T, D)，实际收到 2 维，形状 (2, 5)",
        ),
        (
            lambda: ManualGRU(3, 4)(torch.ones(2, 5, 4)),
            ValueError,
            "x 的 dim=2（输入特征数 D）应为 3，实际为 4（形状 (2, 5, 4)）",
        ),
        (
            lambda: ManualGRU(3, 4)(torch.ones(2, 5, 3, dtype=torch.long)),
            TypeError,
            "x 应为浮点张量（如 torch.float32），实际收到 torch.int64",
        ),
        (
            lambda: ManualLSTM(3, 4)(torch.ones(2, 5, 3), torch.zeros(1, 2, 4)),
            TypeError,
            "state 应为两个张量 (h0, c0)，实际收到 Tensor",
        ),
        (
            lambda: ManualLSTM(3, 4)(torch.ones(2, 5, 3), (torch.zeros(1, 2, 4),)),
            TypeError,
            "state 应为两个张量 (h0, c0)，实际收到 tuple（1 个元素）",
        ),
        (
            lambda: ManualLSTM(3, 4, 2, bidirectional=True)(
                torch.ones(2, 5, 3), (torch.zeros(2, 2, 4), torch.zeros(2, 2, 4))
            ),
            ValueError,
            "h0 的 dim=0（层数 × 方向数 L·K）应为 4，实际为 2（形状 (2, 2, 4)）",
        ),
        (
            lambda: ManualLSTM(3, 4)(torch.ones(2, 5, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 3, 4))),
            ValueError,
            "c0 的 dim=1（批大小 B，须与 x 相同）应为 2，实际为 3（形状 (1, 3, 4)）",
        ),
        (
            lambda: ManualGRU(3, 4)(torch.ones(2, 5, 3), torch.zeros(1, 2, 5)),
            ValueError,
            "h0 的 dim=2（隐藏状态维数 H）应为 4，实际为 5（形状 (1, 2, 5)）",
        ),
        (
            lambda: LSTMCell(3, 4)(torch.ones(2, 3), torch.zeros(2, 4)),
            TypeError,
            "state 应为两个张量 (s_prev, c_prev)，实际收到 Tensor",
        ),
        (
            lambda: LSTMCell(3, 4)(torch.ones(2, 3), (torch.zeros(2, 4), torch.zeros(3, 4))),
            ValueError,
            "c_prev 的 dim=0（批大小 B，须与 x_t 相同）应为 2，实际为 3（形状 (3, 4)）",
        ),
        (
            lambda: GRUCell(3, 4)(torch.ones(2, 5), torch.zeros(2, 4)),
            ValueError,
            "x_t 的 dim=1（输入特征数 D）应为 3，实际为 5（形状 (2, 5)）",
        ),
        (
            lambda: GRUCell(3, 4)(torch.ones(2, 3), torch.zeros(2, 4, 1)),
            ValueError,
            "s_prev 应为 2 维张量，形状 (B, H)，实际收到 3 维，形状 (2, 4, 1)",
        ),
        (lambda: GRUCell(3, 0), ValueError, "hidden_size 应为正整数，实际收到 0"),
    ],
)
def test_input_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: ManualLSTM.from_lstm(nn.GRU(3, 4, batch_first=True)),
            TypeError,
            "lstm 应为 torch.nn.LSTM，实际收到 GRU",
        ),
        (lambda: ManualGRU.from_gru(nn.RNN(3, 4, batch_first=True)), TypeError, "gru 应为 torch.nn.GRU，实际收到 RNN"),
        (
            lambda: ManualLSTM.from_lstm(nn.LSTM(3, 4)),
            ValueError,
            "lstm 应为 batch_first=True、bias=True、dropout=0、proj_size=0，实际收到 batch_first=False",
        ),
        (
            lambda: ManualLSTM.from_lstm(nn.LSTM(3, 4, batch_first=True, proj_size=2)),
            ValueError,
            "lstm 应为 batch_first=True、bias=True、dropout=0、proj_size=0，实际收到 proj_size=2",
        ),
        (
            lambda: ManualGRU.from_gru(nn.GRU(3, 4, 2, bias=False, batch_first=True, dropout=0.5)),
            ValueError,
            "gru 应为 batch_first=True、bias=True、dropout=0，实际收到 bias=False, dropout=0.5",
        ),
    ],
)
def test_from_torch_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message
