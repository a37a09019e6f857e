"""梯度随距离的变化、谱半径缩放与梯度裁剪（rnn_examples.gradients）。"""

from __future__ import annotations

import pytest
import torch
from torch.testing import assert_close

from rnn_examples.gradients import (
    clip_by_global_norm,
    rescale_to_spectral_radius,
    run_states,
    spectral_radius,
    state_gradient_norms,
    state_jacobians,
)


def _matrix(radius: float, H: int = 16, seed: int = 0) -> torch.Tensor:
    return rescale_to_spectral_radius(torch.randn(H, H, generator=torch.Generator().manual_seed(seed)), radius)


@pytest.mark.parametrize("radius", [0.5, 1.0, 1.5])
def test_rescale_sets_spectral_radius(radius):
    assert spectral_radius(_matrix(radius)) == pytest.approx(radius, rel=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_gradients_shrink_below_one_and_grow_above_one(seed):
    g = torch.Generator().manual_seed(seed + 10)
    small = state_gradient_norms(_matrix(0.5, seed=seed), steps=30, nonlinearity="identity", generator=g)
    large = state_gradient_norms(_matrix(1.5, seed=seed), steps=30, nonlinearity="identity", generator=g)
    assert small[-1] < 1e-4 < 1 < 1e3 < large[-1]
    # 从足够远处起按 ρ^d 的速率变化：每 10 步的比值接近 ρ^10
    assert small[29] / small[19] == pytest.approx(0.5**10, rel=0.5)
    assert large[29] / large[19] == pytest.approx(1.5**10, rel=0.5)


def test_gradient_norm_is_product_of_jacobians():
    g = torch.Generator().manual_seed(0)
    W = _matrix(1.2, H=6)
    x = torch.randn(1, 8, 6, generator=g, requires_grad=True)
    states = run_states(W, x, "tanh")
    for s in states:
        s.retain_grad()
    v = torch.randn(6, generator=g)
    (states[-1] @ v).sum().backward()
    J = state_jacobians(W, states, "tanh")[0]  # (T, H, H)
    delta = v
    for k in range(7, 0, -1):  # δ_k = J_{k+1}ᵀ δ_{k+1}
        delta = J[k].T @ delta
        assert_close(states[k - 1].grad[0], delta)


def test_clip_matches_torch_and_bounds_the_norm():
    g = torch.Generator().manual_seed(0)
    grads = [torch.randn(4, 3, generator=g) * 10, torch.randn(5, generator=g) * 10]
    clipped = clip_by_global_norm(grads, max_norm=1.0)
    assert torch.sqrt(sum((c**2).sum() for c in clipped)) == pytest.approx(1.0, rel=1e-6)
    params = [torch.nn.Parameter(torch.zeros_like(t)) for t in grads]
    for p, grad in zip(params, grads, strict=True):
        p.grad = grad.clone()
    torch.nn.utils.clip_grad_norm_(params, max_norm=1.0)
    for p, c in zip(params, clipped, strict=True):
        assert_close(p.grad, c)
    # 范数已在阈值以内时不变
    small = [torch.tensor([0.3, 0.4])]
    assert_close(clip_by_global_norm(small, max_norm=1.0), small)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="radius 应为大于 0 的实数，实际收到 -1"):
        rescale_to_spectral_radius(torch.eye(3), -1)
    with pytest.raises(TypeError, match="radius 应为实数"):
        rescale_to_spectral_radius(torch.eye(3), "1")
    with pytest.raises(ValueError, match="谱半径为 0"):
        rescale_to_spectral_radius(torch.zeros(3, 3), 1.0)
    with pytest.raises(ValueError, match="方阵"):
        spectral_radius(torch.zeros(3, 4))
    with pytest.raises(ValueError, match="'tanh'、'relu' 或 'identity'，实际收到 'sigmoid'"):
        state_gradient_norms(torch.eye(3), steps=3, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="grads 应至少包含一个张量"):
        clip_by_global_norm([], 1.0)
    with pytest.raises(ValueError, match="max_norm 应为大于 0 的实数"):
        clip_by_global_norm([torch.ones(2)], 0.0)
    with pytest.raises(TypeError, match=r"grads\[0\] 应为浮点张量"):
        clip_by_global_norm([torch.ones(2, dtype=torch.long)], 1.0)
