"""训练循环（rnn_examples.training）：损失下降、裁剪、发散检测与参数检查。"""

from __future__ import annotations

import copy

import pytest
import torch
from torch.testing import assert_close

from rnn_examples import ManualRNN, SimpleRNN
from rnn_examples.data import noisy_sine
from rnn_examples.gradients import rescale_to_spectral_radius
from rnn_examples.tasks import sliding_windows
from rnn_examples.training import train_regressor


@pytest.fixture(scope="module")
def sine_data():
    z = noisy_sine(200, period=25.0, noise=0.1, seed=0)
    return sliding_windows(z, 20)


def test_loss_decreases_on_sine_task(sine_data):
    x, y = sine_data
    torch.manual_seed(0)
    history = train_regressor(SimpleRNN(1, 16, 1), x, y, steps=100, lr=0.01)
    assert not history.diverged
    assert len(history.losses) == 100
    assert history.losses[-1] < 0.1 * history.losses[0]
    assert history.losses[-1] < 0.05


def test_manual_rnn_follows_the_same_trajectory(sine_data):
    x, y = sine_data
    torch.manual_seed(0)
    simple = SimpleRNN(1, 8, 1)
    manual = ManualRNN.from_simple_rnn(simple)
    a = train_regressor(simple, x, y, steps=15, lr=0.01, batch_size=32, seed=1)
    b = train_regressor(manual, x, y, steps=15, lr=0.01, batch_size=32, seed=1)
    assert_close(torch.tensor(a.losses), torch.tensor(b.losses))


def test_clipping_bounds_the_update_and_prevents_divergence(sine_data):
    x, y = sine_data
    runs = {}
    for max_norm in (None, 1.0):
        torch.manual_seed(0)
        model = SimpleRNN(1, 32, 1)
        with torch.no_grad():
            model.rnn.weight_hh_l0.copy_(rescale_to_spectral_radius(model.rnn.weight_hh_l0, 2.0))
        runs[max_norm] = train_regressor(
            model, x, y, steps=100, lr=0.1, optimizer="sgd", batch_size=32, max_norm=max_norm
        )
    assert runs[None].diverged
    assert not runs[1.0].diverged
    assert max(runs[1.0].grad_norms) > 1.0  # 裁剪确实发生过


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"steps": 0}, ValueError, "steps 应为正整数，实际收到 0"),
        ({"steps": 2.5}, TypeError, "steps 应为正整数（int），实际收到 float: 2.5"),
        ({"lr": 0.0}, ValueError, "lr 应为大于 0 的实数，实际收到 0.0"),
        ({"lr": -1e-3}, ValueError, "lr 应为大于 0 的实数，实际收到 -0.001"),
        ({"lr": "0.1"}, TypeError, "lr 应为实数（int 或 float），实际收到 str"),
        ({"lr": float("nan")}, ValueError, "lr 应为有限实数，实际收到 nan"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer 应为 'adam' 或 'sgd'，实际收到 'rmsprop'"),
        ({"batch_size": 0}, ValueError, "batch_size 应为正整数，实际收到 0"),
        ({"max_norm": -1.0}, ValueError, "max_norm 应为大于 0 的实数，实际收到 -1.0"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, message):
    x, y = torch.randn(8, 5, 1), torch.randn(8, 1)
    arguments = {"steps": 3, "lr": 0.01} | kwargs
    with pytest.raises(error, match=message):
        train_regressor(SimpleRNN(1, 4, 1), x, y, **arguments)


def test_mismatched_shapes_and_types_are_rejected():
    model = SimpleRNN(1, 4, 1)
    with pytest.raises(ValueError, match=r"y 的 dim=0（样本数 N，须与 x 相同）应为 8，实际为 7"):
        train_regressor(model, torch.randn(8, 5, 1), torch.randn(7, 1), steps=1, lr=0.1)
    with pytest.raises(ValueError, match=r"y 应为 2 维张量，形状 \(N, O\)"):
        train_regressor(model, torch.randn(8, 5, 1), torch.randn(8), steps=1, lr=0.1)
    with pytest.raises(TypeError, match="x 应为浮点张量"):
        train_regressor(model, torch.ones(8, 5, 1, dtype=torch.long), torch.randn(8, 1), steps=1, lr=0.1)
    with pytest.raises(TypeError, match=r"model 应为 torch\.nn\.Module，实际收到 function"):
        train_regressor(lambda x: x, torch.randn(8, 5, 1), torch.randn(8, 1), steps=1, lr=0.1)


def test_gradient_cosines_match_a_hand_written_loop(sine_data):
    """grad_cosines[i] 是第 i + 2 步与第 i + 1 步梯度的余弦，与逐步手算一致。"""
    x, y = sine_data
    torch.manual_seed(0)
    model = SimpleRNN(1, 8, 1)
    reference = copy.deepcopy(model)
    history = train_regressor(model, x, y, steps=6, lr=0.05)
    optim = torch.optim.Adam(reference.parameters(), lr=0.05)
    grads = []
    for _ in range(6):
        optim.zero_grad()
        torch.nn.functional.mse_loss(reference(x), y).backward()
        grads.append(torch.cat([p.grad.flatten() for p in reference.parameters()]))
        optim.step()
    expected = [torch.dot(a, b) / (a.norm() * b.norm()) for a, b in zip(grads[1:], grads[:-1], strict=True)]
    assert len(history.grad_cosines) == 5
    assert_close(torch.tensor(history.grad_cosines), torch.stack(expected))
