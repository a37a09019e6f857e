"""在一条长序列上训练（rnn_examples.training 的 StepwiseRNN、顺序/随机小批量、train_on_sequence）。"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnn_examples.data import noisy_sine
from rnn_examples.training import (
    StepwiseRNN,
    random_batch,
    sequential_batches,
    train_on_sequence,
)


def test_stepwise_rnn_is_nn_rnn_plus_linear_with_carried_state():
    torch.manual_seed(0)
    model = StepwiseRNN(2, 5, 3)
    x = torch.randn(4, 9, 2)
    reference = nn.RNN(2, 5, batch_first=True)
    reference.load_state_dict(model.rnn.state_dict())
    states, last = reference(x)
    outputs, state = model(x)
    assert_close(outputs, states @ model.fc.weight.T + model.fc.bias)
    assert_close(state, last)
    first, middle = model(x[:, :4])  # 分块计算，状态接着传，结果与一次算完相同
    second, end = model(x[:, 4:], middle)
    assert_close(torch.cat([first, second], dim=1), outputs)
    assert_close(end, state)


def test_sequential_batches_continue_each_row():
    series = torch.arange(50.0)
    x, y = sequential_batches(series, batch_size=3, chunk=4)
    length = (50 - 1) // 3  # 每条流 16 个值，切成 4 块
    assert x.shape == y.shape == (4, 3, 4, 1)
    for i in range(4):
        for b in range(3):
            start = b * length + i * 4
            assert_close(x[i, b, :, 0], series[start : start + 4])
            assert_close(y[i, b, :, 0], series[start + 1 : start + 5])
    assert_close(x[1:, :, 0], y[:-1, :, -1])  # 下一块的第一个输入是上一块的最后一个目标


def test_random_batch_windows_are_consecutive_values():
    series = torch.randn(40)
    x, y = random_batch(series, batch_size=6, chunk=5, generator=torch.Generator().manual_seed(1))
    assert x.shape == y.shape == (6, 5, 1)
    for row_x, row_y in zip(x[..., 0], y[..., 0], strict=True):
        start = int((series == row_x[0]).nonzero()[0])
        assert_close(row_x, series[start : start + 5])
        assert_close(row_y, series[start + 1 : start + 6])


def reference_sequential_training(model, series, *, chunk, batch_size, steps, lr):
    """参照实现：直接写出“状态传下去、先 detach”的循环。"""
    x_chunks, y_chunks = sequential_batches(series, batch_size=batch_size, chunk=chunk)
    optim = torch.optim.Adam(model.parameters(), lr=lr)
    state, losses = None, []
    for step in range(steps):
        index = step % x_chunks.shape[0]
        if index == 0:
            state = None
        out, state = model.rnn(x_chunks[index], state)
        state = state.detach()
        loss = ((model.fc(out) - y_chunks[index]) ** 2).mean()
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    return losses


def test_sequential_training_carries_and_detaches_the_state():
    series = noisy_sine(130, period=25.0, noise=0.1, seed=0)
    torch.manual_seed(2)
    model = StepwiseRNN(1, 6, 1)
    twin = StepwiseRNN(1, 6, 1)
    twin.load_state_dict(model.state_dict())
    history = train_on_sequence(model, series, chunk=8, batch_size=4, steps=10, lr=0.01, sequential=True)
    expected = reference_sequential_training(twin, series, chunk=8, batch_size=4, steps=10, lr=0.01)
    assert_close(torch.tensor(history.losses), torch.tensor(expected))  # 10 步跨过一遍（4 块）的边界
    for p, q in zip(model.parameters(), twin.parameters(), strict=True):
        assert_close(p, q)


def test_carrying_the_state_changes_the_loss():
    """状态真的传了下去：第 2 块的损失与“从 0 开始”不同。"""
    series = noisy_sine(130, period=25.0, noise=0.1, seed=0)
    torch.manual_seed(3)
    model = StepwiseRNN(1, 6, 1)
    x_chunks, y_chunks = sequential_batches(series, batch_size=4, chunk=8)
    with torch.no_grad():
        _, state = model(x_chunks[0])
        carried = nn.functional.mse_loss(model(x_chunks[1], state)[0], y_chunks[1]).item()
        fresh = nn.functional.mse_loss(model(x_chunks[1])[0], y_chunks[1]).item()
    history = train_on_sequence(model, series, chunk=8, batch_size=4, steps=2, lr=1e-12, sequential=True)
    assert history.losses[1] == pytest.approx(carried, rel=1e-5)
    assert abs(carried - fresh) > 1e-4


def test_random_training_starts_every_block_from_zero():
    series = noisy_sine(100, period=25.0, noise=0.1, seed=0)
    torch.manual_seed(4)
    model = StepwiseRNN(1, 6, 1)
    x, y = random_batch(series, batch_size=5, chunk=7, generator=torch.Generator().manual_seed(9))
    with torch.no_grad():
        expected = nn.functional.mse_loss(model(x)[0], y).item()
    history = train_on_sequence(model, series, chunk=7, batch_size=5, steps=1, lr=0.01, sequential=False, seed=9)
    assert history.losses[0] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"chunk": 0}, ValueError, "chunk 应为正整数，实际收到 0"),
        ({"batch_size": 2.0}, TypeError, "batch_size 应为正整数（int），实际收到 float"),
        ({"chunk": 30}, ValueError, r"series 至少要有 batch_size × chunk \+ 1 = 121 个值，实际长度为 50"),
        ({"steps": -1}, ValueError, "steps 应为正整数，实际收到 -1"),
        ({"lr": 0}, ValueError, "lr 应为大于 0 的实数，实际收到 0"),
        ({"max_norm": -1.0}, ValueError, "max_norm 应为大于 0 的实数，实际收到 -1.0"),
    ],
)
def test_train_on_sequence_rejects_bad_arguments(kwargs, error, message):
    arguments = {"chunk": 5, "batch_size": 4, "steps": 3, "lr": 0.01, "sequential": True} | kwargs
    with pytest.raises(error, match=message):
        train_on_sequence(StepwiseRNN(1, 4, 1), torch.randn(50), **arguments)


def test_bad_model_and_series_are_rejected():
    with pytest.raises(TypeError, match="model 应为 StepwiseRNN，实际收到 Linear"):
        train_on_sequence(nn.Linear(1, 1), torch.randn(50), chunk=5, batch_size=2, steps=1, lr=0.1, sequential=True)
    with pytest.raises(ValueError, match=r"series 应为 1 维张量，形状 \(N,\)"):
        sequential_batches(torch.randn(5, 10), batch_size=2, chunk=2)
    with pytest.raises(ValueError, match="state 的 dim=2（隐藏状态维数 H）应为 4，实际为 3"):
        StepwiseRNN(1, 4, 1)(torch.randn(2, 3, 1), torch.zeros(1, 2, 3))


def test_one_stream_chunker_for_numbers_and_characters():
    """第 10 章（数值）与第 11 章（字符编号）用的是同一个函数：编号只少一维特征。"""
    from rnn_examples import charlm, training

    assert charlm.sequential_batches is training.sequential_batches
    assert charlm.random_batch is training.random_batch
    ids = torch.arange(50) * 7 % 50
    x_ids, y_ids = sequential_batches(ids, batch_size=3, chunk=4)
    x_val, y_val = sequential_batches(ids.double(), batch_size=3, chunk=4)
    assert x_ids.dtype == torch.long
    assert x_ids.shape == (4, 3, 4)
    assert torch.equal(x_val[..., 0].long(), x_ids)
    assert torch.equal(y_val[..., 0].long(), y_ids)


def test_optimizer_step_clips_reports_and_skips_a_diverged_step():
    from rnn_examples.training import optimizer_step

    w = nn.Parameter(torch.tensor([3.0, 4.0]))
    optim = torch.optim.SGD([w], lr=1.0)
    assert optimizer_step(optim, (w**2).sum() / 2) == (12.5, 5.0)  # 不裁剪：g = w
    assert_close(w.detach(), torch.zeros(2))
    before = w.detach().clone()
    _, norm = optimizer_step(optim, (w * float("inf")).sum(), max_norm=1.0)
    assert not math.isfinite(norm)
    assert torch.equal(w.detach(), before)  # 发散的一步不更新参数
