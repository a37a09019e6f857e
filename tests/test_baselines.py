"""第 1 章的前馈基线：平均池化对顺序不敏感，展平的感知机只接受固定长度；与 RNN 对照。"""

from __future__ import annotations

import pytest
import torch

from rnn_examples import SimpleRNN
from rnn_examples.baselines import FlattenMLP, MeanPoolMLP


def test_mean_pool_is_permutation_invariant_and_rnn_is_not():
    torch.manual_seed(0)
    x = torch.randn(4, 7, 3)
    permutation = torch.tensor([6, 0, 5, 1, 4, 2, 3])
    shuffled = x[:, permutation, :]
    pooled = MeanPoolMLP(3, 8, 2)
    torch.testing.assert_close(pooled(shuffled), pooled(x))
    rnn = SimpleRNN(3, 8, 2)
    assert not torch.allclose(rnn(shuffled), rnn(x))


def test_mean_pool_matches_reference_computation():
    torch.manual_seed(1)
    model = MeanPoolMLP(3, 5, 2)
    x = torch.randn(2, 4, 3)
    first, _, second = model.mlp
    expected = second(torch.relu(first(x.mean(dim=1))))
    torch.testing.assert_close(model(x), expected)


def test_flatten_mlp_matches_reference_and_sees_order():
    torch.manual_seed(2)
    model = FlattenMLP(seq_len=4, input_size=3, hidden_size=6, output_size=1)
    x = torch.randn(5, 4, 3)
    first, _, second = model.mlp
    torch.testing.assert_close(model(x), second(torch.relu(first(x.reshape(5, 12)))))
    assert not torch.allclose(model(x.flip(1)), model(x))


def test_variable_length():
    torch.manual_seed(3)
    pooled = MeanPoolMLP(3, 4, 1)
    for length in (1, 5, 17):
        assert pooled(torch.randn(2, length, 3)).shape == (2, 1)


@pytest.mark.parametrize(
    ("factory", "error", "message"),
    [
        (lambda: MeanPoolMLP(0, 4, 1), ValueError, "input_size 应为正整数，实际收到 0"),
        (lambda: MeanPoolMLP(3, 4.0, 1), TypeError, "hidden_size 应为正整数（int），实际收到 float: 4.0"),
        (lambda: MeanPoolMLP(3, 4, -1), ValueError, "output_size 应为正整数，实际收到 -1"),
        (lambda: FlattenMLP(0, 3, 4, 1), ValueError, "seq_len 应为正整数，实际收到 0"),
        (lambda: FlattenMLP(2, True, 4, 1), TypeError, "input_size 应为正整数（int），实际收到 bool: True"),
    ],
)
def test_bad_constructor_arguments(factory, error, message):
    with pytest.raises(error) as info:
        factory()
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("x", "error", "message"),
    [
        ([[1.0]], TypeError, "x 应为 torch.Tensor，实际收到 list"),
        (torch.ones(2, 4, dtype=torch.long), TypeError, "x 应为浮点张量（如 torch.float32），实际收到 torch.int64"),
        (torch.ones(2, 4), ValueError, "x 应为 3 维张量，形状 (B, T, D)，实际收到 2 维，形状 (2, 4)"),
        (torch.ones(2, 4, 5), ValueError, "x 的 dim=2（输入特征数 D）应为 3，实际为 5（形状 (2, 4, 5)）"),
    ],
)
@pytest.mark.parametrize("model", [MeanPoolMLP(3, 4, 1), FlattenMLP(4, 3, 4, 1)], ids=["mean", "flatten"])
def test_bad_input(model, x, error, message):
    with pytest.raises(error) as info:
        model(x)
    assert str(info.value) == message


def test_flatten_rejects_other_length():
    model = FlattenMLP(4, 3, 4, 1)
    expected = "x 的 dim=1（构造时的 seq_len）应为 4，实际为 6（形状 (2, 6, 3)）"
    with pytest.raises(ValueError, match="seq_len") as info:
        model(torch.ones(2, 6, 3))
    assert str(info.value) == expected
