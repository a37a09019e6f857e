r"""把几个同样大小的循环网络拼成一个块对角的大网络，一次训练完（第 9 章的多种子实验）。

第 9 章要在几个随机种子上重复同一次训练。小网络的耗时几乎全在每个时间步的调度上，
而不在矩阵乘法上，所以 M 个网络拼成一个大网络、一次前向与反向算完，比逐个训练快
（``nn.GRU`` 与 ``nn.RNN`` 约快一倍；``nn.LSTM`` 在 CPU 上本来就快，几乎不变）。

拼法：第 m 个网络（m = 1, …, M）的输入放在大网络输入的第 m 段特征上，隐藏状态放在
第 m 段，输出放在第 m 段。每个门的权重都是块对角的::

    U_big = diag(U^(1), …, U^(M))     W_big = diag(W^(1), …, W^(M))
    V_big = diag(V^(1), …, V^(M))

偏置按同样的分段上下接起来。门与激活函数都逐元素作用，所以第 m 段状态只由第 m 个网络
的参数和数据决定。训练时的损失取 M 个网络各自的均方误差之和，第 m 块的梯度就是第 m 个
网络单独训练时的梯度；块之外的权重初始为 0，每次反向传播后把它们的梯度清零，Adam
看到的梯度恒为 0，从不改动它们。于是 :func:`train_together` 与对每个网络分别调用
:func:`~rnn_examples.training.train_regressor` 的结果相同，只差浮点舍入
（两者用同一个 ``seed`` 抽小批量的下标；每个网络的数据各不相同）。

形状记号：``M`` 网络个数，``N`` 样本数，``B`` 批大小，``T`` 时间步数，
``D`` 输入特征数，``H`` 隐藏状态维数，``O`` 输出维数。
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from ._checks import check_float_tensor, check_positive_int, check_real, check_size
from .gated import SequenceRegressor

__all__ = ["train_together"]

GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}  # 每种循环层的权重上下叠了几块


def _check_models(models: object) -> list[SequenceRegressor]:
    if not isinstance(models, Sequence) or not models:
        raise ValueError("models 应为非空的 SequenceRegressor 序列，实际收到空序列")
    for index, model in enumerate(models):
        if not isinstance(model, SequenceRegressor):
            raise TypeError(
                f"models[{index}] 应为 SequenceRegressor，"
                f"实际收到 {type(model).__name__}"
            )
    first = models[0]
    shape = (first.kind, first.rnn.input_size, first.rnn.hidden_size)
    for index, model in enumerate(models):
        other = (model.kind, model.rnn.input_size, model.rnn.hidden_size)
        if other != shape or model.fc.out_features != first.fc.out_features:
            raise ValueError(
                "models 应为同一种循环层、同样大小的网络：models[0] 是 "
                f"(kind, D, H, O) = {(*shape, first.fc.out_features)}，"
                f"models[{index}] 是 {(*other, model.fc.out_features)}"
            )
    return list(models)


def _blocks(
    name: str, small: torch.Tensor, m: int, count: int, kind: str
) -> list[tuple[tuple[slice, ...], tuple[slice, ...]]]:
    """第 m 个网络的参数 ``name`` 在大网络里的位置。

    返回 ``[(小网络里的下标, 大网络里的下标), …]``，每一块一项。

    循环层的权重与偏置上下叠着 1、4 或 3 块（``nn.RNN``、``nn.LSTM`` 的 i, f, g, o、
    ``nn.GRU`` 的 r, z, n），每一块各自分段；输出层只有一块。
    """
    blocks = GATE_BLOCKS[kind] if name.startswith("rnn.") else 1
    size = small.shape[0] // blocks  # 每一块的行数：H 或 O
    places = []
    for gate in range(blocks):
        offset = gate * count * size + m * size  # 大网络里第 gate 块、第 m 段的起点
        small_index: tuple[slice, ...] = (slice(gate * size, (gate + 1) * size),)
        big_index: tuple[slice, ...] = (slice(offset, offset + size),)
        if small.dim() == 2:  # 权重矩阵还要按列分段：第 m 段输入或状态
            width = small.shape[1]
            big_index = (*big_index, slice(m * width, (m + 1) * width))
        places.append((small_index, big_index))
    return places


def _pack(
    models: list[SequenceRegressor],
) -> tuple[SequenceRegressor, dict[str, torch.Tensor]]:
    """拼出大网络，返回它与每个权重矩阵的块对角掩码（块内为 1，块外为 0）。"""
    first, count = models[0], len(models)
    sizes = (first.rnn.input_size, first.rnn.hidden_size, first.fc.out_features)
    big = SequenceRegressor(first.kind, *(count * size for size in sizes))
    masks = {
        name: torch.zeros_like(parameter)
        for name, parameter in big.named_parameters()
        if parameter.dim() == 2
    }
    with torch.no_grad():
        for parameter in big.parameters():
            parameter.zero_()  # 块外的权重为 0
        for m, model in enumerate(models):
            for name, small in model.named_parameters():
                target = big.get_parameter(name)
                for small_index, big_index in _blocks(
                    name, small, m, count, first.kind
                ):
                    target[big_index] = small[small_index]
                    if name in masks:
                        masks[name][big_index] = 1.0
    return big, masks


def _unpack(big: SequenceRegressor, models: list[SequenceRegressor]) -> None:
    """把大网络的对角块写回每个小网络（就地修改 ``models``）。"""
    count, kind = len(models), models[0].kind
    with torch.no_grad():
        for m, model in enumerate(models):
            for name, small in model.named_parameters():
                source = big.get_parameter(name)
                for small_index, big_index in _blocks(name, small, m, count, kind):
                    small[small_index] = source[big_index]


def train_together(
    models: list[SequenceRegressor],
    data: list[tuple[torch.Tensor, torch.Tensor]],
    *,
    steps: int,
    lr: float,
    batch_size: int,
    seed: int = 0,
) -> list[list[float]]:
    """把 ``models`` 拼成一个块对角的大网络，用 Adam 一起训练，训练完写回每个网络。

    结果与对每个网络 ``train_regressor(model, x, y, steps=steps, lr=lr,
    batch_size=batch_size, seed=seed)`` 相同（只差浮点舍入），见模块说明。

    Args:
        models: M 个同一种循环层（``kind``）、同样 ``D``、``H``、``O`` 的
            :class:`~rnn_examples.gated.SequenceRegressor`，就地训练。
        data: M 个 ``(x, y)``，第 m 个网络的训练数据；``x`` 为 ``(N, T, D)``，
            ``y`` 为 ``(N, O)``，各网络的 ``N``、``T`` 相同。
        steps: 更新步数。
        lr: Adam 的学习率。
        batch_size: 每步有放回抽取的样本数（M 个网络用同一组下标）。
        seed: 抽取小批量下标的随机种子。

    Returns:
        M 个列表，第 m 个是第 m 个网络每一步更新前在当步小批量上的均方误差。

    Raises:
        TypeError: ``models`` 里有别的模块，或数据不是浮点张量。
        ValueError: 网络的种类或大小不同，数据的个数、形状不符，数值参数不为正。
        RuntimeError: 某个网络的损失不再有限（块外的 0 乘以 ``inf`` 得 ``nan``，
            会波及其他网络，所以立即停止）。

    Example:
        >>> import copy
        >>> import torch
        >>> from rnn_examples.gated import SequenceRegressor
        >>> from rnn_examples.packed import train_together
        >>> from rnn_examples.training import train_regressor
        >>> data = [(torch.randn(32, 6, 2), torch.randn(32, 1)) for _ in range(2)]
        >>> _ = torch.manual_seed(0)
        >>> models = [SequenceRegressor("gru", 2, 4, 1) for _ in range(2)]
        >>> alone = copy.deepcopy(models)
        >>> losses = train_together(models, data, steps=5, lr=0.01, batch_size=8)
        >>> for model, single, (x, y) in zip(models, alone, data):
        ...     history = train_regressor(single, x, y, steps=5, lr=0.01, batch_size=8)
        ...     torch.testing.assert_close(model(x), single(x))
    """
    chosen = _check_models(models)
    pairs = list(data)
    if len(pairs) != len(chosen):
        raise ValueError(
            f"data 应有 {len(chosen)} 组 (x, y)（每个网络一组），"
            f"实际收到 {len(pairs)} 组"
        )
    inputs, outputs = chosen[0].rnn.input_size, chosen[0].fc.out_features
    first_x = check_float_tensor(
        "data[0] 的 x", pairs[0][0], ndim=3, layout="(N, T, D)"
    )
    for index, (x, y) in enumerate(pairs):
        check_float_tensor(f"data[{index}] 的 x", x, ndim=3, layout="(N, T, D)")
        check_float_tensor(f"data[{index}] 的 y", y, ndim=2, layout="(N, O)")
        check_size(
            f"data[{index}] 的 x", x, 0, first_x.shape[0], "样本数 N，须与 data[0] 相同"
        )
        check_size(
            f"data[{index}] 的 x",
            x,
            1,
            first_x.shape[1],
            "时间步数 T，须与 data[0] 相同",
        )
        check_size(f"data[{index}] 的 x", x, 2, inputs, "输入特征数 D")
        check_size(f"data[{index}] 的 y", y, 0, x.shape[0], "样本数 N，须与 x 相同")
        check_size(f"data[{index}] 的 y", y, 1, outputs, "输出维数 O")
    check_positive_int("steps", steps)
    check_real("lr", lr, minimum=0.0, strict=True)
    check_positive_int("batch_size", batch_size)

    big, masks = _pack(chosen)
    x_all = torch.cat([x for x, _ in pairs], dim=-1)  # (N, T, M·D)
    y_all = torch.cat([y for _, y in pairs], dim=-1)  # (N, M·O)
    optim = torch.optim.Adam(big.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses: list[list[float]] = [[] for _ in chosen]
    for _ in range(steps):
        rows = torch.randint(0, x_all.shape[0], (batch_size,), generator=generator)
        errors = (big(x_all[rows]) - y_all[rows]) ** 2  # (B, M·O)
        per_model = errors.reshape(batch_size, len(chosen), outputs).mean(
            dim=(0, 2)
        )  # (M,)
        for m, value in enumerate(per_model.tolist()):
            losses[m].append(value)
        if not all(math.isfinite(value) for value in per_model.tolist()):
            raise RuntimeError(f"损失不再有限，训练停止：{per_model.tolist()}")
        optim.zero_grad()
        per_model.sum().backward()  # 每一块的梯度 = 那个网络单独训练时的梯度
        for name, mask in masks.items():
            grad = big.get_parameter(name).grad
            if grad is not None:
                grad.mul_(mask)  # 块外的梯度清零：Adam 永远不改动它们
        optim.step()
    _unpack(big, chosen)
    return losses
