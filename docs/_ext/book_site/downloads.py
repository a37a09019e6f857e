"""每个可执行页都提供执行后的笔记本（``.ipynb``）下载，下载的笔记本在读者自己的 Python 里能从头运行。

1. **总有下载项。** sphinx-book-theme 只有在配置了启动按钮（Binder 等）时才把 myst-nb 执行后的
   ``.ipynb`` 复制到 ``_sources/`` 并显示“.ipynb”下载项。本书总是提供它：在主题的处理函数
   （优先级 501）之前设置 ``ipynb_source``（:func:`offer_executed_notebook`），在它们之后
   （优先级 900，主题配置了启动按钮时会先复制一份未处理的）写出文件（:func:`write_executed_notebook`）。
2. **执行后的输出。** 总是从 jupyter-cache 合并回来（myst-nb 命中缓存时写出的笔记本不含输出，刚执行的
   笔记本的流输出又被就地合并、文字重复），这一次执行与否，下载到的笔记本都相同。
3. **干净的元数据。** 只留 Jupyter 自己的 ``kernelspec`` 与 ``language_info``，去掉构建用的键
   （``file_format``、``source_map`` 等）；单元 id 按位置编号，两次干净构建逐字节相同。
4. **安装单元。** 下载的笔记本开头多一个代码单元（书页上没有它）：``rnn_examples`` 不能导入时，
   从本书网站安装随网站发布的 wheel 和固定版本的依赖（见 :mod:`book_site.site.package`）。网站地址来自
   配置 ``book_site_url``（环境变量 ``RNN_BOOK_SITE_URL``，见 ``conf.py``）；没有地址时，这个单元
   说明怎样从本书仓库的克隆安装。
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from .site.package import PACKAGE_DIR, wheel_name

logger = logging.getLogger(__name__)

# Jupyter 自己的笔记本元数据；其余的键是构建时用的
_NOTEBOOK_METADATA = ("kernelspec", "language_info")

_INSTALL_FROM_SITE = """\
# 本书的包 rnn_examples：这个笔记本第一次在你自己的 Python 里运行时，
# 从本书网站安装它和固定版本的依赖（书页上没有这个单元，它只在下载的笔记本里）。
import importlib
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("rnn_examples") is None:
    site = "{site}"
    command = [sys.executable, "-m", "pip", "install", "--quiet"]
    # Linux 上 PyPI 的 torch 是 CUDA 构建（数 GB）：没有自己配置 pip 源时，从 PyTorch 的 CPU 源取
    pip_sources = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS")
    if sys.platform == "linux" and not any(map(os.environ.get, pip_sources)):
        command += ["--extra-index-url", "https://download.pytorch.org/whl/cpu"]
    command += ["-r", site + "{requirements}", site + "{wheel}"]
    subprocess.run(command, check=True)
    importlib.invalidate_caches()
"""

_INSTALL_FROM_CLONE = """\
# 本书的包 rnn_examples：这个笔记本需要它（书页上没有这个单元，它只在下载的笔记本里）。
import importlib.util

if importlib.util.find_spec("rnn_examples") is None:
    raise ModuleNotFoundError(
        "这个笔记本需要本书的包 rnn_examples。在本书仓库的克隆里（Linux 上先装 CPU 版 torch）：\\n"
        "    pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu\\n"
        "    pip install -e . myst-nb\\n"
        "然后重启内核；或者从发布的网站下载这一页，它的第一个单元会自动安装。"
    )
"""


def install_cell_source(site_url: str) -> str:
    """下载的笔记本的第一个代码单元。"""
    if not site_url:
        return _INSTALL_FROM_CLONE
    site = site_url.rstrip("/") + "/"
    return _INSTALL_FROM_SITE.format(
        site=site, requirements=f"{PACKAGE_DIR}/requirements.txt", wheel=f"{PACKAGE_DIR}/{wheel_name()}"
    )


def _is_notebook(app: Sphinx, pagename: str) -> bool:
    return pagename in app.env.all_docs and "kernelspec" in app.env.metadata.get(pagename, {})


def _executed_path(app: Sphinx, pagename: str) -> Path:
    return Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"


def offer_executed_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """让主题显示“.ipynb”下载项（文件由 :func:`write_executed_notebook` 写出）。"""
    if doctree is None or not _is_notebook(app, pagename):
        return
    if not _executed_path(app, pagename).is_file():
        logger.warning("找不到 %s 执行后的笔记本，页面上不会有 .ipynb 下载项", pagename, location=pagename)
        return
    context["ipynb_source"] = f"{pagename}.ipynb"


def write_executed_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """写出 ``_sources/<page>.ipynb``：执行后的输出、干净的元数据、开头的安装单元。"""
    if doctree is None or context.get("ipynb_source") != f"{pagename}.ipynb":
        return
    notebook = nbformat.read(_executed_path(app, pagename), as_version=4)
    # 输出总是从 jupyter-cache 里取：myst-nb 1.4 命中执行缓存时写进 jupyter_execute/ 的是没有输出的
    # 原笔记本；这一次构建刚执行的页，那里的输出又被合并流输出（nb_merge_streams）就地改过，
    # 同一段文字出现两次。缓存里是执行得到的原样输出，两种情况下载到的笔记本因此相同。
    notebook = _merge_cached_outputs(app, notebook, pagename)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = _joined_streams(cell.outputs)
    notebook.metadata = nbformat.from_dict(
        {key: notebook.metadata[key] for key in _NOTEBOOK_METADATA if key in notebook.metadata}
    )
    install = nbformat.v4.new_code_cell(install_cell_source(app.config.book_site_url))
    notebook.cells.insert(0, install)
    # 文本笔记本每次被读入都得到随机的单元 id；按位置编号，两次干净构建给出逐字节相同的下载文件
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)


def _joined_streams(outputs: list[Any]) -> list[Any]:
    """相邻的同名流输出（stdout/stderr）并成一条：内核把一段打印分成几条消息取决于时机，
    并起来之后两次执行给出相同的笔记本（与 myst-nb 的 ``nb_merge_streams`` 在页面上做的相同）。"""
    joined: list[Any] = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
        else:
            joined.append(output)
    return joined


def _merge_cached_outputs(app: Sphinx, notebook: Any, pagename: str) -> Any:
    from jupyter_cache import get_cache

    cache_path = getattr(app.env, "mystnb_config", None) and app.env.mystnb_config.execution_cache_path
    if not cache_path or not Path(cache_path).is_dir():
        return notebook
    try:
        _, merged = get_cache(cache_path).merge_match_into_notebook(notebook)
    except KeyError:
        logger.warning("执行缓存里没有 %s 的输出，.ipynb 下载将不含输出", pagename, location=pagename)
        return notebook
    return merged


def setup(app: Sphinx) -> None:
    app.add_config_value("book_site_url", "", "html", types=frozenset({str}))
    # 必须早于 sphinx-book-theme 的 add_header_buttons（priority=501）
    app.connect("html-page-context", offer_executed_notebook, priority=490)
    app.connect("html-page-context", write_executed_notebook, priority=900)
