r"""手写的随时间反向传播（BPTT），以及用来核对它的自动求导版本。

模型是每一步都有输出的单层 RNN（记号与全书相同）::

    a_t = U x_t + W s_{t-1} + b_h,     s_t = f(a_t),     s_0 = 0
    ŷ_t = V s_t + b_y
    L   = Σ_t ℓ_t,   ℓ_t = ½ ‖ŷ_t − y_t‖²     （批内各序列的损失也相加）

记 e_t = ŷ_t − y_t，δ_t = ∂L/∂s_t（经过所有未来时间步的全导数），则::

    δ_T = Vᵀ e_T
    δ_t = Vᵀ e_t + Wᵀ diag(f'(a_{t+1})) δ_{t+1}          t = T−1, …, 1
    ∂L/∂U = Σ_t diag(f'(a_t)) δ_t x_tᵀ       ∂L/∂W = Σ_t diag(f'(a_t)) δ_t s_{t−1}ᵀ
    ∂L/∂b_h = Σ_t diag(f'(a_t)) δ_t          ∂L/∂V = Σ_t e_t s_tᵀ      ∂L/∂b_y = Σ_t e_t

其中 tanh 的导数 f'(a_t) = 1 − s_t²，relu 的导数 f'(a_t) = 1[s_t > 0]。

截断 BPTT（ ``truncation=k`` ）：把时间轴切成长度为 ``k`` 的块，δ 的递推在块的
第一步停下（不再乘 Wᵀ 传到上一块）。这与前向时每 ``k`` 步把状态 ``detach`` 一次、
再用自动求导算出的梯度完全相同，:func:`autograd_bptt` 就是这样实现的。

形状记号： ``B`` 批大小， ``T`` 时间步数， ``D`` 输入特征数， ``H`` 隐藏状态维数，
``O`` 输出维数。
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch

from ._checks import (
    check_float_tensor,
    check_nonlinearity,
    check_positive_int,
    check_sequence,
    check_size,
)
from .models import ACTIVATIONS, DERIVATIVES, SimpleRNN

PARAM_NAMES = ("U", "W", "V", "b_h", "b_y")


@dataclass(frozen=True)
class RNNParams:
    r"""单层 RNN 的五个参数，名字与书中公式一致。

    形状: ``U`` 为 ``(H, D)`` ， ``W`` 为 ``(H, H)`` ， ``V`` 为 ``(O, H)`` ，
    ``b_h`` 为 ``(H,)`` ， ``b_y`` 为 ``(O,)`` 。

    Example:
        >>> import torch
        >>> from rnn_examples.bptt import RNNParams
        >>> p = RNNParams.random(3, 4, 2, generator=torch.Generator().manual_seed(0))
        >>> [tuple(t.shape) for t in p.tensors()]
        [(4, 3), (4, 4), (2, 4), (4,), (2,)]
    """

    U: torch.Tensor
    W: torch.Tensor
    V: torch.Tensor
    b_h: torch.Tensor
    b_y: torch.Tensor

    def __post_init__(self) -> None:
        for field in fields(self):
            ndim = 1 if field.name.startswith("b_") else 2
            check_float_tensor(
                field.name,
                getattr(self, field.name),
                ndim=ndim,
                layout=_LAYOUTS[field.name],
            )
        hidden, output = self.U.shape[0], self.V.shape[0]
        check_size("W", self.W, 0, hidden, "隐藏状态维数 H，须与 U 的行数相同")
        check_size("W", self.W, 1, hidden, "隐藏状态维数 H，W 应为方阵")
        check_size("V", self.V, 1, hidden, "隐藏状态维数 H")
        check_size("b_h", self.b_h, 0, hidden, "隐藏状态维数 H")
        check_size("b_y", self.b_y, 0, output, "输出维数 O")

    @classmethod
    def random(
        cls,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        generator: torch.Generator | None = None,
    ) -> RNNParams:
        r"""按 ``torch.nn.RNN`` 的方式随机初始化。

        每个元素服从 :math:`\mathcal{U}(-1/\sqrt{H}, 1/\sqrt{H})`。
        """
        sizes = {
            "U": (
                check_positive_int("hidden_size", hidden_size),
                check_positive_int("input_size", input_size),
            ),
            "W": (hidden_size, hidden_size),
            "V": (check_positive_int("output_size", output_size), hidden_size),
            "b_h": (hidden_size,),
            "b_y": (output_size,),
        }
        bound = hidden_size**-0.5
        return cls(
            **{
                name: (torch.rand(size, generator=generator) * 2 - 1) * bound
                for name, size in sizes.items()
            }
        )

    @classmethod
    def from_simple_rnn(cls, model: SimpleRNN) -> RNNParams:
        """取出单层 :class:`~rnn_examples.models.SimpleRNN` 的参数。

        两个偏置合成一个： ``b_h = bias_ih_l0 + bias_hh_l0`` 。

        Raises:
            TypeError: ``model`` 不是 ``SimpleRNN`` 。
            ValueError: ``model`` 不止一层。
        """
        if not isinstance(model, SimpleRNN):
            raise TypeError(f"model 应为 SimpleRNN，实际收到 {type(model).__name__}")
        if model.num_layers != 1:
            raise ValueError(
                "model 应为单层（num_layers=1），"
                f"实际收到 num_layers={model.num_layers}"
            )
        # 第 1 层（PyTorch 的层号 0）的 weight_ih_l0、weight_hh_l0、bias_ih_l0、
        # bias_hh_l0
        weight_ih, weight_hh, bias_ih, bias_hh = model.rnn.all_weights[0]
        with torch.no_grad():
            return cls(
                U=weight_ih.clone(),
                W=weight_hh.clone(),
                V=model.fc.weight.clone(),
                b_h=bias_ih + bias_hh,
                b_y=model.fc.bias.clone(),
            )

    def tensors(self) -> list[torch.Tensor]:
        """按 ``U, W, V, b_h, b_y`` 的顺序返回参数。"""
        return [getattr(self, name) for name in PARAM_NAMES]


_LAYOUTS = {"U": "(H, D)", "W": "(H, H)", "V": "(O, H)", "b_h": "(H,)", "b_y": "(O,)"}


@dataclass(frozen=True)
class BPTTResult:
    """一次反向传播的结果。

    Attributes:
        loss: 标量损失 ``L`` 。
        grads: 参数名（ ``"U"`` 、 ``"W"`` 、 ``"V"`` 、 ``"b_h"`` 、 ``"b_y"`` ）
            到梯度的字典，形状与参数相同。
        deltas: ``(B, T, H)`` ， ``deltas[:, t-1]`` 是
            :math:`\\delta_t = \\partial L/\\partial s_t`。
    """

    loss: torch.Tensor
    grads: dict[str, torch.Tensor]
    deltas: torch.Tensor


def _check_inputs(
    params: RNNParams,
    x: torch.Tensor,
    y: torch.Tensor | None,
    nonlinearity: str,
    truncation: int | None = None,
) -> None:
    if not isinstance(params, RNNParams):
        raise TypeError(f"params 应为 RNNParams，实际收到 {type(params).__name__}")
    check_sequence(x, params.U.shape[1])
    check_nonlinearity(nonlinearity)
    if y is not None:
        check_float_tensor("y", y, ndim=3, layout="(B, T, O)")
        check_size("y", y, 0, x.shape[0], "批大小 B，须与 x 相同")
        check_size("y", y, 1, x.shape[1], "时间步数 T，须与 x 相同")
        check_size("y", y, 2, params.V.shape[0], "输出维数 O")
    if truncation is not None:
        check_positive_int("truncation", truncation)


def forward(
    params: RNNParams, x: torch.Tensor, nonlinearity: str = "tanh"
) -> tuple[torch.Tensor, torch.Tensor]:
    """按公式 (1)(2) 逐步计算所有状态与输出（ ``g`` 取恒等函数，:math:`s_0 = 0`）。

    形状:
        - ``x``: ``(B, T, D)`` 。
        - 返回: 二元组 ``(states, outputs)`` ，形状分别为 ``(B, T, H)`` 与
          ``(B, T, O)`` 。

    Example:
        >>> import torch
        >>> from rnn_examples.bptt import RNNParams, forward
        >>> g = torch.Generator().manual_seed(0)
        >>> p = RNNParams.random(3, 4, 2, generator=g)
        >>> states, outputs = forward(p, torch.randn(5, 7, 3, generator=g))
        >>> tuple(states.shape), tuple(outputs.shape)
        ((5, 7, 4), (5, 7, 2))
    """
    _check_inputs(params, x, None, nonlinearity)
    f = ACTIVATIONS[nonlinearity]
    s = x.new_zeros(x.shape[0], params.W.shape[0])  # s_0: (B, H)
    states = []
    for t in range(x.shape[1]):
        s = f(x[:, t] @ params.U.T + s @ params.W.T + params.b_h)  # 公式 (1)
        states.append(s)
    states_tensor = torch.stack(states, dim=1)  # (B, T, H)
    return states_tensor, states_tensor @ params.V.T + params.b_y  # 公式 (2)，g 为恒等


def bptt(
    params: RNNParams,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    nonlinearity: str = "tanh",
    truncation: int | None = None,
) -> BPTTResult:
    r"""手写 BPTT：按模块说明中的递推求 :math:`\delta_t` 与五个参数的梯度。

    Args:
        params: 模型参数。
        x: ``(B, T, D)`` 输入序列。
        y: ``(B, T, O)`` 每一步的目标。
        nonlinearity: ``"tanh"`` 或 ``"relu"`` 。
        truncation: ``None`` 为完整 BPTT；正整数 ``k`` 为每 ``k`` 步截断一次。

    Raises:
        TypeError: 参数类型不对。
        ValueError: 形状不匹配、 ``truncation`` 不为正。

    Example:
        >>> import torch
        >>> from rnn_examples.bptt import RNNParams, autograd_bptt, bptt
        >>> g = torch.Generator().manual_seed(0)
        >>> p = RNNParams.random(3, 4, 2, generator=g)
        >>> x, y = torch.randn(5, 6, 3, generator=g), torch.randn(5, 6, 2, generator=g)
        >>> hand, auto = bptt(p, x, y), autograd_bptt(p, x, y)
        >>> torch.testing.assert_close(hand.grads, auto.grads)
        >>> torch.testing.assert_close(hand.deltas, auto.deltas)
    """
    _check_inputs(params, x, y, nonlinearity, truncation)
    states, outputs = forward(params, x, nonlinearity)
    errors = outputs - y  # e_t = ŷ_t − y_t: (B, T, O)
    derivative = DERIVATIVES[nonlinearity](states)  # f'(a_t): (B, T, H)
    steps = x.shape[1]
    deltas = torch.zeros_like(states)
    # 列下标 i 从 0 数起，对应第 t = i + 1 步：deltas[:, i] 是 δ_t
    for i in reversed(range(steps)):
        delta = errors[:, i] @ params.V  # Vᵀ e_t，按行写成 e_t V: (B, H)
        # 下一步 t + 1（列下标 i + 1）是否开始新的一块（块从第 1、k+1、… 步开始）
        starts_new_block = truncation is not None and (i + 1) % truncation == 0
        if i + 1 < steps and not starts_new_block:
            delta = (
                delta + (derivative[:, i + 1] * deltas[:, i + 1]) @ params.W
            )  # Wᵀ diag(f'(a_{t+1})) δ_{t+1}
        deltas[:, i] = delta
    eps = derivative * deltas  # ∂L/∂a_t = diag(f'(a_t)) δ_t: (B, T, H)
    previous = torch.cat(
        [states.new_zeros(states[:, :1].shape), states[:, :-1]], dim=1
    )  # s_{t-1}
    grads = {
        "U": torch.einsum("bth,btd->hd", eps, x),
        "W": torch.einsum("bth,btk->hk", eps, previous),
        "V": torch.einsum("bto,bth->oh", errors, states),
        "b_h": eps.sum(dim=(0, 1)),
        "b_y": errors.sum(dim=(0, 1)),
    }
    return BPTTResult(loss=0.5 * (errors**2).sum(), grads=grads, deltas=deltas)


def autograd_bptt(
    params: RNNParams,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    nonlinearity: str = "tanh",
    truncation: int | None = None,
) -> BPTTResult:
    """用 ``torch.autograd`` 算同样的量，作为 :func:`bptt` 的参照。

    截断时，每 ``truncation`` 步把进入下一块的状态 ``detach`` ； ``deltas`` 是各步状态
    （ ``detach`` 之前的那个张量）上的梯度。参数与返回值同 :func:`bptt`。
    """
    _check_inputs(params, x, y, nonlinearity, truncation)
    f = ACTIVATIONS[nonlinearity]
    leaves = [t.detach().clone().requires_grad_(True) for t in params.tensors()]
    U, W, V, b_h, b_y = leaves
    s = x.new_zeros(x.shape[0], W.shape[0])
    states, loss = [], x.new_zeros(())
    for t in range(x.shape[1]):
        if truncation is not None and t > 0 and t % truncation == 0:
            s = s.detach()  # 截断：梯度不再流回上一块
        s = f(x[:, t] @ U.T + s @ W.T + b_h)
        states.append(s)
        loss = loss + 0.5 * ((s @ V.T + b_y - y[:, t]) ** 2).sum()
    # 对参数的梯度，以及对每一步状态的梯度 ∂L/∂s_t: (B, H)
    gradients = torch.autograd.grad(loss, [*leaves, *states])
    param_grads, deltas = gradients[: len(leaves)], gradients[len(leaves) :]
    return BPTTResult(
        loss=loss.detach(),
        grads=dict(zip(PARAM_NAMES, param_grads, strict=True)),
        deltas=torch.stack(deltas, dim=1),
    )
