r"""线性自回归模型：用前 ``w`` 个值的加权和预测下一个值（第 9、10 章的基线）。

.. math::

    \hat x_{t+1} = a_1 x_{t-w+1} + a_2 x_{t-w+2} + \dots + a_w x_t + c

这是预测带噪正弦波时最强的简单对手：无噪声的正弦波
:math:`x_t = \sin(\omega t + \varphi)` 满足
:math:`x_{t+1} = 2\cos\omega\; x_t - x_{t-1}`，周期已知（即 :math:`\omega` 已知）时
只用前两个值就能精确外推；有噪声时，更长的窗口让最小二乘把噪声平均掉一部分。

系数由最小二乘给出（:func:`fit_linear_ar`，用 ``torch.linalg.lstsq`` 解
:math:`\min_{a, c} \sum_i (a^\top x_{(i)} + c - y_i)^2`，
:math:`x_{(i)}` 是第 i 个窗口），没有迭代、没有随机性。
:class:`LinearAR` 的输入输出形状与 :class:`~rnn_examples.models.SimpleRNN` 相同，
可以直接拿 :func:`~rnn_examples.tasks.sliding_windows` 的样本去比较。

形状记号：``N`` 样本数，``B`` 批大小，``w`` 窗口长度。
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_float_tensor, check_positive_int, check_size

__all__ = ["LinearAR", "fit_linear_ar"]


class LinearAR(nn.Module):
    r"""线性自回归：:math:`\hat x_{t+1} = a^\top (x_{t-w+1}, \dots, x_t) + c`。

    输入 ``(B, w, 1)`` （与 :func:`~rnn_examples.tasks.sliding_windows` 给出的 ``x``
    相同），返回 ``(B, 1)`` 。

    Args:
        window: 窗口长度 ``w`` （用前几个值）。

    Example:
        >>> import math
        >>> import torch
        >>> from rnn_examples.linear import LinearAR
        >>> model = LinearAR(2)
        >>> omega = 2 * math.pi / 25
        >>> with torch.no_grad():  # x_{t+1} = 2cos(ω) x_t − x_{t−1}
        ...     _ = model.weight.copy_(torch.tensor([-1.0, 2 * math.cos(omega)]))
        >>> t = torch.arange(3.0)
        >>> x = torch.sin(omega * t)
        >>> round(model(x[None, :2, None]).item(), 5) == round(x[2].item(), 5)
        True
    """

    def __init__(self, window: int) -> None:
        super().__init__()
        self.window = check_positive_int("window", window)
        self.weight = nn.Parameter(torch.zeros(window))  # a：(w,)，a[0] 乘最早的值
        self.bias = nn.Parameter(torch.zeros(()))  # c

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, w, 1) -> (B, 1)``。"""
        check_float_tensor("x", x, ndim=3, layout="(B, w, 1)")
        check_size("x", x, 1, self.window, "窗口长度 w")
        check_size("x", x, 2, 1, "每步一个值")
        prediction: torch.Tensor = x[:, :, 0] @ self.weight + self.bias  # (B,)
        return prediction.unsqueeze(-1)  # (B, 1)


def fit_linear_ar(x: torch.Tensor, y: torch.Tensor) -> LinearAR:
    r"""用最小二乘拟合 :class:`LinearAR`：使 :math:`\sum_i (\hat y_i - y_i)^2` 最小。

    把每个窗口后面补一个 1（对应截距 :math:`c`），用 ``torch.linalg.lstsq``
    在双精度下解线性方程组的最小二乘问题。

    Args:
        x: ``(N, w, 1)``，每行一个窗口（如 :func:`~rnn_examples.tasks.sliding_windows`
            的 ``x``）。
        y: ``(N, 1)``，每个窗口后面的那个值。

    Returns:
        拟合好的 :class:`LinearAR` （ ``float32`` ）。

    Raises:
        TypeError: ``x``、``y`` 不是浮点张量。
        ValueError: 形状不对，或样本数少于未知数的个数 ``w + 1``。

    Example:
        >>> import torch
        >>> from rnn_examples.linear import fit_linear_ar
        >>> from rnn_examples.tasks import sliding_windows
        >>> series = 0.5 + 0.8 ** torch.arange(12.0)  # x_{t+1} = 0.8 x_t + 0.1
        >>> model = fit_linear_ar(*sliding_windows(series, 1))
        >>> round(model.weight.item(), 4), round(model.bias.item(), 4)
        (0.8, 0.1)
    """
    check_float_tensor("x", x, ndim=3, layout="(N, w, 1)")
    check_size("x", x, 2, 1, "每步一个值")
    check_float_tensor("y", y, ndim=2, layout="(N, 1)")
    check_size("y", y, 0, x.shape[0], "样本数 N，须与 x 相同")
    check_size("y", y, 1, 1, "每个样本一个目标值")
    samples, window = x.shape[0], x.shape[1]
    if samples < window + 1:
        raise ValueError(
            f"x 至少要有 w + 1 = {window + 1} 个样本才能定出 {window} 个系数和截距，"
            f"实际只有 {samples} 个"
        )
    design = torch.cat([x[:, :, 0], x.new_ones(samples, 1)], dim=1).double()  # (N, w+1)
    solution = torch.linalg.lstsq(design, y.double()).solution[:, 0]  # (w+1,)
    model = LinearAR(window)
    with torch.no_grad():
        model.weight.copy_(solution[:-1])
        model.bias.copy_(solution[-1])
    return model
