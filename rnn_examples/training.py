r"""一个小而完整的训练循环：均方误差、 ``torch.optim`` 、可选的梯度裁剪。

每一步::

    ŷ = model(x_batch)                       (B, O)
    L = mean((ŷ − y_batch)²)                 均方误差
    g = ∇L；若给定 max_norm=θ，g ← min(1, θ/‖g‖)·g   （torch.nn.utils.clip_grad_norm_）
    optimizer.step()

损失一旦变成 ``inf``/``nan`` （训练发散），立即停止并在结果里记下 ``diverged=True`` 。

形状记号： ``N`` 样本数， ``B`` 批大小， ``T`` 时间步数， ``D`` 输入特征数，
``O`` 输出维数。
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from ._checks import check_float_tensor, check_positive_int, check_real, check_size

OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}


@dataclass
class TrainHistory:
    """训练记录。

    Attributes:
        losses: 每一步更新前、在当步小批量上的损失。
        grad_norms: 每一步裁剪前的梯度全局范数 :math:`\\|g\\|`。
        diverged: 是否因损失或梯度不再有限而提前停止。
    """

    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    diverged: bool = False


def train_regressor(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int,
    lr: float,
    optimizer: str = "adam",
    batch_size: int | None = None,
    max_norm: float | None = None,
    seed: int = 0,
) -> TrainHistory:
    """用均方误差训练 ``model`` （原地修改它的参数），返回 :class:`TrainHistory`。

    Args:
        model: 把 ``(B, T, D)`` 映射到 ``(B, O)`` 的模型，
            如 :class:`~rnn_examples.models.SimpleRNN`。
        x: ``(N, T, D)`` 输入。
        y: ``(N, O)`` 目标。
        steps: 更新步数，正整数。
        lr: 学习率，正数。
        optimizer: ``"adam"`` （默认）或 ``"sgd"`` 。
        batch_size: 每步随机抽取（有放回）的样本数；
            ``None`` 表示每步用全部 ``N`` 个样本。
        max_norm: 梯度裁剪阈值 :math:`\\theta`； ``None`` 表示不裁剪。
        seed: 抽取小批量的随机种子。

    Raises:
        TypeError: ``model`` 不是 ``nn.Module`` ， ``x``/``y`` 不是浮点张量，
            数值参数类型不对。
        ValueError: ``steps`` 、 ``lr`` 、 ``batch_size`` 、 ``max_norm`` 不为正，
            优化器未知，或 ``x`` 与 ``y`` 的样本数不同。

    Example:
        >>> import torch
        >>> from rnn_examples import SimpleRNN
        >>> from rnn_examples.training import train_regressor
        >>> _ = torch.manual_seed(0)
        >>> x, y = torch.randn(16, 5, 1), torch.randn(16, 1)
        >>> history = train_regressor(SimpleRNN(1, 8, 1), x, y, steps=20, lr=0.01)
        >>> losses = history.losses
        >>> len(losses), losses[-1] < losses[0], history.diverged
        (20, True, False)
        >>> train_regressor(SimpleRNN(1, 8, 1), x, y, steps=0, lr=0.01)
        Traceback (most recent call last):
        ...
        ValueError: steps 应为正整数，实际收到 0
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model 应为 torch.nn.Module，实际收到 {type(model).__name__}")
    check_positive_int("steps", steps)
    check_real("lr", lr, minimum=0.0, strict=True)
    if optimizer not in OPTIMIZERS:
        raise ValueError(
            f"optimizer 应为 {' 或 '.join(map(repr, OPTIMIZERS))}，"
            f"实际收到 {optimizer!r}"
        )
    check_float_tensor("x", x, ndim=3, layout="(N, T, D)")
    check_float_tensor("y", y, ndim=2, layout="(N, O)")
    check_size("y", y, 0, x.shape[0], "样本数 N，须与 x 相同")
    if batch_size is not None:
        check_positive_int("batch_size", batch_size)
    if max_norm is not None:
        check_real("max_norm", max_norm, minimum=0.0, strict=True)

    optim = OPTIMIZERS[optimizer](model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    history = TrainHistory()
    for _ in range(steps):
        if batch_size is None:
            x_batch, y_batch = x, y
        else:
            index = torch.randint(0, x.shape[0], (batch_size,), generator=generator)
            x_batch, y_batch = x[index], y[index]
        loss = nn.functional.mse_loss(model(x_batch), y_batch)
        optim.zero_grad()
        loss.backward()
        # max_norm=inf 时只计算范数、不改变梯度
        norm = nn.utils.clip_grad_norm_(
            model.parameters(), math.inf if max_norm is None else max_norm
        )
        history.losses.append(loss.item())
        history.grad_norms.append(norm.item())
        if not (
            math.isfinite(history.losses[-1]) and math.isfinite(history.grad_norms[-1])
        ):
            history.diverged = True
            break
        optim.step()
    return history
