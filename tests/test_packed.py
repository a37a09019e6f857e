"""几个网络拼成块对角的大网络一起训练（rnn_examples.packed）：与逐个 train_regressor 的结果相同。"""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnn_examples.gated import SequenceRegressor
from rnn_examples.packed import _pack, train_together
from rnn_examples.tasks import marked_recall
from rnn_examples.training import train_regressor


def make_models(kind: str, count: int, **kwargs: object) -> list[SequenceRegressor]:
    models = []
    for seed in range(count):
        torch.manual_seed(seed)
        models.append(SequenceRegressor(kind, 2, 5, 1, **kwargs))
    return models


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_training_together_equals_training_each_alone(kind: str) -> None:
    models = make_models(kind, 3, gate_bias=None if kind == "rnn" else 3.0)
    if kind == "rnn":
        nn.init.orthogonal_(models[1].rnn.weight_hh_l0)  # 不同的初始化也照样拼
    alone, initial = copy.deepcopy(models), copy.deepcopy(models)
    data = [marked_recall(48, 7, seed=seed) for seed in range(3)]

    losses = train_together(models, data, steps=12, lr=0.02, batch_size=8, seed=4)

    for model, single, start, (x, y), model_losses in zip(models, alone, initial, data, losses, strict=True):
        history = train_regressor(single, x, y, steps=12, lr=0.02, batch_size=8, seed=4)
        assert_close(torch.tensor(model_losses), torch.tensor(history.losses))
        for (name, trained), (_, reference) in zip(model.named_parameters(), single.named_parameters(), strict=True):
            assert_close(trained, reference, msg=name)
        assert not torch.equal(model.rnn.weight_hh_l0, start.rnn.weight_hh_l0)  # 确实训练了


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_packed_network_outputs_each_network_side_by_side(kind: str) -> None:
    """拼出的大网络读入拼接的输入，输出恰好是各个网络输出的拼接；块外的权重全为 0。"""
    models = make_models(kind, 3)
    big, masks = _pack(models)
    xs = [torch.randn(4, 6, 2) for _ in models]
    expected = torch.cat([model(x) for model, x in zip(models, xs, strict=True)], dim=-1)
    assert_close(big(torch.cat(xs, dim=-1)), expected)
    for name, mask in masks.items():
        assert (big.get_parameter(name)[mask == 0] == 0).all(), name
        assert 0 < mask.mean() < 1


def test_bad_arguments_are_rejected() -> None:
    models = make_models("lstm", 2)
    data = [marked_recall(16, 5, seed=seed) for seed in range(2)]
    with pytest.raises(ValueError, match="非空"):
        train_together([], data, steps=1, lr=0.01, batch_size=4)
    with pytest.raises(TypeError, match=r"models\[1\] 应为 SequenceRegressor"):
        train_together([models[0], nn.Linear(2, 1)], data, steps=1, lr=0.01, batch_size=4)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="同一种循环层"):
        train_together([models[0], *make_models("gru", 1)], data, steps=1, lr=0.01, batch_size=4)
    with pytest.raises(ValueError, match="data 应有 2 组"):
        train_together(models, data[:1], steps=1, lr=0.01, batch_size=4)
    with pytest.raises(ValueError, match="时间步数 T"):
        train_together(models, [data[0], marked_recall(16, 6)], steps=1, lr=0.01, batch_size=4)
    with pytest.raises(ValueError, match="steps 应为正整数"):
        train_together(models, data, steps=0, lr=0.01, batch_size=4)


def test_divergence_stops_with_a_clear_error() -> None:
    models = make_models("rnn", 2)
    x, y = marked_recall(16, 5)
    with pytest.raises(RuntimeError, match="不再有限"):
        train_together(models, [(x, y), (x, y * float("inf"))], steps=2, lr=0.01, batch_size=4)
