"""输入检查：把错误的参数挡在模型之外，并给出清楚的报错。

每个函数在参数不合格时抛出 ``TypeError`` （类型不对）或 ``ValueError``
（取值不对），报错信息同时写明“期望什么”和“实际收到什么”。
这里从不使用 ``assert``：``python -O`` 会把断言整个删掉。
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

NONLINEARITIES = ("tanh", "relu")


def check_positive_int(name: str, value: object) -> int:
    """检查 ``value`` 是正整数（``bool`` 不算整数），返回它本身。"""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"{name} 应为正整数（int），实际收到 {type(value).__name__}: {value!r}"
        )
    if value <= 0:
        raise ValueError(f"{name} 应为正整数，实际收到 {value}")
    return value


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """检查 ``value`` 是 ``choices`` 中的一个名字，返回它本身。

    >>> check_choice("kind", "gru", ("rnn", "lstm", "gru"))
    'gru'
    >>> check_choice("kind", "cnn", ("rnn", "lstm", "gru"))
    Traceback (most recent call last):
        ...
    ValueError: kind 应为 'rnn'、'lstm' 或 'gru'，实际收到 'cnn'
    """
    names = tuple(choices)
    if not isinstance(value, str) or value not in names:
        *others, last = map(repr, names)
        expected = f"{'、'.join(others)} 或 {last}" if others else last
        raise ValueError(f"{name} 应为 {expected}，实际收到 {value!r}")
    return value


def check_nonlinearity(value: object) -> str:
    """检查激活函数名是 ``"tanh"`` 或 ``"relu"`` （与 ``torch.nn.RNN`` 一致）。"""
    return check_choice("nonlinearity", value, NONLINEARITIES)


def check_float_tensor(
    name: str, value: object, *, ndim: int, layout: str
) -> torch.Tensor:
    """检查 ``value`` 是 ``ndim`` 维、浮点类型、每一维都非空的张量。

    ``layout`` 是写给人看的形状说明，例如 ``"(B, T, D)"``，会出现在报错里。
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} 应为 torch.Tensor，实际收到 {type(value).__name__}")
    if not value.is_floating_point():
        raise TypeError(
            f"{name} 应为浮点张量（如 torch.float32），实际收到 {value.dtype}"
        )
    if value.dim() != ndim:
        raise ValueError(
            f"{name} 应为 {ndim} 维张量，形状 {layout}，"
            f"实际收到 {value.dim()} 维，形状 {tuple(value.shape)}"
        )
    if value.numel() == 0:
        raise ValueError(
            f"{name} 不能为空：形状 {layout} 的每一维都应大于 0，"
            f"实际形状 {tuple(value.shape)}"
        )
    return value


def check_size(
    name: str, value: torch.Tensor, dim: int, expected: int, meaning: str
) -> None:
    """检查 ``value.shape[dim] == expected``；``meaning`` 说明这一维的含义。

    报错里的维写成 PyTorch 的 ``dim=k`` （``k`` 从 0 数起，负的 ``dim`` 换算成非负），
    不写“第 k 维”：本书的序数从 1 数起，“第 0 维”会与之混淆。

    >>> check_size("x", torch.ones(2, 3, 5), -1, 4, "输入特征数 D")
    Traceback (most recent call last):
        ...
    ValueError: x 的 dim=2（输入特征数 D）应为 4，实际为 5（形状 (2, 3, 5)）
    """
    actual = value.shape[dim]
    if actual != expected:
        raise ValueError(
            f"{name} 的 dim={dim % value.dim()}（{meaning}）应为 {expected}，"
            f"实际为 {actual}（形状 {tuple(value.shape)}）"
        )


def check_step(x_t: object, s_prev: object, input_size: int, hidden_size: int) -> None:
    """检查单元一步的输入：``x_t`` 为 ``(B, D)``，``s_prev`` 为 ``(B, H)``。

    ``s_prev`` 是上一步的隐藏状态 :math:`s_{t-1}`。
    """
    x = check_float_tensor("x_t", x_t, ndim=2, layout="(B, D)")
    check_size("x_t", x, -1, input_size, "输入特征数 D")
    s = check_float_tensor("s_prev", s_prev, ndim=2, layout="(B, H)")
    check_size("s_prev", s, -1, hidden_size, "隐藏状态维数 H")
    check_size("s_prev", s, 0, x.shape[0], "批大小 B，须与 x_t 相同")


def check_sequence(value: object, input_size: int) -> torch.Tensor:
    """检查模型的输入序列 ``x``：批在前的 ``(B, T, D)`` 浮点张量。

    ``D`` 须等于 ``input_size``。
    """
    x = check_float_tensor("x", value, ndim=3, layout="(B, T, D)")
    check_size("x", x, -1, input_size, "输入特征数 D")
    return x


def check_real(
    name: str, value: object, *, minimum: float | None = None, strict: bool = False
) -> float:
    """检查 ``value`` 是有限实数（``int`` 或 ``float``，``bool`` 不算）。

    返回 ``float(value)``。给出 ``minimum`` 时还要求 ``value >= minimum``；
    ``strict=True`` 时要求 ``value > minimum``。
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(
            f"{name} 应为实数（int 或 float），"
            f"实际收到 {type(value).__name__}: {value!r}"
        )
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} 应为有限实数，实际收到 {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        bound = f"大于 {minimum:g}" if strict else f"不小于 {minimum:g}"
        raise ValueError(f"{name} 应为{bound} 的实数，实际收到 {value}")
    return float(value)
