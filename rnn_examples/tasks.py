r"""书中实验用的合成数据集：全部由随机种子决定，不下载任何东西。

1. :func:`sliding_windows`：把一条序列
   （例如 :func:`rnn_examples.data.noisy_sine` 给出的带噪正弦波）
   切成“前 ``window`` 个值 → 下一个值”的样本，用于下一步预测。
2. :func:`marked_recall`：长期依赖任务。每一步输入两个特征
   ``(value_t, marker_t)`` ， ``value_t`` 全是噪声，只有第 1 步的 ``value_1 ∈ {−1, +1}``
   带有标记 ``marker_1 = 1`` ；模型读完 ``T`` 步后要输出 ``value_1`` 。
   答案与最后 ``T−1`` 步的输入无关，梯度必须跨过整整 ``T−1`` 步才能教会模型记住它。

形状记号： ``N`` 样本数， ``T`` 时间步数（窗口长度）， ``D`` 输入特征数，
``O`` 输出维数。
"""

from __future__ import annotations

import torch

from ._checks import check_float_tensor, check_positive_int


def sliding_windows(
    series: torch.Tensor, window: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """把一维序列切成“窗口 → 下一个值”的样本。

    样本 ``x[i]`` 的输入是 ``series[i : i + window]`` ，目标 ``y[i]`` 是
    ``series[i + window]`` （都是 Python 的下标，从 0 数起）。

    形状:
        - ``series``: ``(N,)`` 。
        - 返回 ``(x, y)`` ： ``(N - window, window, 1)`` 与 ``(N - window, 1)`` ，
          可直接交给 :class:`~rnn_examples.models.SimpleRNN` （``D = O = 1``）。

    Raises:
        ValueError: 序列不比窗口长。

    Example:
        >>> import torch
        >>> from rnn_examples.tasks import sliding_windows
        >>> x, y = sliding_windows(torch.arange(6.0), window=3)
        >>> x[:, :, 0]
        tensor([[0., 1., 2.],
                [1., 2., 3.],
                [2., 3., 4.]])
        >>> y[:, 0]
        tensor([3., 4., 5.])
    """
    check_float_tensor("series", series, ndim=1, layout="(N,)")
    check_positive_int("window", window)
    if series.shape[0] <= window:
        raise ValueError(
            f"series 的长度应大于 window={window}，实际长度为 {series.shape[0]}"
        )
    x = series.unfold(0, window, 1)[:-1]  # (N - window, window)
    y = series[window:]  # (N - window,)
    return x.unsqueeze(-1).clone(), y.unsqueeze(-1).clone()


def marked_recall(
    num_samples: int, seq_len: int, *, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """长期依赖任务：读完整个序列后，说出第 1 步带标记的那个符号。

    - ``x[:, :, 0]`` ：第 1 步为 ``±1`` （等概率），
      其余各步为 :math:`\\mathcal{N}(0, 1)` 噪声；
    - ``x[:, :, 1]`` ：标记，第 1 步为 1，其余为 0；
    - ``y`` ：第 1 步的符号 ``±1`` 。
      总是输出 0 的模型均方误差为 1，随机猜的正确率为 50%。

    形状:
        - 返回: 二元组 ``(x, y)`` ，形状分别为 ``(N, T, 2)`` 与 ``(N, 1)`` 。

    Example:
        >>> from rnn_examples.tasks import marked_recall
        >>> x, y = marked_recall(4, seq_len=10)
        >>> tuple(x.shape), tuple(y.shape)
        ((4, 10, 2), (4, 1))
        >>> bool((x[:, 0, 0] == y[:, 0]).all()), x[0, :, 1].tolist()[:3]
        (True, [1.0, 0.0, 0.0])
    """
    check_positive_int("num_samples", num_samples)
    check_positive_int("seq_len", seq_len)
    generator = torch.Generator().manual_seed(seed)
    values = torch.randn(num_samples, seq_len, generator=generator)
    symbols = torch.randint(0, 2, (num_samples,), generator=generator).float() * 2 - 1
    values[:, 0] = symbols
    marker = torch.zeros(num_samples, seq_len)
    marker[:, 0] = 1.0
    return torch.stack([values, marker], dim=-1), symbols.unsqueeze(-1)
