"""流水线的“包”一步：随网站发布本书的包，``packages/`` 下的 wheel 与固定版本的依赖清单。

下载的笔记本（见 :mod:`book_site.downloads`）第一次在读者自己的 Python 里运行时，从这里安装
``rnn_examples``。地址固定：

- ``packages/rnn_examples-<版本>-py3-none-any.whl``：``python -m build --wheel --no-isolation``，
  构建后端是锁定版本的 hatchling（``pyproject.toml``）：时间戳与文件权限统一，不在源码树里留下
  任何文件，同一份源码两次构建逐字节相同。wheel 按源码的内容缓存在流水线的缓存目录里，源码不变的
  重建不再构建。
- ``packages/requirements.txt``：``requirements/reader.txt`` 的副本，由 ``nox -s lock`` 与锁定文件一起
  生成（包的运行依赖在锁定版本下的闭包，加上书页用来把数值插进正文的 ``myst-nb``）。
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from . import Site

ROOT = Path(__file__).resolve().parents[4]
READER_REQUIREMENTS = ROOT / "requirements" / "reader.txt"
PACKAGE_DIR = "packages"
# wheel 的源码：包目录与 pyproject.toml 里 readme、license 指向的文件
SOURCES = ("pyproject.toml", "README.md", "LICENSE")


def _project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]


def wheel_name() -> str:
    """wheel 的文件名，例如 ``rnn_examples-0.1.0-py3-none-any.whl``。"""
    project = _project()
    return f"{project['name'].replace('-', '_')}-{project['version']}-py3-none-any.whl"


def build_wheel(target_dir: Path) -> Path:
    """``python -m build --wheel --no-isolation``：wheel 放进 ``target_dir``，返回它的路径。"""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp, str(ROOT)],
            check=True,
            capture_output=True,
        )
        (wheel,) = Path(tmp).glob("*.whl")
        target_dir.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheel, target_dir / wheel.name))


def source_digest() -> str:
    """wheel 的源码（包目录里的文件与 :data:`SOURCES`）的校验和：缓存的键。"""
    files = [ROOT / name for name in SOURCES]
    files += sorted(p for p in (ROOT / "rnn_examples").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def publish_package(site: Site) -> None:
    """把 wheel 与依赖清单写进网站的 ``packages/``（见模块说明）。"""
    target = site.root / PACKAGE_DIR
    shutil.rmtree(target, ignore_errors=True)
    cached = site.cache / "wheel" / source_digest()
    if not (cached / wheel_name()).is_file():
        shutil.rmtree(cached.parent, ignore_errors=True)
        try:
            build_wheel(cached)
        except subprocess.CalledProcessError as error:
            site.error(f"构建 rnn_examples 的 wheel 失败：\n{error.stderr.decode(errors='replace')[-2000:]}")
            return
    target.mkdir(parents=True)
    shutil.copy2(cached / wheel_name(), target / wheel_name())
    shutil.copyfile(READER_REQUIREMENTS, target / "requirements.txt")
