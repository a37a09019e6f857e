"""tools/system-deps.sh：系统包只列在这里；noxfile、.ci/run 与两个工作流都调用它，各自不再列包。

脚本的行为用假的 ``dpkg-query``、``apt-get``、``id`` 与 ``sudo``（放在 ``PATH`` 最前面）检查：
都装好时什么也不做；缺包时 root 直接装、非 root 用免密码的 sudo 装，只装缺的；
没有免密码 sudo 时说明缺什么、怎样装，以非零状态退出。
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "system-deps.sh"
CALLERS = ("noxfile.py", ".ci/run", ".github/workflows/pages.yml", ".github/workflows/tests.yml")


def script_packages(name: str) -> set[str]:
    text = SCRIPT.read_text(encoding="utf-8")
    block = re.search(rf"^{name}=\((.*?)\)", text, re.S | re.M)
    assert block, f"system-deps.sh 里没有 {name}"
    return set(re.sub(r"#.*", "", block.group(1)).split())


@pytest.mark.parametrize("caller", CALLERS)
def test_every_installer_calls_the_script_and_lists_no_packages(caller: str) -> None:
    text = (ROOT / caller).read_text(encoding="utf-8")
    assert "tools/system-deps.sh" in text or "SYSTEM_DEPS" in text, f"{caller} 应调用 tools/system-deps.sh"
    assert "apt-get install" not in text, f"{caller} 自己装系统包：应改为调用 tools/system-deps.sh"
    # 带连字符的包名（texlive-xetex、fonts-texgyre……）；latexmk 之类同时是程序名，noxfile 要查它们在不在
    listed = script_packages("TEX_PACKAGES") | script_packages("CHROMIUM_PACKAGES")
    for package in {name for name in listed if "-" in name}:
        assert package not in text, f"{caller} 又列了一遍 {package}"


FAKES = {
    # 已装的包由 INSTALLED（空格分隔）决定
    "dpkg-query": 'for p in $INSTALLED; do [ "$p" = "${@: -1}" ] && echo "install ok installed" && exit; done\nexit 1',
    "apt-get": 'echo "${SUDO_USED:-}apt-get $*" >> "$LOG"',
    "id": 'case "$1" in -u) echo "$FAKE_UID";; -un) echo tester;; esac',
    # FAKE_SUDO=ok：免密码；否则 sudo -n 要密码而失败
    "sudo": '[ "$FAKE_SUDO" = ok ] || exit 1; [ "$1" = -n ] && exit 0; SUDO_USED="sudo " "$@"',
}


def run_script(tmp_path: Path, *targets: str, installed: str = "", uid: int = 0, sudo: str = "no", **extra: str):
    fakes = tmp_path / "bin"
    fakes.mkdir(exist_ok=True)
    for name, body in FAKES.items():
        (fakes / name).write_text(f"#!/usr/bin/env bash\n{body}\n", encoding="utf-8")
        (fakes / name).chmod(0o755)
    log = tmp_path / "apt.log"
    log.unlink(missing_ok=True)
    env = {
        "PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}",
        "INSTALLED": installed,
        "FAKE_UID": str(uid),
        "FAKE_SUDO": sudo,
        "LOG": str(log),
        **extra,
    }
    result = subprocess.run(["bash", str(SCRIPT), *targets], env=env, capture_output=True, text=True, check=False)
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return result, calls


def test_nothing_happens_when_everything_is_installed(tmp_path: Path) -> None:
    everything = " ".join(script_packages("TEX_PACKAGES") | script_packages("CHROMIUM_PACKAGES"))
    result, calls = run_script(tmp_path, "all", installed=everything, uid=1000)
    assert result.returncode == 0, result.stderr
    assert calls == []  # 连 apt-get update 也不运行


def test_root_installs_only_what_is_missing(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "chromium", installed="fonts-noto-cjk")
    assert result.returncode == 0, result.stderr
    assert calls == ["apt-get update -qq", "apt-get install -y -qq --no-install-recommends chromium"]


def test_non_root_uses_passwordless_sudo(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "tex", uid=1000, sudo="ok")
    assert result.returncode == 0, result.stderr
    assert calls[0] == "sudo apt-get update -qq"
    assert calls[1].startswith("sudo apt-get install -y -qq --no-install-recommends ")
    assert set(calls[1].split()[6:]) == script_packages("TEX_PACKAGES")


def test_non_root_without_sudo_explains_and_fails(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "tex", installed="fonts-noto-cjk", uid=1000, sudo="no")
    assert result.returncode == 1
    assert calls == []
    assert "不是 root，也没有免密码的 sudo" in result.stderr
    assert "sudo apt-get install --no-install-recommends" in result.stderr
    assert "texlive-xetex" in result.stderr
    assert "fonts-noto-cjk" not in result.stderr  # 已经装上的不列


def test_existing_browser_needs_only_the_fonts(tmp_path: Path) -> None:
    browser = tmp_path / "chrome"
    browser.write_text("#!/bin/sh\n", encoding="utf-8")
    browser.chmod(0o755)
    result, calls = run_script(tmp_path, "chromium", RNN_BOOK_CHROMIUM=str(browser))
    assert result.returncode == 0, result.stderr
    assert calls[-1] == "apt-get install -y -qq --no-install-recommends fonts-noto-cjk"


def test_unknown_target_is_a_usage_error(tmp_path: Path) -> None:
    result, calls = run_script(tmp_path, "firefox")
    assert result.returncode == 2
    assert "用法" in result.stderr
    assert calls == []
