"""第 11 章的语料：筛选规则、按诗划分、快照与 README 一致，以及从源文件逐字节重建快照。"""

from __future__ import annotations

import bz2
import json
import os
import re
from importlib.resources import files
from pathlib import Path

import pytest

from rnn_examples import corpus as corpus_module
from rnn_examples.corpus import (
    SPLIT_SEED,
    _main,
    build_corpus,
    is_five_character_poem,
    load_corpus,
    select_poems,
    split_poems,
)

README = Path(corpus_module.__file__).parent / "data" / "README.md"
#: 指向 chinese-poetry 仓库（工作目录或 git 目录）时，检查快照能从源文件逐字节重建
SOURCE = os.environ.get("RNN_BOOK_POETRY_SOURCE")

JUEJU = ["白日依山盡，黃河入海流。", "欲窮千里目，更上一層樓。"]
LUSHI = ["國破山河在，城春草木深。", "感時花濺淚，恨別鳥驚心。", "烽火連三月，家書抵萬金。", "白頭搔更短，渾欲不勝簪。"]


# -- 筛选 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (JUEJU, True),
        (LUSHI, True),
        (["白日依山盡，黃河入海流。欲窮千里目，更上一層樓。"], True),  # 分段无关紧要
        (JUEJU[:1], False),  # 1 联
        (JUEJU + LUSHI[:1], False),  # 3 联
        (LUSHI + JUEJU, False),  # 6 联
        (["白日依山盡，黃河入海流？", "欲窮千里目，更上一層樓。"], False),  # 别的标点
        (["白日依山盡。黃河入海流，", "欲窮千里目，更上一層樓。"], False),  # 逗号与句号颠倒
        (["白日依山盡兮，黃河入海流。", "欲窮千里目，更上一層樓。"], False),  # 六个字
        (["白日依山□，黃河入海流。", "欲窮千里目，更上一層樓。"], False),  # 缺字
        (["白日依山盡，黃河入海流。", "欲窮千里目，更上一層樓。（一作某某）"], False),  # 注释
        (["白日依山盡，黃河入海流。", "欲窮千里目，更上一層𨻶。"], False),  # 基本区之外的字
        ([], False),
    ],
)
def test_is_five_character_poem(paragraphs, expected):
    assert is_five_character_poem(paragraphs) is expected


def test_is_five_character_poem_rejects_non_lists():
    with pytest.raises(TypeError, match="paragraphs 应为字符串列表，实际收到 str"):
        is_five_character_poem("白日依山盡，黃河入海流。")
    with pytest.raises(TypeError, match="paragraphs 应为字符串列表，实际收到 list"):
        is_five_character_poem([1, 2])


def test_select_poems_filters_converts_and_deduplicates_in_order():
    poems = [
        {"paragraphs": LUSHI, "title": "春望"},
        {"paragraphs": ["七言的诗句不要，", "只要五言。"]},
        {"paragraphs": JUEJU},
        {"paragraphs": JUEJU, "author": "另一位作者"},  # 重出
        {"paragraphs": ["鑪火照天地，紅星亂紫煙。", "赧郎明月夜，歌曲動寒川。"]},  # 转换后出了基本区
    ]
    table = {"國": "国", "時": "时", "濺": "溅", "淚": "泪", "別": "别", "鳥": "鸟", "驚": "惊", "連": "连"}
    table |= {"書": "书", "萬": "万", "頭": "头", "渾": "浑", "勝": "胜", "盡": "尽", "黃": "黄"}
    table |= {"窮": "穷", "層": "层", "樓": "楼", "鑪": "𬬻"}

    def convert(text):
        return "".join(table.get(c, c) for c in text)

    kept = select_poems(poems, convert)
    assert kept == [
        "国破山河在，城春草木深。感时花溅泪，恨别鸟惊心。烽火连三月，家书抵万金。白头搔更短，浑欲不胜簪。",
        "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。",
    ]


def test_select_poems_rejects_bad_records():
    with pytest.raises(TypeError, match="每首诗应为含 'paragraphs' 的字典，实际收到 list"):
        select_poems([JUEJU], str)
    with pytest.raises(TypeError, match="每首诗应为含 'paragraphs' 的字典，实际收到 dict"):
        select_poems([{"title": "无题"}], str)


def test_split_poems_is_a_seeded_partition():
    poems = [f"诗{i}" for i in range(1000)]
    parts = split_poems(poems, seed=3)
    assert [len(parts[name]) for name in ("train", "valid", "test")] == [900, 50, 50]
    assert sorted(parts["train"] + parts["valid"] + parts["test"]) == sorted(poems)
    assert split_poems(poems, seed=3) == parts
    assert split_poems(poems, seed=4)["test"] != parts["test"]
    assert parts["train"][:5] != poems[:5]  # 打乱过


# -- 随包的快照 -------------------------------------------------------------------------


def readme_table() -> dict[str, tuple[int, int, int, int]]:
    """README 的计数表：划分 -> (诗, 绝句, 律诗, 字符)。"""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\| (train|valid|test|合计) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \|", line)
        if match:
            rows[match.group(1)] = tuple(int(value.replace(",", "")) for value in match.groups()[1:])
    return rows


def test_snapshot_counts_match_the_readme():
    corpus = load_corpus()
    table = readme_table()
    assert set(table) == {"train", "valid", "test", "合计"}
    for name in ("train", "valid", "test"):
        poems = corpus.poems(name)
        counts = (
            len(poems),
            sum(len(p) == 24 for p in poems),
            sum(len(p) == 48 for p in poems),
            len(corpus.text(name)),
        )
        assert counts == table[name], name
    assert tuple(map(sum, zip(*(table[name] for name in ("train", "valid", "test")), strict=True))) == table["合计"]


def test_snapshot_is_the_documented_split():
    corpus = load_corpus()
    everything = corpus.train + corpus.valid + corpus.test
    assert len(set(everything)) == len(everything)  # 去过重，三份互不相交
    assert all(is_five_character_poem([poem]) for poem in everything)
    parts = split_poems(sorted(everything), seed=SPLIT_SEED)  # 同一批诗、同一个种子：大小相同
    assert [len(parts[name]) for name in ("train", "valid", "test")] == [
        len(corpus.train),
        len(corpus.valid),
        len(corpus.test),
    ]
    assert len(corpus.test) == len(corpus.valid) == int(len(everything) * 0.05)
    text = corpus.text("test")
    assert text.endswith("\n")
    assert text.count("\n") == len(corpus.test)
    assert "床" in "".join(corpus.train)  # 简体：“床”不变，但繁体的“門”“詩”都不该出现
    assert not {"門", "詩", "龍", "鳥"} & set("".join(everything))


def test_snapshot_file_format():
    raw = (files("rnn_examples") / "data" / "tang5.tsv.bz2").read_bytes()
    lines = bz2.decompress(raw).decode("utf-8").splitlines()
    names = [line.split("\t")[0] for line in lines]
    assert names == sorted(names, key=("train", "valid", "test").index)  # 按划分排好
    assert all(line.count("\t") == 1 for line in lines)


def test_poems_rejects_unknown_split():
    with pytest.raises(ValueError, match="split 应为 'train'、'valid' 或 'test'，实际收到 'dev'"):
        load_corpus().poems("dev")


# -- 从源文件构建 -----------------------------------------------------------------------


def write_checkout(root: Path, files_by_number: dict[int, list[dict]]) -> Path:
    folder = root / "全唐诗"
    folder.mkdir(parents=True)
    for number, poems in files_by_number.items():
        (folder / f"poet.tang.{number}.json").write_text(json.dumps(poems, ensure_ascii=False), encoding="utf-8")
    (folder / "poet.song.0.json").write_text(json.dumps([{"paragraphs": JUEJU}]), encoding="utf-8")  # 不读宋诗
    (folder / "error").mkdir()
    return root


def test_build_corpus_from_a_checkout_reads_files_in_numeric_order(tmp_path):
    pytest.importorskip("opencc")
    poems = [{"paragraphs": [f"{c}日依山盡，黃河入海流。", "欲窮千里目，更上一層樓。"]} for c in "一二三四五六七八九十"]
    source = write_checkout(tmp_path, {0: poems[:1], 200: poems[1:2], 1000: poems[2:]})
    data = build_corpus(source)
    assert data == build_corpus(str(source))  # 确定的
    lines = bz2.decompress(data).decode("utf-8").splitlines()
    assert len(lines) == 10
    bodies = sorted(line.split("\t")[1] for line in lines)
    assert bodies == sorted(f"{c}日依山尽，黄河入海流。欲穷千里目，更上一层楼。" for c in "一二三四五六七八九十")
    # 文件按编号读（0、200、1000），不按字符串（0、1000、200）：打乱前的顺序决定划分
    order = [p["paragraphs"][0][0] for p in poems]
    expected = split_poems([f"{c}日依山尽，黄河入海流。欲穷千里目，更上一层楼。" for c in order])
    assert [line.split("\t")[1] for line in lines if line.startswith("train")] == expected["train"]


def test_main_writes_the_snapshot(tmp_path):
    pytest.importorskip("opencc")
    source = write_checkout(tmp_path / "src", {0: [{"paragraphs": JUEJU}]})
    target = tmp_path / "out.tsv.bz2"
    assert _main([str(source), str(target)]) == 0
    assert target.read_bytes() == build_corpus(source)
    assert _main([]) == 2


@pytest.mark.parametrize(
    ("source", "error", "message"),
    [
        (3, TypeError, "source 应为路径（str 或 Path），实际收到 int"),
        ("/no/such/dir", ValueError, "source 应为 chinese-poetry/chinese-poetry 的工作目录"),
    ],
)
def test_build_corpus_errors(source, error, message):
    pytest.importorskip("opencc")
    with pytest.raises(error, match=re.escape(message)):
        build_corpus(source)


def test_build_corpus_needs_the_pinned_commit_in_a_git_directory(tmp_path):
    pytest.importorskip("opencc")
    (tmp_path / "HEAD").write_text("ref: refs/heads/master\n")  # 像 git 目录，但没有那次提交
    with pytest.raises(ValueError, match="读取 git 数据失败"):
        build_corpus(tmp_path)


def test_empty_checkout_is_an_error(tmp_path):
    pytest.importorskip("opencc")
    (tmp_path / "全唐诗").mkdir()
    with pytest.raises(ValueError, match=r"里没有 全唐诗/poet\.tang"):
        build_corpus(tmp_path)


@pytest.mark.skipif(not SOURCE, reason="RNN_BOOK_POETRY_SOURCE 没有指向 chinese-poetry 仓库")
def test_snapshot_is_rebuilt_byte_for_byte_from_the_source():
    pytest.importorskip("opencc")
    committed = (files("rnn_examples") / "data" / "tang5.tsv.bz2").read_bytes()
    assert build_corpus(SOURCE) == committed
