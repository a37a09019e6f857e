"""新人的第一小时：在一份没有任何构建产物的副本里，``nox -s unit`` 通过（标记 ``reader``，由 ``nox -s tests`` 运行）。

副本是工作区里 git 管理的文件加上未被忽略的新文件（``git ls-files --cached --others --exclude-standard``），
与 ``git clone`` 得到的相同，只是也带着还没提交的改动；里面没有 ``docs/_build``、``.nox`` 与执行缓存。
在副本里运行的是同一个 ``nox -s unit``：新建它自己的 ``.nox/unit``（uv 从缓存装，几秒），再运行单元测试。
需要构建好的网站、浏览器或 PDF 的测试必须带上标记，否则这里会失败（``找不到构建好的网站``）。
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.reader

# nox -s tests 为浏览器与 PDF 测试设的变量：新人的副本里没有它们
SESSION_VARIABLES = ("RNN_BOOK_HTML", "RNN_BOOK_PDF", "VIRTUAL_ENV", "NOX_CURRENT_SESSION")


def tracked_files() -> list[str]:
    result = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    return [name for name in result.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


def test_unit_session_passes_in_a_fresh_copy(tmp_path: Path) -> None:
    nox = shutil.which("nox")
    if nox is None:
        pytest.skip("PATH 上没有 nox（由 nox -s tests 运行时总有）")
    copy = tmp_path / "clone"
    for name in tracked_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    assert not (copy / "docs" / "_build").exists()
    env = {key: value for key, value in os.environ.items() if key not in SESSION_VARIABLES}
    result = subprocess.run(
        [nox, "-s", "unit"], cwd=copy, env=env, capture_output=True, text=True, errors="replace", check=False
    )
    assert result.returncode == 0, f"全新副本里 nox -s unit 失败：\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
