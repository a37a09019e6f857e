"""rnn_examples.seeds：逐种子的结果、汇总与错误输入。"""

from __future__ import annotations

import statistics

import pytest
import torch

from rnn_examples.seeds import Spread, over_seeds


def test_each_seed_starts_from_its_own_generator_state():
    sweep = over_seeds(lambda seed: torch.randn(3), seeds=(0, 5, 7))
    for seed, result in sweep:
        torch.manual_seed(seed)
        torch.testing.assert_close(result, torch.randn(3))


def test_spread_matches_statistics_module():
    values = [0.3, 1.7, 2.2, -0.4, 5.0]
    spread = over_seeds(lambda seed: values[seed], seeds=range(5)).spread()
    assert spread.n == 5
    assert spread.mean == pytest.approx(statistics.fmean(values))
    assert spread.std == pytest.approx(statistics.stdev(values))
    assert (spread.low, spread.high) == (min(values), max(values))


def test_key_and_claims():
    sweep = over_seeds(lambda seed: {"loss": seed / 10, "seed": seed}, seeds=(1, 2, 3))
    assert sweep.values(lambda r: r["loss"]) == pytest.approx([0.1, 0.2, 0.3])
    assert sweep.all(lambda r: r["loss"] < 0.35)
    assert not sweep.all(lambda r: r["loss"] < 0.25)
    assert sweep.failing(lambda r: r["loss"] < 0.25) == [3]


def test_format_writes_the_percent_sign_once():
    spread = Spread.of([0.923, 0.811, 0.987])
    assert f"{spread:.1f}".endswith("（0.8–1.0，3 个种子）")
    assert f"{spread:.1%}" == "90.7 ± 8.9（81.1–98.7）%，3 个种子"
    assert f"{spread:%}".count("%") == 1


def test_single_value_has_zero_spread():
    assert Spread.of([2.0]) == Spread(1, 2.0, 0.0, 2.0, 2.0)


@pytest.mark.parametrize(
    ("seeds", "error", "message"),
    [
        ((), ValueError, "至少有一个种子"),
        ((1, 1), ValueError, "互不相同的非负整数"),
        ((-1,), ValueError, "互不相同的非负整数"),
        ((0.5,), TypeError, "整数"),
        ((True,), TypeError, "整数"),
    ],
)
def test_bad_seeds(seeds, error, message):
    with pytest.raises(error, match=message):
        over_seeds(lambda seed: seed, seeds=seeds)


def test_bad_fn_and_values():
    with pytest.raises(TypeError, match="可调用"):
        over_seeds(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="空序列"):
        Spread.of([])
    with pytest.raises(ValueError, match="有限"):
        Spread.of([1.0, float("nan")])
