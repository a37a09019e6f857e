r"""第 2 章（与第 12 章）用的小型合成序列：全部在本地按种子生成，不下载任何数据。

每个函数模仿一类常见的序列数据，时间步都在第一个维度（``dim=0``，长度 ``T``）：

- :func:`noisy_sine`：带噪声的周期信号，像一天 24 小时的气温或传感器读数，``(T,)``。
- :func:`random_walk`：随机游走，像股票价格，``(T,)``。
- :func:`chirp`：频率随时间升高的波形，像一段音频，``(T,)``。
- :func:`moving_dot`：一个亮点逐帧移动的小视频，``(T, S, S)``。
- :func:`henon_map`：Hénon 映射的一条轨道，确定而混沌，下一个值是前两个值的二次函数，
  ``(T,)``。
- :func:`lag_correlation`：相隔 ``lag`` 步的两个值之间的相关系数，用来量化“顺序依赖”。
"""

from __future__ import annotations

import math

import torch

from ._checks import check_float_tensor, check_positive_int, check_real

__all__ = [
    "chirp",
    "henon_map",
    "lag_correlation",
    "moving_dot",
    "noisy_sine",
    "random_walk",
]


def _generator(seed: object) -> torch.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(
            f"seed 应为整数（int），实际收到 {type(seed).__name__}: {seed!r}"
        )
    return torch.Generator().manual_seed(seed)


def noisy_sine(
    n_steps: int, *, period: float = 24.0, noise: float = 0.1, seed: int = 0
) -> torch.Tensor:
    r"""带高斯噪声的正弦序列。

    :math:`x_t = \sin\big(2\pi (t-1) / P\big) + \varepsilon_t`，:math:`t = 1, \dots, T`
    （第 1 步的相位为 0）。

    Args:
        n_steps: 时间步数 ``T``。
        period: 周期 ``P``，以时间步计，须大于 0。
        noise: 噪声标准差 :math:`\sigma`，须不小于 0：
            :math:`\varepsilon_t \sim \mathcal{N}(0, \sigma^2)`。
        seed: 随机种子；同一个种子总是给出同一条序列。

    Returns:
        形状 ``(T,)`` 的 ``float32`` 张量。

    Raises:
        TypeError: 参数类型不对。
        ValueError: ``n_steps`` 或 ``period`` 不为正，或 ``noise`` 为负。

    Example:
        >>> x = noisy_sine(48, period=24.0, noise=0.0)
        >>> x.shape
        torch.Size([48])
        >>> # 四分之一周期处为 1，四分之三处为 -1
        >>> round(x[6].item(), 4), round(x[18].item(), 4)
        (1.0, -1.0)
    """
    n_steps = check_positive_int("n_steps", n_steps)
    period = check_real("period", period, minimum=0.0, strict=True)
    noise = check_real("noise", noise, minimum=0.0)
    generator = _generator(seed)
    t = torch.arange(n_steps, dtype=torch.float32)
    return torch.sin(2 * math.pi * t / period) + noise * torch.randn(
        n_steps, generator=generator
    )


def random_walk(
    n_steps: int, *, start: float = 100.0, step_std: float = 1.0, seed: int = 0
) -> torch.Tensor:
    r"""随机游走，像股票价格。

    :math:`x_1 = x_{\text{start}}`，:math:`x_t = x_{t-1} + \varepsilon_t`
    （:math:`t = 2, \dots, T`），
    增量 :math:`\varepsilon_t \sim \mathcal{N}(0, \sigma^2)` 相互独立，
    所以 :math:`x_t` 累积了 :math:`t - 1` 个增量。
    今天的值等于昨天的值加一个随机增量：每一步都依赖前一步，这正是价格类序列的特点。

    Args:
        n_steps: 时间步数 ``T``。
        start: 起始值 :math:`x_1`。
        step_std: 增量的标准差 :math:`\sigma`，须不小于 0。
        seed: 随机种子。

    Returns:
        形状 ``(T,)`` 的 ``float32`` 张量，第一个元素等于 ``start``。

    Raises:
        TypeError: 参数类型不对。
        ValueError: ``n_steps`` 不为正，或 ``step_std`` 为负。

    Example:
        >>> x = random_walk(5, start=100.0, step_std=0.0)
        >>> x.tolist()
        [100.0, 100.0, 100.0, 100.0, 100.0]
    """
    n_steps = check_positive_int("n_steps", n_steps)
    start = check_real("start", start)
    step_std = check_real("step_std", step_std, minimum=0.0)
    generator = _generator(seed)
    steps = step_std * torch.randn(n_steps, generator=generator)
    steps[0] = 0.0
    return start + torch.cumsum(steps, dim=0)


def chirp(n_steps: int, *, f_start: float = 0.01, f_end: float = 0.2) -> torch.Tensor:
    r"""线性调频信号：频率从 ``f_start`` 线性升到 ``f_end``，单位为“周期/时间步”。

    .. math::

        x_t = \sin\Big(2\pi\big(f_0 n + \tfrac{f_1 - f_0}{2(T-1)}\,n^2\big)\Big),
        \quad n = t - 1, \quad t = 1, \dots, T

    声音是按时间采样的波形，音高的变化体现在波形“疏密”随时间的变化上。

    Args:
        n_steps: 时间步数 ``T``，至少为 2。
        f_start: 起始频率 :math:`f_0`，须不小于 0。
        f_end: 终止频率 :math:`f_1`，须不小于 0。

    Returns:
        形状 ``(T,)`` 的 ``float32`` 张量，取值在 ``[-1, 1]``。

    Raises:
        TypeError: 参数类型不对。
        ValueError: ``n_steps`` 小于 2，或频率为负。

    Example:
        >>> x = chirp(200)
        >>> x.shape, x[0].item()
        (torch.Size([200]), 0.0)
    """
    n_steps = check_positive_int("n_steps", n_steps)
    if n_steps < 2:
        raise ValueError(f"n_steps 应不小于 2，实际收到 {n_steps}")
    f_start = check_real("f_start", f_start, minimum=0.0)
    f_end = check_real("f_end", f_end, minimum=0.0)
    t = torch.arange(n_steps, dtype=torch.float64)
    phase = f_start * t + (f_end - f_start) / (2 * (n_steps - 1)) * t**2
    return torch.sin(2 * math.pi * phase).to(torch.float32)


def moving_dot(n_frames: int, *, size: int = 8) -> torch.Tensor:
    r"""一个亮点在 ``size × size`` 的画面里沿对角线逐帧移动（到边后从头开始）的小视频。

    下标为 ``t`` 的一帧（第 ``t + 1`` 帧）里，亮点是像素 ``[t mod S, t mod S]``，
    其余像素为 0。
    单看一帧只知道亮点在哪里；要知道它往哪个方向运动，必须看相邻的帧。

    Args:
        n_frames: 帧数 ``T``。
        size: 画面边长 ``S``。

    Returns:
        形状 ``(T, S, S)`` 的 ``float32`` 张量，每帧恰有一个像素为 1。

    Raises:
        TypeError: 参数类型不对。
        ValueError: 参数不为正。

    Example:
        >>> video = moving_dot(3, size=4)
        >>> video.shape
        torch.Size([3, 4, 4])
        >>> [tuple(frame.nonzero()[0].tolist()) for frame in video]
        [(0, 0), (1, 1), (2, 2)]
    """
    n_frames = check_positive_int("n_frames", n_frames)
    size = check_positive_int("size", size)
    video = torch.zeros(n_frames, size, size)
    t = torch.arange(n_frames)
    video[t, t % size, t % size] = 1.0
    return video


def henon_map(
    n_steps: int, *, a: float = 1.4, b: float = 0.3, burn_in: int = 100, seed: int = 0
) -> torch.Tensor:
    r"""Hénon 映射的一条轨道：没有噪声、却不可长期预测（混沌）的序列。

    .. math::

        x_{t+1} = 1 - a\, x_t^2 + b\, x_{t-1}

    下一个值是最近两个值的一个固定的二次函数，所以“只看最近两个值”的模型原则上能把
    一步预测的误差降到 0；难的是每一步都要算出平方。:math:`a = 1.4,\ b = 0.3` 是 Hénon
    原文的参数，轨道落在一个奇怪吸引子上，取值约在 :math:`[-1.3, 1.3]`。

    起点 :math:`(x_{-1}, x_0)` 在 :math:`[-0.1, 0.1]^2` 上均匀随机（由 ``seed`` 决定），
    先迭代 ``burn_in`` 步落到吸引子上，再记下之后的 ``n_steps`` 个值。迭代用 Python 的
    双精度浮点数，同一个种子在任何机器上都给出同一条轨道。

    Args:
        n_steps: 记下的时间步数 ``T``。
        a: 二次项系数，正数。
        b: 上上一步的系数。
        burn_in: 记录之前丢掉的步数，不小于 0。
        seed: 随机种子，决定起点。

    Returns:
        形状 ``(T,)`` 的 ``float32`` 张量。

    Raises:
        TypeError: 参数类型不对。
        ValueError: ``n_steps`` 不为正、``a`` 不为正或 ``burn_in`` 为负；轨道发散
            （``a``、``b`` 取在吸引子存在的范围之外）。

    Example:
        >>> x = henon_map(500, seed=0).double()
        >>> x.shape, bool(x.abs().max() < 1.5)
        (torch.Size([500]), True)
        >>> nxt = 1 - 1.4 * x[1:-1] ** 2 + 0.3 * x[:-2]  # 由前两个值算出下一个值
        >>> bool((nxt - x[2:]).abs().max() < 1e-6)
        True
    """
    n_steps = check_positive_int("n_steps", n_steps)
    a = check_real("a", a, minimum=0.0, strict=True)
    b = check_real("b", b)
    if isinstance(burn_in, bool) or not isinstance(burn_in, int):
        raise TypeError(
            f"burn_in 应为整数（int），实际收到 {type(burn_in).__name__}: {burn_in!r}"
        )
    if burn_in < 0:
        raise ValueError(f"burn_in 应不小于 0，实际收到 {burn_in}")
    start = torch.rand(2, generator=_generator(seed), dtype=torch.float64) * 0.2 - 0.1
    before, current = float(start[0]), float(start[1])  # x_{t-1}, x_t
    values = []
    for step in range(burn_in + n_steps):
        before, current = current, 1.0 - a * current * current + b * before
        if not math.isfinite(current) or abs(current) > 1e6:
            raise ValueError(
                f"轨道在第 {step + 1} 步发散（|x| > 1e6）："
                f"a={a}、b={b} 时没有有界的吸引子"
            )
        if step >= burn_in:
            values.append(current)
    return torch.tensor(values, dtype=torch.float32)


def lag_correlation(series: torch.Tensor, lag: int = 1) -> float:
    r"""序列与自身平移 ``lag`` 步之后的皮尔逊相关系数（滞后 ``lag`` 的自相关）。

    .. math::

        \rho(k) = \mathrm{corr}\big((x_1, \dots, x_{T-k}),\ (x_{1+k}, \dots, x_T)\big)

    :math:`\rho(k)` 接近 1 说明相隔 ``k`` 步的值高度相关：知道前面，就能大致猜出后面。
    把序列打乱后，相关性随之消失，:math:`\rho(k)` 接近 0。

    Args:
        series: 形状 ``(T,)`` 的浮点张量，``T > lag + 1``。
        lag: 平移的步数 ``k``。

    Returns:
        相关系数，``float``，在 ``[-1, 1]`` 内。

    Raises:
        TypeError: ``series`` 不是浮点张量，或 ``lag`` 不是整数。
        ValueError: ``series`` 不是一维、``lag`` 不为正或序列太短。

    Example:
        >>> x = noisy_sine(240, noise=0.0)
        >>> round(lag_correlation(x, lag=1), 3)
        0.966
        >>> round(lag_correlation(x, lag=12), 3)         # 相隔半个周期：正好反相
        -1.0
    """
    series = check_float_tensor("series", series, ndim=1, layout="(T,)")
    lag = check_positive_int("lag", lag)
    if series.shape[0] <= lag + 1:
        raise ValueError(
            f"series 的长度应大于 lag + 1 = {lag + 1}，实际为 {series.shape[0]}"
        )
    pair = torch.stack([series[:-lag], series[lag:]]).double()
    return float(torch.corrcoef(pair)[0, 1])
