"""模型与参考实现对比：ManualRNN == SimpleRNN == 直接由 nn.RNN 与 Linear 算出的结果。"""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from rnn_examples import ManualRNN, RNNCell, SimpleRNN
from rnn_examples.models import ACTIVATIONS, DERIVATIVES

GRID = list(
    itertools.product(
        [1, 2, 3],  # num_layers
        ["tanh", "relu"],  # nonlinearity
        [torch.float32, torch.float64],  # dtype
        [1, 7, 150],  # seq_len
    )
)


def formula_reference(model: SimpleRNN, x: torch.Tensor) -> torch.Tensor:
    """逐字按公式 (1)(2) 用 model.rnn 的参数计算，不经过 RNNCell 或 nn.RNN 的前向。"""
    activation = torch.tanh if model.nonlinearity == "tanh" else torch.relu
    layer_input = x
    for layer in range(model.num_layers):
        U = getattr(model.rnn, f"weight_ih_l{layer}")
        W = getattr(model.rnn, f"weight_hh_l{layer}")
        b_h = getattr(model.rnn, f"bias_ih_l{layer}") + getattr(model.rnn, f"bias_hh_l{layer}")
        s = x.new_zeros(x.shape[0], model.hidden_size)
        states = []
        for t in range(x.shape[1]):
            s = activation(layer_input[:, t] @ U.T + s @ W.T + b_h)
            states.append(s)
        layer_input = torch.stack(states, dim=1)
    return layer_input[:, -1] @ model.fc.weight.T + model.fc.bias


def module_reference(model: SimpleRNN, x: torch.Tensor) -> torch.Tensor:
    """直接调用 model.rnn（零初始状态）与 model.fc。"""
    out, _ = model.rnn(x)
    return model.fc(out[:, -1])


def input_and_parameter_grads(output: torch.Tensor, x: torch.Tensor, params: list[torch.Tensor]):
    weights = torch.linspace(-1, 1, output.numel(), dtype=output.dtype).reshape(output.shape)
    return torch.autograd.grad((output * weights).sum(), [x, *params])


@pytest.mark.parametrize(("num_layers", "nonlinearity", "dtype", "seq_len"), GRID)
def test_manual_equals_simple_and_references(num_layers, nonlinearity, dtype, seq_len):
    torch.manual_seed(1000 * num_layers + seq_len)
    simple = SimpleRNN(4, 6, 3, num_layers=num_layers, nonlinearity=nonlinearity).to(dtype)
    manual = ManualRNN.from_simple_rnn(simple)
    x = torch.randn(5, seq_len, 4, dtype=dtype, requires_grad=True)

    y_simple = simple(x)
    y_manual = manual(x)
    assert y_manual.shape == (5, 3)
    assert y_manual.dtype == dtype
    torch.testing.assert_close(y_manual, y_simple)
    torch.testing.assert_close(y_simple, module_reference(simple, x))
    torch.testing.assert_close(y_simple, formula_reference(simple, x))

    # 梯度：对输入和对每个参数都一致（手动模型的参数按层对应 nn.RNN 的参数）
    simple_params = [p for _, p in simple.rnn.named_parameters()] + [simple.fc.weight, simple.fc.bias]
    manual_params = []
    for cell in manual.cells:
        manual_params += [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
    manual_params += [manual.fc.weight, manual.fc.bias]
    names = [n for n, _ in simple.rnn.named_parameters()]
    assert names == [f"{k}_l{i}" for i in range(num_layers) for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    grads_simple = input_and_parameter_grads(y_simple, x, simple_params)
    grads_manual = input_and_parameter_grads(y_manual, x, manual_params)
    assert len(grads_simple) == len(grads_manual) == 1 + len(simple_params)
    for g_manual, g_simple in zip(grads_manual, grads_simple, strict=True):
        torch.testing.assert_close(g_manual, g_simple)


def test_cell_matches_torch_rnncell():
    torch.manual_seed(0)
    for nonlinearity in ("tanh", "relu"):
        ours = RNNCell(5, 7, nonlinearity)
        theirs = nn.RNNCell(5, 7, nonlinearity=nonlinearity)
        theirs.load_state_dict(ours.state_dict())  # 参数名相同
        x_t, h = torch.randn(4, 5), torch.randn(4, 7)
        torch.testing.assert_close(ours(x_t, h), theirs(x_t, h))


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_cell_same_seed_parameters_and_gradients_as_torch_rnncell(nonlinearity):
    """第 6 章的说法：同一个种子下参数与 nn.RNNCell 逐个相同，输出和每个梯度也相同。"""
    torch.manual_seed(3)
    ours = RNNCell(5, 7, nonlinearity)
    torch.manual_seed(3)
    theirs = nn.RNNCell(5, 7, nonlinearity=nonlinearity)
    ours_params, theirs_params = list(ours.named_parameters()), list(theirs.named_parameters())
    assert [n for n, _ in ours_params] == [n for n, _ in theirs_params]
    for (_, p), (_, q) in zip(ours_params, theirs_params, strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=0)

    x_t = torch.randn(4, 5, requires_grad=True)
    h = torch.randn(4, 7, requires_grad=True)
    weights = torch.randn(4, 7)
    grads_ours = torch.autograd.grad((ours(x_t, h) * weights).sum(), [x_t, h, *ours.parameters()])
    grads_theirs = torch.autograd.grad((theirs(x_t, h) * weights).sum(), [x_t, h, *theirs.parameters()])
    for g_ours, g_theirs in zip(grads_ours, grads_theirs, strict=True):
        torch.testing.assert_close(g_ours, g_theirs)


@pytest.mark.parametrize("num_layers", [1, 3])
def test_same_seed_gives_nn_rnn_parameters(num_layers):
    """同一个种子下 SimpleRNN 与 ManualRNN 都抽到 nn.RNN 的参数（第 6 章据此先确认复制前两者不同）。"""
    torch.manual_seed(11)
    simple = SimpleRNN(4, 6, 2, num_layers=num_layers)
    torch.manual_seed(11)
    manual = ManualRNN(4, 6, 2, num_layers=num_layers)
    torch.manual_seed(11)
    reference = nn.RNN(4, 6, num_layers=num_layers, batch_first=True)
    for name, p in reference.named_parameters():
        kind, layer = name.rsplit("_l", 1)
        torch.testing.assert_close(getattr(simple.rnn, name), p, rtol=0, atol=0)
        torch.testing.assert_close(getattr(manual.cells[int(layer)], kind), p, rtol=0, atol=0)
    torch.testing.assert_close(manual.fc.weight, simple.fc.weight, rtol=0, atol=0)
    torch.testing.assert_close(manual.fc.bias, simple.fc.bias, rtol=0, atol=0)


def test_cell_initialisation_bound_matches_pytorch():
    cell = RNNCell(3, 16)
    for parameter in cell.parameters():
        assert parameter.abs().max() <= 1 / 16**0.5
        assert parameter.std() > 0


def test_from_simple_rnn_copies_not_shares():
    simple = SimpleRNN(3, 4, 2)
    manual = ManualRNN.from_simple_rnn(simple)
    with torch.no_grad():
        simple.rnn.weight_hh_l0.add_(1.0)
    assert not torch.equal(manual.cells[0].weight_hh, simple.rnn.weight_hh_l0)


def test_initial_state_follows_input_dtype():
    torch.manual_seed(0)
    simple = SimpleRNN(3, 4, 2).double()
    manual = ManualRNN.from_simple_rnn(simple)
    x = torch.randn(2, 3, 3, dtype=torch.float64)
    assert simple(x).dtype == torch.float64
    assert manual(x).dtype == torch.float64
    assert next(manual.parameters()).dtype == torch.float64


@pytest.mark.parametrize("name", ["tanh", "relu", "identity"])
def test_derivative_table_matches_autograd(name):
    """DERIVATIVES[name](s) 用输出 s = f(a) 表示 f'(a)：与自动求导得到的 f'(a) 相同。"""
    # 正负两侧都取，避开 relu 不可导的 0
    a = torch.tensor([-2.5, -1.0, -0.1, 0.3, 1.0, 2.5], dtype=torch.float64, requires_grad=True)
    s = ACTIVATIONS[name](a)
    (expected,) = torch.autograd.grad(s.sum(), a)
    torch.testing.assert_close(DERIVATIVES[name](s.detach()), expected)
