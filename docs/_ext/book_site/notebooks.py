"""执行笔记本：内核的环境、执行缓存、出错时的报告。

1. **内核的环境**（:func:`configure_kernels`，在 ``config-inited`` 时）。内核进程继承构建进程的
   环境变量：torch 只用 1 个线程（书中的张量都很小，2 核机器上 OpenMP 线程的忙等让小循环慢一个
   数量级；调用者已设置 ``OMP_NUM_THREADS`` 时尊重调用者）；去掉 ``MPLBACKEND``（内核必须用
   ipykernel 自己的 inline 后端，``MPLBACKEND=Agg`` 会让 ``plt.show()`` 的图静默消失）；
   ``IPYTHONDIR`` 指向构建目录里的 ``ipython/``，其中 ``profile_default/ipython_kernel_config.py``
   是本目录的同名文件（inline 后端同时输出 PNG 与 PDF 等，见那里）。客户端一侧的两个设置
   （内核立即结束、通信加密）没有公开的接口，在 :mod:`book_site.workarounds`。

2. **执行缓存**（:func:`create_execution_cache`）。jupyter-cache 建目录、建表都不加锁：``-j`` 并行
   构建时几个进程同时第一次用缓存，会报 ``FileExistsError`` 或 “table ... already exists”。
   在读取文档之前（也就在并行进程分出去之前）由主进程先建好。

3. **代码单元出错**（:func:`report_failed_cell`）。``nb_execution_raise_on_error`` 为 ``False``，
   myst-nb 不再抛出异常（那会让 Sphinx 打印自己的回溯和“请向 Sphinx 报告”的提示），而是照常
   渲染出错的页面；myst-nb 自己的 ``mystnb.exec`` 警告（整段带颜色码的回溯）在 ``conf.py`` 中被
   ``suppress_warnings`` 压下，由这里发出一条写给作者的警告：页面与行号、第几个代码单元、出错的
   那一行源码、异常。``-W`` 让构建因此失败。

下载的笔记本见 :mod:`book_site.downloads`。
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_NUMBER = re.compile(r"Cell In\[(\d+)\], line (\d+)")  # 回溯里的“第 N 个执行的单元，第 L 行”


KERNEL_CONFIG = Path(__file__).with_name("ipython_kernel_config.py")


def configure_kernels(app: Sphinx, config: Config) -> None:
    """内核继承的环境变量与 IPython 配置目录（见模块说明第 1 条）。"""
    from .workarounds import configure_notebook_client

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.pop("MPLBACKEND", None)
    ipython_dir = Path(app.doctreedir) / "ipython"
    profile = ipython_dir / "profile_default" / KERNEL_CONFIG.name
    if not profile.is_file() or profile.read_bytes() != KERNEL_CONFIG.read_bytes():
        profile.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(KERNEL_CONFIG, profile)
    os.environ["IPYTHONDIR"] = str(ipython_dir)
    configure_notebook_client()


def create_execution_cache(app: Sphinx) -> None:
    """在读取文档之前建好 jupyter-cache 的目录与数据库（见模块说明第 2 条）。"""
    from jupyter_cache import get_cache

    if not hasattr(app.env, "mystnb_config"):
        return  # 没有加载 myst-nb（例如测试用的小书）
    cache_path = app.env.mystnb_config.execution_cache_path
    get_cache(cache_path).list_cache_records()  # 第一次访问即建库建表


# -- 代码单元出错 ------------------------------------------------------------------------


def report_failed_cell(app: Sphinx, doctree: nodes.document) -> None:
    """页面执行失败时发出一条警告：页面:行号、第几个代码单元、出错的源码行与异常。"""
    exec_data = getattr(app.env, "nb_metadata", {}).get(app.env.docname, {}).get("exec_data")
    if not exec_data or exec_data.get("succeeded") is not False:
        return
    code_cells = [n for n in doctree.findall(nodes.container) if n.get("nb_element") == "cell_code"]
    for number, cell in enumerate(code_cells, start=1):
        tracebacks = [n for n in cell.findall(nodes.literal_block) if "traceback" in n["classes"]]
        if tracebacks:
            _warn_cell_error(app, cell, number, _ANSI.sub("", tracebacks[-1].astext()))
            return
    # 没有错误输出（超时，或出错的单元带 remove-cell、不在文档树里）：从回溯的“Cell In[N], line L”找回单元
    message = _ANSI.sub("", exec_data.get("traceback") or exec_data.get("error") or "")
    summary = _exception_summary(message)
    path = Path(app.env.doc2path(app.env.docname))
    if (match := _CELL_NUMBER.search(message)) and (start := _nth_code_start(path, int(match[1]))) is not None:
        number, line_in_cell = int(match[1]), int(match[2])
        lines = path.read_text(encoding="utf-8").splitlines()
        source = lines[start + line_in_cell - 2].strip() if start + line_in_cell - 2 < len(lines) else ""
        logger.warning(
            "第 %d 个代码单元（不显示的单元）执行失败：%s\n    出错的源码（单元内第 %d 行）：%s",
            number,
            summary,
            line_in_cell,
            source,
            location=(app.env.docname, start + line_in_cell - 1),
            type="book",
            subtype="cell",
        )
        return
    logger.warning("这一页的代码没能执行完：%s", summary, location=app.env.docname, type="book", subtype="cell")


def _nth_code_start(path: Path, number: int) -> int | None:
    """源文件里第 ``number`` 个代码单元（从 1 数）第一行代码的行号；内核按顺序执行，In[N] 就是第 N 个单元。"""
    if not path.is_file():
        return None
    fences = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if "{code-cell}" in line]
    if not 0 < number <= len(fences):
        return None
    return _code_start_line(path, fences[number - 1] + 1)


def _warn_cell_error(app: Sphinx, cell: nodes.Element, number: int, traceback: str) -> None:
    source_block = next((n for n in cell.findall(nodes.literal_block) if "traceback" not in n["classes"]), None)
    source_lines = source_block.astext().splitlines() if source_block is not None else []
    match = _CELL_NUMBER.search(traceback)
    line_in_cell = int(match[2]) if match else None  # 回溯的第一帧在单元自己的代码里
    location: Any = app.env.docname
    code_start = _code_start_line(Path(app.env.doc2path(app.env.docname)), cell.line)
    if code_start is not None:
        location = (app.env.docname, code_start + (line_in_cell or 1) - 1)
    where = ""
    if line_in_cell is not None and 0 < line_in_cell <= len(source_lines):
        where = f"\n    出错的源码（单元内第 {line_in_cell} 行）：{source_lines[line_in_cell - 1].strip()}"
    logger.warning(
        "第 %d 个代码单元执行失败：%s%s",
        number,
        _exception_summary(traceback),
        where,
        location=location,
        type="book",
        subtype="cell",
    )


def _code_start_line(path: Path, near: int | None) -> int | None:
    """源文件里这个单元第一行代码的行号（从 1 数）：从 ``near`` 往上找 ``{code-cell}`` 的开头，
    再跳过单元的选项（``:key: value`` 行或 ``---`` 包围的 YAML 块）。"""
    if near is None or not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    fence = next((i for i in range(min(near, len(lines)) - 1, -1, -1) if "{code-cell}" in lines[i]), None)
    if fence is None:
        return None
    start = fence + 1
    if start < len(lines) and lines[start].strip() == "---":
        start = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "---"), start) + 1
    while start < len(lines) and re.match(r"\s*:[\w-]+:", lines[start]):
        start += 1
    return start + 1


def _exception_summary(text: str) -> str:
    """回溯的最后一个非空行，形如 ``IndexError: list index out of range``。"""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "（没有错误信息）"


def setup(app: Sphinx) -> None:
    app.connect("config-inited", configure_kernels)
    # myst-nb 在 builder-inited（默认优先级 500）里算出缓存路径；这里排在它之后
    app.connect("builder-inited", create_execution_cache, priority=900)
    app.connect("doctree-read", report_failed_cell)
