"""第 2 章的合成序列：形状、可复现、数值正确，错误参数给出清楚的报错。"""

from __future__ import annotations

import math

import pytest
import torch

from rnn_examples.data import chirp, lag_correlation, moving_dot, noisy_sine, random_walk


def test_noisy_sine_values_and_seed():
    clean = noisy_sine(30, period=10.0, noise=0.0)
    expected = torch.sin(2 * math.pi * torch.arange(30.0) / 10.0)
    torch.testing.assert_close(clean, expected)
    torch.testing.assert_close(noisy_sine(30, seed=5), noisy_sine(30, seed=5))
    assert not torch.equal(noisy_sine(30, seed=5), noisy_sine(30, seed=6))
    residual = noisy_sine(4000, noise=0.5, seed=1) - noisy_sine(4000, noise=0.0)
    assert abs(residual.std().item() - 0.5) < 0.03


def test_random_walk_increments():
    walk = random_walk(2000, start=10.0, step_std=2.0, seed=3)
    assert walk[0].item() == 10.0
    increments = walk.diff()
    assert abs(increments.std().item() - 2.0) < 0.1
    torch.testing.assert_close(walk, random_walk(2000, start=10.0, step_std=2.0, seed=3))


def test_chirp_frequency_increases():
    x = chirp(400, f_start=0.01, f_end=0.2)
    assert x.shape == (400,)
    assert x.abs().max().item() <= 1.0
    signs = torch.sign(x)
    crossings_first = (signs[:200].diff() != 0).sum().item()
    crossings_second = (signs[200:].diff() != 0).sum().item()
    assert crossings_second > 2 * crossings_first


def test_moving_dot_one_pixel_per_frame():
    video = moving_dot(10, size=4)
    assert video.shape == (10, 4, 4)
    torch.testing.assert_close(video.sum(dim=(1, 2)), torch.ones(10))
    assert video[5, 1, 1].item() == 1.0  # 5 mod 4 = 1


def test_lag_correlation_matches_numpy_definition():
    x = noisy_sine(200, noise=0.3, seed=2)
    a, b = x[:-3].double(), x[3:].double()
    expected = ((a - a.mean()) * (b - b.mean())).sum() / ((a - a.mean()).norm() * (b - b.mean()).norm())
    assert lag_correlation(x, 3) == pytest.approx(expected.item())


def test_shuffling_destroys_lag_correlation():
    x = noisy_sine(500, noise=0.1, seed=0)
    shuffled = x[torch.randperm(500, generator=torch.Generator().manual_seed(0))]
    assert lag_correlation(x) > 0.9
    assert abs(lag_correlation(shuffled)) < 0.15


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: noisy_sine(0), ValueError, "n_steps 应为正整数，实际收到 0"),
        (lambda: noisy_sine(10, period=0), ValueError, "period 应为大于 0 的实数，实际收到 0"),
        (lambda: noisy_sine(10, noise=-0.1), ValueError, "noise 应为不小于 0 的实数，实际收到 -0.1"),
        (lambda: noisy_sine(10, noise="0.1"), TypeError, "noise 应为实数（int 或 float），实际收到 str: '0.1'"),
        (lambda: noisy_sine(10, noise=float("nan")), ValueError, "noise 应为有限实数，实际收到 nan"),
        (lambda: noisy_sine(10, seed=1.5), TypeError, "seed 应为整数（int），实际收到 float: 1.5"),
        (lambda: random_walk(10, step_std=-1), ValueError, "step_std 应为不小于 0 的实数，实际收到 -1"),
        (lambda: random_walk(10, start=None), TypeError, "start 应为实数（int 或 float），实际收到 NoneType: None"),
        (lambda: chirp(1), ValueError, "n_steps 应不小于 2，实际收到 1"),
        (lambda: chirp(10, f_end=-0.5), ValueError, "f_end 应为不小于 0 的实数，实际收到 -0.5"),
        (lambda: moving_dot(5, size=0), ValueError, "size 应为正整数，实际收到 0"),
        (lambda: lag_correlation([1.0, 2.0]), TypeError, "series 应为 torch.Tensor，实际收到 list"),
        (lambda: lag_correlation(torch.ones(2, 3)), ValueError, "series 应为 1 维张量，形状 (T,)，实际收到 2 维"),
        (lambda: lag_correlation(torch.ones(5), lag=0), ValueError, "lag 应为正整数，实际收到 0"),
        (lambda: lag_correlation(torch.ones(3), lag=2), ValueError, "series 的长度应大于 lag + 1 = 3，实际为 3"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message)


def test_henon_map_follows_the_recurrence_and_the_seed():
    from rnn_examples.data import henon_map

    x = henon_map(3000, seed=2).double()
    assert x.shape == (3000,)
    # 每个值都由前两个值按 x_{t+1} = 1 - 1.4 x_t² + 0.3 x_{t-1} 算出（只差 float32 的舍入）
    torch.testing.assert_close(x[2:], 1 - 1.4 * x[1:-1] ** 2 + 0.3 * x[:-2], rtol=0, atol=2e-6)
    assert -1.3 < x.min() < -1.2  # 吸引子的范围
    assert 1.2 < x.max() < 1.3
    assert torch.equal(henon_map(50, seed=2), henon_map(50, seed=2))
    assert not torch.equal(henon_map(50, seed=2), henon_map(50, seed=3))
    # burn_in：丢掉前面的步，轨道本身不变
    torch.testing.assert_close(henon_map(10, burn_in=105, seed=2), henon_map(15, burn_in=100, seed=2)[5:])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_steps": 0}, ValueError, "n_steps 应为正整数，实际收到 0"),
        ({"a": 0.0}, ValueError, "a 应为大于 0 的实数，实际收到 0.0"),
        ({"burn_in": -1}, ValueError, "burn_in 应不小于 0，实际收到 -1"),
        ({"burn_in": 1.5}, TypeError, "burn_in 应为整数（int），实际收到 float: 1.5"),
        ({"seed": "0"}, TypeError, "seed 应为整数（int），实际收到 str: '0'"),
        ({"a": 3.0}, ValueError, "轨道在第"),
    ],
)
def test_henon_map_errors(kwargs, error, message):
    from rnn_examples.data import henon_map

    with pytest.raises(error, match=message):
        henon_map(**({"n_steps": 10} | kwargs))
