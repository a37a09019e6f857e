"""残差单元、层归一化单元与梯度测量（rnn_examples.cells）：与 PyTorch 的参照实现比较。"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnn_examples import RNNCell
from rnn_examples.cells import LayerNormRNNCell, ResidualRNNCell, gradient_norms_by_distance
from rnn_examples.gradients import state_gradient_norms


def torch_cell_like(cell: RNNCell) -> nn.RNNCell:
    """参数与 ``cell`` 相同的 ``torch.nn.RNNCell``。"""
    reference = nn.RNNCell(cell.input_size, cell.hidden_size, nonlinearity=cell.nonlinearity)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(reference, name).copy_(getattr(cell, name))
    return reference


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_residual_cell_adds_previous_state_to_torch_rnn_cell(nonlinearity):
    torch.manual_seed(0)
    cell = ResidualRNNCell(3, 5, nonlinearity)
    reference = torch_cell_like(cell)
    x_t, s = torch.randn(4, 3), torch.randn(4, 5)
    assert_close(cell(x_t, s), s + reference(x_t, s))


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_layer_norm_cell_matches_functional_layer_norm(nonlinearity):
    torch.manual_seed(1)
    cell = LayerNormRNNCell(3, 6, nonlinearity)
    with torch.no_grad():
        cell.norm.weight.uniform_(0.5, 1.5)
    x_t, s = torch.randn(4, 3), torch.randn(4, 6)
    summed = x_t @ cell.weight_ih.T + s @ cell.weight_hh.T
    normalized = nn.functional.layer_norm(summed, (6,), weight=cell.norm.weight, eps=1e-5)
    activation = torch.tanh if nonlinearity == "tanh" else torch.relu
    assert_close(cell(x_t, s), activation(normalized + cell.bias_ih + cell.bias_hh))


def test_layer_norm_cell_initialisation():
    torch.manual_seed(2)
    cell = LayerNormRNNCell(2, 8)
    assert_close(cell.norm.weight, torch.ones(8))
    assert cell.norm.bias is None
    bound = 8**-0.5
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        assert getattr(cell, name).abs().max() <= bound
    cell.reset_parameters()
    assert_close(cell.norm.weight, torch.ones(8))


def test_layer_norm_cell_is_invariant_to_weight_scale():
    torch.manual_seed(3)
    cell = LayerNormRNNCell(3, 6)
    x_t, s = torch.randn(4, 3), torch.randn(4, 6)
    before = cell(x_t, s)
    with torch.no_grad():
        cell.weight_ih.mul_(7.0)
        cell.weight_hh.mul_(7.0)
    assert_close(cell(x_t, s), before, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_gradient_norms_match_the_experiment_model(nonlinearity):
    """U = I、b_h = 0 的 RNNCell 就是 gradients.state_gradient_norms 的实验模型。"""
    H, T, B = 6, 12, 5
    W = torch.randn(H, H, generator=torch.Generator().manual_seed(4), dtype=torch.float64) / H**0.5
    expected = state_gradient_norms(
        W, steps=T, nonlinearity=nonlinearity, batch_size=B, generator=torch.Generator().manual_seed(5)
    )
    generator = torch.Generator().manual_seed(5)  # 与 state_gradient_norms 相同的抽样顺序
    x = torch.randn(B, T, H, generator=generator, dtype=torch.float64)
    v = torch.randn(H, generator=generator, dtype=torch.float64)
    v = v / v.norm()
    cell = RNNCell(H, H, nonlinearity).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.eye(H))
        cell.weight_hh.copy_(W)
        cell.bias_ih.zero_()
        cell.bias_hh.zero_()
    assert_close(gradient_norms_by_distance(cell, x, v), expected)


def test_gradient_norms_match_autograd_per_step():
    torch.manual_seed(6)
    cell = ResidualRNNCell(2, 4)
    x = torch.randn(3, 5, 2)
    v = torch.randn(4)
    norms = gradient_norms_by_distance(cell, x, v)
    for k in range(1, 6):  # δ_k = ∂L/∂s_k：把 s_k 当作起点重新展开
        with torch.no_grad():
            s = torch.zeros(3, 4)
            for t in range(k):
                s = cell(x[:, t], s)
        s_k = s.clone().requires_grad_(True)
        s = s_k
        for t in range(k, 5):
            s = cell(x[:, t], s)
        (s @ v).sum().backward()
        assert_close(norms[5 - k], s_k.grad.norm(dim=-1).mean())


def test_gradient_norms_leave_parameter_grads_alone():
    cell = RNNCell(2, 3)
    gradient_norms_by_distance(cell, torch.randn(2, 4, 2), torch.ones(3))
    assert all(p.grad is None for p in cell.parameters())
    cell.requires_grad_(False)  # 参数冻结时照样能测
    assert gradient_norms_by_distance(cell, torch.randn(2, 4, 2), torch.ones(3)).shape == (4,)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((nn.Linear(2, 3), torch.randn(2, 4, 2), torch.ones(3)), TypeError, "cell 应为带整数属性 hidden_size"),
        ((RNNCell(2, 3), torch.randn(4, 2), torch.ones(3)), ValueError, r"x 应为 3 维张量，形状 \(B, T, D\)"),
        ((RNNCell(2, 3), torch.randn(2, 4, 2), torch.ones(4)), ValueError, "v 的 dim=0（隐藏状态维数 H"),
        ((RNNCell(2, 3), torch.ones(2, 4, 2, dtype=torch.long), torch.ones(3)), TypeError, "x 应为浮点张量"),
    ],
)
def test_gradient_norms_reject_bad_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        gradient_norms_by_distance(*arguments)


def test_layer_norm_cell_rejects_bad_shapes():
    cell = LayerNormRNNCell(3, 4)
    with pytest.raises(ValueError, match="x_t 的 dim=1（输入特征数 D）应为 3，实际为 2"):
        cell(torch.randn(2, 2), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="s_prev 的 dim=0（批大小 B，须与 x_t 相同）应为 2，实际为 5"):
        cell(torch.randn(2, 3), torch.zeros(5, 4))
    with pytest.raises(ValueError, match="nonlinearity 应为 'tanh' 或 'relu'"):
        LayerNormRNNCell(3, 4, "sigmoid")
