"""固定窗口的前馈基线（第 1、2 章）：窗口切得对，WindowMLP 与卷积网络一致、只看窗口之内，
LinearAR 的最小二乘解满足正规方程并还原正弦的精确递推；错误的输入给出清楚的报错。"""

from __future__ import annotations

import math

import pytest
import torch

from rnn_examples.windowed import LinearAR, WindowMLP, windows


def test_windows_match_explicit_slices():
    x = torch.randn(2, 7, 3)
    got = windows(x, 4)
    expected = torch.stack([x[:, j : j + 4].reshape(2, 12) for j in range(4)], dim=1)
    torch.testing.assert_close(got, expected)
    assert got.shape == (2, 4, 12)


def test_window_of_one_is_the_sequence_itself():
    x = torch.randn(3, 5, 2)
    torch.testing.assert_close(windows(x, 1), x)


def test_window_mlp_matches_per_window_computation():
    torch.manual_seed(0)
    model = WindowMLP(window=3, input_size=2, hidden_size=5, output_size=4)
    x = torch.randn(2, 9, 2)
    expected = torch.stack(
        [model.out(torch.relu(model.hidden(x[:, j : j + 3].reshape(2, 6)))) for j in range(7)],
        dim=1,
    )
    torch.testing.assert_close(model(x), expected)


@pytest.mark.parametrize(("window", "dim", "out"), [(1, 1, 1), (3, 2, 1), (5, 3, 2)])
def test_window_mlp_equals_torch_conv1d(window, dim, out):
    torch.manual_seed(window)
    model = WindowMLP(window, dim, hidden_size=6, output_size=out)
    conv = model.as_conv1d()
    assert isinstance(conv[0], torch.nn.Conv1d)
    assert conv[0].kernel_size == (window,)
    x = torch.randn(3, 12, dim)
    torch.testing.assert_close(conv(x.transpose(1, 2)).transpose(1, 2), model(x))
    # 复制，不共享内存
    with torch.no_grad():
        conv[0].weight.zero_()
    assert model.hidden.weight.abs().sum() > 0


def test_window_mlp_output_depends_only_on_its_window():
    torch.manual_seed(1)
    model = WindowMLP(window=3, input_size=2, hidden_size=8, output_size=1)
    x = torch.randn(1, 10, 2)
    jac = torch.autograd.functional.jacobian(lambda s: model(s)[0, :, 0], x)[:, 0]  # (8, 10, 2)
    depends = jac.abs().sum(dim=-1) > 0  # (输出, 输入步)
    for j in range(8):
        expected = torch.zeros(10, dtype=torch.bool)
        expected[j : j + 3] = True
        assert torch.equal(depends[j], expected), j


def test_window_mlp_parameter_count_grows_with_window_not_length():
    for window in (2, 7):
        model = WindowMLP(window, 3, 8, 1)
        assert sum(p.numel() for p in model.parameters()) == 8 * window * 3 + 8 + 8 + 1
        assert model(torch.randn(1, 40, 3)).shape == (1, 40 - window + 1, 1)


def test_linear_ar_recovers_the_exact_sine_recursion():
    omega = 2 * math.pi / 25
    wave = torch.sin(omega * torch.arange(80, dtype=torch.float64))
    x, y = wave[:-1].reshape(1, 79, 1), wave[2:].reshape(1, 78, 1)
    model = LinearAR.fit(x, y, window=2)
    torch.testing.assert_close(model.linear.weight[0], torch.tensor([-1.0, 2 * math.cos(omega)], dtype=torch.float64))
    torch.testing.assert_close(model.linear.bias, torch.zeros(1, dtype=torch.float64), atol=1e-10, rtol=0)
    torch.testing.assert_close(model(x), y)


def test_linear_ar_fit_is_the_least_squares_solution():
    torch.manual_seed(2)
    x = torch.randn(3, 20, 2, dtype=torch.float64)
    y = torch.randn(3, 17, 2, dtype=torch.float64)
    model = LinearAR.fit(x, y, window=4)
    assert model.linear.weight.dtype == torch.float64
    # 最小二乘解处平方误差对参数的梯度为 0（正规方程）
    loss = ((model(x) - y) ** 2).sum()
    grads = torch.autograd.grad(loss, list(model.parameters()))
    for g in grads:
        torch.testing.assert_close(g, torch.zeros_like(g), atol=1e-9, rtol=0)
    # 与直接解 torch.linalg.lstsq 一致
    design = torch.cat([windows(x, 4).reshape(51, 8), torch.ones(51, 1, dtype=torch.float64)], dim=1)
    reference = torch.linalg.lstsq(design, y.reshape(51, 2)).solution
    torch.testing.assert_close(model.linear.weight, reference[:-1].T)
    torch.testing.assert_close(model.linear.bias, reference[-1])


def test_linear_ar_keeps_float32():
    x = torch.randn(1, 30, 1)
    model = LinearAR.fit(x, x[:, 2:], window=3)
    assert model.linear.weight.dtype == torch.float32
    torch.testing.assert_close(model(x), x[:, 2:], atol=1e-4, rtol=0)  # 窗口里最后一个值就是目标


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: windows(torch.randn(1, 2, 3), 3), ValueError, "x 的长度（dim=1）应不小于 window=3，实际为 2"),
        (lambda: windows(torch.randn(2, 3), 1), ValueError, "x 应为 3 维张量"),
        (lambda: windows(torch.randn(1, 4, 1), 0), ValueError, "window 应为正整数，实际收到 0"),
        (lambda: windows(torch.zeros(1, 4, 1, dtype=torch.long), 2), TypeError, "x 应为浮点张量"),
        (lambda: WindowMLP(2.0, 1, 4, 1), TypeError, "window 应为正整数（int），实际收到 float: 2.0"),
        (lambda: WindowMLP(2, 3, 4, 1)(torch.randn(1, 5, 2)), ValueError, "（输入特征数 D）应为 3，实际为 2"),
        (lambda: WindowMLP(6, 1, 4, 1)(torch.randn(1, 5, 1)), ValueError, "应不小于 window=6"),
        (
            lambda: LinearAR.fit(torch.randn(1, 10, 1), torch.randn(1, 10, 1), window=3),
            ValueError,
            "y 的前两维应为 (1, 8)（批大小与窗口个数 T-τ+1），实际收到形状 (1, 10, 1)",
        ),
        (lambda: LinearAR.fit(torch.randn(1, 10, 1), torch.randn(8, 1), window=3), ValueError, "y 应为 3 维张量"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
