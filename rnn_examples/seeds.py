"""同一个实验在几个随机种子（或几个随机矩阵）上各做一遍：结论要对每个种子都成立。

书中一句话若比较两种方法，或说某个量“增长”“衰减”“有帮助”，
它依据的实验至少做 3 个种子（差异大时 5 个），页面打印离散程度
（最小–最大，或均值 ± 标准差），断言对每个种子都检查结论；
只做了一个种子的结论，句子里就写明“对这个种子”“对这个 W”。

:func:`over_seeds` 对每个种子先 ``torch.manual_seed(seed)``，再调用 ``fn(seed)``，
返回 :class:`SeedSweep`：逐个种子的结果，加上 :meth:`SeedSweep.spread` 给出的汇总。

>>> import torch
>>> sweep = over_seeds(lambda seed: torch.rand(()).item(), seeds=(0, 1, 2))
>>> sweep.seeds
(0, 1, 2)
>>> spread = sweep.spread()
>>> spread.low <= spread.mean <= spread.high
True
>>> sweep.all(lambda value: 0 <= value < 1)
True
>>> f"{over_seeds(lambda seed: float(seed), seeds=(1, 2, 3)).spread():.1f}"
'2.0 ± 1.0（1.0–3.0，3 个种子）'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import torch

R = TypeVar("R")


@dataclass(frozen=True)
class Spread:
    """一组数的汇总：个数、均值、样本标准差（``n = 1`` 时为 0）、最小值与最大值。

    格式化时写成 ``均值 ± 标准差（最小–最大，n 个种子）``，格式说明作用于每个数；
    百分数（格式说明以 ``%`` 结尾）的单位只写一次，放在括号之后：

    >>> f"{Spread.of([0.5, 0.25, 0.75]):.2f}"
    '0.50 ± 0.25（0.25–0.75，3 个种子）'
    >>> f"{Spread.of([0.5, 0.25, 0.75]):.1%}"
    '50.0 ± 25.0（25.0–75.0）%，3 个种子'
    """

    n: int
    mean: float
    std: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        """由一组有限的数求汇总；空的或含 ``nan``/``inf`` 的输入报 ``ValueError``。"""
        numbers = [float(value) for value in values]
        if not numbers:
            raise ValueError("Spread.of 需要至少一个数，实际收到空序列")
        if not all(math.isfinite(value) for value in numbers):
            raise ValueError(f"Spread.of 需要有限的数，实际收到 {numbers}")
        mean = math.fsum(numbers) / len(numbers)
        variance = math.fsum((value - mean) ** 2 for value in numbers) / max(
            len(numbers) - 1, 1
        )
        return cls(len(numbers), mean, math.sqrt(variance), min(numbers), max(numbers))

    def __format__(self, spec: str) -> str:
        values = (self.mean, self.std, self.low, self.high)
        if spec.endswith("%"):  # 百分数：每个数乘 100 按 f 格式写，% 只写一次
            number_spec = spec[:-1] + "f"
            mean, std, low, high = (format(100 * v, number_spec) for v in values)
            return f"{mean} ± {std}（{low}–{high}）%，{self.n} 个种子"
        mean, std, low, high = (format(value, spec) for value in values)
        return f"{mean} ± {std}（{low}–{high}，{self.n} 个种子）"


@dataclass(frozen=True)
class SeedSweep(Generic[R]):
    """:func:`over_seeds` 的结果：``results[i]`` 是种子 ``seeds[i]`` 上的结果。"""

    seeds: tuple[int, ...]
    results: tuple[R, ...]

    def __iter__(self) -> Iterator[tuple[int, R]]:
        """逐个给出 ``(seed, result)``。"""
        return iter(zip(self.seeds, self.results, strict=True))

    def values(self, key: Callable[[R], float] | None = None) -> list[float]:
        """每个种子的一个数：结果本身，或 ``key(result)``。"""
        if key is None:
            return [float(result) for result in self.results]  # type: ignore[arg-type]
        return [float(key(result)) for result in self.results]

    def spread(self, key: Callable[[R], float] | None = None) -> Spread:
        """:meth:`values` 的汇总（均值、标准差、最小值、最大值）。"""
        return Spread.of(self.values(key))

    def all(self, claim: Callable[[R], bool]) -> bool:
        """结论 ``claim`` 是否对每个种子都成立。"""
        return all(claim(result) for result in self.results)

    def failing(self, claim: Callable[[R], bool]) -> list[int]:
        """结论不成立的种子（断言失败时写进报错，便于查看）。"""
        return [seed for seed, result in self if not claim(result)]


def over_seeds(
    fn: Callable[[int], R], seeds: Iterable[int] = (0, 1, 2)
) -> SeedSweep[R]:
    """对每个种子先 ``torch.manual_seed(seed)`` 再调用 ``fn(seed)``，收集结果。

    ``fn`` 也拿到种子本身，可以用它生成数据（如 ``noisy_sine(..., seed=seed)``）。
    种子必须是互不相同的非负整数，至少一个。

    >>> over_seeds(lambda seed: seed * 10, seeds=[3, 4]).results
    (30, 40)
    >>> over_seeds(lambda seed: seed, seeds=[1, 1])
    Traceback (most recent call last):
        ...
    ValueError: seeds 应为互不相同的非负整数，实际收到 [1, 1]
    """
    if not callable(fn):
        raise TypeError(f"fn 应为可调用对象 fn(seed)，实际收到 {type(fn).__name__}")
    chosen = list(seeds)
    if not chosen:
        raise ValueError("seeds 应至少有一个种子，实际收到空序列")
    for seed in chosen:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(
                f"seeds 的元素应为整数，实际收到 {type(seed).__name__}: {seed!r}"
            )
    if len(set(chosen)) != len(chosen) or min(chosen) < 0:
        raise ValueError(f"seeds 应为互不相同的非负整数，实际收到 {chosen}")
    results = []
    for seed in chosen:
        torch.manual_seed(seed)
        results.append(fn(seed))
    return SeedSweep(tuple(chosen), tuple(results))
