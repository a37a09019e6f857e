"""流水线的“包”一步：随网站发布本书的包，``packages/`` 下的 wheel 与固定版本的依赖清单。

下载的笔记本（见 :mod:`book_site.downloads`）第一次在读者自己的 Python 里运行时，从这里安装
``rnn_examples``。wheel 按源码的内容缓存（源码不变的重建不再构建），地址固定：

- ``packages/rnn_examples-<版本>-py3-none-any.whl``：用 setuptools 从本仓库同一份源码构建。
  构建在临时目录里的副本上进行（仓库里不留 ``build/``，删掉的模块也不会残留在 wheel 里），
  文件权限统一、``SOURCE_DATE_EPOCH`` 固定，同一份源码两次构建得到逐字节相同的 wheel。
- ``packages/requirements.txt``：包的运行依赖（``pyproject.toml`` 的 ``dependencies``）及其全部
  传递依赖，版本取自 ``requirements/lock.txt``（沿着锁定文件里 uv 写下的 “# via” 注释找出闭包）；
  另加书页用来把数值插进正文的 ``myst-nb``，只固定它自己的版本，它的依赖（Jupyter 那一套）
  用读者环境里已有的，不去改动读者的 Jupyter。torch 写成 ``torch==2.13.0``：macOS 与 Windows 上
  PyPI 的就是 CPU 构建；Linux 上从 PyTorch 的 CPU 源取 ``2.13.0+cpu``（版本更高，pip 优先选它）。
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from . import Site

ROOT = Path(__file__).resolve().parents[4]
LOCK = ROOT / "requirements" / "lock.txt"
PACKAGE_DIR = "packages"
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01，zip 格式能表示的最早时刻
# 书页导入、但不是包自身依赖的模块
BOOK_EXTRAS = ("myst-nb",)
_LOCK_LINE = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)\s*(?:#\s*via\s+(.*))?$")


def _project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]


def wheel_name() -> str:
    """wheel 的文件名，例如 ``rnn_examples-0.1.0-py3-none-any.whl``。"""
    project = _project()
    return f"{project['name'].replace('-', '_')}-{project['version']}-py3-none-any.whl"


def build_wheel(target_dir: Path) -> Path:
    """在临时副本里用 setuptools 构建 wheel，放进 ``target_dir``，返回它的路径。"""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        shutil.copytree(
            ROOT / "rnn_examples",
            source / "rnn_examples",
            ignore=shutil.ignore_patterns("__pycache__"),
            copy_function=shutil.copy,  # 副本的修改时间是“现在”：wheel 里的时间戳只由 SOURCE_DATE_EPOCH 决定
        )
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            shutil.copy(ROOT / name, source / name)
        for path in source.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        dist = Path(tmp) / "dist"
        subprocess.run(
            [sys.executable, "-c", "import sys, setuptools.build_meta as b; b.build_wheel(sys.argv[1])", dist],
            cwd=source,
            env=os.environ | {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
            check=True,
            capture_output=True,
        )
        (wheel,) = dist.glob("*.whl")
        target_dir.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheel, target_dir / wheel.name))


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def reader_requirements(lock_text: str) -> str:
    """读者的依赖清单：包的运行依赖在锁定文件里的闭包（精确版本），加上 :data:`BOOK_EXTRAS`。"""
    pins: dict[str, str] = {}
    parents: dict[str, set[str]] = {}
    for line in lock_text.splitlines():
        match = _LOCK_LINE.match(line.strip())
        if match:
            name = _normalize(match[1])
            pins[name] = match[2]
            parents[name] = {_normalize(p.strip()) for p in (match[3] or "").split(",") if p.strip()}
    needed = {_normalize(re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0]) for dep in _project()["dependencies"]}
    missing = needed - pins.keys()
    if missing:
        raise ValueError(f"pyproject.toml 的依赖 {sorted(missing)} 不在 requirements/lock.txt 里")
    while True:  # 闭包：只要有一个 “via” 的父包被需要，这个包就被需要
        grown = {name for name, via in parents.items() if via & needed} | needed
        if grown == needed:
            break
        needed = grown
    # 文件只用 ASCII：pip 读远程的依赖清单时，服务器不给字符集就按 Latin-1 解码，
    # UTF-8 的中文注释会被拆成几行“依赖”而报错
    lines = [
        "# Runtime requirements of rnn_examples, the package of the RNN book,",
        "# pinned to the versions the book was built with.",
        "# Linux: add --extra-index-url https://download.pytorch.org/whl/cpu to get the",
        "# CPU build of torch (2.13.0+cpu) instead of the multi-GB CUDA build from PyPI.",
    ]
    for name in sorted(needed):
        version = pins[name].split("+", 1)[0]  # 2.13.0+cpu -> 2.13.0：各平台通用的写法
        lines.append(f"{name}=={version}")
    lines.append("# The pages use myst_nb.glue; its own dependencies come from your Jupyter environment.")
    lines += [f"{extra}=={pins[_normalize(extra)]}" for extra in BOOK_EXTRAS]
    return "\n".join(lines) + "\n"


def _source_digest() -> str:
    files = [ROOT / name for name in ("pyproject.toml", "README.md", "LICENSE")]
    files += sorted(p for p in (ROOT / "rnn_examples").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def publish_package(site: Site) -> None:
    """把 wheel 与依赖清单写进网站的 ``packages/``（wheel 按源码内容缓存）。"""
    target = site.root / PACKAGE_DIR
    shutil.rmtree(target, ignore_errors=True)
    cached = site.cache / "wheel" / _source_digest()
    if not (cached / wheel_name()).is_file():
        shutil.rmtree(cached.parent, ignore_errors=True)
        try:
            build_wheel(cached)
        except subprocess.CalledProcessError as error:
            site.error(f"构建 rnn_examples 的 wheel 失败：\n{error.stderr.decode(errors='replace')[-2000:]}")
            return
    target.mkdir(parents=True)
    shutil.copy2(cached / wheel_name(), target / wheel_name())
    (target / "requirements.txt").write_text(reader_requirements(LOCK.read_text(encoding="utf-8")), encoding="utf-8")
