"""第 12 章的深层 RNN：StackedRNN 与 nn.RNN(num_layers=L, dropout=p) 逐位一致，残差按公式计算。"""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnn_examples.deep import StackedRNN

# 单层时没有“层与层之间”，nn.RNN 对 dropout > 0 发出警告：只在多层时测 dropout
GRID = [
    case
    for case in itertools.product(
        [1, 2, 3],  # num_layers
        ["tanh", "relu"],  # nonlinearity
        [0.0, 0.5],  # dropout
        [torch.float32, torch.float64],  # dtype
    )
    if case[0] > 1 or case[2] == 0.0
]


@pytest.mark.parametrize(("num_layers", "nonlinearity", "dropout", "dtype"), GRID)
def test_stack_equals_torch_multilayer_rnn_in_train_and_eval_mode(num_layers, nonlinearity, dropout, dtype):
    torch.manual_seed(10 * num_layers)
    rnn = nn.RNN(3, 5, num_layers, nonlinearity=nonlinearity, dropout=dropout, batch_first=True).to(dtype)
    model = StackedRNN.from_rnn(rnn, output_size=2)
    assert model.training
    assert model.dropout == dropout
    assert next(model.parameters()).dtype == dtype
    x = torch.randn(4, 7, 3, dtype=dtype, requires_grad=True)
    # 训练模式：同一个种子给出同样的 dropout 掩码，输出与梯度逐位相同
    torch.manual_seed(1)
    expected, _ = rnn(x)
    torch.manual_seed(1)
    states = model.states(x)
    assert torch.equal(states, expected)
    weights = torch.linspace(-1, 1, states.numel(), dtype=dtype).reshape(states.shape)
    (g_ours,) = torch.autograd.grad((states * weights).sum(), x)
    torch.manual_seed(1)
    (g_theirs,) = torch.autograd.grad((rnn(x)[0] * weights).sum(), x)
    assert_close(g_ours, g_theirs)
    # 评估模式：不做 dropout，结果确定
    rnn.eval()
    model.eval()
    assert torch.equal(model.states(x), rnn(x)[0])
    assert model(x).shape == (4, 7, 2)


def test_dropout_only_between_layers_and_only_in_training():
    torch.manual_seed(0)
    model = StackedRNN(2, 6, 1, num_layers=1, dropout=0.9)  # 只有一层：没有层间，dropout 不起作用
    x = torch.randn(3, 5, 2)
    assert torch.equal(model.states(x), model.states(x))
    deep = StackedRNN(2, 6, 1, num_layers=2, dropout=0.5)
    assert not torch.equal(deep.states(x), deep.states(x))  # 训练：每次的掩码不同
    deep.eval()
    assert torch.equal(deep.states(x), deep.states(x))


def test_residual_stack_follows_the_formula():
    torch.manual_seed(3)
    model = StackedRNN(2, 4, 1, num_layers=3, residual=True)
    x = torch.randn(2, 6, 2)
    layer_input = x
    for index, rnn in enumerate(model.layers):
        states, _ = rnn(layer_input)
        # x^(ℓ) = x^(ℓ-1) + s^(ℓ)（ℓ ≥ 2），第 1 层 x^(1) = s^(1)
        layer_input = states if index == 0 else layer_input + states
    assert_close(model.states(x), layer_input)
    assert_close(model(x), model.fc(layer_input))
    plain = StackedRNN(2, 4, 1, num_layers=3)
    plain.load_state_dict(model.state_dict())
    assert not torch.allclose(plain.states(x), model.states(x))


def test_residual_keeps_the_vertical_derivative_from_vanishing():
    torch.manual_seed(0)
    x = torch.randn(1, 4, 1)
    norms = {}
    for residual in (False, True):
        torch.manual_seed(0)
        model = StackedRNN(1, 16, 1, num_layers=8, residual=residual)
        jacobian = torch.autograd.functional.jacobian(lambda v, m=model: m.states(v)[0, -1], x)
        norms[residual] = jacobian[:, 0, -1, 0].norm().item()
    assert norms[False] < 0.05 < 0.3 < norms[True]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"hidden_size": 0}, ValueError, "hidden_size 应为正整数，实际收到 0"),
        ({"num_layers": 2.0}, TypeError, "num_layers 应为正整数（int），实际收到 float: 2.0"),
        ({"nonlinearity": "gelu"}, ValueError, "nonlinearity 应为 'tanh' 或 'relu'，实际收到 'gelu'"),
        ({"dropout": 1.0}, ValueError, "dropout 应满足 0 <= dropout < 1，实际收到 1.0"),
        ({"dropout": -0.1}, ValueError, "dropout 应为不小于 0 的实数，实际收到 -0.1"),
        ({"dropout": "0.1"}, TypeError, "dropout 应为实数（int 或 float），实际收到 str: '0.1'"),
        ({"residual": 1}, TypeError, "residual 应为 True 或 False，实际收到 int: 1"),
    ],
)
def test_constructor_errors(kwargs, error, message):
    with pytest.raises(error) as info:
        StackedRNN(**({"input_size": 1, "hidden_size": 4, "output_size": 1} | kwargs))
    assert str(info.value) == message


def test_input_and_from_rnn_errors():
    model = StackedRNN(3, 4, 1)
    with pytest.raises(ValueError, match="dim=2") as info:
        model(torch.ones(2, 5, 4))
    assert str(info.value) == "x 的 dim=2（输入特征数 D）应为 3，实际为 4（形状 (2, 5, 4)）"
    with pytest.raises(TypeError) as info:
        model(torch.ones(2, 5, 3, dtype=torch.long))
    assert str(info.value) == "x 应为浮点张量（如 torch.float32），实际收到 torch.int64"
    with pytest.raises(TypeError) as info:
        StackedRNN.from_rnn(nn.LSTM(3, 4, batch_first=True), output_size=1)
    assert str(info.value) == "rnn 应为 torch.nn.RNN，实际收到 LSTM"
    with pytest.raises(ValueError, match="实际不满足") as info:
        StackedRNN.from_rnn(nn.RNN(3, 4, bidirectional=True), output_size=1)
    assert str(info.value) == (
        "rnn 应为 bidirectional=False、batch_first=True、bias=True，实际不满足：bidirectional=False、batch_first=True"
    )
