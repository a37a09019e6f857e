"""门控单元（rnn_examples.gated）：一步的公式与 nn.LSTMCell / nn.GRUCell 一致，门偏置与参数检查。

在时间上展开后与 nn.LSTM / nn.GRU 一致，由 ``unroll`` 的文档字符串例子检查。
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnn_examples.gated import SequenceRegressor, gru_step, lstm_step, unroll


def test_steps_match_torch_cells_from_any_state():
    torch.manual_seed(0)
    x_t, h, c = torch.randn(4, 3), torch.randn(4, 5), torch.randn(4, 5)
    lstm, gru = nn.LSTM(3, 5, batch_first=True), nn.GRU(3, 5, batch_first=True)
    lstm_cell, gru_cell = nn.LSTMCell(3, 5), nn.GRUCell(3, 5)
    for cell, module in ((lstm_cell, lstm), (gru_cell, gru)):
        # 单元的参数名是 weight_ih，层的是 weight_ih_l0
        cell.load_state_dict({name.removesuffix("_l0"): p for name, p in module.state_dict().items()})
    h_t, c_t = lstm_step(x_t, h, c, lstm.all_weights[0])
    expected_h, expected_c = lstm_cell(x_t, (h, c))
    assert_close(h_t, expected_h)
    assert_close(c_t, expected_c)
    assert_close(gru_step(x_t, h, gru.all_weights[0]), gru_cell(x_t, h))


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_gate_bias_changes_only_the_keep_gate(kind):
    torch.manual_seed(0)
    default = SequenceRegressor(kind, 2, 4, 1)
    torch.manual_seed(0)
    biased = SequenceRegressor(kind, 2, 4, 1, gate_bias=3.0)
    expected = {name: p.detach().clone() for name, p in default.named_parameters()}
    keep = slice(4, 8)  # 第二块：LSTM 的遗忘门（i, f, g, o），GRU 的更新门（r, z, n）
    expected["rnn.bias_ih_l0"][keep] = 3.0
    expected["rnn.bias_hh_l0"][keep] = 0.0
    assert_close({name: p.detach() for name, p in biased.named_parameters()}, expected)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: SequenceRegressor("cnn", 1, 2, 1), ValueError, "kind 应为 'rnn'、'lstm' 或 'gru'，实际收到 'cnn'"),
        (lambda: SequenceRegressor("lstm", 1, 0, 1), ValueError, "hidden_size 应为正整数，实际收到 0"),
        (lambda: SequenceRegressor("lstm", 1, 2, 1, gate_bias="1"), TypeError, "gate_bias 应为实数"),
        (lambda: unroll(nn.RNN(1, 2), torch.zeros(1, 2, 1)), TypeError, "module 应为 nn.LSTM 或 nn.GRU，实际收到 RNN"),
        (
            lambda: unroll(nn.LSTM(1, 2, num_layers=2, batch_first=True), torch.zeros(1, 2, 1)),
            ValueError,
            "num_layers=2",
        ),
        (
            lambda: unroll(nn.GRU(3, 2, batch_first=True), torch.zeros(1, 2, 1)),
            ValueError,
            "x 的 dim=2（输入特征数 D）应为 3，实际为 1",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
