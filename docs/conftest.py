"""让 pytest 执行文档页中的 ``{doctest}`` 块（用 sybil 解析 MyST）。"""

from sybil import Sybil
from sybil.parsers.myst import DocTestDirectiveParser

# conf.py 与内核配置 ipython_kernel_config.py 不是普通模块（后者只在 IPython 里载入）
collect_ignore = ["conf.py", "_ext/book_site/ipython_kernel_config.py"]

pytest_collect_file = Sybil(
    parsers=[DocTestDirectiveParser()],
    patterns=["*.md"],
    excludes=["_build/*"],
).pytest()
