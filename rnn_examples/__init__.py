"""《循环神经网络》一书执行的模型与工具。

书中的每个例子都从这里导入并在构建时运行，书里不保留第二份代码。

>>> from rnn_examples import SimpleRNN, RNNCell, ManualRNN
"""

from .models import ManualRNN, RNNCell, SimpleRNN

__all__ = ["ManualRNN", "RNNCell", "SimpleRNN"]
