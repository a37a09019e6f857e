"""书中统计图的统一样式：随包安装的中文字体、白底、正常的减号。

图里的中文标题和图例需要一款中文字体。系统字体因机器而异（新机器上往往一款也没有，
中文会变成方框并伴随警告），所以本书用 PyPI 包 ``mplfonts`` 随附的 Noto Sans CJK SC：
它由锁定文件固定版本，任何机器上画出的图都逐字节相同。

白底（``figure.facecolor`` 与 ``axes.facecolor``）让图在网站的浅色与深色主题下
都清晰可读；ipykernel 的 inline 后端默认用透明底，深色主题里黑色的坐标轴会看不见。

>>> import matplotlib.pyplot as plt
>>> from rnn_examples.plotting import use_book_style
>>> use_book_style()
>>> plt.rcParams["font.family"][0]
'Noto Sans CJK SC'
"""

from __future__ import annotations

from importlib.metadata import distribution
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

#: 中文字体文件（包 ``mplfonts`` 随附，SIL 开放字体许可），在它的安装目录里。
#: 路径因机器而异，API 页不显示它的值。
#:
#: :meta hide-value:
BOOK_FONT = Path(
    str(
        distribution("mplfonts").locate_file("mplfonts/fonts/NotoSansCJKsc-Regular.otf")
    )
)

#: 中文字体之后的回退字体：数学符号等 Noto 没有的字形
#: 由 matplotlib 自带的 DejaVu Sans 补上
FALLBACK_FONT = "DejaVu Sans"


def use_book_style() -> None:
    """把本书的字体与配色写进 ``matplotlib.rcParams`` （之后画的每张图都生效）。"""
    font_manager.fontManager.addfont(str(BOOK_FONT))
    font_name = font_manager.FontProperties(fname=BOOK_FONT).get_name()
    mpl.rcParams.update(
        {
            "font.family": [font_name, FALLBACK_FONT],
            # 用 ASCII 的 "-"：中文字体里的 U+2212 与数字不齐
            "axes.unicode_minus": False,
            "figure.facecolor": "white",
            "axes.facecolor": "white",
            "savefig.facecolor": "white",
        }
    )
