"""第 11 章的字符级语言模型：词表、小批量、模型、困惑度、训练与生成。"""

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
    detach_state,
    generate,
    perplexity,
    random_batch,
    sequential_batches,
    token_losses,
    train_charlm,
)
from rnn_examples.corpus import load_corpus

TEXT = "循环神经网络按时间步读入序列，隐藏状态带着过去的信息。\n循环网络的参数在各步共享。\n"


# -- 词表 -------------------------------------------------------------------------------


def test_vocabulary_orders_by_count_then_code_point_and_ends_with_unk():
    vocab = Vocabulary("bcabcc")
    assert vocab.tokens == ["c", "b", "a", "□"]
    assert vocab.index == {"c": 0, "b": 1, "a": 2}
    assert vocab.unk == 3
    assert len(vocab) == 4
    assert repr(vocab) == "Vocabulary(size=4)"


def test_vocabulary_keeps_the_most_frequent_and_maps_the_rest_to_unk():
    text = "aaaabbbccd"
    vocab = Vocabulary(text, max_size=2)
    assert vocab.tokens == ["a", "b", "□"]
    expected = [0 if c == "a" else 1 if c == "b" else 2 for c in "abcdxa"]
    assert vocab.encode("abcdxa").tolist() == expected
    assert vocab.decode(vocab.encode("abcdxa")) == "ab□□□a"
    assert vocab.counts == Counter(text)
    assert Vocabulary(text, max_size=10).tokens == ["a", "b", "c", "d", "□"]  # 不够 K 个：全收
    boxed = Vocabulary("a□□b")  # 文本里的“□”也是 <unk>，不另占一个编号
    assert boxed.tokens == ["a", "b", "□"]
    assert boxed.encode("□a").tolist() == [boxed.unk, 0]


def test_vocabulary_round_trip_on_the_corpus():
    text = load_corpus().text("valid")
    vocab = Vocabulary(text)
    ids = vocab.encode(text)
    assert ids.dtype == torch.long
    assert ids.shape == (len(text),)
    assert vocab.decode(ids) == text
    assert vocab.decode(ids[:5].tolist()) == text[:5]
    assert len(vocab) == len(set(text)) + 1
    counts = Counter(text)
    assert [counts[c] for c in vocab.tokens[:-1]] == sorted(counts.values(), reverse=True)
    assert not (ids == vocab.unk).any()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: Vocabulary(""), ValueError, "text 不能为空：词表至少要有一个字符"),
        (lambda: Vocabulary(["a"]), TypeError, "text 应为 str，实际收到 list"),
        (lambda: Vocabulary("ab", max_size=0), ValueError, "max_size 应为正整数，实际收到 0"),
        (lambda: Vocabulary("ab", max_size=1.5), TypeError, "max_size 应为正整数（int），实际收到 float: 1.5"),
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
            "series 至少要有 batch_size × chunk + 1 = 13 个值，实际长度为 10",
        ),
        (lambda: random_batch(torch.arange(4), batch_size=2, chunk=4), ValueError, "series 至少要有 chunk + 1 = 5 个"),
        (
            lambda: sequential_batches(torch.arange(10, dtype=torch.int32), batch_size=1, chunk=2),
            TypeError,
            "series 应为浮点张量或 torch.long（字符编号），实际收到 torch.int32",
        ),
        (
            lambda: sequential_batches(torch.zeros(3, 4, dtype=torch.long), batch_size=1, chunk=2),
            ValueError,
            "series 应为 1 维张量，形状 (N,)，实际形状 (3, 4)",
        ),
        (lambda: random_batch([1, 2, 3], batch_size=1, chunk=1), TypeError, "series 应为 torch.Tensor，实际收到 list"),
        (lambda: random_batch(torch.arange(9), batch_size=0, chunk=2), ValueError, "batch_size 应为正整数，实际收到 0"),
    ],
)
def test_batch_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


# -- 模型 -------------------------------------------------------------------------------


REFERENCE = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_charlm_matches_torch_layers_and_continues_state(kind, num_layers):
    torch.manual_seed(0)
    model = CharLM(20, 6, 9, kind=kind, num_layers=num_layers)
    assert type(model.rnn) is REFERENCE[kind]
    tokens = torch.randint(0, 20, (3, 11))
    logits, state = model(tokens)
    assert logits.shape == (3, 11, 20)

    # 参考：独热向量乘 E，交给一个复制了参数的 PyTorch 循环层，再乘输出层
    reference = REFERENCE[kind](6, 9, num_layers, batch_first=True)
    reference.load_state_dict(model.rnn.state_dict())
    one_hot = nn.functional.one_hot(tokens, 20).double()  # (B, T, |V|)
    embedded = (one_hot @ model.embedding.weight.double()).float()  # (B, T, D)
    states, last = reference(embedded)
    expected = states @ model.fc.weight.T + model.fc.bias
    assert_close(logits, expected)
    parts = state if kind == "lstm" else (state,)
    expected_parts = last if kind == "lstm" else (last,)
    for part, expected_part in zip(parts, expected_parts, strict=True):
        assert part.shape == (num_layers, 3, 9)
        assert_close(part, expected_part)

    # 分三块、把状态传下去，与一次读完相同
    pieces, s = [], None
    for piece in tokens.split([4, 1, 6], dim=1):
        out, s = model(piece, s)
        pieces.append(out)
    assert_close(torch.cat(pieces, dim=1), logits)


def test_detach_state_cuts_the_graph_of_both_lstm_tensors():
    model = CharLM(10, 3, 4, kind="lstm")
    _, (s, c) = model(torch.zeros(2, 3, dtype=torch.long))
    assert s.requires_grad
    assert c.requires_grad
    ds, dc = detach_state((s, c))
    assert not ds.requires_grad
    assert not dc.requires_grad
    assert_close(ds, s.detach())
    assert_close(dc, c.detach())
    single = torch.ones(1, 2, 4, requires_grad=True) * 2
    assert not detach_state(single).requires_grad


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
    ("state", "error", "message"),
    [
        (torch.zeros(1, 2, 4), TypeError, "LSTM 的 state 应为 (s, c) 两个张量组成的元组，实际收到 Tensor"),
        ((torch.zeros(1, 2, 4),), TypeError, "LSTM 的 state 应为 (s, c) 两个张量组成的元组，实际收到 tuple"),
        (
            (torch.zeros(1, 2, 4), torch.zeros(1, 3, 4)),
            ValueError,
            "state[1] 的 dim=1（批大小 B，须与 tokens 相同）应为 2，实际为 3（形状 (1, 3, 4)）",
        ),
        ((torch.zeros(1, 2, 4), [0.0]), TypeError, "state[1] 应为 torch.Tensor，实际收到 list"),
    ],
)
def test_lstm_state_errors(state, error, message):
    model = CharLM(10, 3, 4, kind="lstm")
    with pytest.raises(error) as info:
        model(torch.zeros(2, 3, dtype=torch.long), state)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kind": "cnn"}, ValueError, "kind 应为 'rnn'、'gru' 或 'lstm'，实际收到 'cnn'"),
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
    text = load_corpus().text("test")[:3000]
    vocab = Vocabulary(text, max_size=300)
    ppl = perplexity(uniform_model(len(vocab)), vocab.encode(text))
    assert ppl == pytest.approx(len(vocab), rel=1e-5)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_token_losses_are_the_per_position_cross_entropy(kind):
    torch.manual_seed(2)
    model = CharLM(15, 5, 7, kind=kind)
    tokens = torch.randint(0, 15, (50,))
    with torch.no_grad():
        logits, _ = model(tokens[None, :-1])
    expected = nn.functional.cross_entropy(logits[0], tokens[1:], reduction="none").double()
    for chunk in (1, 6, 49, 100):
        losses = token_losses(model, tokens, chunk=chunk)
        assert losses.dtype == torch.float64
        assert losses.shape == (49,)
        assert_close(losses, expected, rtol=1e-5, atol=1e-6)


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
    log = train_charlm(model, tokens, steps=passes + 2, batch_size=3, chunk=10, lr=0.01, random_offset=False)
    assert log.passes == 2
    for step, (state, _) in enumerate(model.calls):
        if step % passes == 0:
            assert state is None  # 新的一遍从 s_0 = 0 开始
        else:
            previous_last = model.calls[step - 1][1]
            assert not state.requires_grad  # detach 过：梯度不会流回上一块
            assert previous_last.requires_grad
            assert_close(state, previous_last.detach())


class InputRecorder(CharLM):
    """记下每个训练步读到的输入块。"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inputs: list[torch.Tensor] = []

    def forward(self, tokens, state=None):
        if torch.is_grad_enabled():
            self.inputs.append(tokens.clone())
        return super().forward(tokens, state)


def test_each_pass_starts_at_a_random_offset_below_the_chunk_length():
    tokens = torch.arange(500)  # 编号等于位置：由输入的第一个数就能读出偏移
    model = InputRecorder(500, 3, 4)
    per_pass, offsets = [], []
    log = train_charlm(model, tokens, steps=60, batch_size=4, chunk=8, lr=0.01, seed=5)
    for step, x in enumerate(model.inputs):
        if step == 0 or int(x[0, 0]) < int(model.inputs[step - 1][0, 0]):  # 新的一遍
            offsets.append(int(x[0, 0]))
            per_pass.append(0)
        per_pass[-1] += 1
    assert log.passes == len(offsets) >= 3
    assert all(0 <= offset < 8 for offset in offsets)
    assert len(set(offsets)) > 1
    for offset, count in zip(offsets, per_pass[:-1], strict=False):  # 完整的各遍
        assert count == sequential_batches(tokens[offset:], batch_size=4, chunk=8)[0].shape[0]
    again = InputRecorder(500, 3, 4)
    train_charlm(again, tokens, steps=60, batch_size=4, chunk=8, lr=0.01, seed=5)
    assert all(torch.equal(a, b) for a, b in zip(model.inputs, again.inputs, strict=True))  # 种子决定偏移


def test_callback_sees_every_step_and_lstm_trains():
    torch.manual_seed(0)
    tokens = torch.arange(600) % 9
    model = CharLM(9, 4, 16, kind="lstm")
    seen = []
    train_charlm(model, tokens, steps=80, batch_size=4, chunk=12, lr=0.05, callback=lambda step, m: seen.append(step))
    assert seen == list(range(81))
    assert perplexity(model, tokens[:100]) < 1.1  # 周期序列：LSTM 也学会了


def test_random_training_starts_every_batch_from_zero():
    model = RecordingLM(11, 3, 5)
    train_charlm(model, torch.arange(200) % 11, steps=5, batch_size=3, chunk=10, lr=0.01, sequential=False)
    assert all(state is None for state, _ in model.calls)


def test_restore_best_keeps_the_lowest_held_out_perplexity():
    torch.manual_seed(0)
    text = load_corpus().text("valid")[:3000]
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
        ({"callback": 3}, TypeError, "callback 应可调用，实际收到 int"),
        ({"tokens": torch.arange(10) % 5}, ValueError, "tokens 至少要有 12 个字符，实际只有 10 个"),
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


# -- 生成 -----------------------------------------------------------------------------


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
    # 参考：每一步都从头读完整个前缀（不传状态），取 <unk> 以外概率最大的字符
    text = "循环"
    with torch.no_grad():
        for _ in range(12):
            logits, _ = model(vocab.encode(text)[None])
            text += vocab.tokens[int(logits[0, -1, : vocab.unk].argmax())]
    assert greedy == text[2:]


def make_unk_likely(vocab: Vocabulary, kind: str = "rnn") -> CharLM:
    """输出层只偏爱 <unk> 的模型。"""
    model = CharLM(len(vocab), 4, 8, kind=kind)
    with torch.no_grad():
        model.fc.weight.zero_()
        model.fc.bias.zero_()
        model.fc.bias[vocab.unk] = 20.0
    return model


def test_generate_never_writes_unk_unless_allowed():
    vocab = Vocabulary(TEXT)
    model = make_unk_likely(vocab)
    g = torch.Generator().manual_seed(0)
    assert "□" not in generate(model, vocab, "循环", 40, generator=g)
    assert "□" not in generate(model, vocab, "循环", 10, temperature=0.0)
    assert generate(model, vocab, "循环", 10, temperature=0.0, allow_unk=True) == "□" * 10


class PromptRecorder(CharLM):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen: list[torch.Tensor] = []

    def forward(self, tokens, state=None):
        self.seen.append(tokens)
        return super().forward(tokens, state)


def test_generate_maps_unknown_prompt_characters_to_unk_and_uses_the_model_device():
    vocab = Vocabulary(TEXT)
    model = PromptRecorder(len(vocab), 4, 8, kind="lstm")
    text = generate(model, vocab, "循环X神", 3, generator=torch.Generator().manual_seed(0))
    assert len(text) == 3
    prompt = model.seen[0]
    assert prompt.tolist() == [[vocab.index["循"], vocab.index["环"], vocab.unk, vocab.index["神"]]]
    device = model.embedding.weight.device
    assert all(tokens.device == device and tokens.dtype == torch.long for tokens in model.seen)


def test_generate_follows_a_float64_model():
    vocab = Vocabulary(TEXT)
    torch.manual_seed(3)
    model = CharLM(len(vocab), 4, 8, kind="gru")
    twin = CharLM(len(vocab), 4, 8, kind="gru").double()
    twin.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    assert twin.fc.weight.dtype == torch.float64
    greedy = generate(model, vocab, "循环", 20, temperature=0.0)
    assert generate(twin, vocab, "循环", 20, temperature=0.0) == greedy
    g = torch.Generator().manual_seed(1)
    assert len(generate(twin, vocab, "循环", 20, top_p=0.9, top_k=5, generator=g)) == 20


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"prompt": ""}, ValueError, "prompt 不能为空：至少给一个字符作为开头"),
        ({"prompt": 3}, TypeError, "text 应为 str，实际收到 int"),
        ({"length": 0}, ValueError, "length 应为正整数，实际收到 0"),
        ({"temperature": -0.5}, ValueError, "temperature 应为不小于 0 的实数，实际收到 -0.5"),
        ({"top_p": 1.5}, ValueError, "p 应在 0 到 1 之间（可以等于 1），实际收到 1.5"),
        ({"top_k": 0}, ValueError, "k 应为正整数，实际收到 0"),
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
