"""book_site.workarounds：本书唯一改动别的包默认值的地方。上游给出公开的设置时，这里的测试失败。"""

from __future__ import annotations

import dataclasses

from book_site import workarounds


def test_myst_nb_still_has_no_notebook_client_setting() -> None:
    """myst-nb 有了 kernel manager 或 NotebookClient 的设置（MyST-NB PR #725）：把
    book_site.workarounds 的两个设置移到那里，删掉这个模块与这个测试。"""
    from myst_nb.core.config import NbParserConfig

    names = [field.name for field in dataclasses.fields(NbParserConfig)]
    offered = [name for name in names if "kernel_manager" in name or "client" in name]
    assert not offered, f"myst-nb 现在有 {offered}：用它代替 book_site.workarounds"


def test_defaults_are_set() -> None:
    import jupyter_client.manager
    import nbclient

    workarounds.configure_notebook_client()
    import nbformat

    assert nbclient.NotebookClient(nbformat.v4.new_notebook()).shutdown_kernel == "immediate"
    assert jupyter_client.manager.KernelManager().transport_encryption == "auto"
