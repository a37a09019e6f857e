r"""第 11 章的计数基线：插值 n 元模型（Jelinek–Mercer 平滑）。

n 元模型只看前 :math:`n-1` 个字符：

.. math::

   p(w_{t+1} \mid w_{\le t}) \approx p(w_{t+1} \mid w_{t-n+2}, \dots, w_t)

自下而上：

1. 一元模型：训练文本里每个字符的频率，加一平滑
   :math:`p_1(w) = (n(w) + 1) / (N + |\mathcal{V}|)`，没见过的字符也有非零概率。
2. :math:`k` 元的最大似然估计 :math:`\hat p(w \mid h) = n(h\,w) / n(h\,\cdot)`，
   :math:`h` 是前 :math:`k-1` 个字符，:math:`n(h\,\cdot)` 是 :math:`h` 后面还跟着
   一个字符的次数。
3. 插值（Jelinek–Mercer）：从低阶到高阶递推，

   .. math::

      p_k(w \mid h) = \lambda_k\, \hat p(w \mid h)
                     + (1 - \lambda_k)\, p_{k-1}(w \mid h'),

   :math:`h'` 是 :math:`h` 去掉最早的一个字符；训练文本里没出现过的上文
   （:math:`n(h\,\cdot) = 0`）直接用 :math:`p_{k-1}`。每一阶的分布都加起来等于 1。
4. :func:`tune_weights`：在验证集上网格搜索 :math:`\lambda_2, \dots, \lambda_n`，
   测试集只在最后用一次。
5. :class:`LineFormatLM`：n 元模型再加两个从上文数出来的计数（这一句已写了几个字、
   这首诗已写了几句），按五言诗的句式决定下一个是不是标点或换行；是字的时候用 n 元模型
   在字上重新归一化的分布。

字符以编号（``torch.long``）表示，与 :mod:`rnn_examples.charlm` 相同。
形状记号：``N`` 字符数，``|V|`` 词表大小。
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import torch

from ._checks import check_positive_int

__all__ = ["LineFormatLM", "NGramLM", "line_counters", "tune_weights"]

#: :func:`tune_weights` 默认试的权重：0, 0.05, …, 0.95
DEFAULT_GRID = tuple(i / 20 for i in range(20))


def _check_ids(
    name: str, tokens: object, vocab_size: int, min_length: int
) -> torch.Tensor:
    if not isinstance(tokens, torch.Tensor):
        raise TypeError(f"{name} 应为 torch.Tensor，实际收到 {type(tokens).__name__}")
    if tokens.dtype != torch.long or tokens.dim() != 1:
        raise TypeError(
            f"{name} 应为一维 torch.long 张量（字符编号），"
            f"实际收到 {tokens.dtype}、形状 {tuple(tokens.shape)}"
        )
    if tokens.shape[0] < min_length:
        raise ValueError(
            f"{name} 至少要有 {min_length} 个字符，实际只有 {tokens.shape[0]} 个"
        )
    low, high = int(tokens.min()), int(tokens.max())
    if low < 0 or high >= vocab_size:
        raise ValueError(
            f"{name} 的编号应在 0 到 {vocab_size - 1} 之间，实际范围 {low} 到 {high}"
        )
    return tokens


class NGramLM:
    r"""插值 n 元模型：数训练文本里长 1 到 ``order`` 的每一段出现了几次。

    Args:
        tokens: 训练文本的字符编号，形状 ``(N,)``。
        vocab_size: 词表大小 :math:`|\mathcal{V}|`。
        order: 阶数 ``n`` （1 是一元模型，2 是二元模型，3 是三元模型）。

    Raises:
        TypeError: ``tokens`` 不是一维 ``torch.long`` 张量，或尺寸不是整数。
        ValueError: 尺寸不为正，``tokens`` 短于 ``order``，或编号超出词表。

    Example:
        >>> import torch
        >>> tokens = torch.tensor([0, 1, 0, 1, 0, 2])     # a b a b a c
        >>> lm = NGramLM(tokens, vocab_size=3, order=2)
        >>> lm.next_distribution([0], weights=[1.0])  # 最大似然：a 后 2 次 b、1 次 c
        tensor([0.0000, 0.6667, 0.3333], dtype=torch.float64)
        >>> lm.next_distribution([2], weights=[0.5])      # c 后面什么也没有：退回一元
        tensor([0.4444, 0.3333, 0.2222], dtype=torch.float64)
    """

    def __init__(self, tokens: torch.Tensor, vocab_size: int, order: int) -> None:
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.order = check_positive_int("order", order)
        tokens = _check_ids("tokens", tokens, vocab_size, order)
        unigram = torch.bincount(tokens, minlength=vocab_size).double()
        #: 加一平滑的一元分布，形状 ``(|V|,)``
        self.unigram = (unigram + 1) / (unigram.sum() + vocab_size)
        # 长 k 的片段不编成 w_1·|V|^(k-1) + … + w_k 那样的一个整数
        # （|V| = 1501 时 6 元就超出 int64 的范围），而是逐阶编号：长 1 的片段的
        # 编号就是字符编号；长 k 的片段是“前 k-1 个字符那一段的编号 g、最后一个
        # 字符 w”，键 g·|V| + w（小于 N·|V|），训练文本里出现过的键排好序，
        # 序号就是这一段的编号。
        self._tables: list[torch.Tensor] = []  # 第 k 阶：排好序的键，(G_k,)
        self._counts: list[torch.Tensor] = []  # 每个键（长 k 的片段 h w）的次数 n(h w)
        self._totals: list[torch.Tensor] = []  # 每个上文 h（长 k-1）的次数 n(h·)
        ids, contexts = tokens, vocab_size  # 长 1 的片段的编号；它们的个数
        for _ in range(2, order + 1):
            keys = ids[:-1] * vocab_size + tokens[len(tokens) - len(ids) + 1 :]
            table, ids, counts = torch.unique(
                keys, return_inverse=True, return_counts=True
            )
            totals = torch.zeros(contexts, dtype=torch.long)
            totals.index_add_(0, table // vocab_size, counts)  # 按上文 h 合并
            self._tables.append(table)
            self._counts.append(counts)
            self._totals.append(totals)
            contexts = len(table)

    def __repr__(self) -> str:
        return f"NGramLM(order={self.order}, vocab_size={self.vocab_size})"

    def _lookup(self, k: int, keys: torch.Tensor) -> torch.Tensor:
        """第 ``k`` 阶的键 -> 片段编号；训练文本里没有的键（以及负的键）给 -1。"""
        table = self._tables[k - 2]
        where = torch.searchsorted(table, keys).clamp(max=len(table) - 1)
        return torch.where((table[where] == keys) & (keys >= 0), where, -1)

    def _levels(self, tokens: torch.Tensor) -> list[torch.Tensor]:
        """``tokens`` 里每个长 1 到 ``order`` 的窗口的片段编号（没见过为 -1）。

        第 ``k`` 项（从长 1 算起）形状 ``(N - k + 1,)``，第 ``i`` 个是从第 ``i`` 个字符
        （从 0 数）开始的窗口。
        """
        levels = [tokens]
        for k in range(2, self.order + 1):
            prefix = levels[-1][:-1]  # 每个窗口的前 k-1 个字符那一段
            keys = prefix * self.vocab_size + tokens[k - 1 :]
            levels.append(self._lookup(k, torch.where(prefix >= 0, keys, -1)))
        return levels

    @staticmethod
    def _gather(values: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        """``values[ids]``，``ids = -1`` 处为 0；返回 float64。"""
        found = values[ids.clamp(min=0)]
        return torch.where(ids >= 0, found, 0).double()

    def _weights(self, weights: object) -> list[float]:
        expected = self.order - 1
        if not isinstance(weights, Sequence) or len(weights) != expected:
            raise ValueError(
                f"weights 应为 {expected} 个数 [λ_2, …, λ_n]（order = {self.order}），"
                f"实际收到 {weights!r}"
            )
        values = [float(w) for w in weights]
        if not all(0.0 <= w <= 1.0 for w in values):
            raise ValueError(f"weights 的每个数应在 0 到 1 之间，实际收到 {values}")
        return values

    def estimates(
        self, tokens: torch.Tensor
    ) -> list[tuple[torch.Tensor, torch.Tensor]]:
        r"""``tokens`` 第 2 个到最后一个字符在第 2 到 n 阶的最大似然估计。

        返回每一阶 :math:`k` 一对 ``(ml, seen)``，都是 ``(N - 1,)``：
        ``ml[i]`` 是 :math:`\hat p(w_{i+2} \mid h)`，``seen[i]`` 表示上文 :math:`h`
        在训练文本里出现过（开头不足 :math:`k-1` 个字符的位置为 ``False``）。
        与权重无关，:func:`tune_weights` 只算一次。
        """
        tokens = _check_ids("tokens", tokens, self.vocab_size, 2)
        levels = self._levels(tokens)
        out = []
        for k in range(2, self.order + 1):
            # 第 i 个目标 tokens[i+1] 的上文是 tokens[i-k+2 … i]：
            # 片段 h w 与上文 h 都是从第 i-k+2 个字符开始的窗口
            grams, contexts = levels[k - 1], levels[k - 2][:-1]  # 都是 (N-k+1,)
            total = self._gather(self._totals[k - 2], contexts)
            ml = self._gather(self._counts[k - 2], grams) / total.clamp(min=1)
            pad = torch.zeros(k - 2, dtype=torch.float64)  # 开头上文不够长的位置
            out.append((torch.cat([pad, ml]), torch.cat([pad, total]) > 0))
        return out

    def probabilities(
        self,
        tokens: torch.Tensor,
        weights: Sequence[float],
        estimates: list[tuple[torch.Tensor, torch.Tensor]] | None = None,
    ) -> torch.Tensor:
        r"""模型给 ``tokens`` 第 2 个到最后一个字符的概率，形状 ``(N - 1,)``。

        第 :math:`t+1` 个字符的上文是它前面至多 :math:`n-1` 个字符（开头不足时用得上
        几个就用几个），与 :func:`rnn_examples.charlm.perplexity` 预测的位置相同。

        Args:
            tokens: 字符编号，``(N,)``，``N >= 2``。
            weights: :math:`[\lambda_2, \dots, \lambda_n]`，每个在 0 到 1 之间。
            estimates: :meth:`estimates` 的结果（省略时现算）。
        """
        lambdas = self._weights(weights)
        if estimates is None:
            estimates = self.estimates(tokens)
        p = self.unigram[tokens[1:]]  # 一元：(N-1,)
        for lam, (ml, seen) in zip(lambdas, estimates, strict=True):
            p = torch.where(seen, lam * ml + (1 - lam) * p, p)  # 由低阶到高阶
        return p

    def perplexity(self, tokens: torch.Tensor, weights: Sequence[float]) -> float:
        """``exp`` （平均负对数概率），位置与 :meth:`probabilities` 相同。"""
        return math.exp(-self.probabilities(tokens, weights).log().mean().item())

    def candidate_probabilities(
        self, tokens: torch.Tensor, weights: Sequence[float], candidate: int
    ) -> torch.Tensor:
        r"""在 :meth:`probabilities` 的每个位置上，下一个字符是 ``candidate`` 的概率。

        上文与 :meth:`probabilities` 相同，只是把真实的下一个字符换成 ``candidate``：
        ``tokens[i + 1] == candidate`` 的位置上两者相等。形状 ``(N - 1,)``。
        """
        lambdas = self._weights(weights)
        tokens = _check_ids("tokens", tokens, self.vocab_size, 2)
        if not isinstance(candidate, int) or not 0 <= candidate < self.vocab_size:
            raise ValueError(
                f"candidate 应为 0 到 {self.vocab_size - 1} 之间的整数，"
                f"实际收到 {candidate!r}"
            )
        levels = self._levels(tokens)
        p = self.unigram[candidate].repeat(len(tokens) - 1)  # 一元：(N-1,)
        for k, lam in zip(range(2, self.order + 1), lambdas, strict=True):
            contexts = levels[k - 2][:-1]  # 长 k-1 的上文 h 的编号，(N-k+1,)
            total = self._gather(self._totals[k - 2], contexts)
            keys = torch.where(
                contexts >= 0, contexts * self.vocab_size + candidate, -1
            )
            hit = self._gather(self._counts[k - 2], self._lookup(k, keys))
            pad = torch.zeros(k - 2, dtype=torch.float64)  # 开头上文不够长的位置
            ml, seen = (
                torch.cat([pad, hit / total.clamp(min=1)]),
                torch.cat([pad, total]) > 0,
            )
            p = torch.where(seen, lam * ml + (1 - lam) * p, p)  # 由低阶到高阶
        return p

    def next_distribution(
        self, context: Sequence[int] | torch.Tensor, weights: Sequence[float]
    ) -> torch.Tensor:
        """读完 ``context`` 之后下一个字符的分布，``(|V|,)``，加起来等于 1。

        只用 ``context`` 的最后 ``order - 1`` 个字符；更短的上文用得上几阶就用几阶。
        """
        lambdas = self._weights(weights)
        history = (
            [int(c) for c in context][-(self.order - 1) :] if self.order > 1 else []
        )
        if any(not 0 <= c < self.vocab_size for c in history):
            raise ValueError(
                f"context 的编号应在 0 到 {self.vocab_size - 1} 之间，"
                f"实际收到 {history}"
            )
        p = self.unigram.clone()
        candidates = torch.arange(self.vocab_size)
        # 上文里每个窗口的编号只算一次：第 k 阶用最后那个长 k-1 的窗口
        levels = (
            self._levels(torch.tensor(history, dtype=torch.long)) if history else []
        )
        for k, lam in zip(range(2, self.order + 1), lambdas, strict=True):
            if len(history) < k - 1:
                break
            context = levels[k - 2][-1:]  # 最后 k-1 个字符那一段的编号，(1,)
            total = self._gather(self._totals[k - 2], context)[0]
            if total > 0:
                keys = context * self.vocab_size + candidates  # 每个候选 w：h w 的键
                hit = self._gather(self._counts[k - 2], self._lookup(k, keys))
                p = lam * hit / total + (1 - lam) * p
        return p


def tune_weights(
    model: NGramLM,
    tokens: torch.Tensor,
    grid: Iterable[float] = DEFAULT_GRID,
    *,
    max_sweeps: int = 10,
) -> tuple[list[float], float]:
    r"""在 ``tokens`` （验证集）上调 :math:`[\lambda_2, \dots, \lambda_n]`：坐标下降。

    每个 :math:`\lambda_k` 只取 ``grid`` 中的值。从每个都取最接近 0.5 的值出发，
    轮流把一个 :math:`\lambda_k` 换成让困惑度最低的值（其余不动；只有更低才换），
    直到一整轮都没有变化，或做满 ``max_sweeps`` 轮。二元模型只有一个权重，这就是
    穷举。返回权重与它在 ``tokens`` 上的困惑度。

    Example:
        >>> import torch
        >>> tokens = torch.arange(300) % 5                 # 0 1 2 3 4 0 1 …
        >>> lm = NGramLM(tokens, vocab_size=5, order=2)
        >>> weights, ppl = tune_weights(lm, tokens[:50], grid=(0.0, 0.5, 0.95))
        >>> weights, round(ppl, 4)        # 每一步：0.95 + 0.05 × 1/5 = 0.96
        ([0.95], 1.0417)
    """
    if not isinstance(model, NGramLM):
        raise TypeError(f"model 应为 NGramLM，实际收到 {type(model).__name__}")
    values = sorted({float(v) for v in grid})
    if not values or not all(0.0 <= v <= 1.0 for v in values):
        raise ValueError(f"grid 应为 0 到 1 之间的一组数，实际收到 {values}")
    check_positive_int("max_sweeps", max_sweeps)
    estimates = model.estimates(tokens)  # 与权重无关，只算一次

    def ppl(weights: list[float]) -> float:
        p = model.probabilities(tokens, weights, estimates)
        return math.exp(-p.log().mean().item())

    weights = [min(values, key=lambda v: abs(v - 0.5))] * (model.order - 1)
    best = ppl(weights)
    for _ in range(max_sweeps):
        changed = False
        for k in range(len(weights)):
            for value in values:
                trial = [*weights[:k], value, *weights[k + 1 :]]
                score = ppl(trial)
                if score < best:
                    weights, best, changed = trial, score, True
        if not changed:
            break
    return weights, best


def line_counters(
    tokens: torch.Tensor, comma: int, period: int, newline: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """读完每个字符之后的两个计数：这一句已写了几个字，这首诗已写完了几句。

    逗号、句号结束一句（字数归零，句数加一），换行结束一首诗（两个都归零）；
    文本从一首诗的开头读起。两个都是 ``(N,)`` 的 ``torch.long``。
    """
    chars, lines = [], []
    k = line = 0
    for token in tokens.tolist():
        if token in (comma, period):
            k, line = 0, line + 1
        elif token == newline:
            k = line = 0
        else:
            k += 1
        chars.append(k)
        lines.append(line)
    return torch.tensor(chars), torch.tensor(lines)


class LineFormatLM:
    r"""知道句式的计数模型：n 元模型加上从上文数出来的句中位置。

    读完第 :math:`t` 个字符，先数出这一句已写了几个字 :math:`k`、这首诗已写完了几句
    :math:`l` （:func:`line_counters`），再按五言诗的句式给下一个字符一个“规则分布”
    :math:`r`：

    - :math:`k` 等于 ``chars_per_line``：下一个是标点，第奇数句后是逗号，
      第偶数句后是句号；
    - 刚写完第 ``short_lines`` 句：以概率 :math:`q` 换行
      （:math:`q` 是训练文本里写完这么多句就结束的诗所占的比例），
      否则是下一句的第一个字；
    - 写完了 ``long_lines`` 句：换行；
    - 其余位置：下一个是字。

    “是字”时，用 n 元模型的分布去掉逗号、句号、换行之后重新归一化。
    最后与 n 元模型本身混合：:math:`p = (1 - \varepsilon)\, r + \varepsilon\, p_n`，
    不合句式的字符也有非零概率。:math:`\varepsilon` 在验证集上选。

    Args:
        ngram: 训练好的 :class:`NGramLM`。
        weights: 它的 :math:`[\lambda_2, \dots, \lambda_n]`。
        train_tokens: 训练文本（估计 :math:`q` 用），``(N,)``。
        comma, period, newline: 逗号、句号、换行的编号。
        chars_per_line: 每句的字数。
        short_lines, long_lines: 短诗与长诗的句数。
    """

    def __init__(
        self,
        ngram: NGramLM,
        weights: Sequence[float],
        train_tokens: torch.Tensor,
        *,
        comma: int,
        period: int,
        newline: int,
        chars_per_line: int = 5,
        short_lines: int = 4,
        long_lines: int = 8,
    ) -> None:
        if not isinstance(ngram, NGramLM):
            raise TypeError(f"ngram 应为 NGramLM，实际收到 {type(ngram).__name__}")
        self.ngram = ngram
        self.weights = ngram._weights(weights)
        self.comma, self.period, self.newline = comma, period, newline
        self.chars_per_line = check_positive_int("chars_per_line", chars_per_line)
        self.short_lines = check_positive_int("short_lines", short_lines)
        self.long_lines = check_positive_int("long_lines", long_lines)
        train_tokens = _check_ids("train_tokens", train_tokens, ngram.vocab_size, 2)
        chars, lines = line_counters(train_tokens, comma, period, newline)
        after_short = (chars[:-1] == 0) & (lines[:-1] == short_lines)
        ends = (train_tokens[1:][after_short] == newline).sum().item()
        #: 写完 ``short_lines`` 句就换行的比例（加一平滑），训练文本上数出
        self.end_share = (ends + 1) / (int(after_short.sum()) + 2)

    def __repr__(self) -> str:
        return f"LineFormatLM(ngram={self.ngram!r}, end_share={self.end_share:.3f})"

    def _parts(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """规则分布 r 与 n 元模型 p_n 给真实的下一个字符的概率，都是 ``(N - 1,)``。"""
        tokens = _check_ids("tokens", tokens, self.ngram.vocab_size, 2)
        lm, w = self.ngram, self.weights
        p_n = lm.probabilities(tokens, w)  # n 元模型给真实的下一个字符的概率
        marks = (self.comma, self.period, self.newline)
        mass = sum(
            lm.candidate_probabilities(tokens, w, m) for m in marks
        )  # 给三个符号的
        target = tokens[1:]
        is_mark = (
            (target == self.comma) | (target == self.period) | (target == self.newline)
        )
        as_char = torch.where(is_mark, 0.0, p_n / (1 - mass))  # 只在字上重新归一化
        chars, lines = (c[:-1] for c in line_counters(tokens, *marks))
        want = torch.where(lines % 2 == 0, self.comma, self.period)  # 这一句之后的标点
        q = self.end_share
        short = (chars == 0) & (lines == self.short_lines)
        rule = torch.where(
            short, q * (target == self.newline) + (1 - q) * as_char, as_char
        )
        ended = (chars == 0) & (lines >= self.long_lines)
        rule = torch.where(ended, (target == self.newline).double(), rule)
        rule = torch.where(
            chars == self.chars_per_line, (target == want).double(), rule
        )
        return rule, p_n

    @staticmethod
    def _check_epsilon(epsilon: float) -> float:
        if not isinstance(epsilon, (int, float)) or not 0.0 < epsilon <= 1.0:
            raise ValueError(f"epsilon 应在 (0, 1] 之间，实际收到 {epsilon!r}")
        return float(epsilon)

    def probabilities(self, tokens: torch.Tensor, epsilon: float) -> torch.Tensor:
        """模型给 ``tokens`` 第 2 个到最后一个字符的概率，形状 ``(N - 1,)``。

        位置与 :meth:`NGramLM.probabilities` 相同。
        """
        epsilon = self._check_epsilon(epsilon)
        rule, p_n = self._parts(tokens)
        return (1 - epsilon) * rule + epsilon * p_n

    def tune_epsilon(
        self,
        tokens: torch.Tensor,
        grid: Iterable[float] = (1e-5, 1e-4, 1e-3, 1e-2, 0.1),
    ) -> tuple[float, float]:
        r"""在 ``tokens`` （验证集）上从 ``grid`` 里选困惑度最低的 :math:`\varepsilon`。

        返回 :math:`\varepsilon` 与它在 ``tokens`` 上的困惑度。
        """
        values = [self._check_epsilon(e) for e in grid]
        if not values:
            raise ValueError("grid 不能为空")
        rule, p_n = self._parts(tokens)
        scores = {
            e: math.exp(-((1 - e) * rule + e * p_n).log().mean().item()) for e in values
        }
        best = min(scores, key=lambda e: scores[e])
        return best, scores[best]

    def perplexity(self, tokens: torch.Tensor, epsilon: float) -> float:
        """``exp`` （平均负对数概率），位置与 :meth:`probabilities` 相同。"""
        return math.exp(-self.probabilities(tokens, epsilon).log().mean().item())
