r"""第 11 章的语料：《全唐诗》里的五言绝句与五言律诗，转成简体，按诗分成三份。

来源是公开仓库 chinese-poetry/chinese-poetry（MIT 许可；诗本身早已进入公有领域）
在提交 :data:`SOURCE_COMMIT` 时的 ``全唐诗/poet.tang.*.json``\ （繁体）。
:func:`build_corpus` 从这些文件确定地得到随包发布的快照
``rnn_examples/data/tang5.tsv.bz2``：

1. 按文件名里的编号依次读 58 个文件里的每一首诗，正文是 ``paragraphs`` 首尾相接；
2. 只留下五言绝句与五言律诗：正文恰好是 2 联或 4 联（4 句或 8 句），每联都是
   “五个汉字，五个汉字。”（:func:`is_five_character_poem`；汉字指 U+4E00–U+9FFF，
   有缺字 ``□``、注释、异文括号或别的标点的诗都不要）；
3. 用 OpenCC 的 ``t2s`` 配置转成简体，转换后再检查一次格式；
4. 正文完全相同的诗只留第一首（同一首诗在书里重出、归于两位作者的情形）；
5. 以种子 :data:`SPLIT_SEED` 打乱，前 5% 作测试集、接着 5% 作验证集、其余作训练集
   （:func:`split_poems`）：按诗划分，一首诗的字不会一半在训练集、一半在测试集。

快照每行一首诗：``划分名<TAB>正文``，划分名是 ``train``、``valid`` 或 ``test``；
bzip2 压缩（比 gzip 小约 30%，而且没有时间戳），同样的源文件总是得到逐字节相同的文件。
重新生成（``源`` 是那个仓库的工作目录，或者它的 git 目录，例如一份裸仓库）::

    python -m rnn_examples.corpus 源 rnn_examples/data/tang5.tsv.bz2

构建要装 ``opencc`` （``requirements/book.in`` 里有）；读快照（:func:`load_corpus`）
不需要它。

>>> is_five_character_poem(["床前明月光，疑是地上霜。", "举头望明月，低头思故乡。"])
True
>>> is_five_character_poem(["春眠不觉晓，处处闻啼鸟。", "夜来风雨声，花落知多少？"])
False
"""

from __future__ import annotations

import bz2
import json
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

__all__ = [
    "SOURCE_COMMIT",
    "SPLIT_SEED",
    "PoemCorpus",
    "build_corpus",
    "is_five_character_poem",
    "load_corpus",
    "select_poems",
    "split_poems",
]

#: 源仓库（GitHub 上的 owner/name）
SOURCE_REPOSITORY = "chinese-poetry/chinese-poetry"
#: 从 git 目录构建时读取的提交
SOURCE_COMMIT = "99ebbef7e1345c0985c44b9fd96a3f9e776f117b"
#: 打乱诗的顺序用的种子
SPLIT_SEED = 2026
#: 测试集与验证集各占的份额（按诗数）
HELD_OUT_SHARE = 0.05
#: 三份的名字，也是快照里的排列顺序
SPLITS = ("train", "valid", "test")
#: 随包发布的快照的文件名（在 ``rnn_examples/data/`` 里）
SNAPSHOT = "tang5.tsv.bz2"

_FILE = re.compile(r"全唐诗/poet\.tang\.(\d+)\.json")
# 只认基本区的汉字：语料过滤自己的选择，比 book_site.cjk.HAN 窄（本包不依赖书的扩展）
_HAN = "[\u4e00-\u9fff]"
_COUPLET = f"{_HAN}{{5}}，{_HAN}{{5}}。"
_POEM = re.compile(f"(?:{_COUPLET}){{2}}|(?:{_COUPLET}){{4}}")


# -- 1. 哪些诗留下 --------------------------------------------------------------------


def is_five_character_poem(paragraphs: object) -> bool:
    """``paragraphs`` （一首诗的各段，字符串列表）接起来是不是五言绝句或五言律诗的格式。

    格式：2 联或 4 联，每联“五个汉字，五个汉字。”。只看字数与标点，不看平仄与押韵。

    Raises:
        TypeError: ``paragraphs`` 不是字符串列表。
    """
    if not isinstance(paragraphs, list) or not all(
        isinstance(p, str) for p in paragraphs
    ):
        raise TypeError(
            f"paragraphs 应为字符串列表，实际收到 {type(paragraphs).__name__}"
        )
    return _POEM.fullmatch("".join(paragraphs)) is not None


def select_poems(poems: Iterable[object], convert: Callable[[str], str]) -> list[str]:
    """按顺序筛出五言绝句与律诗，用 ``convert`` 转成简体，去掉重复的正文。

    Args:
        poems: 源文件里的诗，每首是一个含 ``"paragraphs"`` 的字典。
        convert: 繁体到简体的转换（构建时是 OpenCC 的 ``t2s``）。

    Returns:
        留下的诗的正文（简体），按第一次出现的顺序。

    Raises:
        TypeError: 某首诗不是含 ``"paragraphs"`` 的字典。

    Example:
        >>> poem = ["白日依山盡，黃河入海流。", "欲窮千里目，更上一層樓。"]
        >>> poems = [
        ...     {"paragraphs": poem},
        ...     {"paragraphs": poem},                        # 重出
        ...     {"paragraphs": ["□日依山盡，黃河入海流。"] + poem[1:]},  # 缺字
        ... ]
        >>> select_poems(poems, convert=lambda s: s.replace("盡", "尽"))
        ['白日依山尽，黃河入海流。欲窮千里目，更上一層樓。']
    """
    kept: dict[str, None] = {}  # 有序且去重
    for poem in poems:
        if not isinstance(poem, dict) or "paragraphs" not in poem:
            raise TypeError(
                f"每首诗应为含 'paragraphs' 的字典，实际收到 {type(poem).__name__}"
            )
        if not is_five_character_poem(poem["paragraphs"]):
            continue
        body = convert("".join(poem["paragraphs"]))
        if _POEM.fullmatch(body) is not None:  # 转换后仍是同样的格式
            kept.setdefault(body)
    return list(kept)


def split_poems(poems: list[str], seed: int = SPLIT_SEED) -> dict[str, list[str]]:
    """以种子 ``seed`` 打乱后按诗划分：前 5% 测试集，接着 5% 验证集，其余训练集。

    Example:
        >>> parts = split_poems([f"诗{i}" for i in range(100)], seed=0)
        >>> [len(parts[name]) for name in ("train", "valid", "test")]
        [90, 5, 5]
        >>> sorted(sum(parts.values(), [])) == sorted(f"诗{i}" for i in range(100))
        True
    """
    order = list(poems)
    random.Random(seed).shuffle(order)
    held_out = int(len(order) * HELD_OUT_SHARE)
    return {
        "train": order[2 * held_out :],
        "valid": order[held_out : 2 * held_out],
        "test": order[:held_out],
    }


# -- 2. 读源文件、写快照 --------------------------------------------------------------


def _source_files(source: Path) -> Iterator[bytes]:
    """按编号依次给出 ``全唐诗/poet.tang.<编号>.json`` 的内容。

    ``source`` 是工作目录（里面有 ``全唐诗/``）时直接读文件；是 git 目录时读
    :data:`SOURCE_COMMIT` 那次提交里的文件。
    """
    if (source / "全唐诗").is_dir():
        names = [
            path.relative_to(source).as_posix()
            for path in (source / "全唐诗").iterdir()
        ]

        def read(name: str) -> bytes:
            return (source / name).read_bytes()

    elif (source / "HEAD").is_file() or (source / ".git").exists():
        git = ["git", "-C", str(source)]

        def run(*args: str) -> bytes:
            done = subprocess.run([*git, *args], capture_output=True, check=False)
            if done.returncode != 0:
                message = done.stderr.decode(errors="replace").strip()
                raise ValueError(f"在 {str(source)!r} 里读取 git 数据失败：{message}")
            return done.stdout

        listing = run("ls-tree", "--name-only", "-z", SOURCE_COMMIT, "全唐诗/")
        names = [name for name in listing.decode().split("\0") if name]

        def read(name: str) -> bytes:
            return run("show", f"{SOURCE_COMMIT}:{name}")

    else:
        raise ValueError(
            f"source 应为 {SOURCE_REPOSITORY} 的工作目录（含 全唐诗/）或它的 git 目录，"
            f"实际收到 {str(source)!r}"
        )
    numbered = sorted(
        (int(match.group(1)), name)
        for name in names
        if (match := _FILE.fullmatch(name))
    )
    if not numbered:
        raise ValueError(f"{str(source)!r} 里没有 全唐诗/poet.tang.*.json")
    for _, name in numbered:
        yield read(name)


def build_corpus(source: object) -> bytes:
    """由源仓库（``str`` 或 ``pathlib.Path``）生成快照文件的全部字节（bzip2 压缩）。

    Raises:
        TypeError: ``source`` 不是路径。
        ValueError: ``source`` 不是那个仓库的工作目录或 git 目录。
        ModuleNotFoundError: 没有安装 ``opencc``。
    """
    if not isinstance(source, str | Path):
        raise TypeError(
            f"source 应为路径（str 或 Path），实际收到 {type(source).__name__}"
        )
    try:
        import opencc  # 只有构建语料时才需要
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "构建语料需要 OpenCC：pip install opencc（版本见 requirements/lock.txt）"
        ) from error
    converter = opencc.OpenCC("t2s")
    poems = (poem for data in _source_files(Path(source)) for poem in json.loads(data))
    parts = split_poems(select_poems(poems, converter.convert))
    lines = "".join(f"{name}\t{poem}\n" for name in SPLITS for poem in parts[name])
    return bz2.compress(lines.encode("utf-8"), compresslevel=9)


# -- 3. 读快照 ------------------------------------------------------------------------


@dataclass(frozen=True)
class PoemCorpus:
    """三份诗：``train``、``valid``、``test``，每份是正文（不含换行）的元组。

    :meth:`text` 把一份诗接成一条字符流，每首诗后面跟一个换行符。
    """

    train: tuple[str, ...]
    valid: tuple[str, ...]
    test: tuple[str, ...]

    def poems(self, split: str) -> tuple[str, ...]:
        """一份诗的正文。

        Raises:
            ValueError: ``split`` 不是 ``"train"``、``"valid"`` 或 ``"test"``。
        """
        if split not in SPLITS:
            raise ValueError(
                f"split 应为 'train'、'valid' 或 'test'，实际收到 {split!r}"
            )
        poems: tuple[str, ...] = getattr(self, split)
        return poems

    def text(self, split: str) -> str:
        """一份诗接成的字符流：每首诗后跟一个换行符 ``"\\n"``。"""
        return "".join(poem + "\n" for poem in self.poems(split))


def load_corpus() -> PoemCorpus:
    """读取随包发布的快照 ``rnn_examples/data/tang5.tsv.bz2``。

    Example:
        >>> corpus = load_corpus()
        >>> len(corpus.train) > 10 * len(corpus.test) > 0
        True
        >>> corpus.text("valid")[:12]
        '乡心新岁切，天畔独潸然。'
    """
    raw = (files("rnn_examples") / "data" / SNAPSHOT).read_bytes()
    parts: dict[str, list[str]] = {name: [] for name in SPLITS}
    for line in bz2.decompress(raw).decode("utf-8").splitlines():
        name, poem = line.split("\t")
        parts[name].append(poem)
    return PoemCorpus(*(tuple(parts[name]) for name in SPLITS))


def _main(argv: list[str]) -> int:
    """``python -m rnn_examples.corpus 源 输出文件``：重新生成快照。"""
    if len(argv) != 2:
        sys.stderr.write(
            "用法：python -m rnn_examples.corpus 源 输出文件\n"
            f"  源：{SOURCE_REPOSITORY} 的工作目录或 git 目录\n"
        )
        return 2
    Path(argv[1]).write_bytes(build_corpus(argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
