"""让 pytest 执行文档页中的 ``{doctest}`` 块（用 sybil 解析 MyST）。"""

from sybil import Sybil
from sybil.parsers.myst import DocTestDirectiveParser

collect_ignore = ["conf.py"]

pytest_collect_file = Sybil(
    parsers=[DocTestDirectiveParser()],
    patterns=["*.md"],
    excludes=["_build/*"],
).pytest()
