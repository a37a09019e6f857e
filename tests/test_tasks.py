"""合成数据集（rnn_examples.tasks）与门控单元（rnn_examples.gated）。"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnn_examples.data import noisy_sine
from rnn_examples.gated import SequenceRegressor, unroll
from rnn_examples.tasks import marked_recall, sliding_windows
from rnn_examples.training import train_regressor


def test_noisy_sine_is_seeded_and_windows_line_up():
    a = noisy_sine(50, seed=3)
    b = noisy_sine(50, seed=3)
    assert_close(a, b)
    x, y = sliding_windows(a, 10)
    assert x.shape == (40, 10, 1)
    assert y.shape == (40, 1)
    assert_close(x[5, :, 0], a[5:15])
    assert_close(y[5, 0], a[15])


def test_marked_recall_target_is_marked_first_value():
    x, y = marked_recall(100, 7, seed=1)
    assert_close(x[:, 0, 0:1], y)
    assert set(y.unique().tolist()) == {-1.0, 1.0}
    assert x[:, 1:, 1].abs().sum() == 0
    assert_close(marked_recall(100, 7, seed=1)[0], x)


@pytest.mark.parametrize("kind", [nn.LSTM, nn.GRU])
def test_gate_formulas_reproduce_torch(kind):
    torch.manual_seed(0)
    module = kind(3, 5, batch_first=True)
    x = torch.randn(4, 6, 3)
    assert_close(unroll(module, x), module(x)[0])


def test_lstm_beats_vanilla_rnn_on_long_range_recall():
    T = 40  # 第 9 章的表：T=40 时普通 RNN 停在猜测水平，LSTM 学会
    x, y = marked_recall(64 * 400, T, seed=0)
    x_test, y_test = marked_recall(1000, T, seed=1)
    accuracy = {}
    for kind in ("rnn", "lstm"):
        torch.manual_seed(0)
        model = SequenceRegressor(kind, 2, 16, 1, gate_bias=3.0)
        train_regressor(model, x, y, steps=400, lr=0.01, batch_size=64, seed=0)
        with torch.no_grad():
            accuracy[kind] = (model(x_test).sign() == y_test).float().mean().item()
    assert accuracy["lstm"] > 0.95
    assert accuracy["rnn"] < 0.65


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="series 的长度应大于 window=5，实际长度为 5"):
        sliding_windows(torch.zeros(5), 5)
    with pytest.raises(ValueError, match="kind 应为 'rnn' 或 'lstm' 或 'gru'，实际收到 'cnn'"):
        SequenceRegressor("cnn", 1, 2, 1)
    with pytest.raises(TypeError, match="gate_bias 应为实数"):
        SequenceRegressor("lstm", 1, 2, 1, gate_bias="1")
    with pytest.raises(TypeError, match=r"module 应为 nn\.LSTM 或 nn\.GRU"):
        unroll(nn.RNN(1, 2), torch.zeros(1, 2, 1))
    with pytest.raises(ValueError, match="num_layers=2"):
        unroll(nn.LSTM(1, 2, num_layers=2, batch_first=True), torch.zeros(1, 2, 1))
