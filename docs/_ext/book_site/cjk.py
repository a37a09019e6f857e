"""中文字符的范围：全书只在这里定义一次（排版、PDF、搜索索引与搜索页的脚本都用它）。

- :data:`HAN`：汉字，CJK 统一表意文字、扩展 A 与兼容表意文字（不含扩展 B 以后的补充平面：
  JavaScript 的正则要 ``u`` 标志才认得代理对，搜索索引与查询两端必须切得一样）；
- :data:`FULLWIDTH`：全角标点与全角形式（不含全角空格 U+3000）；
- :data:`WIDE`：排版意义上的中文字符：汉字（含补充平面）、部首、假名、全角标点与全角形式；
- :data:`SHARED`：中文里常用、本身不分中西的标点（弯引号、破折号、省略号、间隔号）。

都是可以放进正则字符类 ``[...]`` 的字符串。搜索页的脚本由 :mod:`book_site.site.search` 写出时
带上 :data:`HAN` 与 :data:`FULLWIDTH`，两端因此一致；浏览器里的排版测试
（``tests/browser/test_typesetting.py``）也把 :data:`WIDE`、:data:`FULLWIDTH`、:data:`SHARED` 写进页面里运行的脚本。
"""

from __future__ import annotations

import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
FULLWIDTH = "\u3001-\u303f\uff01-\uff60\uffe0-\uffee"
WIDE = f"\u2e80-\u2fff\u3040-\u30ff{HAN}{FULLWIDTH}\U00020000-\U0003ffff"
SHARED = "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"

HAN_RUN = re.compile(f"[{HAN}]+")
SPACE_BETWEEN_HAN = re.compile(f"(?<=[{HAN}])\\s+(?=[{HAN}])")


def is_wide(char: str) -> bool:
    """``char`` 是不是中文字符（:data:`WIDE`）：排版与 PDF 里按两个西文字符宽计。

    >>> is_wide("门"), is_wide("，"), is_wide("a")
    (True, True, False)
    """
    return bool(char) and re.fullmatch(f"[{WIDE}]", char) is not None
