"""随网站发布的包（book_site.site.package）：读者的依赖清单与锁定文件一致，wheel 按源码内容缓存。"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from book_site.site import Site, package

ROOT = Path(__file__).resolve().parents[1]


def pins(text: str) -> dict[str, str]:
    return {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.M)}


def test_reader_requirements_match_the_lock() -> None:
    """requirements/reader.txt 由 nox -s lock 生成：改了依赖却没重新生成时这里失败。"""
    text = package.READER_REQUIREMENTS.read_text(encoding="ascii")  # pip 按 Latin-1 读远程清单：只用 ASCII
    reader, lock = pins(text), pins((ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8"))
    with open(ROOT / "pyproject.toml", "rb") as file:
        runtime = {
            re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0].lower()
            for dep in tomllib.load(file)["project"]["dependencies"]
        }
    assert runtime | {"myst-nb"} <= reader.keys(), "缺包的运行依赖：运行 nox -s lock"
    assert reader["torch"] == "2.13.0", "torch 写成各平台通用的 2.13.0（Linux 上另从 CPU 源取 +cpu）"
    stale = {
        name: (version, lock.get(name))
        for name, version in reader.items()
        if lock.get(name, "").split("+")[0] != version
    }
    assert not stale, f"与锁定文件不一致（运行 nox -s lock）：{stale}"


def test_package_stage_publishes_the_wheel_and_reuses_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = Site(tmp_path / "site", tmp_path / "cache", log=lambda message: None)
    site.root.mkdir()
    package.publish_package(site)
    assert not site.errors, site.errors
    wheel = site.root / "packages" / package.wheel_name()
    first = wheel.read_bytes()
    assert first.startswith(b"PK")
    assert (site.root / "packages" / "requirements.txt").read_bytes() == package.READER_REQUIREMENTS.read_bytes()

    def no_build(target: Path) -> Path:
        raise AssertionError("源码没变，不应重新构建 wheel")

    monkeypatch.setattr(package, "build_wheel", no_build)
    again = Site(tmp_path / "again", site.cache, log=lambda message: None)
    again.root.mkdir()
    package.publish_package(again)
    assert (again.root / "packages" / package.wheel_name()).read_bytes() == first
