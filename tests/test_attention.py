"""加性注意力（rnn_examples.attention）：与逐项手算的公式一致，权重和为 1，梯度与数值差分一致。"""

from __future__ import annotations

import pytest
import torch
from torch.testing import assert_close

from rnn_examples.attention import AdditiveAttention

B, TX, H, C, A = 3, 5, 4, 6, 7


def inputs(dtype=torch.float32, seed=0):
    torch.manual_seed(seed)
    attention = AdditiveAttention(H, C, A).to(dtype)
    query = torch.randn(B, H, dtype=dtype)
    keys = torch.randn(B, TX, C, dtype=dtype)
    mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2, [True] + [False] * 4])
    return attention, query, keys, mask


def test_matches_the_formula_term_by_term():
    attention, query, keys, mask = inputs(torch.float64)
    context, weights = attention(query, keys, mask)
    W_a, U_a = attention.W_a.weight, attention.U_a.weight  # noqa: N806  公式里的记号
    v_a = attention.v_a.weight[0]
    for b in range(B):
        real = int(mask[b].sum())
        scores = torch.stack([v_a @ torch.tanh(W_a @ query[b] + U_a @ keys[b, j]) for j in range(real)])
        alpha = scores.exp() / scores.exp().sum()  # softmax 只在真实位置上
        assert_close(weights[b, :real], alpha)
        assert (weights[b, real:] == 0).all()
        assert_close(context[b], (alpha[:, None] * keys[b, :real]).sum(dim=0))


def test_weights_sum_to_one_and_ignore_padding_contents():
    attention, query, keys, mask = inputs()
    context, weights = attention(query, keys, mask)
    assert_close(weights.sum(dim=1), torch.ones(B))
    assert (weights >= 0).all()
    changed = keys.masked_fill(~mask[..., None], 123.0)  # 改动填充位置的内容
    context2, weights2 = attention(query, changed, mask)
    assert_close(context2, context)
    assert_close(weights2, weights)


def test_projected_keys_give_the_same_result():
    attention, query, keys, mask = inputs()
    expected = attention(query, keys, mask)
    got = attention(query, keys, mask, projected=attention.project(keys))
    for a, b in zip(got, expected, strict=True):
        assert_close(a, b)


def test_gradients_match_finite_differences():
    attention, query, keys, mask = inputs(torch.float64)
    query.requires_grad_(True)
    keys.requires_grad_(True)
    params = tuple(attention.parameters())

    names = [name for name, _ in attention.named_parameters()]

    def f(q, k, *weights):
        return torch.func.functional_call(attention, dict(zip(names, weights, strict=True)), (q, k, mask))

    assert torch.autograd.gradcheck(f, (query, keys, *params))


def test_rejects_bad_input():
    attention, query, keys, mask = inputs()
    with pytest.raises(ValueError, match=r"query 的 dim=1（解码器状态维数 H）应为 4，实际为 2"):
        attention(query[:, :2], keys, mask)
    with pytest.raises(ValueError, match=r"keys 的 dim=0（批大小 B，须与 query 相同）应为 3，实际为 2"):
        attention(query, keys[:2], mask)
    with pytest.raises(TypeError, match="mask 应为布尔张量"):
        attention(query, keys, mask.float())
    with pytest.raises(ValueError, match="mask 的形状应为"):
        attention(query, keys, mask[:, :3])
    with pytest.raises(ValueError, match="至少要有一个 True"):
        attention(query, keys, torch.zeros_like(mask))
    with pytest.raises(ValueError, match="attention_size 应为正整数"):
        AdditiveAttention(4, 6, 0)
