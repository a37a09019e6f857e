"""让 pytest 执行文档页中的 ``{doctest}`` 块（用 sybil 解析 MyST）。"""

from pathlib import Path

import pytest
from sybil import Sybil
from sybil.parsers.myst import DocTestDirectiveParser

# conf.py 与内核配置 ipython_kernel_config.py 不是普通模块（后者只在 IPython 里载入）
collect_ignore = ["conf.py", "_ext/book_site/ipython_kernel_config.py"]

pytest_collect_file = Sybil(
    parsers=[DocTestDirectiveParser()],
    patterns=["*.md"],
    excludes=["_build/*"],
).pytest()


def pytest_collection_modifyitems(items):
    """一页里的 doctest 块共用一个命名空间，后面的块用前面块里定义的名字（如快速上手页的 ``cell``）。

    ``nox -s unit`` 用 pytest-xdist 并行（``--dist loadgroup``）：同一页的块编为一组，
    在同一个进程里按顺序运行，不会被分到两个进程里。
    """
    docs = Path(__file__).parent
    for item in items:
        if docs in item.path.parents and item.path.suffix == ".md":
            item.add_marker(pytest.mark.xdist_group(item.path.relative_to(docs).as_posix()))
