"""贪心、束搜索与穷举搜索（rnn_examples.decoding）。

参照：:meth:`Seq2Seq.greedy`（逐步取最大），以及用教师强制给全部候选打分的穷举搜索——
两者都不经过束搜索的代码。
"""

from __future__ import annotations

import pytest
import torch
from torch.testing import assert_close

from rnn_examples.decoding import Hypothesis, beam_search, exhaustive_search, sequence_log_probs
from rnn_examples.seq2seq import EOS, PAD, Seq2Seq, allowed_log_probs, pad_batch

SOURCE = [3, 4, 5, 6]


def tiny_model(seed: int, symbols: int = 2, attention_size: int | None = None, scale: float = 3.0) -> Seq2Seq:
    """随机初始化的小模型：输出词表是 3 个特殊符号加 ``symbols`` 个符号；放大输出层让分布各不相同。"""
    torch.manual_seed(seed)
    model = Seq2Seq(8, 3 + symbols, embedding_dim=4, hidden_size=5, attention_size=attention_size).eval()
    with torch.no_grad():
        model.decoder.out.weight.mul_(scale)
    return model


def full_width(symbols: int, max_len: int) -> int:
    """束搜索一个候选也不丢所需的束宽：每一步的续写个数的最大值。"""
    return max(symbols ** (t - 1) * (symbols + 1) for t in range(1, max_len)) if max_len > 1 else 1


@pytest.mark.parametrize("attention_size", [None, 3])
def test_width_one_is_greedy(attention_size):
    for seed in range(20):
        model = tiny_model(seed, symbols=4, attention_size=attention_size)
        tokens, _ = model.greedy(*pad_batch([SOURCE]), max_len=6)
        greedy = [t for t in tokens[0].tolist() if t != PAD]
        assert list(beam_search(model, SOURCE, beam_width=1, max_len=6).tokens) == greedy


@pytest.mark.parametrize("length_penalty", [0.0, 1.0])
@pytest.mark.parametrize(("symbols", "max_len"), [(2, 4), (3, 3), (2, 5)])
def test_wide_enough_beam_equals_exhaustive_search(symbols, max_len, length_penalty):
    width = full_width(symbols, max_len)
    for seed in range(15):
        model = tiny_model(seed, symbols)
        exact = exhaustive_search(model, SOURCE, max_len, length_penalty)
        beam = beam_search(model, SOURCE, width, max_len, length_penalty)
        assert beam.tokens == exact.tokens, seed
        assert beam.log_prob == pytest.approx(exact.log_prob, abs=1e-5)


def test_a_beam_as_wide_as_the_vocabulary_is_not_exhaustive():
    """束宽等于可写的符号数（这里 3）时，第 2 步起就要丢候选：有的模型让它错过最优解。"""
    misses = 0
    for seed in range(60):
        model = tiny_model(seed, symbols=2)
        exact = exhaustive_search(model, SOURCE, max_len=5, length_penalty=1.0)
        beam = beam_search(model, SOURCE, beam_width=3, max_len=5, length_penalty=1.0)
        assert beam.score(1.0) <= exact.score(1.0) + 1e-6  # 穷举是上界
        misses += beam.tokens != exact.tokens
    assert misses > 0


def test_a_beam_as_wide_as_the_vocabulary_is_exhaustive_for_one_symbol():
    """max_len = 2（一个符号加 <eos>）时没有什么可丢的：束宽 |V| 就是穷举。"""
    for seed in range(20):
        model = tiny_model(seed, symbols=3)
        for penalty in (0.0, 1.0):
            exact = exhaustive_search(model, SOURCE, max_len=2, length_penalty=penalty)
            assert beam_search(model, SOURCE, 4, 2, penalty).tokens == exact.tokens


def test_sequence_log_probs_equal_the_sum_of_step_log_probs():
    model = tiny_model(0, symbols=3, attention_size=3)
    outputs = [(3, 4, EOS), (EOS,), (5, 5, 5, EOS)]
    got = sequence_log_probs(model, SOURCE, outputs)
    encoded = model.encode(*pad_batch([SOURCE]))
    for i, output in enumerate(outputs):
        state, total, prev = model.decoder.start(encoded), 0.0, 1  # <bos>
        for token in output:
            logits, state, _ = model.decoder.step(torch.tensor([prev]), state, encoded)
            total += allowed_log_probs(logits)[0, token].item()
            prev = token
        assert got[i].item() == pytest.approx(total, abs=1e-5)
    with pytest.raises(ValueError, match="以 <eos>"):
        sequence_log_probs(model, SOURCE, [(3, 4)])


def test_length_normalisation_changes_the_score():
    h = Hypothesis((3, 4, EOS), -3.0)
    assert h.score(0.0) == -3.0
    assert h.score(1.0) == -1.0


def test_scores_are_exact_log_probabilities():
    model = tiny_model(1, symbols=2)
    best = beam_search(model, SOURCE, beam_width=2, max_len=4)
    assert_close(sequence_log_probs(model, SOURCE, [best.tokens])[0], torch.tensor(best.log_prob), atol=1e-5, rtol=0)


def test_bad_arguments():
    model = tiny_model(0)
    with pytest.raises(ValueError, match="beam_width 应为正整数"):
        beam_search(model, SOURCE, beam_width=0, max_len=3)
    with pytest.raises(ValueError, match="length_penalty 应为不小于 0"):
        beam_search(model, SOURCE, beam_width=2, max_len=3, length_penalty=-1.0)
    with pytest.raises(TypeError, match="max_len 应为正整数"):
        exhaustive_search(model, SOURCE, max_len=2.5)
