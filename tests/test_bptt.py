"""手写 BPTT（rnn_examples.bptt）与自动求导逐项一致，包括截断 BPTT。"""

from __future__ import annotations

import pytest
import torch
from torch.testing import assert_close

from rnn_examples import SimpleRNN
from rnn_examples.bptt import RNNParams, autograd_bptt, bptt, forward


def _problem(seed: int, B: int, T: int, D: int, H: int, n_out: int):
    g = torch.Generator().manual_seed(seed)
    params = RNNParams.random(D, H, n_out, generator=g)
    return params, torch.randn(B, T, D, generator=g), torch.randn(B, T, n_out, generator=g)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize(
    ("seed", "B", "T", "D", "H", "n_out"), [(0, 1, 1, 1, 1, 1), (1, 3, 7, 4, 5, 2), (2, 2, 12, 3, 8, 3)]
)
def test_hand_bptt_equals_autograd(seed, B, T, D, H, n_out, nonlinearity):
    params, x, y = _problem(seed, B, T, D, H, n_out)
    hand = bptt(params, x, y, nonlinearity=nonlinearity)
    auto = autograd_bptt(params, x, y, nonlinearity=nonlinearity)
    assert_close(hand.loss, auto.loss)
    assert_close(hand.deltas, auto.deltas)
    assert set(hand.grads) == {"U", "W", "V", "b_h", "b_y"}
    for name, grad in hand.grads.items():
        assert_close(grad, auto.grads[name], msg=name)


@pytest.mark.parametrize("k", [1, 2, 3, 5, 10])
def test_truncated_bptt_equals_autograd_with_detach(k):
    params, x, y = _problem(3, 2, 10, 3, 6, 2)
    hand = bptt(params, x, y, truncation=k)
    auto = autograd_bptt(params, x, y, truncation=k)
    assert_close(hand.deltas, auto.deltas)
    for name, grad in hand.grads.items():
        assert_close(grad, auto.grads[name], msg=name)


def test_truncation_as_long_as_the_sequence_is_full_bptt():
    params, x, y = _problem(4, 2, 8, 3, 6, 2)
    full = bptt(params, x, y)
    assert_close(bptt(params, x, y, truncation=8).grads, full.grads)
    assert not torch.allclose(bptt(params, x, y, truncation=2).grads["W"], full.grads["W"])
    # V、b_y 的梯度不经过时间递推，截断不改变它们
    assert_close(bptt(params, x, y, truncation=2).grads["V"], full.grads["V"])


def test_params_from_simple_rnn_reproduce_nn_rnn():
    torch.manual_seed(0)
    model = SimpleRNN(3, 5, 2)
    x = torch.randn(4, 6, 3)
    states, outputs = forward(RNNParams.from_simple_rnn(model), x)
    reference, _ = model.rnn(x)
    assert_close(states, reference)
    assert_close(outputs[:, -1], model(x))


def test_bad_arguments_raise_clear_errors():
    params, x, y = _problem(0, 2, 4, 3, 5, 2)
    with pytest.raises(TypeError, match="params 应为 RNNParams"):
        bptt("not params", x, y)
    with pytest.raises(ValueError, match="x 的 dim=2（输入特征数 D）应为 3，实际为 4"):
        bptt(params, torch.randn(2, 4, 4), y)
    with pytest.raises(ValueError, match="时间步数 T，须与 x 相同"):
        bptt(params, x, y[:, :3])
    with pytest.raises(ValueError, match="truncation 应为正整数，实际收到 0"):
        bptt(params, x, y, truncation=0)
    with pytest.raises(ValueError, match="nonlinearity 应为"):
        bptt(params, x, y, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="W 的 dim=1"):
        RNNParams(params.U, params.W[:, :3], params.V, params.b_h, params.b_y)
    with pytest.raises(ValueError, match="num_layers=2"):
        RNNParams.from_simple_rnn(SimpleRNN(3, 5, 2, num_layers=2))
    with pytest.raises(TypeError, match="model 应为 SimpleRNN"):
        RNNParams.from_simple_rnn(torch.nn.RNN(3, 5))
