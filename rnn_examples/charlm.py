r"""第 11 章的字符级语言模型：词表、小批量、模型、困惑度、训练与生成。

语言模型给出下一个字符的条件分布 :math:`p(w_{t+1} \mid w_1, \dots, w_t)`
（:math:`w_t` 是第 :math:`t` 个字符）。自下而上：

1. :class:`Vocabulary`：训练文本里最常见的 ``max_size`` 个字符，再加一个
   未登录记号 ``<unk>`` （打印为 ``□``）代表其余所有字符；字符与编号互相转换。
   词表 :math:`\mathcal{V}`，大小 :math:`|\mathcal{V}|`。
2. :func:`~rnn_examples.training.random_batch` 与
   :func:`~rnn_examples.training.sequential_batches` （从 :mod:`rnn_examples.training`
   导入，本模块也能导入）：把一长串编号切成 ``(B, k)``
   的小批量，目标是每个位置的下一个字符（教师强制）。顺序小批量的第 ``i + 1`` 批
   紧接着第 ``i`` 批，隐藏状态可以跨批传下去。
3. :class:`CharLM`：嵌入矩阵 :math:`E`、循环层（``nn.RNN``、``nn.GRU`` 或
   ``nn.LSTM``）、输出层 :math:`V, b_y`，每一步给出 :math:`|\mathcal{V}|` 个分数。
4. :func:`token_losses` 与 :func:`perplexity`：逐字符交叉熵与它的平均的指数。
5. :func:`train_charlm`：Adam、梯度裁剪；顺序小批量时状态跨批传递并
   ``detach`` （截断 BPTT）。
6. :func:`generate`：由开头续写，每一步用 :func:`rnn_examples.sampling.sample_next`
   （贪心、温度、top-k、top-p）选字符。

形状记号：``N`` 字符数，``B`` 批大小，``k`` 每块的步数（截断长度），``C`` 块数，
``D`` 嵌入维数（``embedding_dim``，即循环层的输入维数），``H`` 隐藏状态维数，
``L`` 层数，``|V|`` 词表大小。
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from ._checks import check_choice, check_positive_int, check_real, check_size
from .sampling import sample_next
from .training import optimizer_step, random_batch, sequential_batches

__all__ = [
    "CharLM",
    "TrainLog",
    "Vocabulary",
    "detach_state",
    "generate",
    "perplexity",
    "random_batch",
    "sequential_batches",
    "token_losses",
    "train_charlm",
]


# -- 1. 词表 --------------------------------------------------------------------------


class Vocabulary:
    r"""字符词表 :math:`\mathcal{V}`：最常见的 ``max_size`` 个字符，再加 ``<unk>``。

    编号按字符在 ``text`` 中出现的次数从多到少排列（次数相同按码位），所以编号 0 是
    最常见的字符；最后一个编号 :attr:`unk` 是未登录记号 ``<unk>``，代表词表之外的
    所有字符。它打印为 :attr:`UNK` ``"□"`` （古籍里缺字的记号），占一个字的位置，
    ``decode`` 之后的文字与原文逐字对齐。``max_size=None`` 时保留 ``text`` 里的全部
    字符（``<unk>`` 仍在，留给新文本里没见过的字符）。

    Args:
        text: 用来建词表的文本（训练文本），不能为空。
        max_size: 保留的字符个数 ``K`` （不含 ``<unk>``），``None`` 表示全部。

    Raises:
        TypeError: ``text`` 不是字符串，或 ``max_size`` 不是整数。
        ValueError: ``text`` 为空，或 ``max_size`` 不为正。

    Example:
        >>> vocab = Vocabulary("循环网络的循环", max_size=3)
        >>> len(vocab), vocab.tokens
        (4, ['循', '环', '的', '□'])
        >>> ids = vocab.encode("循环神经网络")     # 词表之外的字都变成 <unk>
        >>> ids
        tensor([0, 1, 3, 3, 3, 3])
        >>> vocab.decode(ids)
        '循环□□□□'
    """

    #: ``<unk>`` 打印出来的样子：一个字宽的方框 ``□``
    UNK = "□"

    def __init__(self, text: str, max_size: int | None = None) -> None:
        if not isinstance(text, str):
            raise TypeError(f"text 应为 str，实际收到 {type(text).__name__}")
        if not text:
            raise ValueError("text 不能为空：词表至少要有一个字符")
        if max_size is not None:
            check_positive_int("max_size", max_size)
        #: 每个字符在 ``text`` 里出现的次数
        self.counts: Counter[str] = Counter(text)
        # “□”本身不单独收：文本里的“□”也读作 <unk>
        chars = [c for c in self.counts if c != self.UNK]
        ranked = sorted(chars, key=lambda c: (-self.counts[c], ord(c)))
        #: 编号 -> 字符；最后一个是 ``<unk>``
        self.tokens: list[str] = [*ranked[:max_size], self.UNK]
        #: 字符 -> 编号（不含 ``<unk>``）
        self.index: dict[str, int] = {c: i for i, c in enumerate(self.tokens[:-1])}
        #: ``<unk>`` 的编号
        self.unk = len(self.tokens) - 1

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        return f"Vocabulary(size={len(self)})"

    def encode(self, text: str) -> torch.Tensor:
        """字符串 -> 编号张量 ``(N,)``，``torch.long``；词表之外的字符编成 :attr:`unk`。

        Raises:
            TypeError: ``text`` 不是字符串。
        """
        if not isinstance(text, str):
            raise TypeError(f"text 应为 str，实际收到 {type(text).__name__}")
        index, unk = self.index, self.unk
        return torch.tensor([index.get(c, unk) for c in text], dtype=torch.long)

    def decode(self, ids: torch.Tensor | list[int]) -> str:
        """编号（一维张量或整数列表）-> 字符串；:attr:`unk` 写成 ``□``。"""
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
# random_batch 与 sequential_batches 来自 rnn_examples.training（第 10 章的数值序列
# 也用它们）：字符编号（torch.long）切成 (B, k) 与 (C, B, k)。


# -- 3. 模型 --------------------------------------------------------------------------

#: 循环层的状态：``nn.RNN`` 与 ``nn.GRU`` 是 ``(L, B, H)``；``nn.LSTM`` 是一对
#: ``(s, c)``，隐藏状态与细胞状态，各是 ``(L, B, H)``
State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


def detach_state(state: State) -> State:
    """切断 ``state`` 与计算图的联系（LSTM 的两个张量都切断），值不变。"""
    if isinstance(state, tuple):
        return (state[0].detach(), state[1].detach())
    return state.detach()


class CharLM(nn.Module):
    r"""字符级语言模型：嵌入、循环层、输出层，每一步预测下一个字符。

    .. math::

        x_t = E[w_t], \qquad s_t = \mathrm{RNN}(x_t, s_{t-1}), \qquad
        q_t = V s_t + b_y, \qquad
        p(w_{t+1} = j \mid w_{\le t}) = \mathrm{softmax}(q_t)_j

    :math:`E` 是 ``embedding.weight`` （形状 ``(|V|, D)``），查表 ``E[w_t]`` 等于
    独热向量乘以 :math:`E`。循环层是 ``nn.RNN`` （tanh，式 (1)）、``nn.GRU`` 或
    ``nn.LSTM``，``batch_first=True``。:math:`q_t` 是未归一化的分数（logits），
    交叉熵由 ``torch.nn.functional.cross_entropy`` 计算。

    Args:
        vocab_size: 词表大小 :math:`|\mathcal{V}|`。
        embedding_dim: 嵌入维数 ``D`` （:math:`x_t` 的维数）。
        hidden_size: 隐藏状态维数 ``H``。
        kind: ``"rnn"`` （默认）、``"gru"`` 或 ``"lstm"``。
        num_layers: 循环层数 ``L``，默认 1。

    形状:
        - ``tokens``: ``(B, T)``，``torch.long`` 的字符编号。
        - ``state``: ``(L, B, H)`` （LSTM 是两个 ``(L, B, H)`` 组成的元组）或
          ``None`` （即 :math:`s_0 = 0`）。
        - 返回: ``(logits, state)``，``(B, T, |V|)`` 与最后一步的状态（形状同上）。

    Raises:
        TypeError: 尺寸不是整数，``tokens`` 不是 ``torch.long`` 张量
            （``torch.int32`` 也不行），或状态类型不对。
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
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.kind = check_choice("kind", kind, RECURRENT_LAYERS)
        self.embedding = nn.Embedding(vocab_size, embedding_dim)  # E: (|V|, D)
        recurrent = RECURRENT_LAYERS[kind]
        self.rnn = recurrent(embedding_dim, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, vocab_size)  # V: (|V|, H), b_y: (|V|,)

    def forward(
        self, tokens: torch.Tensor, state: State | None = None
    ) -> tuple[torch.Tensor, State]:
        self._check_tokens(tokens)
        if state is not None:
            self._check_state(state, tokens.shape[0])
        x = self.embedding(tokens)  # (B, T) -> (B, T, D)
        states, last = self.rnn(x, state)  # (B, T, H)；最后一步的状态
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
        if self.kind == "lstm":
            if not (isinstance(state, tuple) and len(state) == 2):
                raise TypeError(
                    "LSTM 的 state 应为 (s, c) 两个张量组成的元组，"
                    f"实际收到 {type(state).__name__}"
                )
            for name, part in zip(("state[0]", "state[1]"), state, strict=True):
                self._check_state_tensor(name, part, batch_size)
        else:
            self._check_state_tensor("state", state, batch_size)

    def _check_state_tensor(self, name: str, state: object, batch_size: int) -> None:
        if not isinstance(state, torch.Tensor):
            raise TypeError(
                f"{name} 应为 torch.Tensor，实际收到 {type(state).__name__}"
            )
        if state.dim() != 3:
            raise ValueError(
                f"{name} 应为 3 维张量，形状 (L, B, H)，实际形状 {tuple(state.shape)}"
            )
        check_size(name, state, 0, self.num_layers, "层数 L")
        check_size(name, state, 1, batch_size, "批大小 B，须与 tokens 相同")
        check_size(name, state, 2, self.hidden_size, "隐藏状态维数 H")


#: ``kind`` -> PyTorch 的循环层
RECURRENT_LAYERS: dict[str, type[nn.RNN] | type[nn.GRU] | type[nn.LSTM]] = {
    "rnn": nn.RNN,
    "gru": nn.GRU,
    "lstm": nn.LSTM,
}


def _as_charlm(model: object) -> CharLM:
    if not isinstance(model, CharLM):
        raise TypeError(f"model 应为 CharLM，实际收到 {type(model).__name__}")
    return model


# -- 4. 困惑度 ------------------------------------------------------------------------


def token_losses(
    model: CharLM, tokens: torch.Tensor, *, chunk: int = 256
) -> torch.Tensor:
    r"""``model`` 从头读到尾时，第 2 个到最后一个字符各自的交叉熵（奈特）。

    返回形状 ``(N - 1,)``。

    第 :math:`t` 个值是 :math:`-\log p(w_{t+1} \mid w_1, \dots, w_t)`。文本按 ``chunk``
    分块送进模型，状态在块之间传递，所以结果与一次读完整段相同（分块只是为了限制
    内存）。计算时不记录梯度，也不改变模型的训练/评估模式；结果在 CPU 上，float64。

    Raises:
        TypeError: ``model`` 不是 :class:`CharLM`，或 ``tokens`` 不是一维整数张量。
        ValueError: ``tokens`` 少于 2 个字符，或 ``chunk`` 不为正。
    """
    model = _as_charlm(model)
    tokens = _check_tokens("tokens", tokens, 2)
    check_positive_int("chunk", chunk)
    tokens = tokens.to(model.embedding.weight.device)
    pieces = []
    state: State | None = None
    with torch.no_grad():
        for start in range(0, tokens.shape[0] - 1, chunk):
            x = tokens[start : start + chunk][None]  # (1, k)
            y = tokens[start + 1 : start + chunk + 1]  # (k',)，最后一块可能短一个
            logits, state = model(x[:, : y.shape[0]], state)  # (1, k', |V|)
            loss = nn.functional.cross_entropy(logits[0], y, reduction="none")
            pieces.append(loss.double().cpu())
    return torch.cat(pieces)


def perplexity(model: CharLM, tokens: torch.Tensor, *, chunk: int = 256) -> float:
    r"""``model`` 在一段文本上的困惑度：从头读到尾，预测第 2 个到最后一个字符。

    .. math::

        \mathrm{PPL} = \exp\Big(-\frac{1}{N-1} \sum_{t=1}^{N-1}
        \log p(w_{t+1} \mid w_1, \dots, w_t)\Big)

    即 :func:`token_losses` 的平均值取指数。

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
    return math.exp(token_losses(model, tokens, chunk=chunk).mean().item())


# -- 5. 训练 --------------------------------------------------------------------------


@dataclass
class TrainLog:
    """训练记录。

    Attributes:
        losses: 每一步更新前、当步小批量上的平均交叉熵（单位：奈特/字符）。
        grad_norms: 每一步裁剪前的梯度全局范数。
        eval_steps: 做过评估的步数（第几步之后；0 表示训练之前）。
        eval_perplexities: 对应的留出文本困惑度。
        passes: 读完训练文本的遍数（不足一遍按一遍算）。
    """

    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_perplexities: list[float] = field(default_factory=list)
    passes: int = 0

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
    random_offset: bool = True,
    max_norm: float | None = 1.0,
    seed: int = 0,
    eval_tokens: torch.Tensor | None = None,
    eval_every: int | None = None,
    restore_best: bool = False,
    callback: Callable[[int, CharLM], None] | None = None,
) -> TrainLog:
    """用逐字符交叉熵训练 ``model`` （原地修改参数，Adam），返回 :class:`TrainLog`。

    - ``sequential=True``：按 :func:`~rnn_examples.training.sequential_batches`
      的顺序依次取块；上一块最后的状态作为下一块的初始状态，但先 ``detach``：
      前向的信息跨块传下去，梯度只在 ``chunk`` 步之内回传（截断 BPTT）。
      每一遍数据开始时状态重置为 0；
      ``random_offset=True`` 时每一遍先随机丢掉开头 0 到 ``chunk - 1`` 个字符，
      各遍的块边界因此错开（与 d2l 的做法相同）。
    - ``sequential=False``：每一步用 :func:`~rnn_examples.training.random_batch`
      随机抽块，从零状态开始。

    随机数（偏移与随机块）来自种子为 ``seed`` 的生成器。每一步的目标都是真实的
    下一个字符，不是模型自己的预测（教师强制）。给出 ``eval_tokens`` 与
    ``eval_every`` 时，训练开始前（记作 ``step = 0``）与每 ``eval_every`` 步之后
    在 ``eval_tokens`` 上计算一次 :func:`perplexity`。``restore_best=True`` 时，
    训练结束后把参数恢复成留出困惑度最低的那一次（早停），那一步记在
    :attr:`TrainLog.best_step`。
    给出 ``callback`` 时，训练前与每一步之后调用 ``callback(step, model)``
    （``step = 0`` 是训练前）。每一步的清零、反向传播、裁剪与更新由
    :func:`~rnn_examples.training.optimizer_step` 完成：损失或梯度范数不再有限的那一步
    不更新参数；训练不停止，这一步的 ``nan``/``inf`` 照样记进 ``TrainLog.losses``。

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
    if callback is not None and not callable(callback):
        raise TypeError(f"callback 应可调用，实际收到 {type(callback).__name__}")
    offset_room = chunk if sequential and random_offset else 1
    _check_tokens(
        "tokens", tokens, (batch_size * chunk if sequential else chunk) + offset_room
    )
    device = model.embedding.weight.device
    generator = torch.Generator().manual_seed(seed)
    optim = torch.optim.Adam(model.parameters(), lr=lr)
    log = TrainLog()
    state: State | None = None
    x_chunks = y_chunks = torch.empty(0, dtype=torch.long)
    best: dict[str, torch.Tensor] = {}

    def evaluate(step: int) -> None:
        if callback is not None:
            callback(step, model)
        if eval_tokens is None or eval_every is None or step % eval_every:
            return
        log.eval_steps.append(step)
        log.eval_perplexities.append(perplexity(model, eval_tokens))
        if restore_best and log.best_step == step:  # 目前最低：存一份参数
            best.update({k: v.clone() for k, v in model.state_dict().items()})

    evaluate(0)
    index = 0
    for step in range(1, steps + 1):
        if sequential:
            if index == x_chunks.shape[0]:  # 新的一遍：重新切块，从 s_0 = 0 开始
                offset = int(torch.randint(offset_room, (), generator=generator))
                x_chunks, y_chunks = sequential_batches(
                    tokens[offset:], batch_size=batch_size, chunk=chunk
                )  # (C, B, k)
                index, state = 0, None
                log.passes += 1
            x, y = x_chunks[index], y_chunks[index]  # (B, k)
            index += 1
        else:
            x, y = random_batch(
                tokens, batch_size=batch_size, chunk=chunk, generator=generator
            )
            state = None
        x, y = x.to(device), y.to(device)
        logits, last = model(x, state)  # (B, k, |V|)
        state = detach_state(last)  # 截断：下一块从这个状态出发，梯度不再流回这一块
        # (B·k, |V|) 与 (B·k,)：每个位置一个交叉熵，取平均
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, model.vocab_size), y.reshape(-1)
        )
        # 清零梯度、反向传播、把梯度范数裁剪到 max_norm、更新参数（不再有限时跳过更新）
        loss_value, norm = optimizer_step(optim, loss, max_norm)
        log.losses.append(loss_value)
        log.grad_norms.append(norm)
        evaluate(step)
    if restore_best:
        model.load_state_dict(best)
    return log


# -- 6. 生成 --------------------------------------------------------------------------


def generate(
    model: CharLM,
    vocab: Vocabulary,
    prompt: str,
    length: int,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
    allow_unk: bool = False,
) -> str:
    r"""从 ``prompt`` 出发续写 ``length`` 个字符，返回续写的部分（不含 ``prompt``）。

    先把 ``prompt`` 读进模型得到状态（词表之外的字符读作 ``<unk>``），之后每一步把
    刚生成的字符喂回去。每一步怎样选字符由 :func:`rnn_examples.sampling.sample_next`
    决定：``temperature = 0`` 是贪心（每步取分数最大的字符，:math:`\tau \to 0` 的
    极限）；``temperature > 0`` 时按温度、``top_k``、``top_p`` 截断后的分布抽样，
    随机性来自 ``generator``，同一个种子总是给出同一段文字。
    ``allow_unk=False`` （默认）时不写 ``<unk>``：选之前把它的分数设为
    :math:`-\infty`。输入张量建在模型参数所在的设备上。

    Raises:
        TypeError: 参数类型不对。
        ValueError: ``prompt`` 为空，``length`` 不为正，``temperature`` 为负，
            ``top_k``、``top_p`` 取值不对，或词表大小与模型不符。

    Example:
        >>> import torch
        >>> vocab = Vocabulary("abc")
        >>> model = CharLM(len(vocab), embedding_dim=4, hidden_size=8)
        >>> g = torch.Generator().manual_seed(0)
        >>> text = generate(model, vocab, "abz", 5, generator=g)    # z 读作 <unk>
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
    check_positive_int("length", length)
    check_real("temperature", temperature, minimum=0.0)
    device = model.embedding.weight.device
    ids = vocab.encode(prompt).to(device)  # (P,)
    out: list[int] = []
    with torch.no_grad():
        logits, state = model(ids[None])  # (1, P, |V|)
        for _ in range(length):
            q = logits[0, -1]  # 分数，(|V|,)
            if not allow_unk:
                q = q.clone()
                q[vocab.unk] = -math.inf  # 不写 <unk>
            next_id = sample_next(
                q,
                temperature=temperature,
                top_k=top_k,
                top_p=top_p,
                generator=generator,
            )
            out.append(next_id)
            x = torch.tensor([[next_id]], device=device)  # (1, 1)
            logits, state = model(x, state)  # (1, 1, |V|)
    return vocab.decode(out)
