"""错误的输入得到清楚的 TypeError / ValueError，报错写明期望与实际。"""

from __future__ import annotations

import pytest
import torch

from rnn_examples import ManualRNN, RNNCell, SimpleRNN

MODELS = [SimpleRNN, ManualRNN]


@pytest.mark.parametrize("model_cls", MODELS)
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_size": 0}, ValueError, "input_size 应为正整数，实际收到 0"),
        ({"hidden_size": -3}, ValueError, "hidden_size 应为正整数，实际收到 -3"),
        ({"output_size": 0}, ValueError, "output_size 应为正整数，实际收到 0"),
        ({"num_layers": 0}, ValueError, "num_layers 应为正整数，实际收到 0"),
        ({"hidden_size": 2.5}, TypeError, "hidden_size 应为正整数（int），实际收到 float: 2.5"),
        ({"num_layers": True}, TypeError, "num_layers 应为正整数（int），实际收到 bool: True"),
        ({"nonlinearity": "sigmoid"}, ValueError, "nonlinearity 应为 'tanh' 或 'relu'，实际收到 'sigmoid'"),
    ],
)
def test_bad_constructor_arguments(model_cls, kwargs, error, message):
    arguments = {"input_size": 4, "hidden_size": 5, "output_size": 2} | kwargs
    with pytest.raises(error) as info:
        model_cls(**arguments)
    assert str(info.value) == message


@pytest.mark.parametrize("model_cls", MODELS)
@pytest.mark.parametrize(
    ("x", "error", "message"),
    [
        ([[[1.0] * 4]], TypeError, "x 应为 torch.Tensor，实际收到 list"),
        (torch.ones(2, 3, 4, dtype=torch.long), TypeError, "x 应为浮点张量（如 torch.float32），实际收到 torch.int64"),
        (torch.ones(3, 4), ValueError, "x 应为 3 维张量，形状 (B, T, D)，实际收到 2 维，形状 (3, 4)"),
        (torch.ones(1, 2, 3, 4), ValueError, "x 应为 3 维张量，形状 (B, T, D)，实际收到 4 维，形状 (1, 2, 3, 4)"),
        (torch.ones(2, 3, 7), ValueError, "x 的 dim=2（输入特征数 D）应为 4，实际为 7（形状 (2, 3, 7)）"),
        (torch.ones(2, 0, 4), ValueError, "x 不能为空：形状 (B, T, D) 的每一维都应大于 0，实际形状 (2, 0, 4)"),
        (torch.ones(0, 3, 4), ValueError, "x 不能为空：形状 (B, T, D) 的每一维都应大于 0，实际形状 (0, 3, 4)"),
    ],
)
def test_bad_sequence(model_cls, x, error, message):
    model = model_cls(4, 5, 2)
    with pytest.raises(error) as info:
        model(x)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("x_t", "s_prev", "error", "message"),
    [
        (torch.ones(2, 3, 4), torch.ones(2, 5), ValueError, "x_t 应为 2 维张量，形状 (B, D)，实际收到 3 维"),
        (torch.ones(2, 6), torch.ones(2, 5), ValueError, "x_t 的 dim=1（输入特征数 D）应为 4，实际为 6"),
        (torch.ones(2, 4), torch.ones(2, 9), ValueError, "s_prev 的 dim=1（隐藏状态维数 H）应为 5，实际为 9"),
        (torch.ones(2, 4), torch.ones(3, 5), ValueError, "s_prev 的 dim=0（批大小 B，须与 x_t 相同）应为 2，实际为 3"),
        (torch.ones(2, 4), torch.ones(2, 5, dtype=torch.int32), TypeError, "s_prev 应为浮点张量"),
        (torch.ones(0, 4), torch.ones(0, 5), ValueError, "x_t 不能为空"),
    ],
)
def test_bad_cell_input(x_t, s_prev, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        RNNCell(4, 5)(x_t, s_prev)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((0, 5), ValueError, "input_size 应为正整数，实际收到 0"),
        ((4, "5"), TypeError, "hidden_size 应为正整数（int），实际收到 str: '5'"),
        ((4, 5, "gelu"), ValueError, "nonlinearity 应为 'tanh' 或 'relu'，实际收到 'gelu'"),
    ],
)
def test_bad_cell_arguments(args, error, message):
    with pytest.raises(error) as info:
        RNNCell(*args)
    assert str(info.value) == message


def test_from_simple_rnn_rejects_other_models():
    with pytest.raises(TypeError) as info:
        ManualRNN.from_simple_rnn(torch.nn.RNN(3, 4))
    assert str(info.value) == "model 应为 SimpleRNN，实际收到 RNN"
