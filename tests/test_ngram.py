"""第 11 章的计数基线：插值 n 元模型与手数的次数一致、每个上文的分布加起来为 1、在验证集上调权重。"""

from __future__ import annotations

import math
from collections import Counter

import pytest
import torch
from torch.testing import assert_close

from rnn_examples.ngram import LineFormatLM, NGramLM, line_counters, tune_weights

#: 一小段手能数清的文本：a b a b a c a b c c（编号 0、1、2，词表再多一个没出现的 3）
TOKENS = torch.tensor([0, 1, 0, 1, 0, 2, 0, 1, 2, 2])
V = 4


def hand_probability(history: list[int], w: int, weights: list[float]) -> float:
    """按定义逐阶计算插值概率：次数全用 Counter 手数。"""
    text = TOKENS.tolist()
    unigram = Counter(text)
    p = (unigram[w] + 1) / (len(text) + V)
    for k, lam in enumerate(weights, start=2):
        if len(history) < k - 1:
            break
        h = tuple(history[len(history) - (k - 1) :])
        grams = Counter(tuple(text[i : i + k]) for i in range(len(text) - k + 1))
        context = sum(count for gram, count in grams.items() if gram[:-1] == h)
        if context:
            p = lam * grams[(*h, w)] / context + (1 - lam) * p
    return p


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_probabilities_match_hand_counts(order):
    weights = [0.7, 0.5, 0.3][: order - 1]
    lm = NGramLM(TOKENS, V, order)
    text = torch.tensor([0, 1, 2, 0, 3, 1, 0, 1])  # 有没见过的字符 3，也有没见过的上文
    expected = [
        hand_probability(text[max(0, i - order + 1) : i].tolist(), int(text[i]), weights) for i in range(1, len(text))
    ]
    assert_close(lm.probabilities(text, weights), torch.tensor(expected, dtype=torch.float64))
    log_p = [math.log(p) for p in expected]
    assert lm.perplexity(text, weights) == pytest.approx(math.exp(-sum(log_p) / len(log_p)))


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("context", [[], [0], [2], [3], [0, 1], [1, 0], [3, 3], [2, 2, 0]])
def test_next_distribution_is_normalised_and_agrees_with_probabilities(order, context):
    weights = [0.6, 0.4][: order - 1]
    lm = NGramLM(TOKENS, V, order)
    p = lm.next_distribution(context, weights)
    assert p.shape == (V,)
    assert p.dtype == torch.float64
    assert p.sum().item() == pytest.approx(1.0)
    assert (p > 0).all()  # 加一平滑：没见过的字符 3 也有概率
    for w in range(V):
        assert p[w].item() == pytest.approx(hand_probability(context[-(order - 1) :] if order > 1 else [], w, weights))


def test_maximum_likelihood_bigram_without_interpolation():
    lm = NGramLM(TOKENS, V, 2)
    # a 后面：b 3 次、c 1 次；c 后面：a 1 次、c 1 次
    assert_close(lm.next_distribution([0], [1.0]), torch.tensor([0.0, 0.75, 0.25, 0.0], dtype=torch.float64))
    assert_close(lm.next_distribution([2], [1.0]), torch.tensor([0.5, 0.0, 0.5, 0.0], dtype=torch.float64))
    assert math.isinf(lm.perplexity(torch.tensor([0, 0]), [1.0]))  # a a 没见过：概率 0


def test_estimates_mark_unseen_contexts():
    lm = NGramLM(TOKENS, V, 3)
    (ml2, seen2), (ml3, seen3) = lm.estimates(torch.tensor([3, 0, 1, 3]))
    assert seen2.tolist() == [False, True, True]  # 3 没作过上文
    assert seen3.tolist() == [False, False, True]  # 第一个位置不够长；“3 0”没见过
    assert ml2[1].item() == pytest.approx(0.75)
    assert ml3[2].item() == 0.0  # “0 1” 后面从没出现 3


def test_tune_weights_finds_the_grid_optimum_for_a_bigram():
    lm = NGramLM(TOKENS, V, 2)
    valid = torch.tensor([0, 1, 0, 1, 0, 2, 2, 0])
    grid = [i / 10 for i in range(10)]
    weights, ppl = tune_weights(lm, valid, grid)
    brute = min(grid, key=lambda lam: lm.perplexity(valid, [lam]))
    assert weights == [brute]
    assert ppl == pytest.approx(lm.perplexity(valid, weights))


def test_tune_weights_never_does_worse_than_its_start_for_a_trigram():
    torch.manual_seed(0)
    train = torch.randint(0, 6, (400,)) % 3 + (torch.arange(400) % 2) * 3  # 有一点规律的文本
    valid = torch.randint(0, 6, (200,)) % 3 + (torch.arange(200) % 2) * 3
    lm = NGramLM(train, 6, 3)
    weights, ppl = tune_weights(lm, valid)
    assert ppl <= lm.perplexity(valid, [0.5, 0.5])
    for k in range(2):  # 坐标下降停下时，单独改任何一个权重都不会更好
        for value in [i / 20 for i in range(20)]:
            trial = list(weights)
            trial[k] = value
            assert lm.perplexity(valid, trial) >= ppl - 1e-12


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: NGramLM([0, 1], 2, 2), TypeError, "tokens 应为 torch.Tensor，实际收到 list"),
        (lambda: NGramLM(torch.tensor([0.0, 1.0]), 2, 2), TypeError, "tokens 应为一维 torch.long 张量"),
        (lambda: NGramLM(torch.tensor([0, 5]), 2, 2), ValueError, "tokens 的编号应在 0 到 1 之间，实际范围 0 到 5"),
        (lambda: NGramLM(torch.tensor([0]), 2, 2), ValueError, "tokens 至少要有 2 个字符，实际只有 1 个"),
        (lambda: NGramLM(TOKENS, V, 0), ValueError, "order 应为正整数，实际收到 0"),
        (lambda: NGramLM(TOKENS, V, 3).perplexity(TOKENS, [0.5]), ValueError, "weights 应为 2 个数"),
        (lambda: NGramLM(TOKENS, V, 2).perplexity(TOKENS, [1.5]), ValueError, "weights 的每个数应在 0 到 1 之间"),
        (lambda: NGramLM(TOKENS, V, 2).next_distribution([7], [0.5]), ValueError, "context 的编号应在 0 到 3 之间"),
        (lambda: tune_weights("lm", TOKENS), TypeError, "model 应为 NGramLM，实际收到 str"),
        (lambda: tune_weights(NGramLM(TOKENS, V, 2), TOKENS, [2.0]), ValueError, "grid 应为 0 到 1 之间的一组数"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_repr():
    assert repr(NGramLM(TOKENS, V, 3)) == "NGramLM(order=3, vocab_size=4)"


@pytest.mark.parametrize("order", [1, 2, 3])
def test_candidate_probabilities_agree_with_next_distribution(order):
    weights = [0.6, 0.4][: order - 1]
    lm = NGramLM(TOKENS, V, order)
    text = torch.tensor([0, 1, 2, 0, 3, 1, 0, 1])
    for candidate in range(V):
        p = lm.candidate_probabilities(text, weights, candidate)
        expected = [lm.next_distribution(text[: i + 1], weights)[candidate].item() for i in range(len(text) - 1)]
        assert_close(p, torch.tensor(expected, dtype=torch.float64))
        hit = text[1:] == candidate  # 真实的下一个字符就是它：与 probabilities 相同
        assert_close(p[hit], lm.probabilities(text, weights)[hit])


# 一个小“诗”格式：每句 2 个字（编号 3–6），逗号 0、句号 1、换行 2；2 句或 4 句一首
COMMA, PERIOD, NEWLINE = 0, 1, 2


def poem_text(lines: list[int]) -> torch.Tensor:
    ids, gen = [], torch.Generator().manual_seed(0)
    for n in lines:
        for j in range(n):
            ids += (torch.randint(3, 7, (2,), generator=gen)).tolist()
            ids.append(COMMA if j % 2 == 0 else PERIOD)
        ids.append(NEWLINE)
    return torch.tensor(ids)


def test_line_counters_count_characters_and_lines():
    text = torch.tensor([3, 4, COMMA, 5, 6, PERIOD, NEWLINE, 3])
    chars, lines = line_counters(text, COMMA, PERIOD, NEWLINE)
    assert chars.tolist() == [1, 2, 0, 1, 2, 0, 0, 1]
    assert lines.tolist() == [0, 0, 1, 1, 1, 2, 0, 0]


def test_line_format_lm_knows_the_line_structure():
    train = poem_text([2, 4, 2, 2, 4, 2, 4, 2] * 5)  # 写完 2 句后结束的占 5/8
    test = poem_text([4, 2, 2, 4])
    lm = NGramLM(train, 7, order=2)
    model = LineFormatLM(
        lm, [0.5], train, comma=COMMA, period=PERIOD, newline=NEWLINE, chars_per_line=2, short_lines=2, long_lines=4
    )
    assert model.end_share == pytest.approx((25 + 1) / (40 + 2))
    p = model.probabilities(test, 1e-3)
    chars, lines = line_counters(test, COMMA, PERIOD, NEWLINE)
    target = test[1:]
    punct = chars[:-1] == 2  # 写完两个字：标点几乎有把握
    assert (p[punct] > 0.998).all()
    assert ((target[punct] == COMMA) == (lines[:-1][punct] % 2 == 0)).all()
    ended = (chars[:-1] == 0) & (lines[:-1] == 4)
    assert (p[ended] > 0.998).all()  # 写完 4 句：换行
    assert model.perplexity(test, 1e-3) < lm.perplexity(test, [0.5])
    # 每个位置上，所有候选的概率加起来是 1：逐个候选换掉真实的下一个字符来检验
    total = torch.zeros(len(test) - 1, dtype=torch.float64)
    for candidate in range(7):
        for i in range(1, len(test)):
            trial = torch.cat([test[:i], torch.tensor([candidate])])
            total[i - 1] += model.probabilities(trial, 1e-3)[-1]
    assert_close(total, torch.ones_like(total))
    epsilon, ppl = model.tune_epsilon(test, grid=(1e-3, 0.5))
    assert epsilon == 1e-3
    assert ppl == pytest.approx(model.perplexity(test, 1e-3))
    assert "end_share=0.619" in repr(model)
    with pytest.raises(ValueError, match="epsilon 应在"):
        model.probabilities(test, 0.0)
    with pytest.raises(TypeError, match="ngram 应为 NGramLM"):
        LineFormatLM("lm", [0.5], train, comma=COMMA, period=PERIOD, newline=NEWLINE)
