"""图的样式：中文字形都来自随包安装的字体（缺字时 matplotlib 会警告，而 pytest 把警告当错误）。"""

from __future__ import annotations

import io

import matplotlib as mpl
from matplotlib.figure import Figure

from rnn_examples.plotting import BOOK_FONT, use_book_style


def test_font_file_ships_with_the_environment():
    assert BOOK_FONT.is_file()
    assert BOOK_FONT.suffix == ".otf"


def test_chinese_text_renders_without_missing_glyphs():
    with mpl.rc_context():
        use_book_style()
        fig = Figure()
        ax = fig.add_subplot()
        ax.plot([0, 1], [-1, 1], label="带噪观测 −1")
        ax.set_title("梯度消失与梯度爆炸：ρ(W) = 1.5，‖∂L/∂s_k‖")
        ax.legend()
        fig.savefig(io.BytesIO(), format="png")  # 缺字会引发 UserWarning → 测试失败
        assert mpl.rcParams["figure.facecolor"] == "white"
        assert mpl.rcParams["font.family"][0] == "Noto Sans CJK SC"
