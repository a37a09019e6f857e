r"""第 15 章：从一个训练好的编码器–解码器里挑出一条输出——贪心、束搜索与穷举搜索。

一条输出 :math:`y = (y_1, \dots, y_{T_y})` （最后一个是 ``<eos>``）的得分是它在模型下的
对数概率 :math:`\log p(y \mid x) = \sum_t \log p(y_t \mid y_{<t}, x)`；长度归一化时除以
:math:`T_y` 的 ``length_penalty`` 次方（0 表示不归一化，1 表示除以长度）。
每条输出至多 ``max_len`` 个符号（含 ``<eos>``），``<pad>`` 与 ``<bos>`` 不许写出
（见 :func:`~rnn_examples.seq2seq.allowed_log_probs`）。

1. :class:`Hypothesis`：一条写完的输出与它的对数概率。
2. :func:`beam_search`：每一步把全部候选的全部续写按对数概率排序，留下最好的
   ``beam_width`` 个；其中以 ``<eos>`` 结尾的放进“写完”的一堆，不再续写，
   其余的是下一步的候选。``beam_width=1`` 就是贪心解码。
3. :func:`sequence_log_probs` 与 :func:`exhaustive_search`：用教师强制给每一条可能的
   输出打分，挑最好的（只适合极小的词表与长度）。

形状记号：``Tx`` 输入长度，``H`` 解码器状态维数，``K`` 束宽（未写完的候选至多 ``K`` 个，
注释里的 ``(K, …)`` 指这一步实际留下的候选个数），``|V|`` 可以写出的符号个数
（数字与 ``<eos>``，同第 15 章）；分数的最后一维是整个输出词表
``len(TARGET) = |V| + 2`` （还有 ``<pad>`` 与 ``<bos>``，
它们的对数概率是 :math:`-\infty`）。
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from ._checks import check_positive_int, check_real
from .seq2seq import (
    BOS,
    EOS,
    SPECIALS,
    Seq2Seq,
    allowed_log_probs,
    length_mask,
    make_batch,
    pad_batch,
)

__all__ = ["Hypothesis", "beam_search", "exhaustive_search", "sequence_log_probs"]


@dataclass(frozen=True)
class Hypothesis:
    r"""一条写完的输出：``tokens`` 以 ``<eos>`` 结尾，``log_prob`` 是
    :math:`\log p(y \mid x)`。"""

    tokens: tuple[int, ...]
    log_prob: float

    def score(self, length_penalty: float = 0.0) -> float:
        r"""得分 :math:`\log p(y \mid x) / T_y^{p}`，
        :math:`p` 即 ``length_penalty``。"""
        return self.log_prob / math.pow(len(self.tokens), length_penalty)


def _check_search(max_len: object, length_penalty: object) -> None:
    check_positive_int("max_len", max_len)
    check_real("length_penalty", length_penalty, minimum=0.0)


@torch.no_grad()
def beam_search(
    model: Seq2Seq,
    source: Sequence[int],
    beam_width: int,
    max_len: int,
    length_penalty: float = 0.0,
) -> Hypothesis:
    """束搜索：对一条输入 ``source`` 找一条得分高的输出。

    第 ``t`` 步把每个未写完的候选接上每一个符号，按对数概率从高到低取前
    ``beam_width`` 个：其中以 ``<eos>`` 结尾的算写完，其余的留作下一步的候选。
    第 ``max_len`` 步只许写 ``<eos>``。最后在全部写完的候选里按
    ``Hypothesis.score(length_penalty)`` 挑最好的。

    Raises:
        TypeError: 束宽或长度不是整数。
        ValueError: 它们不为正，或 ``length_penalty`` 为负。

    Example:
        >>> from rnn_examples.seq2seq import Seq2Seq
        >>> _ = torch.manual_seed(0)
        >>> model = Seq2Seq(8, 6, embedding_dim=4, hidden_size=5).eval()
        >>> best = beam_search(model, [3, 4, 5], beam_width=3, max_len=4)
        >>> best.tokens[-1] == EOS and len(best.tokens) <= 4
        True
    """
    check_positive_int("beam_width", beam_width)
    _check_search(max_len, length_penalty)
    src, lengths = pad_batch([source])
    encoded = model.encode(src, lengths)  # 批大小 1
    state = model.decoder.start(encoded)  # (1, H)
    beams: list[tuple[int, ...]] = [()]  # 未写完的候选（不含 <bos>）
    scores = torch.zeros(1)  # 它们的对数概率：(K,)
    finished: list[Hypothesis] = []
    for t in range(1, max_len + 1):
        y_prev = torch.tensor([beam[-1] if beam else BOS for beam in beams])  # (K,)
        rows = torch.zeros(len(beams), dtype=torch.long)  # 每个候选都对着这一条输入
        logits, state, _ = model.decoder.step(y_prev, state, encoded.select(rows))
        log_probs = allowed_log_probs(logits)  # (K, |V| + 2)
        if t == max_len:  # 最后一步只许写 <eos>
            eos = log_probs[:, EOS].clone()
            log_probs.fill_(float("-inf"))
            log_probs[:, EOS] = eos
        total = scores[:, None] + log_probs  # 接上每个符号后的对数概率：(K, |V| + 2)
        keep = min(beam_width, int(torch.isfinite(total).sum()))
        best, index = total.flatten().topk(keep)
        beams_next, scores_next, parents = [], [], []
        for score, flat in zip(best.tolist(), index.tolist(), strict=True):
            parent, token = divmod(flat, total.shape[1])
            tokens = (*beams[parent], token)
            if token == EOS:
                finished.append(Hypothesis(tokens, score))
            else:
                beams_next.append(tokens)
                scores_next.append(score)
                parents.append(parent)
        if not beams_next:
            break
        beams, scores, state = beams_next, torch.tensor(scores_next), state[parents]
    return max(finished, key=lambda h: h.score(length_penalty))


@torch.no_grad()
def sequence_log_probs(
    model: Seq2Seq, source: Sequence[int], outputs: Sequence[Sequence[int]]
) -> torch.Tensor:
    r"""用教师强制一次算出每条输出的 :math:`\log p(y \mid x)`：
    ``(n,)``，``n = len(outputs)``。

    ``outputs`` 的每一条都以 ``<eos>`` 结尾。与 :func:`beam_search` 各自独立地计算
    同一个量，可以用来核对它。
    """
    bodies = []
    for output in outputs:
        if len(output) == 0 or output[-1] != EOS:
            raise ValueError(f"每条输出都应以 <eos>（{EOS}）结尾，实际收到 {output!r}")
        bodies.append(list(output[:-1]))
    batch = make_batch([(source, body) for body in bodies])
    logits, _ = model(batch.src, batch.src_lengths, batch.tgt_in)  # (n, Ty, |V| + 2)
    chosen = allowed_log_probs(logits.flatten(0, 1)).view_as(logits)
    per_step = chosen.gather(-1, batch.tgt_out[..., None]).squeeze(-1)  # (n, Ty)
    mask = length_mask(batch.tgt_lengths, per_step.shape[1])
    return per_step.masked_fill(~mask, 0.0).sum(dim=1)


@torch.no_grad()
def exhaustive_search(
    model: Seq2Seq,
    source: Sequence[int],
    max_len: int,
    length_penalty: float = 0.0,
) -> Hypothesis:
    """穷举搜索：列出至多 ``max_len`` 个符号、以 ``<eos>`` 结尾的全部输出，
    挑得分最高的。

    输出词表除去三个特殊符号还有 ``m`` 个符号时，候选共有
    ``1 + m + m² + … + m^(max_len-1)`` 条。

    Example:
        >>> from rnn_examples.seq2seq import Seq2Seq
        >>> _ = torch.manual_seed(0)
        >>> model = Seq2Seq(8, 5, embedding_dim=4, hidden_size=5).eval()   # m = 2
        >>> exact = exhaustive_search(model, [3, 4], max_len=4)
        >>> wide = beam_search(model, [3, 4], beam_width=12, max_len=4)     # 束够宽
        >>> exact.tokens == wide.tokens
        True
    """
    _check_search(max_len, length_penalty)
    symbols = range(len(SPECIALS), model.decoder.out.out_features)
    candidates = [
        (*body, EOS)
        for length in range(max_len)
        for body in itertools.product(symbols, repeat=length)
    ]
    log_probs = sequence_log_probs(model, source, candidates).tolist()
    hypotheses = [Hypothesis(c, p) for c, p in zip(candidates, log_probs, strict=True)]
    return max(hypotheses, key=lambda h: h.score(length_penalty))
