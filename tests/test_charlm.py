"""第 11 章的字符级语言模型：词表、小批量、模型、困惑度、训练与采样。"""

from __future__ import annotations

import math
from collections import Counter

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnn_examples.charlm import (
    CharLM,
    TrainLog,
    Vocabulary,
    generate,
    perplexity,
    random_batch,
    sequential_batches,
    softmax_with_temperature,
    train_charlm,
    unigram_perplexity,
)
from rnn_examples.corpus import load_corpus

TEXT = "循环神经网络按时间步读入序列，隐藏状态带着过去的信息。\n循环网络的参数在各步共享。\n"


# -- 词表 -------------------------------------------------------------------------------


def test_vocabulary_orders_by_count_then_code_point():
    vocab = Vocabulary("bcabcc")
    assert vocab.tokens == ["c", "b", "a"]
    assert vocab.index == {"c": 0, "b": 1, "a": 2}
    assert len(vocab) == 3
    assert repr(vocab) == "Vocabulary(size=3)"


def test_vocabulary_round_trip_on_the_corpus():
    text = load_corpus()
    vocab = Vocabulary(text)
    ids = vocab.encode(text)
    assert ids.dtype == torch.long
    assert ids.shape == (len(text),)
    assert vocab.decode(ids) == text
    assert vocab.decode(ids[:5].tolist()) == text[:5]
    assert len(vocab) == len(set(text))
    counts = Counter(text)
    assert [counts[c] for c in vocab.tokens] == sorted(counts.values(), reverse=True)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: Vocabulary(""), ValueError, "text 不能为空：词表至少要有一个字符"),
        (lambda: Vocabulary(["a"]), TypeError, "text 应为 str，实际收到 list"),
        (lambda: Vocabulary("ab").encode("abxa"), ValueError, "text 只能含词表中的字符，实际含有词表之外的 'x'"),
        (lambda: Vocabulary("ab").encode(1), TypeError, "text 应为 str，实际收到 int"),
    ],
)
def test_vocabulary_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


# -- 小批量 -----------------------------------------------------------------------------


def test_random_batch_windows_are_contiguous_and_shifted():
    tokens = torch.randperm(500)  # 每个编号只出现一次，可以由值反查位置
    x, y = random_batch(tokens, batch_size=6, chunk=9, generator=torch.Generator().manual_seed(3))
    assert x.shape == y.shape == (6, 9)
    for row_x, row_y in zip(x, y, strict=True):
        start = int((tokens == row_x[0]).nonzero())
        assert_close(row_x, tokens[start : start + 9])
        assert_close(row_y, tokens[start + 1 : start + 10])
    again, _ = random_batch(tokens, batch_size=6, chunk=9, generator=torch.Generator().manual_seed(3))
    assert torch.equal(x, again)


@pytest.mark.parametrize(("n", "batch_size", "chunk"), [(101, 4, 5), (1000, 7, 13), (22, 3, 7)])
def test_sequential_batches_continue_each_other(n, batch_size, chunk):
    tokens = torch.arange(n) * 3 % n  # 与位置一一对应的编号
    x, y = sequential_batches(tokens, batch_size=batch_size, chunk=chunk)
    length = (n - 1) // batch_size
    chunks = length // chunk
    assert x.shape == y.shape == (chunks, batch_size, chunk)
    for b in range(batch_size):
        stream_x = x[:, b].reshape(-1)  # 第 b 行依次经过的各批，首尾相接
        stream_y = y[:, b].reshape(-1)
        assert_close(stream_x, tokens[b * length : b * length + chunks * chunk])
        assert_close(stream_y, tokens[b * length + 1 : b * length + chunks * chunk + 1])
    for i in range(chunks - 1):
        # 下一批的第一个输入正是这一批最后一个目标：同一行接着读下去
        assert_close(x[i + 1, :, 0], y[i, :, -1])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: sequential_batches(torch.arange(10), batch_size=3, chunk=4),
            ValueError,
            "tokens 至少要有 13 个字符，实际只有 10 个",
        ),
        (lambda: random_batch(torch.arange(4), batch_size=2, chunk=4), ValueError, "tokens 至少要有 5 个字符"),
        (
            lambda: sequential_batches(torch.arange(10.0), batch_size=1, chunk=2),
            TypeError,
            "tokens 应为 torch.long（字符编号），实际收到 torch.float32",
        ),
        (
            lambda: sequential_batches(torch.zeros(3, 4, dtype=torch.long), batch_size=1, chunk=2),
            ValueError,
            "tokens 应为 1 维张量，形状 (N,)，实际形状 (3, 4)",
        ),
        (lambda: random_batch([1, 2, 3], batch_size=1, chunk=1), TypeError, "tokens 应为 torch.Tensor，实际收到 list"),
        (lambda: random_batch(torch.arange(9), batch_size=0, chunk=2), ValueError, "batch_size 应为正整数，实际收到 0"),
    ],
)
def test_batch_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


# -- 模型 -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rnn", "gru"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_charlm_matches_its_parts_and_continues_state(kind, num_layers):
    torch.manual_seed(0)
    model = CharLM(20, 6, 9, kind=kind, num_layers=num_layers)
    tokens = torch.randint(0, 20, (3, 11))
    logits, state = model(tokens)
    assert logits.shape == (3, 11, 20)
    assert state.shape == (num_layers, 3, 9)

    # 参考：独热向量乘 E，再交给同一个循环层与线性层
    one_hot = nn.functional.one_hot(tokens, 20).double()  # (B, T, |V|)
    embedded = (one_hot @ model.embedding.weight.double()).float()  # (B, T, D)
    states, last = model.rnn(embedded)
    assert_close(logits, model.fc(states))
    assert_close(state, last)

    # 分三块、把状态传下去，与一次读完相同
    pieces, s = [], None
    for piece in tokens.split([4, 1, 6], dim=1):
        out, s = model(piece, s)
        pieces.append(out)
    assert_close(torch.cat(pieces, dim=1), logits)
    assert_close(s, state)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m: m(torch.zeros(2, 3)), TypeError, "tokens 应为 torch.long（字符编号），实际收到 torch.float32"),
        (lambda m: m([[1, 2]]), TypeError, "tokens 应为 torch.Tensor，实际收到 list"),
        (
            lambda m: m(torch.zeros(5, dtype=torch.long)),
            ValueError,
            "tokens 应为非空的 2 维张量，形状 (B, T)，实际形状 (5,)",
        ),
        (
            lambda m: m(torch.tensor([[0, 10]])),
            ValueError,
            "tokens 的编号应在 0 到 9 之间（词表大小 10），实际范围 0 到 10",
        ),
        (
            lambda m: m(torch.zeros(2, 3, dtype=torch.long), torch.zeros(1, 3, 4)),
            ValueError,
            "state 的 dim=1（批大小 B，须与 tokens 相同）应为 2，实际为 3（形状 (1, 3, 4)）",
        ),
        (
            lambda m: m(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 4)),
            ValueError,
            "state 应为 3 维张量，形状 (L, B, H)，实际形状 (2, 4)",
        ),
        (
            lambda m: m(torch.zeros(2, 3, dtype=torch.long), torch.zeros(1, 2, 5)),
            ValueError,
            "state 的 dim=2（隐藏状态维数 H）应为 4，实际为 5（形状 (1, 2, 5)）",
        ),
    ],
)
def test_charlm_input_errors(call, error, message):
    model = CharLM(10, 3, 4)
    with pytest.raises(error) as info:
        call(model)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kind": "lstm"}, ValueError, "kind 应为 'rnn' 或 'gru'，实际收到 'lstm'"),
        ({"vocab_size": 0}, ValueError, "vocab_size 应为正整数，实际收到 0"),
        ({"hidden_size": 2.0}, TypeError, "hidden_size 应为正整数（int），实际收到 float: 2.0"),
    ],
)
def test_charlm_constructor_errors(kwargs, error, message):
    arguments = {"vocab_size": 10, "embedding_dim": 3, "hidden_size": 4} | kwargs
    with pytest.raises(error) as info:
        CharLM(**arguments)
    assert str(info.value) == message


# -- 困惑度 -----------------------------------------------------------------------------


def uniform_model(vocab_size: int) -> CharLM:
    model = CharLM(vocab_size, 4, 8, kind="gru")
    with torch.no_grad():
        model.fc.weight.zero_()
        model.fc.bias.zero_()
    return model


def test_uniform_model_has_perplexity_equal_to_vocabulary_size():
    vocab = Vocabulary(load_corpus())
    tokens = vocab.encode(load_corpus()[:3000])
    ppl = perplexity(uniform_model(len(vocab)), tokens)
    assert ppl == pytest.approx(len(vocab), rel=1e-5)


def test_perplexity_is_exp_of_mean_cross_entropy_and_chunk_invariant():
    torch.manual_seed(1)
    model = CharLM(15, 5, 7)
    tokens = torch.randint(0, 15, (200,))
    with torch.no_grad():
        logits, _ = model(tokens[None, :-1])
        expected = math.exp(nn.functional.cross_entropy(logits[0], tokens[1:]).item())
    for chunk in (1, 7, 199, 1000):
        assert perplexity(model, tokens, chunk=chunk) == pytest.approx(expected, rel=1e-5)
    assert expected > 1.0
    assert model.training  # 不改变模型的模式


def test_unigram_perplexity_matches_counts():
    train = torch.tensor([0, 0, 1, 2, 0, 1])
    test = torch.tensor([0, 3, 1])
    counts = Counter(train.tolist())
    total = len(train) + 4
    log_p = [math.log((counts[c] + 1) / total) for c in test.tolist()]
    expected = math.exp(-sum(log_p) / len(log_p))
    assert unigram_perplexity(train, test, 4) == pytest.approx(expected)
    with pytest.raises(ValueError, match="test 的编号应在 0 到 3 之间，实际范围 0 到 4"):
        unigram_perplexity(train, torch.tensor([0, 4]), 4)


def test_perplexity_errors():
    with pytest.raises(TypeError, match="model 应为 CharLM，实际收到 GRU"):
        perplexity(nn.GRU(2, 3), torch.arange(5))
    with pytest.raises(ValueError, match="tokens 至少要有 2 个字符，实际只有 1 个"):
        perplexity(CharLM(5, 2, 3), torch.tensor([1]))


# -- 训练 -------------------------------------------------------------------------------


def test_training_is_deterministic_and_learns_a_cycle():
    tokens = torch.arange(600) % 9
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = CharLM(9, 4, 16)
        log = train_charlm(model, tokens, steps=80, batch_size=4, chunk=12, lr=0.05)
        runs.append((log, model))
    (log_a, model_a), (log_b, model_b) = runs
    assert log_a.losses == log_b.losses
    for p, q in zip(model_a.parameters(), model_b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert perplexity(model_a, tokens[:100]) < 1.1  # 周期序列：下一个字符完全确定
    assert len(log_a.losses) == len(log_a.grad_norms) == 80


class RecordingLM(CharLM):
    """记下每次前向收到的初始状态与算出的最终状态。"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[torch.Tensor | None, torch.Tensor]] = []

    def forward(self, tokens, state=None):
        logits, last = super().forward(tokens, state)
        if torch.is_grad_enabled():  # 只记训练步，不记评估
            self.calls.append((state, last))
        return logits, last


def test_sequential_training_carries_detached_state_and_resets_each_pass():
    tokens = torch.arange(200) % 11
    model = RecordingLM(11, 3, 5)
    x_chunks, _ = sequential_batches(tokens, batch_size=3, chunk=10)
    passes = x_chunks.shape[0]  # 每遍的块数
    train_charlm(model, tokens, steps=passes + 2, batch_size=3, chunk=10, lr=0.01)
    for step, (state, _) in enumerate(model.calls):
        if step % passes == 0:
            assert state is None  # 新的一遍从 s_0 = 0 开始
        else:
            previous_last = model.calls[step - 1][1]
            assert not state.requires_grad  # detach 过：梯度不会流回上一块
            assert previous_last.requires_grad
            assert_close(state, previous_last.detach())


def test_random_training_starts_every_batch_from_zero():
    model = RecordingLM(11, 3, 5)
    train_charlm(model, torch.arange(200) % 11, steps=5, batch_size=3, chunk=10, lr=0.01, sequential=False)
    assert all(state is None for state, _ in model.calls)


def test_restore_best_keeps_the_lowest_held_out_perplexity():
    torch.manual_seed(0)
    text = load_corpus()[:3000]
    vocab = Vocabulary(text)
    ids = vocab.encode(text)
    model = CharLM(len(vocab), 16, 32, kind="gru")
    log = train_charlm(
        model,
        ids[:2500],
        steps=60,
        batch_size=8,
        chunk=20,
        lr=0.02,
        eval_tokens=ids[2500:],
        eval_every=10,
        restore_best=True,
    )
    assert log.eval_steps == [0, 10, 20, 30, 40, 50, 60]
    best = min(log.eval_perplexities)
    assert log.best_step == log.eval_steps[log.eval_perplexities.index(best)]
    assert perplexity(model, ids[2500:]) == pytest.approx(best, rel=1e-6)
    assert best < log.eval_perplexities[0]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"eval_tokens": torch.arange(20) % 5}, ValueError, "eval_tokens 与 eval_every 应同时给出或同时省略"),
        ({"restore_best": True}, ValueError, "restore_best=True 要求给出 eval_tokens 与 eval_every"),
        ({"steps": 0}, ValueError, "steps 应为正整数，实际收到 0"),
        ({"lr": 0.0}, ValueError, "lr 应为大于 0 的实数，实际收到 0.0"),
        ({"max_norm": -1.0}, ValueError, "max_norm 应为大于 0 的实数，实际收到 -1.0"),
        ({"model": nn.RNN(2, 2)}, TypeError, "model 应为 CharLM，实际收到 RNN"),
    ],
)
def test_train_errors(kwargs, error, message):
    arguments = {
        "model": CharLM(5, 2, 3),
        "tokens": torch.arange(100) % 5,
        "steps": 3,
        "batch_size": 2,
        "chunk": 4,
        "lr": 0.01,
    } | kwargs
    model = arguments.pop("model")
    with pytest.raises(error) as info:
        train_charlm(model, **arguments)
    assert message in str(info.value)


def test_best_step_without_evaluation():
    with pytest.raises(ValueError, match="没有评估记录"):
        _ = TrainLog().best_step


# -- 温度与采样 -------------------------------------------------------------------------


def entropy(p: torch.Tensor) -> float:
    return float(-(p * p.log()).sum())


def test_temperature_softmax_matches_definition_and_orders_entropy():
    z = torch.randn(50, generator=torch.Generator().manual_seed(0)) * 3
    assert_close(softmax_with_temperature(z, 1.0), torch.softmax(z, dim=-1))
    entropies = []
    for tau in (0.25, 0.5, 1.0, 1.5, 4.0):
        p = softmax_with_temperature(z, tau)
        expected = torch.exp(z / tau) / torch.exp(z / tau).sum()
        assert_close(p, expected)
        entropies.append(entropy(p))
    assert entropies == sorted(entropies)  # 温度越高，分布越平
    assert entropies[-1] < math.log(50)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((torch.zeros(3), 0.0), ValueError, "temperature 应为大于 0 的实数，实际收到 0.0"),
        ((torch.zeros(3, dtype=torch.long), 1.0), TypeError, "logits 应为浮点张量，实际收到 torch.int64"),
        (([1.0, 2.0], 1.0), TypeError, "logits 应为浮点张量，实际收到 <class 'list'>"),
    ],
)
def test_temperature_errors(args, error, message):
    with pytest.raises(error) as info:
        softmax_with_temperature(*args)
    assert str(info.value) == message


def test_generation_is_seeded_and_greedy_matches_rerunning_the_prefix():
    torch.manual_seed(0)
    vocab = Vocabulary(TEXT)
    model = CharLM(len(vocab), 8, 16, kind="gru")
    samples = [
        generate(model, vocab, "循环", 30, temperature=1.0, generator=torch.Generator().manual_seed(7))
        for _ in range(2)
    ]
    assert samples[0] == samples[1]
    assert len(samples[0]) == 30

    greedy = generate(model, vocab, "循环", 12, temperature=0.0)
    # 参考：每一步都从头读完整个前缀（不传状态），取概率最大的字符
    text = "循环"
    with torch.no_grad():
        for _ in range(12):
            logits, _ = model(vocab.encode(text)[None])
            text += vocab.tokens[int(logits[0, -1].argmax())]
    assert greedy == text[2:]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"prompt": ""}, ValueError, "prompt 不能为空：至少给一个字符作为开头"),
        ({"prompt": "循环X"}, ValueError, "text 只能含词表中的字符，实际含有词表之外的 'X'"),
        ({"length": 0}, ValueError, "length 应为正整数，实际收到 0"),
        ({"temperature": -0.5}, ValueError, "temperature 应为不小于 0 的实数，实际收到 -0.5"),
        ({"vocab": Vocabulary("ab")}, ValueError, "vocab 的大小应与模型的 vocab_size 相同"),
        ({"vocab": "ab"}, TypeError, "vocab 应为 Vocabulary，实际收到 str"),
    ],
)
def test_generate_errors(kwargs, error, message):
    vocab = Vocabulary(TEXT)
    arguments = {"model": CharLM(len(vocab), 4, 8), "vocab": vocab, "prompt": "循环", "length": 5} | kwargs
    with pytest.raises(error) as info:
        generate(**arguments)
    assert message in str(info.value)
