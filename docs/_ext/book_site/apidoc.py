"""API 页：数据类的签名写出默认值本身，而不是 ``<factory>``。

``@dataclass`` 的字段若用 ``field(default_factory=list)``，``inspect.signature`` 给出的默认值是
哨兵 ``<factory>``，autodoc 原样写进签名（``TrainLog(losses=<factory>, …)``），读者看不懂。
这里接 autodoc 的公开事件 ``autodoc-process-signature``，把每个 ``名字=<factory>`` 换成调用工厂
得到的值的 ``repr``（``losses=[]``）。``tests/test_book_text.py::test_no_factory_sentinel_in_signatures``
检查构建好的网站里没有 ``<factory>``。
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sphinx.application import Sphinx


def factory_defaults(
    app: Sphinx,
    what: str,
    name: str,
    obj: Any,
    options: Any,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None] | None:
    """数据类签名里的 ``字段=<factory>`` → ``字段=repr(工厂())``；其他签名不动（返回 None）。"""
    if what != "class" or not signature or "<factory>" not in signature or not dataclasses.is_dataclass(obj):
        return None
    for field in dataclasses.fields(obj):
        if field.default_factory is not dataclasses.MISSING:
            signature = signature.replace(f"{field.name}=<factory>", f"{field.name}={field.default_factory()!r}")
    return signature, return_annotation


def setup(app: Sphinx) -> None:
    # 事件是 autodoc 定义的：先载入它（本书的 conf.py 本来就用它；只测排版的小书没有列出它）
    app.setup_extension("sphinx.ext.autodoc")
    app.connect("autodoc-process-signature", factory_defaults)
