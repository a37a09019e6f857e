r"""第 14 章：变长序列与编码器–解码器（第 15 章在解码器里加上注意力）。

编码器读完输入 :math:`x_1, \dots, x_{T_x}`，解码器从 ``<bos>`` 开始一个符号一个符号地
写出 :math:`y_1, \dots, y_{T_y}`，最后一个是 ``<eos>`` （Sutskever et al. 2014；
Cho et al. 2014）。自下而上：

1. :class:`Vocab`：字符与编号互相转换，编号 0、1、2 留给 ``<pad>``、``<bos>``、
   ``<eos>``。
2. :func:`pad_batch`、:func:`length_mask` 与 :func:`masked_cross_entropy`：
   把长短不一的序列补齐成一个张量，损失只算真实的位置。
3. :class:`Encoder`：嵌入加双向 GRU，用 ``pack_padded_sequence`` 跳过填充。
4. :class:`Decoder`：每一步读上一个符号 :math:`y_{t-1}` 与上下文向量
   :math:`\kappa_t`，更新状态 :math:`s_t`，给出下一个符号的分数。没有注意力时
   :math:`\kappa_t` 恒为编码器的最终状态 :math:`\kappa`；有注意力时见
   :class:`~rnn_examples.attention.AdditiveAttention`。
5. :class:`Seq2Seq`：编码器加解码器；``forward`` 用教师强制，:meth:`Seq2Seq.greedy`
   贪心解码。
6. :func:`train_seq2seq`：Adam、梯度裁剪、随机小批量的训练循环。
7. :func:`translate`、:func:`exact_match` 与 :func:`char_error_rate`：评估。

形状记号：``B`` 批大小，``Tx`` 输入序列长度，``Ty`` 输出序列长度，``D`` 嵌入维数，
``H`` 隐藏状态维数（编码器每个方向与解码器相同），``C = 2H`` 编码器状态维数，
``|V|`` 输出词表大小。
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._checks import check_positive_int, check_real
from .attention import AdditiveAttention
from .training import optimizer_step

__all__ = [
    "BOS",
    "EOS",
    "PAD",
    "Batch",
    "Decoder",
    "Encoded",
    "Encoder",
    "Seq2Seq",
    "TrainLog",
    "Vocab",
    "allowed_log_probs",
    "char_error_rate",
    "edit_distance",
    "exact_match",
    "length_mask",
    "make_batch",
    "masked_cross_entropy",
    "pad_batch",
    "train_seq2seq",
    "translate",
]

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("<pad>", "<bos>", "<eos>")


# -- 1. 词表 --------------------------------------------------------------------------


class Vocab:
    """字符词表：编号 0、1、2 是 ``<pad>``、``<bos>``、``<eos>``，之后是 ``symbols``。

    Args:
        symbols: 每个字符一个符号，不能重复。

    Example:
        >>> vocab = Vocab("0123456789")
        >>> len(vocab)
        13
        >>> vocab.encode("1020")
        [4, 3, 5, 3]
        >>> vocab.decode([4, 3, 5, 3, EOS, PAD])       # 在 <eos> 处停下
        '1020'
    """

    def __init__(self, symbols: str) -> None:
        if not isinstance(symbols, str) or not symbols:
            raise ValueError(f"symbols 应为非空字符串，实际收到 {symbols!r}")
        if len(set(symbols)) != len(symbols):
            raise ValueError(f"symbols 里的字符不能重复，实际收到 {symbols!r}")
        #: 编号 -> 符号
        self.tokens: list[str] = [*SPECIALS, *symbols]
        #: 符号 -> 编号
        self.index: dict[str, int] = {s: i for i, s in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        return f"Vocab({''.join(self.tokens[len(SPECIALS) :])!r})"

    def encode(self, text: str) -> list[int]:
        """字符串 -> 编号列表（不加 ``<bos>``、``<eos>``）。

        Raises:
            TypeError: ``text`` 不是字符串。
            ValueError: ``text`` 含有词表之外的字符。
        """
        if not isinstance(text, str):
            raise TypeError(f"text 应为 str，实际收到 {type(text).__name__}")
        unknown = sorted({c for c in text if c not in self.index})
        if unknown:
            raise ValueError(
                f"text 只能含词表中的字符，实际收到 {text!r}（词表之外：{unknown}）"
            )
        return [self.index[c] for c in text]

    def decode(self, ids: Sequence[int] | torch.Tensor) -> str:
        """编号 -> 字符串：读到 ``<eos>`` 为止，跳过 ``<pad>`` 与 ``<bos>``。"""
        values = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        out = []
        for i in values:
            if i == EOS:
                break
            if i not in (PAD, BOS):
                out.append(self.tokens[i])
        return "".join(out)


# -- 2. 补齐、掩码与损失 --------------------------------------------------------------


def pad_batch(
    sequences: Sequence[Sequence[int]], pad: int = PAD
) -> tuple[torch.Tensor, torch.Tensor]:
    """把长短不一的编号序列在末尾补上 ``pad``，排成一个 ``(B, T)`` 张量。

    ``T`` 是这一批里最长的长度。同时返回每条序列的真实长度 ``(B,)``。

    Raises:
        ValueError: 没有序列，或有空序列。

    Example:
        >>> tokens, lengths = pad_batch([[5, 6, 7], [8]])
        >>> tokens
        tensor([[5, 6, 7],
                [8, 0, 0]])
        >>> lengths
        tensor([3, 1])
    """
    if len(sequences) == 0:
        raise ValueError("sequences 至少要有一条序列，实际收到 0 条")
    lengths = [len(s) for s in sequences]
    if min(lengths) == 0:
        raise ValueError(f"每条序列至少要有一个符号，实际长度为 {lengths}")
    width = max(lengths)
    rows = [[*sequence, *[pad] * (width - len(sequence))] for sequence in sequences]
    return torch.tensor(rows, dtype=torch.long), torch.tensor(lengths, dtype=torch.long)


def length_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """掩码 ``(B, T)``：第 ``b`` 行的前 ``lengths[b]`` 个位置为 ``True``，
    其余（填充）为 ``False``。

    Example:
        >>> length_mask(torch.tensor([3, 1]))
        tensor([[ True,  True,  True],
                [ True, False, False]])
    """
    if max_len is None:
        max_len = int(lengths.max())
    positions = torch.arange(max_len, device=lengths.device)  # (T,)
    return positions[None, :] < lengths[:, None]  # (B, T)


def masked_cross_entropy(
    logits: torch.Tensor, targets: torch.Tensor, lengths: torch.Tensor
) -> torch.Tensor:
    r"""只在真实位置上平均的交叉熵：

    .. math::

        \frac{1}{\sum_b T_b} \sum_{b=1}^{B} \sum_{t=1}^{T_b} \ell_{b,t},\qquad
        \ell_{b,t} = -\log \hat y_{b,t,\,y_{b,t}}

    其中 :math:`T_b` 是第 :math:`b` 条序列的真实长度。填充位置的损失乘以 0，
    它们的分数得到的梯度恰好为 0。

    形状:
        - ``logits``: ``(B, T, |V|)``；``targets``: ``(B, T)`` 整数；
          ``lengths``: ``(B,)``。
        - 返回: 标量。

    Example:
        >>> logits = torch.randn(2, 3, 5)
        >>> targets = torch.tensor([[1, 2, 3], [4, 0, 0]])
        >>> loss = masked_cross_entropy(logits, targets, torch.tensor([3, 1]))
        >>> same = nn.functional.cross_entropy(
        ...     logits.reshape(-1, 5), targets.reshape(-1), ignore_index=0)
        >>> torch.testing.assert_close(loss, same)   # 用 0 作填充：同 ignore_index
    """
    if logits.dim() != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(
            "logits 应为 (B, T, |V|)、targets 应为 (B, T)，实际收到 "
            f"{tuple(logits.shape)} 与 {tuple(targets.shape)}"
        )
    mask = length_mask(lengths, logits.shape[1])  # (B, T)
    losses = nn.functional.cross_entropy(
        logits.flatten(0, 1), targets.flatten(), reduction="none"
    ).view_as(targets)  # ℓ_{b,t}：(B, T)
    return (losses * mask).sum() / mask.sum()


@dataclass(frozen=True)
class Batch:
    """一批补齐后的数据。

    ``tgt_in`` 是 ``<bos>`` 加目标，``tgt_out`` 是目标加 ``<eos>``。

    ``src``: ``(B, Tx)``，``src_lengths``: ``(B,)``；
    ``tgt_in``、``tgt_out``: ``(B, Ty)``，
    ``tgt_lengths``: ``(B,)`` （含 ``<eos>``）。
    """

    src: torch.Tensor
    src_lengths: torch.Tensor
    tgt_in: torch.Tensor
    tgt_out: torch.Tensor
    tgt_lengths: torch.Tensor


def make_batch(pairs: Sequence[tuple[Sequence[int], Sequence[int]]]) -> Batch:
    """由 ``(输入编号, 目标编号)`` 对组成一批。

    补齐输入，目标前加 ``<bos>``、后加 ``<eos>``。

    Example:
        >>> batch = make_batch([([5, 6], [3]), ([7], [4, 5])])
        >>> batch.tgt_in                                # <bos> y_1 …
        tensor([[1, 3, 0],
                [1, 4, 5]])
        >>> batch.tgt_out                               # … y_Ty <eos>
        tensor([[3, 2, 0],
                [4, 5, 2]])
    """
    src, src_lengths = pad_batch([source for source, _ in pairs])
    tgt_in, tgt_lengths = pad_batch([[BOS, *target] for _, target in pairs])
    tgt_out, _ = pad_batch([[*target, EOS] for _, target in pairs])
    return Batch(src, src_lengths, tgt_in, tgt_out, tgt_lengths)


# -- 3. 编码器 ------------------------------------------------------------------------


@dataclass(frozen=True)
class Encoded:
    r"""编码器的输出。``memory``: ``(B, Tx, C)``，每个位置的 :math:`\bar s_j`；
    ``mask``: ``(B, Tx)``，真实位置为 ``True``；``final``: ``(B, C)``，
    :math:`\kappa = [\overrightarrow{s}_{T_x} ; \overleftarrow{s}_1]`。"""

    memory: torch.Tensor
    mask: torch.Tensor
    final: torch.Tensor

    def select(self, rows: torch.Tensor) -> Encoded:
        """按行取出（束搜索里每个候选一行）：``rows`` 是 ``(K,)`` 的行号。"""
        return Encoded(self.memory[rows], self.mask[rows], self.final[rows])


class Encoder(nn.Module):
    r"""编码器：嵌入加单层双向 GRU。

    .. math::

        \overrightarrow{s}_j = \mathrm{GRU}(E x_j, \overrightarrow{s}_{j-1}),\quad
        \overleftarrow{s}_j = \mathrm{GRU}'(E x_j, \overleftarrow{s}_{j+1}),\quad
        \bar s_j = [\overrightarrow{s}_j ; \overleftarrow{s}_j],\quad
        \kappa = [\overrightarrow{s}_{T_x} ; \overleftarrow{s}_1]

    ``pack=True`` 时用 ``pack_padded_sequence``：每条序列只读到自己的长度
    :math:`T_x`，后向从它自己的最后一个符号读起，填充位置的 :math:`\bar s_j` 为 0。
    ``pack=False`` 是错误的做法（第 14 章用来测量它的害处）：GRU 把填充符号也读进去，
    :math:`\kappa` 取自读过填充之后的状态。

    Args:
        vocab_size: 输入词表大小。
        embedding_dim: 嵌入维数 ``D``。
        hidden_size: 每个方向的隐藏状态维数 ``H``。
        pack: 是否跳过填充，默认 ``True``。

    形状:
        - ``src``: ``(B, Tx)`` 整数；``lengths``: ``(B,)``。
        - 返回: :class:`Encoded`，其中 ``memory`` ``(B, Tx, 2H)``，
          ``mask`` ``(B, Tx)``，
          ``final`` ``(B, 2H)``。

    Example:
        >>> _ = torch.manual_seed(0)
        >>> encoder = Encoder(vocab_size=10, embedding_dim=4, hidden_size=3)
        >>> src, lengths = pad_batch([[5, 6, 7], [8]])
        >>> encoded = encoder(src, lengths)
        >>> encoded.memory.shape, encoded.final.shape    # (B, Tx, 2H), (B, 2H)
        (torch.Size([2, 3, 6]), torch.Size([2, 6]))
        >>> alone = encoder(src[1:, :1], lengths[1:])    # 第 2 条单独编码，不补齐
        >>> torch.testing.assert_close(encoded.final[1:], alone.final)
    """

    def __init__(
        self, vocab_size: int, embedding_dim: int, hidden_size: int, pack: bool = True
    ) -> None:
        super().__init__()
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.pack = pack
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD)
        self.rnn = nn.GRU(
            embedding_dim, hidden_size, batch_first=True, bidirectional=True
        )

    def forward(self, src: torch.Tensor, lengths: torch.Tensor) -> Encoded:
        _check_tokens("src", src, lengths)
        embedded = self.embedding(src)  # (B, Tx, D)
        if self.pack:
            packed = pack_padded_sequence(
                embedded, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            out, h_n = self.rnn(packed)
            memory, _ = pad_packed_sequence(
                out, batch_first=True, total_length=src.shape[1]
            )  # (B, Tx, 2H)，填充位置为 0
        else:
            memory, h_n = self.rnn(embedded)  # 错误：填充也读了进去
        final = torch.cat([h_n[0], h_n[1]], dim=-1)  # [→s_Tx ; ←s_1]：(B, 2H)
        return Encoded(memory, length_mask(lengths, src.shape[1]), final)


def _check_tokens(name: str, tokens: object, lengths: object) -> None:
    if not isinstance(tokens, torch.Tensor) or tokens.dtype != torch.long:
        raise TypeError(f"{name} 应为 torch.long 张量 (B, T)，实际收到 {tokens!r:.60}")
    if tokens.dim() != 2:
        raise ValueError(f"{name} 应为 2 维张量 (B, T)，实际形状 {tuple(tokens.shape)}")
    if not isinstance(lengths, torch.Tensor) or lengths.shape != tokens.shape[:1]:
        raise ValueError(
            f"{name} 的长度应为形状 ({tokens.shape[0]},) 的张量，"
            f"实际收到 {lengths!r:.60}"
        )
    if int(lengths.min()) < 1 or int(lengths.max()) > tokens.shape[1]:
        raise ValueError(
            f"{name} 的长度应在 1 到 {tokens.shape[1]} 之间，"
            f"实际收到 {lengths.tolist()}"
        )


# -- 4. 解码器 ------------------------------------------------------------------------


class Decoder(nn.Module):
    r"""解码器：每一步读上一个符号与上下文向量，更新状态，给出下一个符号的分数。

    .. math::

        s_0 = \tanh(W_0 \kappa + b_0),\qquad
        s_t = \mathrm{GRU}\big([E_y y_{t-1} ; \kappa_t],\ s_{t-1}\big),\qquad
        q_t = V [s_t ; \kappa_t] + b_y

    :math:`y_0` 是 ``<bos>``。``attention_size=None`` 时
    :math:`\kappa_t = \kappa` 是编码器的最终状态，每一步都一样（Cho et al. 2014）；
    给出 ``attention_size`` 时 :math:`\kappa_t` 由
    :class:`~rnn_examples.attention.AdditiveAttention` 从 :math:`s_{t-1}` 与编码器的
    全部状态算出（Bahdanau et al. 2015）。两种解码器只差这一处。

    Args:
        vocab_size: 输出词表大小 ``|V|``。
        embedding_dim: 嵌入维数 ``D``。
        hidden_size: 状态维数 ``H``。
        context_size: 上下文向量维数 ``C`` （双向编码器的 ``2H``）。
        attention_size: 注意力的隐藏维数 ``A``；``None`` 表示不用注意力。

    形状:
        - ``y_prev``: ``(B,)`` 整数（:meth:`step` 的输入）；``state``: ``(B, H)``；
          ``encoded``: :class:`Encoded`。
        - 返回: :meth:`step` 返回 ``(logits, state, weights)``，形状 ``(B, |V|)``、
          ``(B, H)``，以及注意力权重 ``(B, Tx)`` （没有注意力时为 ``None``）。

    Example:
        >>> _ = torch.manual_seed(0)
        >>> encoder = Encoder(10, 4, 3)
        >>> decoder = Decoder(13, 4, 3, context_size=6, attention_size=5)
        >>> encoded = encoder(*pad_batch([[5, 6, 7], [8]]))
        >>> state = decoder.start(encoded)                             # s_0：(B, H)
        >>> y_prev = torch.tensor([BOS, BOS])                          # y_0：(B,)
        >>> logits, state, weights = decoder.step(y_prev, state, encoded)
        >>> logits.shape, weights.shape                         # (B, |V|), (B, Tx)
        (torch.Size([2, 13]), torch.Size([2, 3]))
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int,
        hidden_size: int,
        context_size: int,
        attention_size: int | None = None,
    ) -> None:
        super().__init__()
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.context_size = check_positive_int("context_size", context_size)
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD)
        self.init = nn.Linear(context_size, hidden_size)  # W_0, b_0
        self.cell = nn.GRUCell(embedding_dim + context_size, hidden_size)
        self.out = nn.Linear(hidden_size + context_size, vocab_size)  # V, b_y
        self.attention = (
            None
            if attention_size is None
            else AdditiveAttention(hidden_size, context_size, attention_size)
        )

    def start(self, encoded: Encoded) -> torch.Tensor:
        """初始状态 :math:`s_0 = \\tanh(W_0 \\kappa + b_0)`：``(B, H)``。"""
        return torch.tanh(self.init(encoded.final))

    def step(
        self,
        y_prev: torch.Tensor,
        state: torch.Tensor,
        encoded: Encoded,
        projected: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """解码一步（公式见类的说明）。

        ``projected`` 见 ``AdditiveAttention.project``。
        """
        weights = None
        if self.attention is None:
            context = encoded.final  # κ_t = κ：(B, C)
        else:
            context, weights = self.attention.attend(  # κ_t：(B, C)，α_{t,·}：(B, Tx)
                state, encoded.memory, encoded.mask, projected
            )
        inputs = torch.cat([self.embedding(y_prev), context], dim=-1)  # (B, D + C)
        state = self.cell(inputs, state)  # s_t：(B, H)
        logits = self.out(torch.cat([state, context], dim=-1))  # q_t：(B, |V|)
        return logits, state, weights


# -- 5. 编码器–解码器 ---------------------------------------------------------------


class Seq2Seq(nn.Module):
    r"""编码器–解码器：:class:`Encoder` 读输入，:class:`Decoder` 写输出。

    训练时 ``forward`` 用教师强制：第 :math:`t` 步读入真实的 :math:`y_{t-1}`；
    ``teacher_forcing < 1`` 时每一步、每条序列以 ``1 - teacher_forcing`` 的概率改读
    模型自己上一步分数最高的符号（计划采样的做法，Bengio et al. 2015）。
    :meth:`greedy` 每一步都读自己上一步的输出。

    Args:
        source_vocab_size: 输入词表大小。
        target_vocab_size: 输出词表大小 ``|V|``。
        embedding_dim: 嵌入维数 ``D``，默认 32。
        hidden_size: 隐藏状态维数 ``H``，默认 64。
        attention_size: 注意力的隐藏维数 ``A``；默认 ``None``，不用注意力。
        pack: 编码器是否跳过填充，默认 ``True``。

    形状:
        - ``src``: ``(B, Tx)`` （``forward`` 的输入）；``src_lengths``: ``(B,)``；
          ``tgt_in``: ``(B, Ty)``，以 ``<bos>`` 开头。
        - 返回: ``(logits, weights)``，形状 ``(B, Ty, |V|)`` 与注意力权重
          ``(B, Ty, Tx)``
          （没有注意力时为 ``None``）。

    Example:
        >>> _ = torch.manual_seed(0)
        >>> model = Seq2Seq(source_vocab_size=10, target_vocab_size=13, hidden_size=8)
        >>> batch = make_batch([([5, 6, 7], [3, 4]), ([8], [5])])
        >>> logits, _ = model(batch.src, batch.src_lengths, batch.tgt_in)
        >>> logits.shape                                   # (B, Ty, |V|)
        torch.Size([2, 3, 13])
        >>> tokens, _ = model.greedy(batch.src, batch.src_lengths, max_len=4)
        >>> tokens.shape                                   # (B, 至多 max_len)
        torch.Size([2, 4])
    """

    def __init__(
        self,
        source_vocab_size: int,
        target_vocab_size: int,
        embedding_dim: int = 32,
        hidden_size: int = 64,
        attention_size: int | None = None,
        pack: bool = True,
    ) -> None:
        super().__init__()
        self.encoder = Encoder(source_vocab_size, embedding_dim, hidden_size, pack)
        self.decoder = Decoder(
            target_vocab_size,
            embedding_dim,
            hidden_size,
            context_size=2 * hidden_size,
            attention_size=attention_size,
        )

    def encode(self, src: torch.Tensor, src_lengths: torch.Tensor) -> Encoded:
        """编码器的输出，见 :class:`Encoded`。"""
        encoded: Encoded = self.encoder(src, src_lengths)
        return encoded

    def _projected(self, encoded: Encoded) -> torch.Tensor | None:
        attention = self.decoder.attention
        return None if attention is None else attention.project(encoded.memory)

    def forward(
        self,
        src: torch.Tensor,
        src_lengths: torch.Tensor,
        tgt_in: torch.Tensor,
        teacher_forcing: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        check_real("teacher_forcing", teacher_forcing, minimum=0.0)
        if teacher_forcing > 1:
            raise ValueError(
                f"teacher_forcing 应在 0 到 1 之间，实际收到 {teacher_forcing}"
            )
        encoded = self.encode(src, src_lengths)
        projected = self._projected(encoded)
        state = self.decoder.start(encoded)  # s_0：(B, H)
        y_prev = tgt_in[:, 0]  # <bos>：(B,)
        all_logits, all_weights = [], []
        for t in range(tgt_in.shape[1]):
            logits, state, weights = self.decoder.step(
                y_prev, state, encoded, projected
            )
            all_logits.append(logits)
            if weights is not None:
                all_weights.append(weights)
            if t + 1 < tgt_in.shape[1]:
                y_prev = tgt_in[:, t + 1]  # 教师强制：真实的 y_t
                if teacher_forcing < 1:
                    own = logits.argmax(dim=-1)  # 模型自己的 y_t
                    coin = torch.rand(own.shape, generator=generator)
                    y_prev = torch.where(coin < teacher_forcing, y_prev, own)
        stacked = torch.stack(all_logits, dim=1)  # (B, Ty, |V|)
        return stacked, torch.stack(all_weights, dim=1) if all_weights else None

    @torch.no_grad()
    def greedy(
        self, src: torch.Tensor, src_lengths: torch.Tensor, max_len: int
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """贪心解码：每一步取分数最高的符号（``<pad>``、``<bos>`` 除外），
        读作下一步的输入。

        每条输出至多 ``max_len`` 个符号（含 ``<eos>``）：写了 ``max_len - 1`` 个还没有
        ``<eos>`` 时，第 ``max_len`` 个就是 ``<eos>`` （与 :mod:`rnn_examples.decoding`
        的束搜索相同）。一条序列写出 ``<eos>`` 之后，它之后的位置填 ``<pad>``；全部写完
        时停下。返回 ``(tokens, weights)``：``(B, n)``，``n <= max_len``，以及注意力权重
        ``(B, n, Tx)`` （没有注意力时为 ``None``）。
        """
        check_positive_int("max_len", max_len)
        encoded = self.encode(src, src_lengths)
        projected = self._projected(encoded)
        state = self.decoder.start(encoded)
        y_prev = torch.full((src.shape[0],), BOS, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        tokens, all_weights = [], []
        for t in range(1, max_len + 1):
            logits, state, weights = self.decoder.step(
                y_prev, state, encoded, projected
            )
            y_prev = allowed_log_probs(logits).argmax(dim=-1)  # (B,)
            if t == max_len:
                y_prev = torch.full_like(y_prev, EOS)  # 写满了：最后一个只能是 <eos>
            tokens.append(y_prev.masked_fill(done, PAD))
            if weights is not None:
                all_weights.append(weights)
            done = done | (y_prev == EOS)
            if bool(done.all()):
                break
        stacked = torch.stack(all_weights, dim=1) if all_weights else None
        return torch.stack(tokens, dim=1), stacked


def allowed_log_probs(logits: torch.Tensor) -> torch.Tensor:
    """下一个符号的对数概率（softmax 在整个词表上）。

    ``<pad>`` 与 ``<bos>`` 设为 :math:`-\\infty`。

    解码时不许写出这两个符号；其余符号的对数概率不重新归一化，所以一条输出的
    得分就是它在模型下的对数概率。``(B, |V|) -> (B, |V|)``
    （``B`` 行；束搜索里每个候选一行）。
    """
    log_probs = torch.log_softmax(logits, dim=-1)
    log_probs[:, PAD] = float("-inf")
    log_probs[:, BOS] = float("-inf")
    return log_probs


# -- 6. 训练 --------------------------------------------------------------------------


@dataclass
class TrainLog:
    """:func:`train_seq2seq` 的记录：每一步的训练损失（只算真实位置的平均交叉熵）。"""

    losses: list[float] = field(default_factory=list)


def train_seq2seq(
    model: Seq2Seq,
    pairs: Sequence[tuple[Sequence[int], Sequence[int]]],
    *,
    steps: int,
    batch_size: int = 64,
    lr: float = 0.01,
    teacher_forcing: float = 1.0,
    count_padding: bool = False,
    max_norm: float = 1.0,
    seed: int = 0,
) -> TrainLog:
    """用 Adam 训练 ``model``：每一步从 ``pairs`` 里随机抽 ``batch_size`` 对（有放回）。

    损失是 :func:`masked_cross_entropy`；``count_padding=True`` 是错误的做法
    （第 14 章测量它的害处）：填充位置也算进平均，模型还要学着在 ``<eos>`` 之后
    预测 ``<pad>``。每一步由 :func:`~rnn_examples.training.optimizer_step`
    把梯度范数裁剪到 ``max_norm`` 再更新（损失或梯度范数不再有限的那一步不更新，
    训练不停止）。
    小批量的抽取与计划采样的抛硬币都由 ``seed`` 决定，但各用一个随机数生成器：
    同一个 ``seed`` 下改变 ``teacher_forcing``，小批量的次序不变。参数的初始值由调用前的
    ``torch.manual_seed`` 决定。

    Raises:
        TypeError: 步数、批大小不是整数，学习率不是实数。
        ValueError: 它们不为正，或 ``pairs`` 为空。
    """
    check_positive_int("steps", steps)
    check_positive_int("batch_size", batch_size)
    check_real("lr", lr, minimum=0.0, strict=True)
    check_real("max_norm", max_norm, minimum=0.0, strict=True)
    if len(pairs) == 0:
        raise ValueError("pairs 至少要有一对 (输入, 目标)，实际收到 0 对")
    generator = torch.Generator().manual_seed(seed)  # 只用来抽小批量
    # 抛硬币用另一个生成器（种子与 seed 不同），不占用抽小批量的随机数
    coins = torch.Generator().manual_seed(seed ^ 0x9E3779B9)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, foreach=True)
    log = TrainLog()
    model.train()
    for _ in range(steps):
        rows = torch.randint(len(pairs), (batch_size,), generator=generator).tolist()
        batch = make_batch([pairs[i] for i in rows])
        logits, _ = model(
            batch.src, batch.src_lengths, batch.tgt_in, teacher_forcing, coins
        )
        if count_padding:  # 错误：填充也算进了平均
            loss = nn.functional.cross_entropy(
                logits.flatten(0, 1), batch.tgt_out.flatten()
            )
        else:
            loss = masked_cross_entropy(logits, batch.tgt_out, batch.tgt_lengths)
        loss_value, _ = optimizer_step(optimizer, loss, max_norm)
        log.losses.append(loss_value)
    model.eval()
    return log


# -- 7. 评估 --------------------------------------------------------------------------


def translate(
    model: Seq2Seq,
    sources: Sequence[Sequence[int]],
    target_vocab: Vocab,
    max_len: int,
    batch_size: int = 1024,
) -> list[str]:
    """贪心解码每条输入，返回输出的字符串（到 ``<eos>`` 为止）。"""
    outputs = []
    for start in range(0, len(sources), batch_size):
        src, lengths = pad_batch(sources[start : start + batch_size])
        tokens, _ = model.greedy(src, lengths, max_len)
        outputs += [target_vocab.decode(row) for row in tokens]
    return outputs


def exact_match(predictions: Sequence[str], targets: Sequence[str]) -> float:
    """完全正确的输出所占的比例。

    >>> exact_match(["1020", "35"], ["1020", "352"])
    0.5
    """
    _check_pairs(predictions, targets)
    return sum(p == t for p, t in zip(predictions, targets, strict=True)) / len(targets)


def edit_distance(a: str, b: str, transpositions: bool = False) -> int:
    """编辑距离（Levenshtein）：把 ``a`` 变成 ``b`` 至少要几次插入、删除或替换一个字符。

    ``transpositions=True`` 时，把相邻两个字符对调也算作一次编辑（optimal string
    alignment 距离：每个字符至多参与一次编辑，对调过的两个字符不再改动）。

    >>> edit_distance("1020", "102"), edit_distance("35", "53"), edit_distance("", "12")
    (1, 2, 2)
    >>> edit_distance("35", "53", transpositions=True)
    1
    """
    before = list(range(len(b) + 1))  # 第 i - 2 行（只在对调时用到）
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            best = min(
                previous[j] + 1,  # 删除
                current[j - 1] + 1,  # 插入
                previous[j - 1] + (char_a != char_b),  # 替换（或相同）
            )
            swapped = i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b
            if transpositions and swapped:
                best = min(best, before[j - 2] + 1)  # 相邻对调
            current.append(best)
        before, previous = previous, current
    return previous[-1]


def char_error_rate(predictions: Sequence[str], targets: Sequence[str]) -> float:
    r"""字符错误率 CER：编辑距离之和除以目标字符数之和，
    :math:`\sum_i d(\hat y^{(i)}, y^{(i)}) / \sum_i |y^{(i)}|`。可以大于 1。

    >>> char_error_rate(["1020", "35"], ["1020", "352"])   # 1 / 7
    0.14285714285714285
    """
    _check_pairs(predictions, targets)
    total = sum(len(t) for t in targets)
    if total == 0:
        raise ValueError("targets 的总字符数为 0，字符错误率没有定义")
    errors = sum(edit_distance(p, t) for p, t in zip(predictions, targets, strict=True))
    return errors / total


def _check_pairs(predictions: Sequence[str], targets: Sequence[str]) -> None:
    if len(predictions) != len(targets) or not targets:
        raise ValueError(
            "predictions 与 targets 应一样长且非空，实际长度为 "
            f"{len(predictions)} 与 {len(targets)}"
        )
