r"""第 12 章：深层 RNN，加上层与层之间的 dropout 与跨层的残差连接。

``nn.RNN(num_layers=L)`` 把 ``L`` 个循环层叠起来，第 ``ℓ`` 层每一步的输入是第 ``ℓ - 1``
层同一步的状态。它能在层与层之间做 dropout（参数 ``dropout``），却不能在层与层之间
加残差连接：每一层的状态原样交给上面一层。:class:`StackedRNN` 因此用 ``L`` 个单层
``nn.RNN`` 一层一层地算。记第 ``ℓ`` 层交给上面一层的向量为 ``x_t^{(ℓ)}``
（``x_t^{(0)} = x_t``），层号 ``ℓ`` 从 1 数起::

    s_t^{(ℓ)} = f(U^{(ℓ)} d(x_t^{(ℓ-1)}) + W^{(ℓ)} s_{t-1}^{(ℓ)} + b_h^{(ℓ)})
    x_t^{(ℓ)} = s_t^{(ℓ)}                    不加残差；加残差时的第 1 层
    x_t^{(ℓ)} = x_t^{(ℓ-1)} + s_t^{(ℓ)}      加残差（residual=True）时的第 2 到第 L 层
    ŷ_t       = V x_t^{(L)} + b_y            每一步一个预测

``d`` 是 dropout：训练时（``model.train()``）第 2 到第 L 层读入的 ``x^{(ℓ-1)}`` 每个分量
以概率 ``p`` 置 0、其余除以 ``1 - p``，评估时（``model.eval()``）和第 1 层的输入不变。
这与 ``nn.RNN(num_layers=L, dropout=p)`` 相同：不加残差时，同一个随机种子下二者逐位相等
（:meth:`StackedRNN.from_rnn`）。循环的那一步 ``s_{t-1} -> s_t`` 既不加 dropout，
也不加残差。

形状记号：``B`` 批大小，``T`` 时间步数，``D`` 输入特征数，``H`` 隐藏状态维数，
``O`` 输出维数，``L`` 层数。
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_nonlinearity, check_positive_int, check_real, check_sequence

__all__ = ["StackedRNN"]


class StackedRNN(nn.Module):
    r"""叠起 ``L`` 个单层 ``nn.RNN`` 的深层 RNN，每步都输出，可选层间 dropout 与残差。

    .. math::

        s_t^{(\ell)} = f\big(U^{(\ell)} d(x_t^{(\ell-1)}) + W^{(\ell)} s_{t-1}^{(\ell)}
            + b_h^{(\ell)}\big)

        x_t^{(\ell)} = [\ell \ge 2 \text{ 且 residual}]\, x_t^{(\ell-1)} + s_t^{(\ell)}

        \hat{y}_t = V x_t^{(L)} + b_y

    其中 :math:`x_t^{(0)} = x_t`，:math:`s_0^{(\ell)} = 0`，:math:`d` 是层间 dropout
    （只在训练时、只对第 2 层起的输入）。``self.layers[ℓ - 1]`` 是第 ``ℓ`` 层，
    ``self.fc`` 是输出层 :math:`V, b_y`。

    Args:
        input_size: 输入特征数 ``D``。
        hidden_size: 每层的隐藏状态维数 ``H`` （残差要求相邻两层维数相同）。
        output_size: 输出维数 ``O``。
        num_layers: 层数 ``L``，默认 1。
        nonlinearity: 激活函数 ``f``，``"tanh"`` （默认）或 ``"relu"``。
        dropout: 层间 dropout 的概率 ``p``，``0 <= p < 1``，默认 0。
        residual: 是否在第 2 层起加残差连接，默认 ``False``。

    形状:
        - ``x``: ``(B, T, D)``，批在前。
        - 返回: ``(B, T, O)``，每一步的预测 :math:`\hat{y}_t`；
          :meth:`states` 返回 ``(B, T, H)``，即每一步的 :math:`x_t^{(L)}`。

    Raises:
        TypeError: 尺寸不是整数、``dropout`` 不是数、``residual`` 不是布尔值，
            或输入不是浮点张量。
        ValueError: 尺寸不为正、激活函数未知、``dropout`` 不在 ``[0, 1)`` 中，
            或输入的维数、特征数不符。

    Example:
        >>> import torch
        >>> from rnn_examples.deep import StackedRNN
        >>> _ = torch.manual_seed(0)
        >>> model = StackedRNN(1, 16, 1, num_layers=3, residual=True, dropout=0.1)
        >>> x = torch.randn(4, 8, 1)                       # (B, T, D)
        >>> model(x).shape                                 # (B, T, O)
        torch.Size([4, 8, 1])
        >>> _ = model.eval()                               # 评估：不做 dropout
        >>> torch.equal(model(x), model(x))
        True

        :meth:`from_rnn` 复制一个 ``nn.RNN`` 的权重；训练模式下同一个种子给出同样的
        dropout 掩码，两者逐位相等：

        >>> from torch import nn
        >>> rnn = nn.RNN(3, 5, num_layers=3, dropout=0.5, batch_first=True)
        >>> stack = StackedRNN.from_rnn(rnn, output_size=1)
        >>> x = torch.randn(2, 4, 3)
        >>> _ = torch.manual_seed(1)
        >>> expected, _ = rnn(x)
        >>> _ = torch.manual_seed(1)
        >>> torch.equal(stack.states(x), expected)
        True
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        num_layers: int = 1,
        *,
        nonlinearity: str = "tanh",
        dropout: float = 0.0,
        residual: bool = False,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.nonlinearity = check_nonlinearity(nonlinearity)
        self.dropout = check_real("dropout", dropout, minimum=0.0)
        if self.dropout >= 1:
            raise ValueError(f"dropout 应满足 0 <= dropout < 1，实际收到 {dropout}")
        if not isinstance(residual, bool):
            raise TypeError(
                "residual 应为 True 或 False，实际收到 "
                f"{type(residual).__name__}: {residual!r}"
            )
        self.residual = residual
        # 第 1 层读 D 维的 x_t，之后每层读下面一层交上来的 H 维向量
        self.layers = nn.ModuleList(
            nn.RNN(size, hidden_size, nonlinearity=nonlinearity, batch_first=True)
            for size in [input_size] + [hidden_size] * (num_layers - 1)
        )
        self.fc = nn.Linear(hidden_size, output_size)

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """最上面一层交出的每一步的向量 :math:`x_t^{(L)}`。

        形状 ``(B, T, D) -> (B, T, H)``；训练模式下第 2 层起的输入做 dropout。
        """
        x = check_sequence(x, self.input_size)
        layer_input = x  # x^(0) = x: (B, T, D)
        for layer, rnn in enumerate(self.layers, start=1):
            entering = layer_input
            if layer >= 2:  # 层间 dropout：只作用在第 2 层起读入的向量上
                entering = nn.functional.dropout(entering, self.dropout, self.training)
            states, _ = rnn(entering)  # s^(ℓ): (B, T, H)，从 s_0 = 0 开始
            if self.residual and layer >= 2:
                layer_input = layer_input + states  # x^(ℓ) = x^(ℓ-1) + s^(ℓ)
            else:
                layer_input = states  # x^(ℓ) = s^(ℓ)
        return layer_input  # (B, T, H)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y_hat: torch.Tensor = self.fc(self.states(x))  # (B, T, H) -> (B, T, O)
        return y_hat

    @classmethod
    def from_rnn(cls, rnn: nn.RNN, output_size: int) -> StackedRNN:
        """构造一个不加残差、循环层权重与 ``dropout`` 都与 ``rnn`` 相同的模型。

        ``rnn`` 第 ``ℓ`` 层（PyTorch 的层号 ``ℓ - 1``）的 ``weight_ih_l{ℓ-1}`` 等复制到
        ``layers[ℓ - 1]`` 的 ``weight_ih_l0`` 等；输出层 ``fc`` 是新的、随机初始化的
        ``Linear(H, output_size)``。设备与数据类型跟随 ``rnn``，参数不共享内存。

        Raises:
            TypeError: ``rnn`` 不是 ``nn.RNN``。
            ValueError: ``rnn`` 不是单向、不是 ``batch_first=True`` 或没有偏置。

        例子见类的说明。
        """
        if not isinstance(rnn, nn.RNN):
            raise TypeError(f"rnn 应为 torch.nn.RNN，实际收到 {type(rnn).__name__}")
        settings = {
            "bidirectional=False": not rnn.bidirectional,
            "batch_first=True": rnn.batch_first,
            "bias=True": rnn.bias,
        }
        wrong = [name for name, ok in settings.items() if not ok]
        if wrong:
            raise ValueError(
                f"rnn 应为 {'、'.join(settings)}，实际不满足：{'、'.join(wrong)}"
            )
        reference = next(rnn.parameters())
        model = cls(
            rnn.input_size,
            rnn.hidden_size,
            output_size,
            rnn.num_layers,
            nonlinearity=rnn.nonlinearity,
            dropout=float(rnn.dropout),
        ).to(device=reference.device, dtype=reference.dtype)
        with torch.no_grad():
            for index, layer in enumerate(model.layers):
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    source = getattr(rnn, f"{name}_l{index}")
                    getattr(layer, f"{name}_l0").copy_(source)
        model.train(rnn.training)
        return model
