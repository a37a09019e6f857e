r"""一个小而完整的训练循环：均方误差、 ``torch.optim`` 、可选的梯度裁剪。

每一步::

    ŷ = model(x_batch)                       (B, O)
    L = mean((ŷ − y_batch)²)                 均方误差
    optimizer.zero_grad(); L.backward()      g = ∇L
    若给定 max_norm=θ，g ← min(1, θ/‖g‖)·g    （torch.nn.utils.clip_grad_norm_）
    optimizer.step()

后三行（清零梯度、反向传播、裁剪、更新）是 :func:`optimizer_step`；第 10 章的
:func:`train_regressor` 与 :func:`train_on_sequence`、第 11 章的
:func:`~rnn_examples.charlm.train_charlm`、第 14、15 章的
:func:`~rnn_examples.seq2seq.train_seq2seq` 都用它。损失或梯度范数一旦不再有限
（训练发散）， :func:`train_regressor` 与 :func:`train_on_sequence` 立即停止并在结果里
记下 ``diverged=True`` 。

形状记号： ``N`` 样本数（:func:`sequential_batches` 与 :func:`random_batch`
里是序列长度）， ``B`` 批大小， ``T`` 时间步数， ``D`` 输入特征数， ``O`` 输出维数；
``C`` 块数， ``k`` 块长（``chunk``）。
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from ._checks import (
    check_choice,
    check_float_tensor,
    check_positive_int,
    check_real,
    check_sequence,
    check_size,
)

OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}


def optimizer_step(
    optimizer: torch.optim.Optimizer, loss: torch.Tensor, max_norm: float | None = None
) -> tuple[float, float]:
    r"""一步更新的后半段：清零梯度、反向传播、裁剪、更新参数。

    :math:`g = \nabla L`；给定 ``max_norm`` :math:`= \theta` 时
    :math:`g \leftarrow \min(1, \theta / \|g\|)\, g`
    （``torch.nn.utils.clip_grad_norm_``）。
    裁剪的是 ``optimizer`` 管理的全部参数的梯度（全局范数 :math:`\|g\|`）。
    损失或范数不再有限（训练发散）时不更新参数，由调用者决定停不停
    （此时各参数的 ``.grad`` 也不再有限；下一次调用会先清零）。

    Returns:
        ``(loss, norm)``：这一步的损失与裁剪前的梯度范数 :math:`\|g\|`，都是 ``float``。

    Example:
        >>> import torch
        >>> from rnn_examples.training import optimizer_step
        >>> w = torch.nn.Parameter(torch.tensor([3.0, 4.0]))
        >>> optim = torch.optim.SGD([w], lr=0.1)
        >>> optimizer_step(optim, (w**2).sum() / 2, max_norm=1.0)  # g = w，‖g‖ = 5
        (12.5, 5.0)
        >>> w.grad, w.data                                       # 裁剪成 g/5，再走一步
        (tensor([0.6000, 0.8000]), tensor([2.9400, 3.9200]))
    """
    parameters = [p for group in optimizer.param_groups for p in group["params"]]
    optimizer.zero_grad()
    loss.backward()
    # max_norm=None 时用 θ = inf：只计算范数、不改变梯度
    norm = nn.utils.clip_grad_norm_(
        parameters, math.inf if max_norm is None else max_norm
    )
    loss_value, norm_value = loss.item(), norm.item()
    if math.isfinite(loss_value) and math.isfinite(norm_value):
        optimizer.step()
    return loss_value, norm_value


@dataclass
class TrainHistory:
    """训练记录。

    Attributes:
        losses: 每一步更新前、在当步小批量上的损失。
        grad_norms: 每一步裁剪前的梯度全局范数 :math:`\\|g\\|`。
        grad_cosines: 相邻两步（裁剪前的）梯度之间夹角的余弦，
            第 ``i`` 项（从 1 数起）是第 ``i + 1`` 步与第 ``i`` 步的；
            只有 :func:`train_regressor` 记录它。接近 −1 说明梯度来回反向（振荡）。
        diverged: 是否因损失或梯度不再有限而提前停止。
    """

    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    grad_cosines: list[float] = field(default_factory=list)
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
    check_choice("optimizer", optimizer, OPTIMIZERS)
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
    previous: torch.Tensor | None = None  # 上一步的梯度（拼成一个向量）
    for _ in range(steps):
        if batch_size is None:
            x_batch, y_batch = x, y
        else:
            index = torch.randint(0, x.shape[0], (batch_size,), generator=generator)
            x_batch, y_batch = x[index], y[index]
        loss = nn.functional.mse_loss(model(x_batch), y_batch)
        loss_value, norm = optimizer_step(optim, loss, max_norm)
        history.losses.append(loss_value)
        history.grad_norms.append(norm)
        if not (math.isfinite(loss_value) and math.isfinite(norm)):
            history.diverged = True  # optimizer_step 没有更新参数
            break
        # 这一步（裁剪后）的梯度：全局裁剪只整体缩放，夹角不变
        # （optimizer.step() 不改变 p.grad）
        flat = torch.cat(
            [p.grad.flatten() for p in model.parameters() if p.grad is not None]
        )
        if previous is not None:  # cos∠(g_t, g_{t−1})
            cosine = nn.functional.cosine_similarity(flat, previous, dim=0)
            history.grad_cosines.append(cosine.item())
        previous = flat.clone()
    return history


# ---------------------------------------------------------------------------
# 在一条长序列上训练：顺序小批量、跨批次传递状态（截断 BPTT 的实际用法）
# ---------------------------------------------------------------------------


class StepwiseRNN(nn.Module):
    r"""每一步都输出的单层 RNN，初始状态可以传入、最终状态可以取出。

    .. math::

        s_t = \tanh(U x_t + W s_{t-1} + b_h),\qquad \hat{y}_t = V s_t + b_y

    ``nn.RNN`` （``batch_first=True``）加一个 ``nn.Linear``，参数名与
    :class:`~rnn_examples.models.SimpleRNN` 相同；区别是它返回每一步的
    :math:`\hat{y}_t`，并且 ``forward(x, state)`` 从给定的状态接着算，
    所以一条长序列可以分块送进去。

    形状:
        - ``x``: ``(B, T, D)``；``state``: ``(1, B, H)``，或 ``None``
          （即 :math:`s_0 = 0`）。
        - 返回: 二元组 ``(outputs, state)``：``(B, T, O)`` 与 ``(1, B, H)``
          （最后一步的状态）。

    Example:
        >>> import torch
        >>> from rnn_examples.training import StepwiseRNN
        >>> _ = torch.manual_seed(0)
        >>> model = StepwiseRNN(1, 8, 1)
        >>> x = torch.randn(2, 10, 1)
        >>> whole, _ = model(x)
        >>> first, state = model(x[:, :6])  # 分两块，状态接着传
        >>> second, _ = model(x[:, 6:], state)
        >>> torch.testing.assert_close(torch.cat([first, second], dim=1), whole)
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(
        self, x: torch.Tensor, state: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """从 ``state`` 出发读入 ``x``，返回每一步的输出与最后一步的状态。"""
        x = check_sequence(x, self.input_size)
        if state is not None:
            check_float_tensor("state", state, ndim=3, layout="(1, B, H)")
            check_size("state", state, 1, x.shape[0], "批大小 B，须与 x 相同")
            check_size("state", state, 2, self.hidden_size, "隐藏状态维数 H")
        states, last = self.rnn(x, state)  # (B, T, H), (1, B, H)
        outputs: torch.Tensor = self.fc(states)  # (B, T, O)
        return outputs, last


def _check_series(series: object, min_length: int, rule: str) -> torch.Tensor:
    """检查 ``series`` 是一维的浮点或 ``torch.long`` 张量，至少 ``min_length`` 个值。

    ``rule`` 是写进报错的长度要求，如 ``"batch_size × chunk + 1"``。
    """
    if not isinstance(series, torch.Tensor):
        raise TypeError(f"series 应为 torch.Tensor，实际收到 {type(series).__name__}")
    if not (series.is_floating_point() or series.dtype == torch.long):
        raise TypeError(
            f"series 应为浮点张量或 torch.long（字符编号），实际收到 {series.dtype}"
        )
    if series.dim() != 1:
        raise ValueError(
            f"series 应为 1 维张量，形状 (N,)，实际形状 {tuple(series.shape)}"
        )
    if series.shape[0] < min_length:
        raise ValueError(
            f"series 至少要有 {rule} = {min_length} 个值，实际长度为 {series.shape[0]}"
        )
    return series


def _with_features(x: torch.Tensor) -> torch.Tensor:
    """浮点值每一步是一个特征：``(…, k) -> (…, k, 1)``；字符编号不变。"""
    return x.unsqueeze(-1) if x.is_floating_point() else x


def sequential_batches(
    series: torch.Tensor, *, batch_size: int, chunk: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """把一条长序列切成“顺序小批量”：第 ``i + 1`` 批的每一行紧接着第 ``i`` 批的同一行。

    先把 ``series`` 等分成 ``batch_size`` 条首尾相接的流（第 ``b`` 条是第 ``b`` 段），
    再沿时间切成长 ``chunk`` 的块，每行接着上一批的同一行，隐藏状态因此可以跨批传下去；
    目标是下一个值。末尾凑不满一块的部分丢掉。第 10 章的数值序列与第 11 章的字符编号
    都用它（:mod:`rnn_examples.charlm` 从这里导入）。

    形状:
        - ``series``: ``(N,)``，浮点值或 ``torch.long`` 字符编号。
        - 返回: ``(x, y)``，``x[i]`` 是第 ``i`` 批，``y`` 的每个元素是 ``x`` 同一位置的
          下一个值。浮点值是 ``(C, B, k, 1)`` （每一步一个特征，``D = 1``），
          字符编号是 ``(C, B, k)`` （送进嵌入层）。``C`` 为块数，``k = chunk``。

    Raises:
        TypeError: ``series`` 不是浮点或 ``torch.long`` 张量，或 ``batch_size``、
            ``chunk`` 不是整数。
        ValueError: 参数不为正，``series`` 不是一维，或短得凑不出一批
            （少于 ``batch_size × chunk + 1`` 个值）。

    Example:
        >>> import torch
        >>> from rnn_examples.training import sequential_batches
        >>> x, y = sequential_batches(torch.arange(13), batch_size=2, chunk=3)
        >>> x.shape
        torch.Size([2, 2, 3])
        >>> x[0], x[1]          # 第 2 批的每一行接着第 1 批的同一行
        (tensor([[0, 1, 2],
                [6, 7, 8]]), tensor([[ 3,  4,  5],
                [ 9, 10, 11]]))
        >>> y[1]
        tensor([[ 4,  5,  6],
                [10, 11, 12]])
        >>> x, y = sequential_batches(torch.arange(13.0), batch_size=2, chunk=3)
        >>> x.shape                # 浮点值：多一维特征
        torch.Size([2, 2, 3, 1])
        >>> y[1, :, :, 0]
        tensor([[ 4.,  5.,  6.],
                [10., 11., 12.]])
    """
    check_positive_int("batch_size", batch_size)
    check_positive_int("chunk", chunk)
    series = _check_series(series, batch_size * chunk + 1, "batch_size × chunk + 1")
    length = (series.shape[0] - 1) // batch_size  # 每条流的长度
    chunks = length // chunk
    used = chunks * chunk
    inputs = series[: length * batch_size].reshape(batch_size, length)[:, :used]
    targets = series[1 : length * batch_size + 1].reshape(batch_size, length)[:, :used]

    def split(streams: torch.Tensor) -> torch.Tensor:  # (B, C·k) -> (C, B, k)
        return streams.reshape(batch_size, chunks, chunk).transpose(0, 1)

    x, y = _with_features(split(inputs)), _with_features(split(targets))
    return x.contiguous(), y.contiguous()


def random_batch(
    series: torch.Tensor,
    *,
    batch_size: int,
    chunk: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """随机抽 ``batch_size`` 个长 ``chunk`` 的子序列（起点均匀、有放回），
    目标是下一个值。

    各段之间不传递状态，每段都应从零状态 :math:`s_0 = 0` 开始
    （:mod:`rnn_examples.charlm` 从这里导入）。

    形状:
        - ``series``: ``(N,)``，浮点值或 ``torch.long`` 字符编号。
        - 返回: ``(x, y)``，浮点值是 ``(B, k, 1)``，字符编号是 ``(B, k)``；
          ``y`` 是 ``x`` 右移一位。

    Raises:
        TypeError: ``series`` 不是浮点或 ``torch.long`` 张量，或尺寸不是整数。
        ValueError: 尺寸不为正，``series`` 不是一维，或短于 ``chunk + 1``。

    Example:
        >>> import torch
        >>> from rnn_examples.training import random_batch
        >>> g = torch.Generator().manual_seed(0)
        >>> x, y = random_batch(torch.arange(20.0), batch_size=3, chunk=4, generator=g)
        >>> x.shape, bool((y - x == 1).all())
        (torch.Size([3, 4, 1]), True)
        >>> x, y = random_batch(torch.arange(20), batch_size=3, chunk=4, generator=g)
        >>> x.shape, bool((y - x == 1).all())
        (torch.Size([3, 4]), True)
    """
    check_positive_int("batch_size", batch_size)
    check_positive_int("chunk", chunk)
    series = _check_series(series, chunk + 1, "chunk + 1")
    starts = torch.randint(
        0, series.shape[0] - chunk, (batch_size,), generator=generator
    )
    index = starts[:, None] + torch.arange(chunk)  # (B, k)
    return _with_features(series[index]), _with_features(series[index + 1])


def train_on_sequence(
    model: StepwiseRNN,
    series: torch.Tensor,
    *,
    chunk: int,
    batch_size: int,
    steps: int,
    lr: float,
    sequential: bool,
    max_norm: float | None = None,
    seed: int = 0,
) -> TrainHistory:
    """在一条长序列上训练下一步预测（Adam，各步均方误差），返回 :class:`TrainHistory`。

    - ``sequential=True``：按 :func:`sequential_batches` 的顺序依次取块，
      上一块最后的状态作为下一块的初始状态，但先 ``detach``：前向的信息跨块传下去，
      梯度只在块内回传（截断 BPTT）。每遍历完一遍数据，状态重置为 0。
    - ``sequential=False``：每一步用 :func:`random_batch` 随机抽块，
      每块从 :math:`s_0 = 0` 开始。

    每一步由 :func:`optimizer_step` 把梯度范数裁剪到 ``max_norm`` （``None`` 不裁剪）
    再更新；损失或梯度范数不再有限时停止，记下 ``diverged=True`` 。``seed`` 决定
    随机块与（顺序小批量时）每遍的偏移。

    Raises:
        TypeError: 参数类型不对。
        ValueError: 数值参数不为正，或序列太短。

    Example:
        >>> import torch
        >>> from rnn_examples.data import noisy_sine
        >>> from rnn_examples.training import StepwiseRNN, train_on_sequence
        >>> _ = torch.manual_seed(0)
        >>> series = noisy_sine(200, period=25.0, noise=0.1, seed=0)
        >>> history = train_on_sequence(
        ...     StepwiseRNN(1, 8, 1), series, chunk=5, batch_size=4,
        ...     steps=60, lr=0.01, sequential=True)
        >>> len(history.losses), history.losses[-1] < history.losses[0]
        (60, True)
    """
    if not isinstance(model, StepwiseRNN):
        raise TypeError(f"model 应为 StepwiseRNN，实际收到 {type(model).__name__}")
    series = check_float_tensor("series", series, ndim=1, layout="(N,)")
    check_positive_int("chunk", chunk)
    check_positive_int("batch_size", batch_size)
    _check_series(series, batch_size * chunk + 1, "batch_size × chunk + 1")
    check_positive_int("steps", steps)
    check_real("lr", lr, minimum=0.0, strict=True)
    if max_norm is not None:
        check_real("max_norm", max_norm, minimum=0.0, strict=True)
    if sequential:
        x_chunks, y_chunks = sequential_batches(
            series, batch_size=batch_size, chunk=chunk
        )  # (C, B, k, 1)
    generator = torch.Generator().manual_seed(seed)
    optim = torch.optim.Adam(model.parameters(), lr=lr)
    history = TrainHistory()
    state: torch.Tensor | None = None
    for step in range(steps):
        if sequential:
            index = step % x_chunks.shape[0]
            if index == 0:
                state = None  # 新的一遍：从 s_0 = 0 开始
            x_batch, y_batch = x_chunks[index], y_chunks[index]
        else:
            x_batch, y_batch = random_batch(
                series, batch_size=batch_size, chunk=chunk, generator=generator
            )
            state = None
        outputs, last = model(x_batch, state)  # (B, k, 1), (1, B, H)
        state = last.detach()  # 截断：下一块从这个状态出发，但梯度不再流回这一块
        loss = nn.functional.mse_loss(outputs, y_batch)
        loss_value, norm = optimizer_step(optim, loss, max_norm)
        history.losses.append(loss_value)
        history.grad_norms.append(norm)
        if not (math.isfinite(loss_value) and math.isfinite(norm)):
            history.diverged = True
            break
    return history
