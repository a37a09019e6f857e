"""第 11 章的解码：温度、top-k、top-p（核采样）与贪心，对照手算的分布与 PyTorch 的参考写法。"""

from __future__ import annotations

import math

import pytest
import torch
from torch.testing import assert_close

from rnn_examples.sampling import sample_next, softmax_with_temperature, top_k_filter, top_p_filter


def entropy(p: torch.Tensor) -> float:
    return float(-(p * p.log()).sum())


def test_temperature_softmax_matches_definition_and_orders_entropy():
    z = torch.randn(50, generator=torch.Generator().manual_seed(0)) * 3
    assert_close(softmax_with_temperature(z, 1.0), torch.softmax(z, dim=-1))
    entropies = []
    for tau in (0.25, 0.5, 1.0, 1.5, 4.0):
        p = softmax_with_temperature(z, tau)
        expected = torch.exp(z / tau) / torch.exp(z / tau).sum()
        assert_close(p, expected)
        entropies.append(entropy(p))
    assert entropies == sorted(entropies)  # 温度越高，分布越平
    assert entropies[-1] < math.log(50)


# 手算的分布：1/8、1/2、1/16、1/4、1/16（二进制下精确，累加没有舍入误差）
HAND = torch.tensor([0.125, 0.5, 0.0625, 0.25, 0.0625], dtype=torch.float64)


@pytest.mark.parametrize(
    ("p", "kept"),
    [
        (0.4, [1]),  # 0.5 一个就够
        (0.5, [1]),  # 恰好等于 p：够了
        (0.6, [1, 3]),
        (0.75, [1, 3]),  # 0.5 + 0.25 = 0.75
        (0.8, [0, 1, 3]),
        (0.875, [0, 1, 3]),
        (0.9, [0, 1, 2, 3]),  # 两个 0.0625 并列：编号小的先留
        (1.0, [0, 1, 2, 3, 4]),
    ],
)
def test_top_p_keeps_the_smallest_set_with_enough_mass(p, kept):
    out = top_p_filter(HAND, p)
    assert (out > 0).nonzero().flatten().tolist() == kept
    expected = torch.zeros_like(HAND)
    expected[kept] = HAND[kept] / HAND[kept].sum()
    assert_close(out, expected)
    assert HAND[kept].sum() >= p  # 够 p
    if len(kept) > 1:  # 最小：去掉留下的最小的一个就不够了
        assert HAND[kept].sum() - HAND[kept].min() < p


def reference_top_p(probs: torch.Tensor, p: float) -> torch.Tensor:
    """另一种常见写法：从小到大排，累计概率不超过 1 - p 的那些去掉。"""
    ascending, order = torch.sort(probs, dim=-1, stable=True)
    remove_sorted = ascending.cumsum(dim=-1) <= 1 - p
    remove = remove_sorted.scatter(-1, order, remove_sorted)
    kept = probs.masked_fill(remove, 0.0)
    return kept / kept.sum(dim=-1, keepdim=True)


def test_top_p_agrees_with_a_reference_on_random_batches():
    g = torch.Generator().manual_seed(0)
    probs = torch.softmax(torch.randn(64, 30, generator=g, dtype=torch.float64) * 2, dim=-1)  # 没有并列
    for p in (0.3, 0.7, 0.9, 0.99):
        assert_close(top_p_filter(probs, p), reference_top_p(probs, p))


def test_top_k_agrees_with_torch_topk():
    g = torch.Generator().manual_seed(1)
    probs = torch.softmax(torch.randn(8, 40, generator=g), dim=-1)
    for k in (1, 5, 40, 100):
        out = top_k_filter(probs, k)
        values, indices = probs.topk(min(k, 40), dim=-1)
        expected = torch.zeros_like(probs).scatter(-1, indices, values)
        assert_close(out, expected / expected.sum(dim=-1, keepdim=True))
        assert ((out > 0).sum(dim=-1) == min(k, 40)).all()


def test_top_k_breaks_ties_by_index():
    out = top_k_filter(torch.tensor([0.25, 0.25, 0.25, 0.25]), 2)
    assert_close(out, torch.tensor([0.5, 0.5, 0.0, 0.0]))


def test_greedy_and_top_k_of_one_are_the_argmax():
    q = torch.tensor([0.5, 2.0, 1.9, -1.0])
    assert sample_next(q, temperature=0.0) == 1
    assert sample_next(torch.tensor([1.0, 3.0, 3.0]), temperature=0.0) == 1  # 并列取编号小的
    g = torch.Generator().manual_seed(0)
    assert all(sample_next(q, top_k=1, generator=g) == 1 for _ in range(20))
    assert all(sample_next(q, top_p=1e-6, generator=g) == 1 for _ in range(20))
    assert sample_next(q, temperature=0.0, top_k=3, top_p=0.5) == 1  # 贪心时截断不起作用


def test_sampling_follows_the_distribution_and_the_generator():
    q = torch.log(torch.tensor([0.6, 0.3, 0.1]))
    g = torch.Generator().manual_seed(0)
    draws = torch.tensor([sample_next(q, generator=g) for _ in range(4000)])
    freq = torch.bincount(draws, minlength=3) / 4000
    assert_close(freq, torch.tensor([0.6, 0.3, 0.1]), atol=0.03, rtol=0)
    again = torch.Generator().manual_seed(0)
    assert [sample_next(q, generator=again) for _ in range(4000)] == draws.tolist()
    g = torch.Generator().manual_seed(0)
    truncated = {sample_next(q, top_p=0.8, generator=g) for _ in range(500)}
    assert truncated == {0, 1}  # 0.6 + 0.3 >= 0.8：第 3 个永远抽不到
    g = torch.Generator().manual_seed(0)
    assert {sample_next(q, top_k=2, generator=g) for _ in range(500)} == {0, 1}


def test_minus_infinity_scores_are_never_sampled():
    q = torch.tensor([1.0, -math.inf, 0.5])
    g = torch.Generator().manual_seed(0)
    assert 1 not in {sample_next(q, temperature=1.5, top_p=1.0, generator=g) for _ in range(300)}


def test_filters_keep_dtype_and_leading_dimensions():
    probs = torch.full((2, 3, 4), 0.25, dtype=torch.float64)
    for out in (top_k_filter(probs, 2), top_p_filter(probs, 0.5)):
        assert out.shape == probs.shape
        assert out.dtype == torch.float64
        assert_close(out.sum(dim=-1), torch.ones(2, 3, dtype=torch.float64))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: softmax_with_temperature(torch.zeros(3), 0.0), ValueError, "temperature 应为大于 0 的实数"),
        (lambda: softmax_with_temperature(torch.zeros(3, dtype=torch.long), 1.0), TypeError, "logits 应为浮点张量"),
        (lambda: softmax_with_temperature([1.0, 2.0], 1.0), TypeError, "logits 应为浮点张量，实际收到 list"),
        (lambda: top_k_filter(torch.ones(3) / 3, 0), ValueError, "k 应为正整数，实际收到 0"),
        (lambda: top_p_filter(torch.ones(3) / 3, 0.0), ValueError, "p 应为大于 0 的实数，实际收到 0.0"),
        (lambda: top_p_filter(torch.ones(3) / 3, 1.5), ValueError, "p 应在 0 到 1 之间（可以等于 1），实际收到 1.5"),
        (lambda: top_p_filter(torch.ones(0), 0.5), ValueError, "probs 的最后一维应至少有一个字符"),
        (lambda: sample_next(torch.zeros(2, 3)), ValueError, "logits 应为一维张量，形状 (|V|,)，实际形状 (2, 3)"),
        (lambda: sample_next(torch.zeros(3), temperature=-1.0), ValueError, "temperature 应为不小于 0 的实数"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
