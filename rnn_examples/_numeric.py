"""数值参数（学习率、阈值、半径等）的检查，补充 :mod:`rnn_examples._checks`。

与 ``_checks`` 相同的约定：类型不对抛 ``TypeError``，取值不对抛 ``ValueError``，
报错信息写明“应为 … 实际收到 …”。``bool`` 不算数。
"""

from __future__ import annotations

import math


def check_finite_number(name: str, value: object) -> float:
    """检查 ``value`` 是有限的 ``int`` 或 ``float``，返回 ``float(value)``。"""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} 应为数（int 或 float），实际收到 {type(value).__name__}: {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} 应为有限的数，实际收到 {value}")
    return float(value)


def check_positive_number(name: str, value: object, *, allow_zero: bool = False) -> float:
    """检查 ``value`` 是有限的正数（``allow_zero=True`` 时允许 0），返回 ``float(value)``。"""
    number = check_finite_number(name, value)
    if number < 0 or (number == 0 and not allow_zero):
        expected = "非负数" if allow_zero else "正数"
        raise ValueError(f"{name} 应为{expected}，实际收到 {value}")
    return number
