r"""梯度消失与梯度爆炸的实验工具，以及按范数裁剪梯度的规则。

实验模型（输入直接加到隐藏状态上，即取 ``U = I`` 、 ``b_h = 0`` ）::

    s_t = f(W s_{t-1} + x_t),    s_0 = 0,    L = vᵀ s_T

于是 δ_T = v，并且

    δ_k = J_{k+1}ᵀ J_{k+2}ᵀ ⋯ J_Tᵀ v,    J_t = ∂s_t/∂s_{t-1} = diag(f'(a_t)) W

``f`` 为恒等函数时 J_t = W，δ_k = (Wᵀ)^{T-k} v，距离 T−k 足够大时，
其范数大约按 ρ(W)^{T-k} 变化（ρ 为谱半径，即特征值绝对值的最大者）。

梯度裁剪（按全局范数）::

    g ← min(1, θ / ‖g‖) · g

形状记号： ``B`` 批大小， ``T`` 时间步数， ``H`` 隐藏状态维数。
"""

from __future__ import annotations

import torch

from ._checks import (
    NONLINEARITIES,
    check_choice,
    check_float_tensor,
    check_positive_int,
    check_real,
    check_size,
)
from .models import ACTIVATIONS, DERIVATIVES

# 实验还允许恒等函数（线性 RNN），梯度的变化这时只由 W 决定
EXPERIMENT_NONLINEARITIES = (*NONLINEARITIES, "identity")


def _check_experiment_nonlinearity(value: object) -> str:
    return check_choice("nonlinearity", value, EXPERIMENT_NONLINEARITIES)


def _check_square(name: str, matrix: object) -> torch.Tensor:
    square = check_float_tensor(name, matrix, ndim=2, layout="(H, H)")
    check_size(name, square, 1, square.shape[0], "应与行数相同（方阵）")
    return square


def spectral_radius(W: torch.Tensor) -> float:
    r"""谱半径 :math:`\rho(W) = \max_i |\lambda_i(W)|`。

    Example:
        >>> import torch
        >>> from rnn_examples.gradients import spectral_radius
        >>> W = torch.tensor([[0.0, 2.0], [-2.0, 0.0]])  # 特征值 ±2i
        >>> round(spectral_radius(W), 6)
        2.0
    """
    _check_square("W", W)
    return float(torch.linalg.eigvals(W.double()).abs().max())


def rescale_to_spectral_radius(W: torch.Tensor, radius: float) -> torch.Tensor:
    r"""把 ``W`` 缩放到指定的谱半径：返回 :math:`W \cdot \rho^\ast / \rho(W)`。

    :math:`\rho^\ast` 是目标谱半径，即参数 ``radius`` （正数）；:math:`\rho(W)` 是
    ``W`` 现在的谱半径（:func:`spectral_radius`）。特征向量不变，所有特征值同乘
    :math:`\rho^\ast / \rho(W)`，所以结果的谱半径恰为 :math:`\rho^\ast`。

    Raises:
        TypeError: ``W`` 不是浮点方阵张量，或 ``radius`` 不是数。
        ValueError: ``W`` 不是方阵、谱半径为 0，或 ``radius`` 不是有限正数。

    Example:
        >>> import torch
        >>> from rnn_examples.gradients import (
        ...     rescale_to_spectral_radius,
        ...     spectral_radius,
        ... )
        >>> W = torch.randn(8, 8, generator=torch.Generator().manual_seed(0))
        >>> round(spectral_radius(rescale_to_spectral_radius(W, 1.5)), 6)
        1.5
    """
    target = check_real("radius", radius, minimum=0.0, strict=True)
    current = spectral_radius(W)
    if current == 0:
        raise ValueError("W 的谱半径应大于 0 才能缩放，实际收到谱半径为 0 的矩阵")
    return W * (target / current)


def run_states(
    W: torch.Tensor, x: torch.Tensor, nonlinearity: str = "tanh"
) -> list[torch.Tensor]:
    """按 :math:`s_t = f(W s_{t-1} + x_t)` 计算 ``[s_1, …, s_T]`` 。

    每个 ``s_t`` 为 ``(B, H)`` ，保留计算图。

    形状:
        - ``W``: ``(H, H)`` ； ``x``: ``(B, T, H)`` 。
    """
    name = _check_experiment_nonlinearity(nonlinearity)
    _check_square("W", W)
    check_float_tensor("x", x, ndim=3, layout="(B, T, H)")
    check_size("x", x, -1, W.shape[0], "隐藏状态维数 H")
    f = ACTIVATIONS[name]
    s = x.new_zeros(x.shape[0], W.shape[0])
    states = []
    for t in range(x.shape[1]):
        s = f(s @ W.T + x[:, t])
        states.append(s)
    return states


def state_jacobians(
    W: torch.Tensor, states: list[torch.Tensor], nonlinearity: str = "tanh"
) -> torch.Tensor:
    r"""每一步的雅可比矩阵。

    .. math::

        J_t = \partial s_t / \partial s_{t-1} = \mathrm{diag}(f'(a_t))\,W

    Args:
        W: ``(H, H)`` 。
        states: :func:`run_states` 的返回值， ``T`` 个 ``(B, H)`` 。
        nonlinearity: ``"tanh"`` 、 ``"relu"`` 或 ``"identity"`` 。

    形状:
        - 返回: ``(B, T, H, H)`` ， ``[:, t-1]`` 是 :math:`J_t`。
    """
    name = _check_experiment_nonlinearity(nonlinearity)
    stacked = torch.stack([s.detach() for s in states], dim=1)  # (B, T, H)
    derivative = DERIVATIVES[name](stacked)  # f'(a_t): (B, T, H)
    return derivative.unsqueeze(-1) * W  # diag(f') W: (B, T, H, H)


def state_gradient_norms(
    W: torch.Tensor,
    *,
    steps: int,
    nonlinearity: str = "tanh",
    batch_size: int = 32,
    input_std: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""用自动求导测量 :math:`\|\partial L/\partial s_k\|` 随距离 :math:`T-k` 的变化。

    输入 :math:`x_t \sim \mathcal{N}(0, \sigma^2 I)`，损失 :math:`L = v^\top s_T`，
    :math:`v` 是随机单位向量（同一批共用）。

    Returns:
        ``(T,)`` 张量 ``norms``：``norms[d]`` 是距离 ``d = T - k`` 处
        :math:`\|\delta_k\|_2` 的批平均；
        ``norms[0]`` 恒为 1（:math:`\delta_T = v`）。

    Example:
        >>> import torch
        >>> from rnn_examples.gradients import (
        ...     rescale_to_spectral_radius,
        ...     state_gradient_norms,
        ... )
        >>> g = torch.Generator().manual_seed(0)
        >>> W = rescale_to_spectral_radius(torch.randn(16, 16, generator=g), 0.5)
        >>> norms = state_gradient_norms(
        ...     W, steps=20, nonlinearity="identity", generator=g
        ... )
        >>> norms.shape, round(float(norms[0]), 4), bool(norms[-1] < 1e-3)
        (torch.Size([20]), 1.0, True)
    """
    name = _check_experiment_nonlinearity(nonlinearity)
    _check_square("W", W)
    steps = check_positive_int("steps", steps)
    batch_size = check_positive_int("batch_size", batch_size)
    std = check_real("input_std", input_std, minimum=0.0, strict=True)
    hidden = W.shape[0]
    x = torch.randn(batch_size, steps, hidden, generator=generator, dtype=W.dtype) * std
    x.requires_grad_(True)  # 让每个 s_t 都在计算图里，才能取到 ∂L/∂s_t
    v = torch.randn(hidden, generator=generator, dtype=W.dtype)
    v = v / v.norm()
    states = run_states(W.detach(), x, name)
    deltas = torch.autograd.grad((states[-1] @ v).sum(), states)  # ∂L/∂s_k
    norms = torch.stack([d.norm(dim=-1).mean() for d in deltas])  # 下标 k-1
    return norms.flip(0)  # 下标 T-k


def clip_by_global_norm(
    grads: list[torch.Tensor], max_norm: float
) -> list[torch.Tensor]:
    r"""梯度裁剪：返回 :math:`\min(1, \theta/\|g\|)\,g`。

    :math:`g` 是把所有梯度接起来的一个长向量。

    与 ``torch.nn.utils.clip_grad_norm_`` 的区别只在于后者把分母写成
    :math:`\|g\| + 10^{-6}` （避免除以 0）。本函数不修改输入。

    Raises:
        TypeError: ``grads`` 中有非浮点张量，或 ``max_norm`` 不是数。
        ValueError: ``grads`` 为空，或 ``max_norm`` 不是有限正数。

    Example:
        >>> import torch
        >>> from rnn_examples.gradients import clip_by_global_norm
        >>> grads = [torch.tensor([3.0]), torch.tensor([4.0])]  # ‖g‖ = 5
        >>> clip_by_global_norm(grads, max_norm=1.0)
        [tensor([0.6000]), tensor([0.8000])]
    """
    theta = check_real("max_norm", max_norm, minimum=0.0, strict=True)
    grads = list(grads)
    if not grads:
        raise ValueError("grads 应至少包含一个张量，实际收到空序列")
    for index, grad in enumerate(grads):
        if not isinstance(grad, torch.Tensor) or not grad.is_floating_point():
            raise TypeError(
                f"grads[{index}] 应为浮点张量，实际收到 {type(grad).__name__}"
            )
    total = torch.cat([grad.double().flatten() for grad in grads]).norm()  # ‖g‖
    scale = torch.clamp(theta / total, max=1.0)
    return [grad * scale.to(grad.dtype) for grad in grads]
