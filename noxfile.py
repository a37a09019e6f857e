"""本书的 nox 会话：构建网站、运行测试与 doctest、检查代码风格。

除 ``lint`` 外，所有会话共用一个虚拟环境 ``.nox/book``：torch 与 Sphinx 全家
约 1.6 GB，每个会话各装一份既慢又占空间。这个环境从锁定文件
``requirements/lock.txt`` 安装（每个包精确到版本，``torch==2.13.0`` 为 CPU 构建），
并在环境里记下锁定文件的哈希：锁定文件不变就不再调用 pip，第二次运行直接开始工作。
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
BOOK_ENV = ROOT / ".nox" / "book"
LOCK = ROOT / "requirements" / "lock.txt"
REQUIREMENTS = ROOT / "requirements" / "book.in"
DOCS_OUT = ROOT / "docs" / "_build" / "html"
SPHINX_FLAGS = ["-W", "-n", "--keep-going"]
CHROMIUM = Path(os.environ.get("RNN_BOOK_CHROMIUM", "/usr/bin/chromium"))

nox.options.sessions = ["tests"]
nox.options.reuse_venv = "yes"


def _install_stamp() -> str:
    """锁定文件、直接依赖与 pyproject.toml 的内容哈希：任一改变都要重新安装。"""
    digest = hashlib.sha256()
    for path in (LOCK, REQUIREMENTS, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def book_env(session: nox.Session) -> dict[str, str]:
    """准备共用环境 ``.nox/book``，返回在其中运行命令所需的环境变量。"""
    bin_dir = BOOK_ENV / "bin"
    stamp_file = BOOK_ENV / "installed-from.sha256"
    stamp = _install_stamp()
    if not (bin_dir / "python").exists():
        session.run(sys.executable, "-m", "venv", str(BOOK_ENV), external=True)
    if not stamp_file.exists() or stamp_file.read_text() != stamp:
        pip = [str(bin_dir / "python"), "-m", "pip", "install", "--quiet"]
        session.run(*pip, "-r", str(REQUIREMENTS), "-c", str(LOCK), external=True)
        # 本项目以可编辑方式安装（依赖已由上一步按锁定版本装好）
        session.run(*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT), external=True)
        stamp_file.write_text(stamp)
    else:
        session.log(f"{BOOK_ENV} 已与 {LOCK.name} 一致，跳过安装")
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIRTUAL_ENV": str(BOOK_ENV),
        # torch 只用 1 个线程：本书的张量都很小，2 核机器上多线程的 OpenMP 忙等在有负载时慢 10–20 倍
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
    }


def run_in_book_env(session: nox.Session, env: dict[str, str], *args: str) -> None:
    session.run(str(BOOK_ENV / "bin" / "python"), *args, env=env, external=True)


def build_site(session: nox.Session, env: dict[str, str], *extra: str) -> None:
    """``sphinx-build -W -n --keep-going -b html docs docs/_build/html``：docs 与 tests 会话共用。"""
    run_in_book_env(session, env, "-m", "sphinx", *SPHINX_FLAGS, "-b", "html", "docs", str(DOCS_OUT), *extra)


def ensure_chromium(session: nox.Session) -> None:
    """浏览器测试用 Debian 的 Chromium 与中文字体；缺了且能 apt-get（root）就装上，否则说明后停止。"""
    if CHROMIUM.is_file():
        return
    apt_get = shutil.which("apt-get")
    if apt_get and hasattr(os, "geteuid") and os.geteuid() == 0:
        apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run(apt_get, "update", "-qq", external=True, env=apt_env)
        session.run(apt_get, "install", "-y", "-qq", "chromium", "fonts-noto-cjk", external=True, env=apt_env)
    if not CHROMIUM.is_file():
        session.error(
            f"浏览器测试需要 {CHROMIUM}：请先安装 Debian/Ubuntu 的 chromium 与 fonts-noto-cjk"
            "（sudo apt-get install chromium fonts-noto-cjk），"
            "或用环境变量 RNN_BOOK_CHROMIUM 指向一个 Chromium 可执行文件。"
        )


@nox.session(venv_backend="none")
def tests(session: nox.Session) -> None:
    """先把书构建到 docs/_build/html，再运行全部 pytest：单元测试、doctest 与浏览器测试。

    浏览器测试（标记 ``browser``）在无头 Chromium 里检查刚构建的网站；
    只跑它们：``nox -s tests -- -m browser``，跳过它们：``nox -s tests -- -m "not browser"``。
    """
    env = book_env(session)
    if "not browser" not in " ".join(session.posargs):
        ensure_chromium(session)
    build_site(session, env)
    env = env | {"RNN_BOOK_HTML": str(DOCS_OUT), "RNN_BOOK_CHROMIUM": str(CHROMIUM)}
    run_in_book_env(session, env, "-m", "pytest", *session.posargs)


@nox.session(venv_backend="none", default=False)
def doctest(session: nox.Session) -> None:
    """只运行 doctest：包的文档字符串与 docs/ 页面里的 {doctest} 块。"""
    env = book_env(session)
    run_in_book_env(session, env, "-m", "pytest", "rnn_examples", "docs", *session.posargs)


@nox.session(venv_backend="none", default=False)
def docs(session: nox.Session) -> None:
    """构建 HTML 版的书到 docs/_build/html（零警告，执行全部代码单元）。"""
    env = book_env(session)
    build_site(session, env, *session.posargs)


@nox.session(venv_backend="none", default=False)
def images(session: nox.Session) -> None:
    """重新生成书中的结构图 images/RNN1.png 与 images/RNN2.png（逐字节稳定）。"""
    env = book_env(session)
    run_in_book_env(session, env, "-m", "rnn_examples.diagrams", str(ROOT / "images"))


@nox.session(name="docs-live", venv_backend="none", default=False)
def docs_live(session: nox.Session) -> None:
    """本地预览：改动源文件后自动重建并刷新浏览器（不监视构建输出）。"""
    env = book_env(session)
    run_in_book_env(
        session,
        env,
        "-m",
        "sphinx_autobuild",
        "docs",
        str(DOCS_OUT),
        "--watch",
        "rnn_examples",
        "--ignore",
        "*/_build/*",
        "--ignore",
        "*/.jupyter_cache/*",
        "--ignore",
        "*.ipynb",
        *session.posargs,
    )


@nox.session(venv_backend="none", default=False)
def bench(session: nox.Session) -> None:
    """测量构建性能（地板、冷构建、空重建、增量、并行），报告写到 docs/_build/bench/report.md。"""
    env = book_env(session)
    flags = [f"--sphinx-flag={flag}" for flag in SPHINX_FLAGS]
    run_in_book_env(session, env, "-m", "benchmarks", f"--nox-python={sys.executable}", *flags, *session.posargs)


@nox.session(default=False)
def lint(session: nox.Session) -> None:
    """ruff check 与 ruff format --check。"""
    session.install("ruff", "-c", str(LOCK))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
