"""中文数字任务（rnn_examples.numerals）：写法的每条规则、逆映射、数据划分与查表对手。"""

from __future__ import annotations

import random
import re

import pytest

from rnn_examples.numerals import (
    LIMIT,
    SOURCE,
    TARGET,
    digit_lookup,
    digit_sources,
    from_chinese,
    numeral_splits,
    to_chinese,
)

# 规范写法的例子：逐条对应模块说明里的规则（规则号写在注释里）
KNOWN = {
    0: "零",  # 6
    7: "七",
    10: "十",  # 3：开头的一十写十
    11: "十一",
    19: "十九",
    20: "二十",  # 2：二，不写两
    99: "九十九",
    100: "一百",
    101: "一百零一",  # 4：中间的 0 读一个零
    110: "一百一十",  # 3：不在开头时写一十；4：末尾的 0 不读
    111: "一百一十一",
    200: "二百",
    1000: "一千",
    1001: "一千零一",  # 4：两个 0 只读一个零
    1010: "一千零一十",
    1020: "一千零二十",
    1100: "一千一百",
    2222: "二千二百二十二",
    9999: "九千九百九十九",
    10000: "一万",
    10001: "一万零一",  # 5：个级不满一千，两级之间读零
    10010: "一万零一十",
    10100: "一万零一百",
    11000: "一万一千",  # 5：个级满一千，不加零
    20000: "二万",
    100000: "十万",  # 3：万级的开头也是整个数的开头
    100100: "十万零一百",
    101000: "十万一千",
    110000: "十一万",
    120000: "十二万",
    1000000: "一百万",
    1010101: "一百零一万零一百零一",
    1100000: "一百一十万",  # 3：万级里不在开头的一十
    10000000: "一千万",
    10001000: "一千万一千",
    10010000: "一千零一万",
    20000500: "二千万零五百",
    12345678: "一千二百三十四万五千六百七十八",
    99999999: "九千九百九十九万九千九百九十九",
}


@pytest.mark.parametrize(("n", "text"), sorted(KNOWN.items()))
def test_known_numerals(n, text):
    assert to_chinese(n) == text
    assert from_chinese(text) == n


def exhaustive_range():
    """0 到 199 999 的每一个数，加上一亿以下按固定种子抽的 20 000 个数。"""
    rng = random.Random(0)
    return [*range(200_000), *(rng.randrange(LIMIT) for _ in range(20_000))]


def test_rules_hold_exhaustively():
    seen = {}
    for n in exhaustive_range():
        text = to_chinese(n)
        assert from_chinese(text) == n, (n, text)  # 另写的读法读回原数
        assert seen.setdefault(text, n) == n, (n, text, seen[text])  # 不同的数写法不同
        assert "两" not in text  # 规则 2
        assert "零零" not in text  # 规则 4、5：一串 0 只读一个零
        assert not text.startswith("一十")  # 规则 3
        if n > 0:
            assert not text.startswith("零"), (n, text)
            assert not text.endswith("零"), (n, text)
        assert ("万" in text) == (n >= 10_000)
        # 规则 3：整个数以 1 开头的十位（10–19、10 万–19 万）写“十”，别处的一十照写
        assert text.startswith("十") == (10 <= n < 20 or 100_000 <= n < 200_000), n
        # 规则 5：两级之间的零，恰在万级与个级都不为 0、个级不满一千时出现
        high, low = divmod(n, 10_000)
        between = bool(high) and 0 < low < 1000
        assert bool(re.search("万零", text)) == between, (n, text)


def test_digit_lookup_is_right_exactly_when_no_zero_is_lost():
    for n in exhaustive_range()[:20_000]:
        text = to_chinese(n)
        expected = str(n) if n > 0 else "0"
        # 查表只有在每个 0 都读作“零”、又没有“十”开头时才对：即中文里“零”的个数等于 0 的个数
        lossless = text.count("零") == str(n).count("0") and not text.startswith("十")
        assert (digit_lookup(text) == expected) == lossless, (n, text)


def test_from_chinese_accepts_liang_and_rejects_other_text():
    assert from_chinese("两万两千") == 22_000
    for bad in ("", "一千零二十a", "1020", "亿"):
        with pytest.raises(ValueError, match="text 应为由"):
            from_chinese(bad)
    with pytest.raises(TypeError, match="text 应为 str"):
        from_chinese(1020)  # type: ignore[arg-type]


def test_to_chinese_rejects_numbers_outside_the_range():
    for bad in (-1, LIMIT):
        with pytest.raises(ValueError, match=r"0 <= n < 100000000"):
            to_chinese(bad)
    for bad in (3.0, True, "12"):
        with pytest.raises(TypeError, match="n 应为整数"):
            to_chinese(bad)  # type: ignore[arg-type]


def test_splits_are_disjoint_deterministic_and_cover_every_length():
    splits = numeral_splits((3000, 400, 400), max_digits=6, seed=3)
    train, valid, test = map(set, (splits.train, splits.valid, splits.test))
    assert (len(train), len(valid), len(test)) == (3000, 400, 400)  # 互不重复
    assert not train & valid  # 按数值划分
    assert not train & test
    assert not valid & test
    assert numeral_splits((3000, 400, 400), max_digits=6, seed=3) == splits
    assert numeral_splits((3000, 400, 400), max_digits=6, seed=4) != splits
    assert all(0 <= n < 10**6 for n in train | valid | test)
    for part in (train, test):  # 打乱后再分：每一组都有各种位数
        assert {len(str(n)) for n in part} >= {2, 3, 4, 5, 6}
    # 多位数的非首位以 1/3 的概率为 0
    later = [d for n in splits.train if n >= 10 for d in str(n)[1:]]
    assert 0.28 < later.count("0") / len(later) < 0.38


def test_splits_reject_bad_sizes():
    with pytest.raises(ValueError, match="1 位以内只有 10 个数"):
        numeral_splits((8, 2, 1), max_digits=1)
    with pytest.raises(ValueError, match="max_digits 应在 1 到 8 之间"):
        numeral_splits((8, 2, 1), max_digits=9)
    with pytest.raises(ValueError, match="sizes 中测试集的大小 应为正整数"):
        numeral_splits((8, 2, 0))
    with pytest.raises(TypeError, match="sizes 应为三个整数的元组"):
        numeral_splits([8, 2, 1])  # type: ignore[arg-type]


def test_vocabularies_cover_every_symbol():
    assert SOURCE.decode(SOURCE.encode("九千零一万")) == "九千零一万"
    assert TARGET.decode(TARGET.encode("90010000")) == "90010000"
    assert len(SOURCE) == 3 + 14
    assert len(TARGET) == 3 + 10


def test_digit_sources_point_at_the_character_of_each_nonzero_digit():
    for n in exhaustive_range()[:30_000]:
        text = to_chinese(n)
        sources = digit_sources(text)
        assert len(sources) == len(str(n))
        for digit, position in zip(str(n), sources, strict=True):
            if digit == "0":
                assert position is None
            else:
                char = text[position]
                assert (char == "十" and position == 0 and digit == "1") or text[position] == "零一二三四五六七八九"[
                    int(digit)
                ]
        used = [p for p in sources if p is not None]
        assert used == sorted(set(used))  # 从左往右，一个字只用一次
    with pytest.raises(ValueError, match="本书写法"):
        digit_sources("两千")
