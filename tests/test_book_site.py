"""网站只由这一次的 Sphinx 输出决定：增量构建、中途被杀掉后重跑的构建，与干净构建逐字节相同。

一本三页的小书（两页是要执行的 MyST 文本笔记本），Sphinx 构建后由流水线 ``book_site.site`` 做出
网站，比较网站目录里的每个文件。
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from book_site import site as pipeline
from helpers import NOTEBOOK_HEADER, sphinx_build, write_book

CONF = """
project = "t"
language = "zh_CN"
extensions = ["myst_nb", "book_site"]
myst_enable_extensions = ["dollarmath"]
nb_execution_mode = "cache"
nb_execution_cache_path = {cache!r}
nb_merge_streams = True  # 与 docs/conf.py 相同
"""

PAGES = {
    "index.md": "# 首页\n\n见 $x_t$。\n\n```{toctree}\na\nb\n```\n",
    "a.md": NOTEBOOK_HEADER
    + "# 甲\n\n第一句，公式 $s_t = f(a_t)$。\n\n```{code-cell} python\nprint('甲')\n```\n"
    + "\n```{code-cell} python\nimport matplotlib.pyplot as plt\nplt.plot([0, 1]);\n```\n",
    # 第二页执行得慢：测试在它执行时杀掉构建；两次输出分成两条流消息（myst-nb 合并它们时曾就地改动笔记本）
    "b.md": NOTEBOOK_HEADER
    + "# 乙\n\n正文。\n\n```{code-cell} python\nimport time\ntime.sleep(6)\n"
    + "print('乙', flush=True)\ntime.sleep(1)\nprint('丙')\n```\n",
}
SKIP = frozenset({"package"})  # wheel 与书无关，另有测试（test_reader_env.py）


def make_site(root: Path, sphinx_out: Path, name: str) -> dict[str, bytes]:
    out = root / name
    assert pipeline.build(sphinx_out, out, cache=root / "site-cache", skip=SKIP, log=lambda m: None) == []
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def build(src: Path, out: Path, doctrees: Path) -> None:
    result = sphinx_build(src, out, "-q", "-W", "-d", str(doctrees))
    assert result.returncode == 0, result.stderr


def assert_same(actual: dict[str, bytes], expected: dict[str, bytes]) -> None:
    assert sorted(actual) == sorted(expected), "两个网站的文件不同"
    differ = [name for name in expected if actual[name] != expected[name]]
    assert not differ, f"这些文件与干净构建不同：{differ}"


def test_incremental_and_interrupted_builds_give_the_clean_site(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_book(src, CONF.format(cache=str(tmp_path / "jupyter-cache")), PAGES)

    # 1. 第一次构建执行两页时被杀掉（第一页已进执行缓存），再原样重跑
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-q",
        "-d",
        str(tmp_path / "d1"),
        "-b",
        "html",
        str(src),
        str(tmp_path / "s1"),
    ]
    env = os.environ | {"PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        command, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    executed = tmp_path / "jupyter-cache" / "executed"
    deadline = time.monotonic() + 120
    while not (executed.is_dir() and any(executed.iterdir())) and process.poll() is None:
        assert time.monotonic() < deadline, "第一页没有执行完"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    build(src, tmp_path / "s1", tmp_path / "d1")
    interrupted = make_site(tmp_path, tmp_path / "s1", "interrupted")

    # 干净构建（执行缓存已完整，不再执行）
    build(src, tmp_path / "s2", tmp_path / "d2")
    clean = make_site(tmp_path, tmp_path / "s2", "clean")
    assert_same(interrupted, clean)
    assert b"mjx-container" in clean["a.html"]
    # 内核的 IPython 配置（book_site/ipython_kernel_config.py）：图同时输出 PNG 与不带创建时间的 PDF
    import base64

    import nbformat

    download = nbformat.reads(clean["_sources/a.ipynb"].decode("utf-8"), as_version=4)
    figure = download.cells[-1].outputs[-1]
    assert {"image/png", "application/pdf"} <= set(figure["data"]), sorted(figure["data"])
    assert b"CreationDate" not in base64.b64decode(figure["data"]["application/pdf"])

    # 2. 改一句话（不重新执行），增量构建 = 同一份源码的干净构建
    (src / "a.md").write_text(PAGES["a.md"].replace("第一句", "改过的第一句"), encoding="utf-8")
    build(src, tmp_path / "s1", tmp_path / "d1")
    incremental = make_site(tmp_path, tmp_path / "s1", "incremental")
    build(src, tmp_path / "s3", tmp_path / "d3")
    assert_same(incremental, make_site(tmp_path, tmp_path / "s3", "clean-edited"))
    assert "改过的第一句".encode() in incremental["a.html"]


def test_downloaded_notebook_joins_adjacent_streams() -> None:
    """内核把一段打印分成几条流消息取决于时机；下载的笔记本里并成一条，两次执行逐字节相同。"""
    import nbformat

    from book_site.downloads import _joined_streams

    stream = nbformat.v4.new_output
    outputs = [
        stream("stream", name="stdout", text="第一行\n"),
        stream("stream", name="stdout", text="第二行\n"),
        stream("stream", name="stderr", text="警告\n"),
        stream("execute_result", data={"text/plain": "1"}, execution_count=1),
        stream("stream", name="stdout", text="最后\n"),
    ]
    joined = _joined_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in joined] == [
        ("stream", "stdout", "第一行\n第二行\n"),
        ("stream", "stderr", "警告\n"),
        ("execute_result", None, None),
        ("stream", "stdout", "最后\n"),
    ]
