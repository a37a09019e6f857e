r"""第 11 章的字符级语言模型：词表、小批量、模型、训练、困惑度与采样。

语言模型给出下一个字符的条件分布 :math:`p(c_{t+1} \mid c_1, \dots, c_t)`。
自下而上：

1. :class:`Vocabulary`：字符与编号互相转换，词表 :math:`\mathcal{V}`，
   大小 :math:`|\mathcal{V}|`。
2. :func:`random_batch` 与 :func:`sequential_batches`：把一长串编号切成 ``(B, k)``
   的小批量，目标是每个位置的下一个字符（教师强制）。顺序小批量的第 ``i + 1`` 批
   紧接着第 ``i`` 批，隐藏状态可以跨批传下去。
3. :class:`CharLM`：嵌入矩阵 :math:`E`、循环层（``nn.RNN`` 或 ``nn.GRU``）、
   输出层 :math:`V, b_y`，每一步给出 :math:`|\mathcal{V}|` 个分数（logits）。
4. :func:`perplexity`：逐字符平均交叉熵的指数（公式见该函数）。
5. :func:`train_charlm`：Adam、梯度裁剪；顺序小批量时状态跨批传递并
   ``detach`` （截断 BPTT）。
6. :func:`softmax_with_temperature` 与 :func:`generate`：按温度 :math:`\tau`
   采样生成文本。

形状记号：``N`` 字符数，``B`` 批大小，``k`` 每块的步数（截断长度），``C`` 块数，
``D`` 嵌入维数（``embedding_dim``，即循环层的输入维数），``H`` 隐藏状态维数，
``L`` 层数，``|V|`` 词表大小。
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import torch
from torch import nn

from ._checks import check_choice, check_positive_int, check_real, check_size

__all__ = [
    "CharLM",
    "TrainLog",
    "Vocabulary",
    "generate",
    "perplexity",
    "random_batch",
    "sequential_batches",
    "softmax_with_temperature",
    "train_charlm",
    "unigram_perplexity",
]

KINDS = ("rnn", "gru")


# -- 1. 词表 --------------------------------------------------------------------------


class Vocabulary:
    r"""字符词表 :math:`\mathcal{V}`：每个不同的字符一个编号。

    编号按字符在 ``text`` 中出现的次数从多到少排列（次数相同按码位），
    所以编号 0 是最常见的字符。

    Args:
        text: 用来建词表的文本，不能为空。

    Raises:
        TypeError: ``text`` 不是字符串。
        ValueError: ``text`` 为空。

    Example:
        >>> vocab = Vocabulary("循环网络的循环")
        >>> len(vocab), vocab.tokens[:2]
        (5, ['循', '环'])
        >>> ids = vocab.encode("网络")
        >>> ids                     # 出现次数相同的字符按码位排：“络”在“网”之前
        tensor([4, 3])
        >>> vocab.decode(ids)
        '网络'
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"text 应为 str，实际收到 {type(text).__name__}")
        if not text:
            raise ValueError("text 不能为空：词表至少要有一个字符")
        counts = Counter(text)
        #: 编号 -> 字符
        self.tokens: list[str] = sorted(counts, key=lambda c: (-counts[c], ord(c)))
        #: 字符 -> 编号
        self.index: dict[str, int] = {c: i for i, c in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        return f"Vocabulary(size={len(self)})"

    def encode(self, text: str) -> torch.Tensor:
        """字符串 -> 编号张量 ``(N,)``，``torch.long``。

        Raises:
            TypeError: ``text`` 不是字符串。
            ValueError: ``text`` 含有词表之外的字符。
        """
        if not isinstance(text, str):
            raise TypeError(f"text 应为 str，实际收到 {type(text).__name__}")
        unknown = sorted({c for c in text if c not in self.index})
        if unknown:
            raise ValueError(
                f"text 只能含词表中的字符，实际含有词表之外的 {''.join(unknown)!r}"
            )
        return torch.tensor([self.index[c] for c in text], dtype=torch.long)

    def decode(self, ids: torch.Tensor | list[int]) -> str:
        """编号（一维张量或整数列表）-> 字符串。"""
        values = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        return "".join(self.tokens[i] for i in values)


def _check_tokens(name: str, tokens: object, min_length: int) -> torch.Tensor:
    """检查 ``tokens`` 是至少 ``min_length`` 个元素的一维 ``torch.long`` 张量。"""
    if not isinstance(tokens, torch.Tensor):
        raise TypeError(f"{name} 应为 torch.Tensor，实际收到 {type(tokens).__name__}")
    if tokens.dtype != torch.long:
        raise TypeError(f"{name} 应为 torch.long（字符编号），实际收到 {tokens.dtype}")
    if tokens.dim() != 1:
        raise ValueError(
            f"{name} 应为 1 维张量，形状 (N,)，实际形状 {tuple(tokens.shape)}"
        )
    if tokens.shape[0] < min_length:
        raise ValueError(
            f"{name} 至少要有 {min_length} 个字符，实际只有 {tokens.shape[0]} 个"
        )
    return tokens


# -- 2. 小批量 ------------------------------------------------------------------------


def random_batch(
    tokens: torch.Tensor,
    *,
    batch_size: int,
    chunk: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """随机抽 ``batch_size`` 段长 ``chunk`` 的子串（起点均匀、有放回），目标是下一字符。

    各段互不相干，每段都应从零状态 :math:`s_0 = 0` 开始。

    形状:
        - ``tokens``: ``(N,)``；返回 ``(x, y)``，都是 ``(B, k)``，``y = x`` 右移一位。

    Raises:
        TypeError: ``tokens`` 不是一维 ``torch.long`` 张量，或尺寸不是整数。
        ValueError: 尺寸不为正，或 ``tokens`` 短于 ``chunk + 1``。

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> x, y = random_batch(torch.arange(20), batch_size=3, chunk=4, generator=g)
        >>> x.shape, bool((y - x == 1).all())
        (torch.Size([3, 4]), True)
    """
    check_positive_int("batch_size", batch_size)
    check_positive_int("chunk", chunk)
    tokens = _check_tokens("tokens", tokens, chunk + 1)
    starts = torch.randint(
        0, tokens.shape[0] - chunk, (batch_size,), generator=generator
    )
    index = starts[:, None] + torch.arange(chunk)  # (B, k)
    return tokens[index], tokens[index + 1]


def sequential_batches(
    tokens: torch.Tensor, *, batch_size: int, chunk: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """顺序小批量：第 ``i + 1`` 批的每一行紧接着第 ``i`` 批的同一行。

    先把 ``tokens`` 等分成 ``batch_size`` 条首尾相接的流（第 ``b`` 条是第 ``b`` 段），
    再沿时间切成长 ``chunk`` 的块；目标是下一个字符。末尾凑不满一块的部分丢掉。

    形状:
        - ``tokens``: ``(N,)``。
        - 返回: ``(x, y)``，都是 ``(C, B, k)``，``C`` 为块数，``x[i]`` 是第 ``i`` 批。

    Raises:
        TypeError: ``tokens`` 不是一维 ``torch.long`` 张量，或尺寸不是整数。
        ValueError: 尺寸不为正，或 ``tokens`` 短得凑不出一批。

    Example:
        >>> import torch
        >>> x, y = sequential_batches(torch.arange(13), batch_size=2, chunk=3)
        >>> x.shape
        torch.Size([2, 2, 3])
        >>> x[0], x[1]          # 第 2 批的每一行接着第 1 批的同一行
        (tensor([[0, 1, 2],
                [6, 7, 8]]), tensor([[ 3,  4,  5],
                [ 9, 10, 11]]))
        >>> y[1]
        tensor([[ 4,  5,  6],
                [10, 11, 12]])
    """
    check_positive_int("batch_size", batch_size)
    check_positive_int("chunk", chunk)
    tokens = _check_tokens("tokens", tokens, batch_size * chunk + 1)
    length = (tokens.shape[0] - 1) // batch_size  # 每条流的长度
    chunks = length // chunk
    used = chunks * chunk
    inputs = tokens[: length * batch_size].reshape(batch_size, length)[:, :used]
    targets = tokens[1 : length * batch_size + 1].reshape(batch_size, length)
    targets = targets[:, :used]

    def split(streams: torch.Tensor) -> torch.Tensor:  # (B, C·k) -> (C, B, k)
        return streams.reshape(batch_size, chunks, chunk).transpose(0, 1)

    return split(inputs).contiguous(), split(targets).contiguous()


# -- 3. 模型 --------------------------------------------------------------------------


class CharLM(nn.Module):
    r"""字符级语言模型：嵌入、循环层、输出层，每一步预测下一个字符。

    .. math::

        x_t = E[c_t], \qquad s_t = \mathrm{RNN}(x_t, s_{t-1}), \qquad
        q_t = V s_t + b_y, \qquad
        p(c_{t+1} = j \mid c_{\le t}) = \mathrm{softmax}(q_t)_j

    :math:`E` 是 ``embedding.weight`` （形状 ``(|V|, D)``），查表 ``E[c_t]`` 等于
    独热向量乘以 :math:`E`。循环层是 ``nn.RNN`` （tanh，式 (1)）或 ``nn.GRU``，
    ``batch_first=True``。:math:`q_t` 是未归一化的分数（logits），交叉熵由
    ``torch.nn.functional.cross_entropy`` 计算。

    Args:
        vocab_size: 词表大小 :math:`|\mathcal{V}|`。
        embedding_dim: 嵌入维数 ``D`` （:math:`x_t` 的维数）。
        hidden_size: 隐藏状态维数 ``H``。
        kind: ``"rnn"`` （默认）或 ``"gru"``。
        num_layers: 循环层数 ``L``，默认 1。

    形状:
        - ``tokens``: ``(B, T)``，``torch.long`` 的字符编号。
        - ``state``: ``(L, B, H)`` 或 ``None`` （即 :math:`s_0 = 0`）。
        - 返回: ``(logits, state)``，``(B, T, |V|)`` 与 ``(L, B, H)``，
          后者是最后一步的状态。

    Raises:
        TypeError: 尺寸不是整数，或 ``tokens`` 不是 ``torch.long`` 张量
            （``torch.int32`` 也不行）。
        ValueError: 尺寸不为正、``kind`` 未知、形状不符或编号超出词表。

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> model = CharLM(vocab_size=50, embedding_dim=8, hidden_size=16, kind="gru")
        >>> tokens = torch.randint(0, 50, (2, 7))          # (B, T)
        >>> logits, state = model(tokens)
        >>> logits.shape, state.shape                      # (B, T, |V|), (L, B, H)
        (torch.Size([2, 7, 50]), torch.Size([1, 2, 16]))
        >>> first, s = model(tokens[:, :3])                # 分两块，状态接着传
        >>> second, _ = model(tokens[:, 3:], s)
        >>> torch.testing.assert_close(torch.cat([first, second], dim=1), logits)
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int,
        hidden_size: int,
        kind: str = "rnn",
        num_layers: int = 1,
    ) -> None:
        super().__init__()
        for name, value in [
            ("vocab_size", vocab_size),
            ("embedding_dim", embedding_dim),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
        ]:
            check_positive_int(name, value)
        check_choice("kind", kind, KINDS)
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.kind = kind
        self.embedding = nn.Embedding(vocab_size, embedding_dim)  # E: (|V|, D)
        recurrent = nn.RNN if kind == "rnn" else nn.GRU
        self.rnn = recurrent(embedding_dim, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, vocab_size)  # V: (|V|, H), b_y: (|V|,)

    def forward(
        self, tokens: torch.Tensor, state: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        self._check_tokens(tokens)
        if state is not None:
            self._check_state(state, tokens.shape[0])
        x = self.embedding(tokens)  # (B, T) -> (B, T, D)
        states, last = self.rnn(x, state)  # (B, T, H), (L, B, H)
        logits: torch.Tensor = self.fc(states)  # (B, T, |V|)
        return logits, last

    def _check_tokens(self, tokens: object) -> None:
        if not isinstance(tokens, torch.Tensor):
            kind = type(tokens).__name__
            raise TypeError(f"tokens 应为 torch.Tensor，实际收到 {kind}")
        if tokens.dtype != torch.long:
            raise TypeError(
                f"tokens 应为 torch.long（字符编号），实际收到 {tokens.dtype}"
            )
        if tokens.dim() != 2 or tokens.numel() == 0:
            raise ValueError(
                "tokens 应为非空的 2 维张量，形状 (B, T)，"
                f"实际形状 {tuple(tokens.shape)}"
            )
        low, high = int(tokens.min()), int(tokens.max())
        if low < 0 or high >= self.vocab_size:
            raise ValueError(
                f"tokens 的编号应在 0 到 {self.vocab_size - 1} 之间（词表大小 "
                f"{self.vocab_size}），实际范围 {low} 到 {high}"
            )

    def _check_state(self, state: object, batch_size: int) -> None:
        if not isinstance(state, torch.Tensor):
            raise TypeError(f"state 应为 torch.Tensor，实际收到 {type(state).__name__}")
        if state.dim() != 3:
            raise ValueError(
                f"state 应为 3 维张量，形状 (L, B, H)，实际形状 {tuple(state.shape)}"
            )
        check_size("state", state, 0, self.num_layers, "层数 L")
        check_size("state", state, 1, batch_size, "批大小 B，须与 tokens 相同")
        check_size("state", state, 2, self.hidden_size, "隐藏状态维数 H")


def _as_charlm(model: object) -> CharLM:
    if not isinstance(model, CharLM):
        raise TypeError(f"model 应为 CharLM，实际收到 {type(model).__name__}")
    return model


# -- 4. 困惑度 ------------------------------------------------------------------------


def perplexity(model: CharLM, tokens: torch.Tensor, *, chunk: int = 256) -> float:
    r"""``model`` 在一段文本上的困惑度：从头读到尾，预测第 2 个到最后一个字符。

    .. math::

        \mathrm{PPL} = \exp\Big(-\frac{1}{N-1} \sum_{t=1}^{N-1}
        \log p(c_{t+1} \mid c_1, \dots, c_t)\Big)

    文本按 ``chunk`` 分块送进模型，状态在块之间传递，所以结果与一次读完整段相同
    （分块只是为了限制内存）。计算时不记录梯度，也不改变模型的训练/评估模式。

    Raises:
        TypeError: ``model`` 不是 :class:`CharLM`，或 ``tokens`` 不是一维整数张量。
        ValueError: ``tokens`` 少于 2 个字符，或 ``chunk`` 不为正。

    Example:
        >>> import torch
        >>> model = CharLM(vocab_size=30, embedding_dim=4, hidden_size=8)
        >>> with torch.no_grad():                     # 输出层全为 0：均匀分布
        ...     _ = model.fc.weight.zero_(), model.fc.bias.zero_()
        >>> round(perplexity(model, torch.randint(0, 30, (100,))), 4)
        30.0
    """
    model = _as_charlm(model)
    tokens = _check_tokens("tokens", tokens, 2)
    check_positive_int("chunk", chunk)
    total = 0.0
    state: torch.Tensor | None = None
    with torch.no_grad():
        for start in range(0, tokens.shape[0] - 1, chunk):
            x = tokens[start : start + chunk][None]  # (1, k)
            y = tokens[start + 1 : start + chunk + 1][None]  # (1, k)
            logits, state = model(x[:, : y.shape[1]], state)  # (1, k, |V|)
            total += nn.functional.cross_entropy(
                logits[0], y[0], reduction="sum"
            ).item()
    return math.exp(total / (tokens.shape[0] - 1))


def unigram_perplexity(
    train: torch.Tensor, test: torch.Tensor, vocab_size: int
) -> float:
    r"""一元（unigram）基线：不看上下文，每个位置都用训练集的字符频率。

    加一平滑 :math:`p(c) = (n_c + 1) / (N + |\mathcal{V}|)`，训练集中没出现过的字符
    也有非零概率。返回它在 ``test`` 上的困惑度（``test`` 的每个字符都计入）。

    Example:
        >>> import torch
        >>> train = torch.tensor([0, 0, 0, 1])        # P(0) = 4/6, P(1) = 2/6
        >>> round(unigram_perplexity(train, torch.tensor([0, 1]), vocab_size=2), 4)
        2.1213
    """
    check_positive_int("vocab_size", vocab_size)
    train = _check_tokens("train", train, 1)
    test = _check_tokens("test", test, 1)
    for name, values in (("train", train), ("test", test)):
        if int(values.max()) >= vocab_size or int(values.min()) < 0:
            raise ValueError(
                f"{name} 的编号应在 0 到 {vocab_size - 1} 之间，"
                f"实际范围 {int(values.min())} 到 {int(values.max())}"
            )
    counts = torch.bincount(train, minlength=vocab_size).double() + 1.0
    log_p = torch.log(counts / counts.sum())  # (|V|,)
    return math.exp(-log_p[test].mean().item())


# -- 5. 训练 --------------------------------------------------------------------------


@dataclass
class TrainLog:
    """训练记录。

    Attributes:
        losses: 每一步更新前、当步小批量上的平均交叉熵（单位：奈特/字符）。
        grad_norms: 每一步裁剪前的梯度全局范数。
        eval_steps: 做过评估的步数（第几步之后）。
        eval_perplexities: 对应的留出文本困惑度。
    """

    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_perplexities: list[float] = field(default_factory=list)

    @property
    def best_step(self) -> int:
        """留出困惑度最低的那次评估在第几步（并列时取最早的）。

        Raises:
            ValueError: 训练中没有做过评估。
        """
        if not self.eval_perplexities:
            raise ValueError("没有评估记录：训练时应给出 eval_tokens 与 eval_every")
        values = self.eval_perplexities
        return self.eval_steps[min(range(len(values)), key=values.__getitem__)]


def train_charlm(
    model: CharLM,
    tokens: torch.Tensor,
    *,
    steps: int,
    batch_size: int,
    chunk: int,
    lr: float,
    sequential: bool = True,
    max_norm: float | None = 1.0,
    seed: int = 0,
    eval_tokens: torch.Tensor | None = None,
    eval_every: int | None = None,
    restore_best: bool = False,
) -> TrainLog:
    """用逐字符交叉熵训练 ``model`` （原地修改参数，Adam），返回 :class:`TrainLog`。

    - ``sequential=True``：按 :func:`sequential_batches` 的顺序依次取块；上一块最后的
      状态作为下一块的初始状态，但先 ``detach``：前向的信息跨块传下去，梯度只在
      ``chunk`` 步之内回传（截断 BPTT）。遍历完一遍数据后状态重置为 0。
    - ``sequential=False``：每一步用 :func:`random_batch` 随机抽块，从零状态开始；
      抽取用种子为 ``seed`` 的随机数生成器。

    每一步的目标都是真实的下一个字符，不是模型自己的预测（教师强制）。
    给出 ``eval_tokens`` 与 ``eval_every`` 时，训练开始前（记作第 0 步，还没有更新参数）
    与之后每 ``eval_every`` 步，在 ``eval_tokens`` 上计算一次 :func:`perplexity`。
    ``restore_best=True`` 时，
    训练结束后把参数恢复成留出困惑度最低的那一次（早停），
    那一步记在 :attr:`TrainLog.best_step`。

    Raises:
        TypeError: 参数类型不对。
        ValueError: 数值参数不为正，文本太短，只给了 ``eval_tokens`` 与
            ``eval_every`` 中的一个，或要求 ``restore_best`` 却没有评估。

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> tokens = torch.arange(400) % 7                  # 0 1 2 … 6 0 1 2 …
        >>> model = CharLM(7, embedding_dim=4, hidden_size=16)
        >>> log = train_charlm(model, tokens, steps=60, batch_size=4, chunk=10,
        ...                    lr=0.05, eval_tokens=tokens[:50], eval_every=30)
        >>> log.eval_steps, log.eval_perplexities[-1] < 1.1
        ([0, 30, 60], True)
    """
    model = _as_charlm(model)
    check_positive_int("steps", steps)
    check_positive_int("batch_size", batch_size)
    check_positive_int("chunk", chunk)
    check_real("lr", lr, minimum=0.0, strict=True)
    if max_norm is not None:
        check_real("max_norm", max_norm, minimum=0.0, strict=True)
    if (eval_tokens is None) != (eval_every is None):
        raise ValueError(
            "eval_tokens 与 eval_every 应同时给出或同时省略，实际只给了"
            + (" eval_tokens" if eval_every is None else " eval_every")
        )
    if eval_every is not None:
        check_positive_int("eval_every", eval_every)
    if restore_best and eval_every is None:
        raise ValueError("restore_best=True 要求给出 eval_tokens 与 eval_every")
    if sequential:
        x_chunks, y_chunks = sequential_batches(
            tokens, batch_size=batch_size, chunk=chunk
        )  # (C, B, k)
    else:
        _check_tokens("tokens", tokens, chunk + 1)
    generator = torch.Generator().manual_seed(seed)
    optim = torch.optim.Adam(model.parameters(), lr=lr)
    log = TrainLog()
    state: torch.Tensor | None = None
    best: dict[str, torch.Tensor] = {}

    def evaluate(step: int) -> None:
        if eval_tokens is None or eval_every is None or step % eval_every:
            return
        log.eval_steps.append(step)
        log.eval_perplexities.append(perplexity(model, eval_tokens))
        if restore_best and log.best_step == step:  # 目前最低：存一份参数
            best.update({k: v.clone() for k, v in model.state_dict().items()})

    evaluate(0)
    for step in range(1, steps + 1):
        if sequential:
            index = (step - 1) % x_chunks.shape[0]
            if index == 0:
                state = None  # 新的一遍：从 s_0 = 0 开始
            x, y = x_chunks[index], y_chunks[index]  # (B, k)
        else:
            x, y = random_batch(
                tokens, batch_size=batch_size, chunk=chunk, generator=generator
            )
            state = None
        logits, last = model(x, state)  # (B, k, |V|), (L, B, H)
        state = last.detach()  # 截断：下一块从这个状态出发，梯度不再流回这一块
        # (B·k, |V|) 与 (B·k,)：每个位置一个交叉熵，取平均
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, model.vocab_size), y.reshape(-1)
        )
        optim.zero_grad()
        torch.autograd.backward(loss)  # 即 loss.backward()
        norm = nn.utils.clip_grad_norm_(
            model.parameters(), math.inf if max_norm is None else max_norm
        )
        log.losses.append(loss.item())
        log.grad_norms.append(norm.item())
        optim.step()
        evaluate(step)
    if restore_best:
        model.load_state_dict(best)
    return log


# -- 6. 温度与采样 --------------------------------------------------------------------


def softmax_with_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    r"""带温度的 softmax：:math:`p_j = \exp(q_j/\tau) \,/\, \sum_i \exp(q_i/\tau)`。

    :math:`\tau = 1` 是模型原本的分布；:math:`\tau < 1` 把分布变尖（高分的字符更占优），
    :math:`\tau > 1` 把分布摊平。沿最后一维归一化。

    Raises:
        TypeError: ``logits`` 不是浮点张量，或 ``temperature`` 不是实数。
        ValueError: ``temperature`` 不为正。

    Example:
        >>> import torch
        >>> q = torch.tensor([2.0, 1.0, 0.0])
        >>> softmax_with_temperature(q, 1.0)
        tensor([0.6652, 0.2447, 0.0900])
        >>> softmax_with_temperature(q, 0.5)
        tensor([0.8668, 0.1173, 0.0159])
    """
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        kind = logits.dtype if isinstance(logits, torch.Tensor) else type(logits)
        raise TypeError(f"logits 应为浮点张量，实际收到 {kind}")
    tau = check_real("temperature", temperature, minimum=0.0, strict=True)
    return torch.softmax(logits / tau, dim=-1)


def generate(
    model: CharLM,
    vocab: Vocabulary,
    prompt: str,
    length: int,
    *,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> str:
    r"""从 ``prompt`` 出发续写 ``length`` 个字符，返回续写的部分（不含 ``prompt``）。

    先把 ``prompt`` 读进模型得到状态，之后每一步把刚生成的字符喂回去。
    ``temperature = 0`` 表示贪心：每步取概率最大的字符（:math:`\tau \to 0` 的极限）；
    ``temperature > 0`` 时从 :func:`softmax_with_temperature` 给出的分布中抽样，
    随机性来自 ``generator``，同一个种子总是给出同一段文字。

    Raises:
        TypeError: 参数类型不对。
        ValueError: ``prompt`` 为空或含词表之外的字符，``length`` 不为正，
            ``temperature`` 为负，或词表大小与模型不符。

    Example:
        >>> import torch
        >>> vocab = Vocabulary("abc")
        >>> model = CharLM(len(vocab), embedding_dim=4, hidden_size=8)
        >>> g = torch.Generator().manual_seed(0)
        >>> text = generate(model, vocab, "ab", 5, generator=g)
        >>> len(text), set(text) <= set("abc")
        (5, True)
    """
    model = _as_charlm(model)
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab 应为 Vocabulary，实际收到 {type(vocab).__name__}")
    if len(vocab) != model.vocab_size:
        raise ValueError(
            f"vocab 的大小应与模型的 vocab_size 相同（{model.vocab_size}），"
            f"实际为 {len(vocab)}"
        )
    if isinstance(prompt, str) and not prompt:
        raise ValueError("prompt 不能为空：至少给一个字符作为开头")
    ids = vocab.encode(prompt)  # (P,)
    check_positive_int("length", length)
    tau = check_real("temperature", temperature, minimum=0.0)
    out: list[int] = []
    with torch.no_grad():
        logits, state = model(ids[None])  # (1, P, |V|)
        for _ in range(length):
            q = logits[0, -1]  # 分数，(|V|,)
            if tau == 0.0:
                next_id = int(q.argmax())
            else:
                p = softmax_with_temperature(q, tau)
                next_id = int(torch.multinomial(p, 1, generator=generator))
            out.append(next_id)
            logits, state = model(torch.tensor([[next_id]]), state)  # (1, 1, |V|)
    return vocab.decode(out)
