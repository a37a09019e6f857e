r"""第 11 章的解码：由下一个字符的分数 :math:`q` 选出一个字符。

自下而上：

1. :func:`softmax_with_temperature`：
   :math:`p_j = \exp(q_j/\tau) / \sum_i \exp(q_i/\tau)`。
2. :func:`top_k_filter`：只留概率最大的 ``k`` 个字符，重新归一化。
3. :func:`top_p_filter` （核采样，nucleus sampling）：按概率从大到小留下字符，
   直到留下的概率之和第一次不小于 ``p``——满足这个条件的最小集合——再重新归一化。
4. :func:`sample_next`：``temperature = 0`` 时贪心（取分数最大的字符），否则依次
   作用温度、top-k、top-p，再从得到的分布里抽一个。

这些函数只作用于最后一维，前面可以有任意的批维度；分布保持输入的 dtype 与 device。
"""

from __future__ import annotations

import torch

from ._checks import check_positive_int, check_real

__all__ = ["sample_next", "softmax_with_temperature", "top_k_filter", "top_p_filter"]


def _check_scores(name: str, value: object) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or not value.is_floating_point():
        kind = value.dtype if isinstance(value, torch.Tensor) else type(value).__name__
        raise TypeError(f"{name} 应为浮点张量，实际收到 {kind}")
    if value.dim() == 0 or value.shape[-1] == 0:
        raise ValueError(
            f"{name} 的最后一维应至少有一个字符，实际形状 {tuple(value.shape)}"
        )
    return value


def softmax_with_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    r"""带温度的 softmax：:math:`p_j = \exp(q_j/\tau) \,/\, \sum_i \exp(q_i/\tau)`。

    :math:`\tau = 1` 是模型原本的分布；:math:`\tau < 1` 把分布变尖（高分的字符更占优），
    :math:`\tau > 1` 把分布摊平。沿最后一维归一化。

    Raises:
        TypeError: ``logits`` 不是浮点张量，或 ``temperature`` 不是实数。
        ValueError: ``temperature`` 不为正。

    Example:
        >>> import torch
        >>> q = torch.tensor([2.0, 1.0, 0.0])
        >>> softmax_with_temperature(q, 1.0)
        tensor([0.6652, 0.2447, 0.0900])
        >>> softmax_with_temperature(q, 0.5)
        tensor([0.8668, 0.1173, 0.0159])
    """
    logits = _check_scores("logits", logits)
    tau = check_real("temperature", temperature, minimum=0.0, strict=True)
    return torch.softmax(logits / tau, dim=-1)


def top_k_filter(probs: torch.Tensor, k: int) -> torch.Tensor:
    """只留概率最大的 ``k`` 个字符（并列时留编号小的），其余置 0，再归一化。

    Raises:
        TypeError: ``probs`` 不是浮点张量，或 ``k`` 不是整数。
        ValueError: ``k`` 不为正。

    Example:
        >>> import torch
        >>> top_k_filter(torch.tensor([0.1, 0.5, 0.15, 0.25]), k=2)
        tensor([0.0000, 0.6667, 0.0000, 0.3333])
    """
    probs = _check_scores("probs", probs)
    check_positive_int("k", k)
    k = min(k, probs.shape[-1])
    order = torch.sort(probs, dim=-1, descending=True, stable=True).indices
    keep = torch.zeros_like(probs, dtype=torch.bool).scatter(-1, order[..., :k], True)
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum(dim=-1, keepdim=True)


def top_p_filter(probs: torch.Tensor, p: float) -> torch.Tensor:
    r"""核采样的截断：留下概率之和不小于 ``p`` 的最小字符集合，再归一化。

    按概率从大到小排（并列时编号小的在前），第 :math:`i` 个字符留下当且仅当排在它
    前面的字符的概率之和还小于 ``p``。所以概率最大的字符总会留下，``p = 1`` 时全部留下。

    Raises:
        TypeError: ``probs`` 不是浮点张量，或 ``p`` 不是实数。
        ValueError: ``p`` 不在 :math:`(0, 1]` 里。

    Example:
        >>> import torch
        >>> probs = torch.tensor([0.125, 0.5, 0.125, 0.25])
        >>> top_p_filter(probs, 0.75)          # 0.5 + 0.25 = 0.75，恰好够
        tensor([0.0000, 0.6667, 0.0000, 0.3333])
        >>> top_p_filter(probs, 0.8)           # 还差一点：再加一个 0.125
        tensor([0.1429, 0.5714, 0.0000, 0.2857])
    """
    probs = _check_scores("probs", probs)
    p = check_real("p", p, minimum=0.0, strict=True)
    if p > 1.0:
        raise ValueError(f"p 应在 0 到 1 之间（可以等于 1），实际收到 {p}")
    sorted_probs, order = torch.sort(probs, dim=-1, descending=True, stable=True)
    before = sorted_probs.cumsum(dim=-1) - sorted_probs  # 排在前面的概率之和
    keep_sorted = before < p
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum(dim=-1, keepdim=True)


def sample_next(
    logits: torch.Tensor,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> int:
    r"""由一个字符的分数 ``logits`` （形状 ``(|V|,)``）选出下一个字符的编号。

    ``temperature = 0`` 是贪心解码：取分数最大的字符（并列时取编号小的），这时
    ``top_k``、``top_p`` 不起作用。否则先算 :func:`softmax_with_temperature`，再依次
    做 :func:`top_k_filter` 与 :func:`top_p_filter` （给出时），然后用 ``generator``
    抽一个。

    Raises:
        TypeError: 参数类型不对。
        ValueError: ``logits`` 不是一维，``temperature`` 为负，
            或 ``top_k``、``top_p`` 取值不对。

    Example:
        >>> import torch
        >>> q = torch.tensor([1.0, 3.0, 2.0])
        >>> sample_next(q, temperature=0.0)
        1
        >>> g = torch.Generator().manual_seed(0)
        >>> sample_next(q, top_k=1, generator=g)          # 只留一个：与贪心相同
        1
    """
    logits = _check_scores("logits", logits)
    if logits.dim() != 1:
        raise ValueError(
            f"logits 应为一维张量，形状 (|V|,)，实际形状 {tuple(logits.shape)}"
        )
    tau = check_real("temperature", temperature, minimum=0.0)
    if tau == 0.0:
        return int(logits.argmax())
    probs = softmax_with_temperature(logits, tau)
    if top_k is not None:
        probs = top_k_filter(probs, top_k)
    if top_p is not None:
        probs = top_p_filter(probs, top_p)
    # multinomial 在 CPU 上用 generator 抽取：同一个种子在任何设备上都给出同一个字符
    return int(torch.multinomial(probs.double().cpu(), 1, generator=generator))
