"""编码器–解码器（rnn_examples.seq2seq）：掩码损失、打包、教师强制、贪心解码、训练与评估。

参照都是独立的算法：逐条序列单独计算（不补齐）、``nn.GRU`` 在单条序列上的运行、
PyTorch 的 ``ignore_index``、手写的逐步循环与暴力求出的编辑距离。
"""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnn_examples.seq2seq import (
    BOS,
    EOS,
    PAD,
    Encoder,
    Seq2Seq,
    Vocab,
    char_error_rate,
    edit_distance,
    exact_match,
    length_mask,
    make_batch,
    masked_cross_entropy,
    pad_batch,
    train_seq2seq,
    translate,
)

SEQUENCES = [[5, 6, 7, 8], [9], [4, 5, 6], [7, 7]]


def test_pad_batch_and_mask():
    tokens, lengths = pad_batch(SEQUENCES)
    assert tokens.shape == (4, 4)
    assert lengths.tolist() == [4, 1, 3, 2]
    mask = length_mask(lengths)
    assert mask.sum().item() == 10
    assert (tokens[~mask] == PAD).all()
    for row, sequence in enumerate(SEQUENCES):
        assert tokens[row, : len(sequence)].tolist() == sequence
    with pytest.raises(ValueError, match="至少要有一个符号"):
        pad_batch([[1], []])
    with pytest.raises(ValueError, match="至少要有一条序列"):
        pad_batch([])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_masked_loss_equals_per_sequence_loss_in_value_and_gradient(dtype):
    torch.manual_seed(0)
    targets, lengths = pad_batch(SEQUENCES)
    logits = torch.randn(4, 4, 10, dtype=dtype, requires_grad=True)
    loss = masked_cross_entropy(logits, targets, lengths)
    (grad,) = torch.autograd.grad(loss, logits)
    # 参照：每条序列单独算（不补齐），损失相加再除以真实符号总数
    pieces = [logits[b, : len(s)] for b, s in enumerate(SEQUENCES)]
    total = sum(
        nn.functional.cross_entropy(p, torch.tensor(s), reduction="sum") for p, s in zip(pieces, SEQUENCES, strict=True)
    )
    reference = total / sum(map(len, SEQUENCES))
    (reference_grad,) = torch.autograd.grad(reference, logits)
    assert_close(loss, reference)
    assert_close(grad, reference_grad)
    assert (grad[~length_mask(lengths)] == 0).all()  # 填充位置没有梯度
    ignore = nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=PAD)
    assert_close(loss, ignore)


def test_loss_with_padding_counted_is_different():
    torch.manual_seed(0)
    targets, lengths = pad_batch(SEQUENCES)
    logits = torch.randn(4, 4, 10)
    wrong = nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())
    assert not torch.allclose(wrong, masked_cross_entropy(logits, targets, lengths))


def test_masked_loss_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"logits 应为 \(B, T, \|V\|\)"):
        masked_cross_entropy(torch.randn(2, 3, 5), torch.zeros(2, 4, dtype=torch.long), torch.tensor([1, 1]))


def run_alone(rnn: nn.GRU, embedded: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """参照：一条序列单独交给 nn.GRU（没有补齐，也就不需要打包）。"""
    out, h_n = rnn(embedded[None])
    return out[0], torch.cat([h_n[0, 0], h_n[1, 0]])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_packed_encoder_equals_a_loop_over_sequences(dtype):
    torch.manual_seed(0)
    encoder = Encoder(vocab_size=12, embedding_dim=3, hidden_size=4).to(dtype)
    src, lengths = pad_batch(SEQUENCES)
    encoded = encoder(src, lengths)
    weights = torch.randn(*encoded.memory.shape, dtype=dtype)
    objective = (encoded.memory * weights).sum() + encoded.final.pow(2).sum()
    params = list(encoder.parameters())
    grads = torch.autograd.grad(objective, params)
    reference = 0
    for b, sequence in enumerate(SEQUENCES):
        out, final = run_alone(encoder.rnn, encoder.embedding(torch.tensor(sequence)))
        assert_close(encoded.memory[b, : len(sequence)], out)
        assert_close(encoded.final[b], final)
        reference = reference + (out * weights[b, : len(sequence)]).sum() + final.pow(2).sum()
    assert (encoded.memory[~encoded.mask] == 0).all()  # 填充位置的状态为 0
    for got, expected in zip(grads, torch.autograd.grad(reference, params), strict=True):
        assert_close(got, expected)


def test_unpacked_encoder_reads_the_padding():
    torch.manual_seed(0)
    encoder = Encoder(12, 3, 4, pack=False)
    src, lengths = pad_batch(SEQUENCES)
    encoded = encoder(src, lengths)
    for b, sequence in enumerate(SEQUENCES):
        _, final = run_alone(encoder.rnn, encoder.embedding(torch.tensor(sequence)))
        if len(sequence) == src.shape[1]:  # 最长的一条没有填充：结果相同
            assert_close(encoded.final[b], final)
        else:  # 前向停在填充之后，后向从填充读起：两半都不对
            assert not torch.allclose(encoded.final[b, :4], final[:4])
            assert not torch.allclose(encoded.final[b, 4:], final[4:])


def test_encoder_rejects_bad_input():
    encoder = Encoder(12, 3, 4)
    src, lengths = pad_batch(SEQUENCES)
    with pytest.raises(TypeError, match=r"src 应为 torch\.long 张量"):
        encoder(src.float(), lengths)
    with pytest.raises(ValueError, match="src 的长度应在 1 到 4 之间"):
        encoder(src, torch.tensor([5, 1, 1, 1]))
    with pytest.raises(ValueError, match="src 应为 2 维张量"):
        encoder(src[0], lengths)


def model_and_batch(attention_size: int | None, seed: int = 0) -> tuple[Seq2Seq, object]:
    torch.manual_seed(seed)
    model = Seq2Seq(12, 9, embedding_dim=5, hidden_size=6, attention_size=attention_size).eval()
    pairs = [(s, [3 + (v % 6) for v in reversed(s)]) for s in SEQUENCES]
    return model, make_batch(pairs)


@pytest.mark.parametrize("attention_size", [None, 7])
def test_teacher_forcing_equals_a_step_loop(attention_size):
    model, batch = model_and_batch(attention_size)
    logits, weights = model(batch.src, batch.src_lengths, batch.tgt_in)
    encoded = model.encode(batch.src, batch.src_lengths)
    state = model.decoder.start(encoded)
    for t in range(batch.tgt_in.shape[1]):
        step_logits, state, step_weights = model.decoder.step(batch.tgt_in[:, t], state, encoded)
        assert_close(logits[:, t], step_logits)
        if attention_size is None:
            assert weights is None
            assert step_weights is None
        else:
            assert_close(weights[:, t], step_weights)


@pytest.mark.parametrize("attention_size", [None, 7])
def test_greedy_equals_teacher_forcing_on_its_own_output(attention_size):
    model, batch = model_and_batch(attention_size, seed=1)
    tokens, _ = model.greedy(batch.src, batch.src_lengths, max_len=6)
    for b in range(tokens.shape[0]):
        row = tokens[b].tolist()
        written = row[: row.index(EOS) + 1] if EOS in row else row
        assert all(t == PAD for t in row[len(written) :])  # <eos> 之后全是 <pad>
        assert PAD not in written
        assert BOS not in written
        # 把贪心写出的前缀当作教师强制的输入：每一步的最高分（除 <pad>、<bos>）就是写出的符号
        tgt_in = torch.tensor([[BOS, *written[:-1]]])
        with torch.no_grad():
            logits, _ = model(batch.src[b : b + 1], batch.src_lengths[b : b + 1], tgt_in)
        logits[..., [PAD, BOS]] = float("-inf")
        predicted = logits[0].argmax(dim=-1).tolist()
        if len(written) < 6:
            assert predicted == written
        else:  # 写满了：第 6 个是强制写出的 <eos>
            assert predicted[:-1] == written[:-1]
            assert written[-1] == EOS


def test_zero_teacher_forcing_feeds_the_models_own_argmax():
    model, batch = model_and_batch(None, seed=2)
    logits, _ = model(batch.src, batch.src_lengths, batch.tgt_in, teacher_forcing=0.0)
    own = logits.argmax(dim=-1)  # 每一步读的是上一步的最高分
    tgt_in = torch.cat([batch.tgt_in[:, :1], own[:, :-1]], dim=1)
    again, _ = model(batch.src, batch.src_lengths, tgt_in)
    assert_close(again, logits)
    with pytest.raises(ValueError, match="teacher_forcing 应在 0 到 1 之间"):
        model(batch.src, batch.src_lengths, batch.tgt_in, teacher_forcing=1.5)


def test_prediction_of_a_sequence_does_not_depend_on_its_batch():
    model, batch = model_and_batch(7, seed=3)
    logits, _ = model(batch.src, batch.src_lengths, batch.tgt_in)
    for b, sequence in enumerate(SEQUENCES):
        src = torch.tensor([sequence])
        tgt_in = batch.tgt_in[b : b + 1, : batch.tgt_lengths[b]]
        alone, _ = model(src, torch.tensor([len(sequence)]), tgt_in)
        assert_close(alone[0], logits[b, : batch.tgt_lengths[b]])


def test_training_learns_to_reverse_short_sequences():
    vocab = Vocab("abcd")
    rng = torch.Generator().manual_seed(0)
    words = ["".join("abcd"[i] for i in torch.randint(4, (n,), generator=rng)) for n in [1, 2, 3] * 40]
    pairs = [(vocab.encode(w), vocab.encode(w[::-1])) for w in words]
    torch.manual_seed(0)
    model = Seq2Seq(len(vocab), len(vocab), embedding_dim=8, hidden_size=16, attention_size=8)
    log = train_seq2seq(model, pairs, steps=150, batch_size=32, lr=0.02)
    assert sum(log.losses[-10:]) < 0.2 * sum(log.losses[:10])
    outputs = translate(model, [vocab.encode(w) for w in words], vocab, max_len=4)
    assert exact_match(outputs, [w[::-1] for w in words]) > 0.9


def test_train_rejects_bad_arguments():
    model, _ = model_and_batch(None)
    with pytest.raises(ValueError, match="pairs 至少要有一对"):
        train_seq2seq(model, [], steps=1)
    with pytest.raises(ValueError, match="steps 应为正整数"):
        train_seq2seq(model, [([3], [3])], steps=0)
    with pytest.raises(ValueError, match="lr 应为大于 0 的实数"):
        train_seq2seq(model, [([3], [3])], steps=1, lr=0.0)


def brute_force_edit_distance(a: str, b: str) -> int:
    """参照：按定义递归（对短字符串够用）。"""
    if not a or not b:
        return len(a) + len(b)
    return min(
        brute_force_edit_distance(a[1:], b) + 1,
        brute_force_edit_distance(a, b[1:]) + 1,
        brute_force_edit_distance(a[1:], b[1:]) + (a[0] != b[0]),
    )


def test_edit_distance_matches_the_definition():
    words = ["".join(p) for n in range(4) for p in itertools.product("01", repeat=n)]
    for a, b in itertools.product(words, repeat=2):
        assert edit_distance(a, b) == brute_force_edit_distance(a, b), (a, b)


def brute_force_osa_distance(a: str, b: str) -> int:
    """参照：相邻对调也算一次编辑（optimal string alignment），按定义递归。"""
    if not a or not b:
        return len(a) + len(b)
    best = min(
        brute_force_osa_distance(a[1:], b) + 1,
        brute_force_osa_distance(a, b[1:]) + 1,
        brute_force_osa_distance(a[1:], b[1:]) + (a[0] != b[0]),
    )
    if len(a) > 1 and len(b) > 1 and a[0] == b[1] and a[1] == b[0]:
        best = min(best, brute_force_osa_distance(a[2:], b[2:]) + 1)
    return best


def test_edit_distance_with_transpositions_matches_the_definition():
    words = ["".join(p) for n in range(4) for p in itertools.product("012", repeat=n)]
    for a, b in itertools.product(words, repeat=2):
        got = edit_distance(a, b, transpositions=True)
        assert got == brute_force_osa_distance(a, b), (a, b)
        assert got <= edit_distance(a, b)
    assert edit_distance("3521", "3251", transpositions=True) == 1
    assert edit_distance("3521", "3251") == 2
    # 对调过的两个字符不再改动：CA → ABC 要 3 次（不限制时只要 2 次）
    assert edit_distance("CA", "ABC", transpositions=True) == 3


def test_metrics():
    assert exact_match(["12", "3"], ["12", "4"]) == 0.5
    assert char_error_rate(["12", ""], ["12", "345"]) == pytest.approx(3 / 5)
    assert char_error_rate(["1111111"], ["1"]) == 6.0  # 可以大于 1
    with pytest.raises(ValueError, match="应一样长且非空"):
        exact_match(["1"], [])
    with pytest.raises(ValueError, match="总字符数为 0"):
        char_error_rate([""], [""])


def test_vocab():
    vocab = Vocab("xyz")
    assert vocab.tokens[:3] == ["<pad>", "<bos>", "<eos>"]
    assert vocab.decode([BOS, 3, PAD, 4, EOS, 5]) == "xy"
    with pytest.raises(ValueError, match="词表之外"):
        vocab.encode("xw")
    with pytest.raises(ValueError, match="不能重复"):
        Vocab("xx")
