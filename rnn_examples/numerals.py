r"""第 14、15 章的任务：把中文数字（一千零二十）翻译成阿拉伯数字（1020）。

输入与输出都是变长的符号序列，每一位数字在输入里都有看得见的来源
（“三千五百二十一”的 ``3`` 来自“三”，``2`` 来自“二”），所以第 15 章的注意力
应当沿着这条对齐走。数据全部由规则生成，不下载任何东西。

本书采用的写法（一亿以下的非负整数，``0 <= n < 10**8``）：

1. 数字用“零一二三四五六七八九”，位用“十百千”，四位一级，万以上加“万”。
2. 一律写“二”，不写“两”（二百、二千、二万）。
3. 整个数以 1 开头的十位写“十”，不写“一十”：十、十五、十万、十二万；
   不在开头时照写“一十”：一百一十、三千零一十、一百一十万。
4. 一级（四位）之内，两个非零数字之间的一串 0 读一个“零”（一千零二，一千零二十）；
   一级末尾的 0 不读（三千五百）。
5. 万级与个级都不为 0、而个级不满一千时，两级之间读一个“零”：一万零一，
   十万零一百，一千万零五百；个级为 0 时什么也不读（二十万）。个级满一千时不加
   “零”（十万一千）。
6. ``0`` 写作“零”。

1. :func:`to_chinese` 按这些规则写出中文数字；:func:`from_chinese` 是另写的读法
   （从左往右累加每一级），两者互为逆映射。
2. :func:`digit_lookup`：只把“零”到“九”逐字换成数字、丢掉“十百千万”的查表法，
   是不会“学习”的最简单对手；:func:`digit_sources`：每一位数字写在中文的哪个字上。
3. :func:`numeral_splits`：按数值划分训练、验证、测试集，三者没有共同的数。
4. :data:`SOURCE` 与 :data:`TARGET`：输入与输出的词表（见
   :class:`~rnn_examples.seq2seq.Vocab`）。
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ._checks import check_positive_int
from .seq2seq import Vocab

__all__ = [
    "LIMIT",
    "SOURCE",
    "TARGET",
    "NumeralSplits",
    "digit_lookup",
    "digit_sources",
    "from_chinese",
    "numeral_splits",
    "to_chinese",
]

#: 本书的写法覆盖的范围：``0 <= n < LIMIT``
LIMIT = 10**8
DIGITS = "零一二三四五六七八九"
UNITS = ("", "十", "百", "千")  # 一级之内：个、十、百、千位

#: 输入词表：“零”到“九”与“十百千万”，另有 ``<pad>``、``<bos>``、``<eos>``
SOURCE = Vocab(DIGITS + "十百千万")
#: 输出词表：``0`` 到 ``9``，另有 ``<pad>``、``<bos>``、``<eos>``
TARGET = Vocab("0123456789")


def _check_number(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n 应为整数（int），实际收到 {type(n).__name__}: {n!r}")
    if not 0 <= n < LIMIT:
        raise ValueError(f"n 应满足 0 <= n < {LIMIT}（一亿以下），实际收到 {n}")
    return n


def _section(n: int) -> str:
    """一级之内（``1 <= n <= 9999``）的写法：中间的一串 0 读一个“零”，末尾的 0 不读。"""
    out: list[str] = []
    pending_zero = False  # 前面已有非零数字，之后遇到了 0
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            pending_zero = pending_zero or bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[digit] + UNITS[power])
    return "".join(out)


def to_chinese(n: int) -> str:
    """按本书的写法（见模块说明）把 ``0 <= n < 10**8`` 写成中文数字。

    Raises:
        TypeError: ``n`` 不是整数。
        ValueError: ``n`` 不在 ``[0, 10**8)`` 里。

    Example:
        >>> [to_chinese(n) for n in (0, 10, 15, 110, 1020, 3521)]
        ['零', '十', '十五', '一百一十', '一千零二十', '三千五百二十一']
        >>> [to_chinese(n) for n in (10001, 100100, 101000, 2000, 12000000)]
        ['一万零一', '十万零一百', '十万一千', '二千', '一千二百万']
    """
    _check_number(n)
    if n == 0:
        return "零"
    high, low = divmod(n, 10_000)  # 万级、个级
    text = ""
    if high:
        text += _section(high) + "万"
    if low:
        if high and low < 1000:
            text += "零"  # 规则 5：两级之间
        text += _section(low)
    if text.startswith("一十"):
        text = text[1:]  # 规则 3：开头的“一十”写“十”
    return text


def from_chinese(text: str) -> int:
    """把中文数字读成整数：逐字累加，“十百千”乘上前面的数字，“万”把已读的一级乘以一万。

    与 :func:`to_chinese` 分开写（不调用它），用来检验它：
    ``from_chinese(to_chinese(n)) == n``。只检查字符是否合法，不检查写法是否规范。

    Raises:
        TypeError: ``text`` 不是字符串。
        ValueError: ``text`` 为空或含有中文数字以外的字符。

    Example:
        >>> from_chinese("一千零二十"), from_chinese("十万零一百"), from_chinese("两千")
        (1020, 100100, 2000)
    """
    if not isinstance(text, str):
        raise TypeError(f"text 应为 str，实际收到 {type(text).__name__}")
    allowed = DIGITS + "两十百千万"
    bad = sorted({c for c in text if c not in allowed})
    if not text or bad:
        raise ValueError(f"text 应为由“{allowed}”组成的非空字符串，实际收到 {text!r}")
    total, section, digit = 0, 0, 0
    for char in text:
        if char in "十百千":
            unit = 10 ** ("十百千".index(char) + 1)
            section += (digit or 1) * unit  # 开头的“十”前面没有数字：当作一十
            digit = 0
        elif char == "万":
            total = (section + digit) * 10_000
            section, digit = 0, 0
        else:
            digit = 2 if char == "两" else DIGITS.index(char)  # “零”给出 0
    return total + section + digit


def digit_lookup(text: str) -> str:
    """不会学习的对手：把“零”到“九”逐字换成 ``0`` 到 ``9``，丢掉“十百千万”。

    对每一位都不为 0 的数（三千五百二十一 → ``3521``）恰好正确；一旦末尾有 0
    或 0 被合并（一千零二十 → ``102``、十五 → ``5``），就错了。

    Example:
        >>> digit_lookup("三千五百二十一"), digit_lookup("一千零二十")
        ('3521', '102')
    """
    return "".join(str(DIGITS.index(c)) for c in text if c in DIGITS)


def digit_sources(text: str) -> list[int | None]:
    """阿拉伯数字的每一位写在中文的哪个字上。

    非零的位给出那个字的下标（Python 的下标，从 0 数起），0 给出 ``None``。

    第 ``k`` 个非零的位对应第 ``k`` 个数字字（“一”到“九”）；开头的“十”表示 1
    （十五、十万），它自己就是那个字。0 没有一一对应的字（“零”可能代表一串 0，
    末尾的 0 根本不写），所以不给位置。第 15 章用它检查注意力是否对准了这些字。

    Raises:
        ValueError: ``text`` 不是本书写法下的中文数字。

    Example:
        >>> digit_sources("一千零二十")          # 1020
        [0, None, 3, None]
        >>> digit_sources("十万零一百")          # 100100：开头的“十”是 1
        [0, None, None, 3, None, None]
    """
    value = from_chinese(text)
    if to_chinese(value) != text:
        raise ValueError(f"text 应为本书写法下的中文数字，实际收到 {text!r}")
    bearers = [
        j for j, c in enumerate(text) if c in DIGITS[1:] or (j == 0 and c == "十")
    ]
    out: list[int | None] = []
    for digit in str(value):
        out.append(None if digit == "0" else bearers.pop(0))
    return out


@dataclass(frozen=True)
class NumeralSplits:
    """:func:`numeral_splits` 的结果：三组互不相同的数。"""

    train: list[int]
    valid: list[int]
    test: list[int]


def numeral_splits(
    sizes: tuple[int, int, int], max_digits: int = 8, seed: int = 0
) -> NumeralSplits:
    """抽取互不相同的数，按数值分成训练、验证、测试集（一个数只在一组里出现）。

    每个数先均匀地选位数 ``1, …, max_digits``；一位数在 0 到 9 里均匀地选，
    多位数的首位在 1 到 9 里均匀地选，之后每一位以 1/3 的概率为 0，否则在 1 到 9 里
    均匀地选（比均匀选值多一些 0，“零”的规则才常用到）。位数少的数一共没几个
    （一位数只有 10 个），抽完之后就只会抽到位数多的。
    抽出的数打乱之后依次分给三组。同一个 ``seed`` 总是给出同样的三组数。

    Args:
        sizes: 训练、验证、测试集的大小。
        max_digits: 最多几位数，``1`` 到 ``8``。
        seed: 随机种子（Python 的 ``random.Random``，与 torch 的种子无关）。

    Raises:
        TypeError: 大小或位数不是整数。
        ValueError: 大小不为正、位数不在 ``1`` 到 ``8`` 之间、要的数比范围里的还多。

    Example:
        >>> splits = numeral_splits((6, 2, 2), max_digits=3, seed=0)
        >>> len(splits.train), len(splits.valid), len(splits.test)
        (6, 2, 2)
        >>> set(splits.train) & set(splits.test)
        set()
    """
    if not isinstance(sizes, tuple) or len(sizes) != 3:
        raise TypeError(f"sizes 应为三个整数的元组，实际收到 {sizes!r}")
    for name, value in zip(("训练集", "验证集", "测试集"), sizes, strict=True):
        check_positive_int(f"sizes 中{name}的大小", value)
    check_positive_int("max_digits", max_digits)
    if max_digits > 8:
        raise ValueError(f"max_digits 应在 1 到 8 之间，实际收到 {max_digits}")
    total = sum(sizes)
    if total > 10**max_digits:
        raise ValueError(
            f"{max_digits} 位以内只有 {10**max_digits} 个数，"
            f"实际要 {total} 个（sizes={sizes}）"
        )
    rng = random.Random(seed)
    chosen: dict[int, None] = {}  # 有序、去重
    while len(chosen) < total:
        digits = rng.randint(1, max_digits)
        if digits == 1:
            chosen.setdefault(rng.randrange(10))
            continue
        value = rng.randint(1, 9)  # 首位不为 0
        for _ in range(digits - 1):
            value = 10 * value + (0 if rng.random() < 1 / 3 else rng.randint(1, 9))
        chosen.setdefault(value)
    numbers = list(chosen)
    rng.shuffle(numbers)  # 打乱之后再分：先抽到的小数不会全落进训练集
    a, b = sizes[0], sizes[0] + sizes[1]
    return NumeralSplits(numbers[:a], numbers[a:b], numbers[b:])
