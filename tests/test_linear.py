"""线性自回归基线（rnn_examples.linear）：最小二乘解与正规方程的闭式解一致，正弦波的二阶递推被精确找回。"""

from __future__ import annotations

import math

import pytest
import torch
from torch.testing import assert_close

from rnn_examples.data import noisy_sine
from rnn_examples.linear import LinearAR, fit_linear_ar
from rnn_examples.tasks import sliding_windows


def test_least_squares_matches_the_normal_equations() -> None:
    series = noisy_sine(200, period=25.0, noise=0.3, seed=3)
    x, y = sliding_windows(series, 5)
    model = fit_linear_ar(x, y)
    design = torch.cat([x[:, :, 0], torch.ones(len(x), 1)], dim=1).double()
    closed_form = torch.linalg.solve(design.T @ design, design.T @ y.double())[:, 0]  # (XᵀX)⁻¹Xᵀy
    assert_close(model.weight.double(), closed_form[:-1], rtol=1e-5, atol=1e-6)
    assert_close(model.bias.double(), closed_form[-1], rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        residual = model(x) - y
    assert_close(design.T @ residual.double(), torch.zeros(6, 1, dtype=torch.float64), atol=1e-4, rtol=0)


def test_two_noise_free_points_determine_a_sine_of_known_period() -> None:
    period = 25.0
    x, y = sliding_windows(noisy_sine(100, period=period, noise=0.0), 2)
    model = fit_linear_ar(x, y)
    omega = 2 * math.pi / period
    assert_close(model.weight, torch.tensor([-1.0, 2 * math.cos(omega)]), rtol=0, atol=1e-4)
    assert abs(model.bias.item()) < 1e-4
    with torch.no_grad():
        assert_close(model(x), y, rtol=0, atol=1e-4)


def test_forward_matches_the_weighted_sum() -> None:
    model = LinearAR(3)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([0.5, -1.0, 2.0]))
        model.bias.fill_(0.25)
    x = torch.tensor([[[1.0], [2.0], [3.0]]])
    assert_close(model(x), torch.tensor([[0.5 - 2.0 + 6.0 + 0.25]]))


def test_bad_inputs_are_rejected() -> None:
    x, y = sliding_windows(noisy_sine(30, noise=0.1), 4)
    with pytest.raises(TypeError, match="window 应为正整数"):
        LinearAR(2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="window 应为正整数"):
        LinearAR(0)
    with pytest.raises(ValueError, match="窗口长度 w"):
        LinearAR(3)(x)
    with pytest.raises(TypeError, match="浮点张量"):
        fit_linear_ar(x.long(), y)
    with pytest.raises(ValueError, match="样本数 N"):
        fit_linear_ar(x, y[:-1])
    with pytest.raises(ValueError, match="至少要有 w \\+ 1 = 5 个样本"):
        fit_linear_ar(x[:4], y[:4])
