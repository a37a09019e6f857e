r"""第 15 章：加性注意力（Bahdanau et al. 2015）。

解码器在第 :math:`t` 步用上一步的状态 :math:`s_{t-1}` 给编码器的每个状态
:math:`\bar s_j` 打一个分数，softmax 之后得到注意力权重，再按权重把
:math:`\bar s_1, \dots, \bar s_{T_x}` 加权平均，得到这一步的上下文向量::

    ω_{t,j} = v_a · tanh(W_a s_{t-1} + U_a s̄_j)       注意力分数
    α_{t,j} = exp(ω_{t,j}) / Σ_k exp(ω_{t,k})          只在真实位置上求和
    κ_t     = Σ_j α_{t,j} s̄_j                          上下文向量

填充位置的分数设为 :math:`-\infty`，权重恰好为 0。

形状记号：``B`` 批大小，``Tx`` 输入序列长度，``H`` 解码器状态维数（query），
``C`` 编码器状态维数（key，双向编码器时 ``C = 2H``），``A`` 注意力的隐藏维数。
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_float_tensor, check_positive_int, check_size

__all__ = ["AdditiveAttention"]


class AdditiveAttention(nn.Module):
    r"""加性注意力：一个单隐藏层的小网络给每对 :math:`(s_{t-1}, \bar s_j)` 打分。

    .. math::

        \omega_{t,j} = v_a^\top \tanh\big(W_a s_{t-1} + U_a \bar s_j\big),\qquad
        \alpha_{t,j} = \frac{\exp \omega_{t,j}}
                            {\sum_{k=1}^{T_x} \exp \omega_{t,k}},\qquad
        \kappa_t = \sum_{j=1}^{T_x} \alpha_{t,j}\, \bar s_j

    :math:`W_a` 是 ``A × H``，:math:`U_a` 是 ``A × C``，:math:`v_a \in \mathbb{R}^A`。
    ``mask`` 为 ``False`` 的位置（填充）不参加 softmax，权重为 0。
    :math:`U_a \bar s_j` 与 :math:`t` 无关：解码一整句时先用 :meth:`project` 算一次，
    每一步传进来（``projected``），省去重复的矩阵乘法。

    Args:
        query_size: 解码器状态维数 ``H``。
        key_size: 编码器状态维数 ``C``。
        attention_size: 隐藏维数 ``A``。

    形状:
        - ``query``: ``(B, H)``；``keys``: ``(B, Tx, C)``；``mask``: ``(B, Tx)`` 布尔，
          ``True`` 是真实位置，每行至少一个；``projected``: ``(B, Tx, A)`` 或 ``None``。
        - 返回: ``(context, weights)``，形状 ``(B, C)`` 与 ``(B, Tx)``，
          每行权重之和为 1。

    Raises:
        TypeError: 尺寸不是整数，张量类型不对。
        ValueError: 尺寸不为正，形状不符，某一行没有真实位置。

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> attention = AdditiveAttention(query_size=4, key_size=6, attention_size=5)
        >>> keys = torch.randn(2, 3, 6)                         # (B, Tx, C)
        >>> mask = torch.tensor([[True, True, True], [True, True, False]])
        >>> context, weights = attention(torch.randn(2, 4), keys, mask)
        >>> context.shape, weights.shape                        # (B, C), (B, Tx)
        (torch.Size([2, 6]), torch.Size([2, 3]))
        >>> torch.testing.assert_close(weights.sum(dim=1), torch.ones(2))
        >>> weights[1, 2].item()                                # 填充位置
        0.0
    """

    def __init__(self, query_size: int, key_size: int, attention_size: int) -> None:
        super().__init__()
        self.query_size = check_positive_int("query_size", query_size)
        self.key_size = check_positive_int("key_size", key_size)
        self.attention_size = check_positive_int("attention_size", attention_size)
        self.W_a = nn.Linear(query_size, attention_size, bias=False)
        self.U_a = nn.Linear(key_size, attention_size, bias=False)
        self.v_a = nn.Linear(attention_size, 1, bias=False)

    def project(self, keys: torch.Tensor) -> torch.Tensor:
        """:math:`U_a \\bar s_j`，对每个 ``j``：``(B, Tx, C) -> (B, Tx, A)``。"""
        projected: torch.Tensor = self.U_a(keys)
        return projected

    def forward(
        self,
        query: torch.Tensor,
        keys: torch.Tensor,
        mask: torch.Tensor,
        projected: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        check_float_tensor("query", query, ndim=2, layout="(B, H)")
        check_size("query", query, 1, self.query_size, "解码器状态维数 H")
        check_float_tensor("keys", keys, ndim=3, layout="(B, Tx, C)")
        check_size("keys", keys, 0, query.shape[0], "批大小 B，须与 query 相同")
        check_size("keys", keys, 2, self.key_size, "编码器状态维数 C")
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            raise TypeError(f"mask 应为布尔张量 (B, Tx)，实际收到 {_describe(mask)}")
        if mask.shape != keys.shape[:2]:
            raise ValueError(
                f"mask 的形状应为 (B, Tx) = {tuple(keys.shape[:2])}，"
                f"实际为 {tuple(mask.shape)}"
            )
        if not bool(mask.any(dim=1).all()):
            raise ValueError("mask 的每一行至少要有一个 True（真实位置）")
        return self.attend(query, keys, mask, projected)

    def attend(
        self,
        query: torch.Tensor,
        keys: torch.Tensor,
        mask: torch.Tensor,
        projected: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """与调用本模块相同，但不检查输入（解码器每一步调用它，输入已在编码时检查过）。"""
        if projected is None:
            projected = self.project(keys)
        hidden = torch.tanh(self.W_a(query)[:, None] + projected)  # (B, Tx, A)
        scores = self.v_a(hidden).squeeze(-1)  # ω_{t,j}：(B, Tx)
        scores = scores.masked_fill(~mask, float("-inf"))  # 填充位置不参加 softmax
        weights = torch.softmax(scores, dim=1)  # α_{t,j}：(B, Tx)
        context = torch.bmm(weights[:, None], keys).squeeze(1)  # κ_t：(B, C)
        return context, weights


def _describe(value: object) -> str:
    if isinstance(value, torch.Tensor):
        return f"dtype={value.dtype}"
    return type(value).__name__
