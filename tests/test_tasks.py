"""合成数据集（rnn_examples.tasks）：长程记忆任务的目标就是第 1 步带标记的符号。"""

from __future__ import annotations

import pytest
import torch
from torch.testing import assert_close

from rnn_examples.tasks import marked_recall, sliding_windows


def test_marked_recall_target_is_marked_first_value():
    x, y = marked_recall(100, 7, seed=1)
    assert_close(x[:, 0, 0:1], y)
    assert set(y.unique().tolist()) == {-1.0, 1.0}
    assert x[:, 1:, 1].abs().sum() == 0
    assert_close(marked_recall(100, 7, seed=1)[0], x)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="series 的长度应大于 window=5，实际长度为 5"):
        sliding_windows(torch.zeros(5), 5)
    with pytest.raises(ValueError, match="seq_len 应为正整数，实际收到 0"):
        marked_recall(4, 0)
