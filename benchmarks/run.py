"""``nox -s bench`` 的主程序：测量本书在这台机器上的构建时间，写出 report.md 与 report.json。

书先复制一份到 ``docs/_build/bench/work/src``，之后的每次构建与测试都在副本里用副本自己的
noxfile 运行（``nox -R -s docs``、``nox -R -s tests``，环境在 ``docs/_build/bench/nox``，
可编辑安装指向副本）：真正的源文件与 ``docs/_build/html`` 都不会被碰到。测量的项目：

- 地板：每页的代码单元拼成一个普通 Python 脚本，一页一个进程（每页照样付一次 torch 导入）；
- 冷构建（删掉副本的 ``docs/_build``）、空重建、改一句话、改一个代码单元；
- 读者一侧：Lighthouse 逐页测量副本构建好的网站（手机与桌面，见 :mod:`benchmarks.reader`）与网站大小；
- ``nox -R -s tests``：构建已是最新，运行全部测试（含浏览器测试）。

“改一句话不重新执行、改代码只重新执行那一页”由 ``tests/test_bench.py`` 在一本两页的小书上检查；
这里只量时间，并把重新执行了哪些页写进报告。
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks import book, reader, report

ROOT = Path(__file__).resolve().parent.parent
# 副本不复制的东西：版本库、虚拟环境、构建输出与各种缓存
SNAPSHOT_IGNORE = shutil.ignore_patterns(
    ".git", ".nox", "_build", "jupyter_execute", "node_modules", "__pycache__", "*_cache", "*.egg-info"
)
STEPS = ("floor", "cold", "noop", "text", "code", "reader", "tests")


class BenchError(RuntimeError):
    """某个被测命令失败了（日志路径写在消息里）。"""


class Sample(NamedTuple):
    """一次计时：墙钟秒数、子进程树（含内核）用掉的 CPU 秒数、输出与退出码。"""

    wall: float
    cpu: float
    log: str
    returncode: int


class Bench:
    """一次基准运行：副本、日志与计时。"""

    def __init__(self, out: Path, runs: int, nox_python: str) -> None:
        self.out, self.runs, self.nox_python = out.resolve(), runs, nox_python
        self.src = self.out / "work" / "src"
        self.docs = self.src / "docs"
        self.logs = self.out / "logs"
        self.loads: list[float] = []

    def prepare(self) -> dict[str, Path]:
        """复制书的副本，装好（或核对）副本的 docs 与 tests 环境；返回会执行的页面（文档名 -> 路径）。"""
        shutil.rmtree(self.out / "work", ignore_errors=True)
        shutil.rmtree(self.logs, ignore_errors=True)
        self.logs.mkdir(parents=True)
        shutil.copytree(ROOT, self.src, ignore=SNAPSHOT_IGNORE, symlinks=True)
        self.nox("install", "docs", "tests", options=("--install-only",))
        pages = {}
        for path in sorted(self.docs.rglob("*.md")):
            hidden = any(part.startswith(("_", ".")) for part in path.relative_to(self.docs).parts)
            if not hidden and book.is_text_notebook(path.read_text(encoding="utf-8")):
                pages[self.docname(path)] = path
        return pages

    def docname(self, path: str | Path) -> str:
        return Path(path).resolve().relative_to(self.docs).with_suffix("").as_posix()

    def run(
        self, name: str, cmd: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True
    ) -> Sample:
        """运行一个命令并计时，输出存到 logs/<name>.log；``check`` 时失败即停。"""
        self.loads.append(os.getloadavg()[0])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        log = self.logs / f"{name}.log"
        log.write_text(proc.stdout, encoding="utf-8")
        print(f"  {name:<32} {wall:7.2f} s" + (f"  退出码 {proc.returncode}" if proc.returncode else ""), flush=True)
        if check and proc.returncode:
            raise BenchError(f"{name} 失败（退出码 {proc.returncode}），日志：{log}")
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return Sample(wall, cpu, proc.stdout, proc.returncode)

    def nox(self, name: str, *sessions: str, options: tuple[str, ...] = ("-R",), check: bool = True) -> Sample:
        """在副本里运行副本 noxfile 的会话（环境目录在副本之外，多次运行之间保留）。"""
        where = ["-f", str(self.src / "noxfile.py"), "--envdir", str(self.out / "nox")]
        cmd = [self.nox_python, "-m", "nox", *where, *options, "-s", *sessions]
        return self.run(name, cmd, self.src, check=check)

    def repeat(self, action: Callable[[int], Sample]) -> dict[str, Any]:
        """``action(i)`` 构建一次；重复 runs 次，汇总时间并记下每次重新执行的页。"""
        samples = [action(i) for i in range(self.runs)]
        executed = [[self.docname(path) for path in book.executed_notebooks(s.log)] for s in samples]
        return report.summarize([s.wall for s in samples], [s.cpu for s in samples]) | {"executed": executed}

    def floor(self, pages: dict[str, Path]) -> tuple[dict[str, Any], dict[str, float]]:
        """每页的代码单元作一个普通 Python 进程，工作目录为页面所在目录（与内核相同）。"""
        env = {"OMP_NUM_THREADS": "1"} | dict(os.environ)
        # 副本的 rnn_examples 与 benchmarks 在前；plt.show() 像 inline 后端那样渲染 PNG
        env |= {"PYTHONPATH": str(self.src), "MPLBACKEND": "module://benchmarks.inline_backend"}
        scripts = {}
        for name, path in pages.items():
            scripts[name] = self.out / "work" / "floor" / f"{name}.py"
            scripts[name].parent.mkdir(parents=True, exist_ok=True)
            cells = book.code_cells(path.read_text(encoding="utf-8"), path=path)
            scripts[name].write_text(book.cells_to_script(cells), encoding="utf-8")
        per_page: dict[str, list[float]] = {name: [] for name in pages}
        totals, cpus = [], []
        for i in range(self.runs):
            runs = [
                self.run(f"floor-{i}-{name.replace('/', '-')}", [sys.executable, str(scripts[name])], path.parent, env)
                for name, path in pages.items()
            ]
            for name, sample in zip(pages, runs, strict=True):
                per_page[name].append(sample.wall)
            totals.append(sum(sample.wall for sample in runs))
            cpus.append(sum(sample.cpu for sample in runs))
        return report.summarize(totals, cpus), {name: report.summarize(v)["median"] for name, v in per_page.items()}

    def cold(self, i: int) -> Sample:
        shutil.rmtree(self.docs / "_build", ignore_errors=True)
        return self.nox(f"cold-{i}", "docs")

    def edit(self, kind: str, path: Path) -> dict[str, Any]:
        """在副本里改一页（每次改动都不同）再构建；最后复原并重建（不计时）。"""
        if not (self.docs / "_build" / "html" / "index.html").is_file():
            self.nox(f"{kind}-prepare", "docs")  # 先有一个最新的构建，才量得出增量
        original = path.read_text(encoding="utf-8")
        edit = book.edit_sentence if kind == "text" else book.edit_code_cell

        def build(i: int) -> Sample:
            path.write_text(edit(original, f"基准测试第 {i + 1} 次改动"), encoding="utf-8")
            return self.nox(f"{kind}-{i}", "docs")

        try:
            return self.repeat(build)
        finally:
            path.write_text(original, encoding="utf-8")
            self.nox(f"{kind}-restore", "docs")

    def reader_speed(self) -> dict[str, Any]:
        """Lighthouse 测副本的网站（先把它构建到最新）；测不了时记下原因，报告照出。"""
        self.nox("reader-build", "docs")
        site = self.docs / "_build" / "html"
        load_before = os.getloadavg()[0]
        try:
            rows = reader.measure(site, runs=self.runs, progress=lambda message: print(message, flush=True))
        except reader.LighthouseUnavailableError as error:
            return {"error": str(error)}
        load = (load_before, os.getloadavg()[0])
        return {"rows": [dataclasses.asdict(row) for row in rows], "site_size": reader.site_size(site), "load": load}

    def execution_seconds(self) -> dict[str, float]:
        """jupyter-cache 里每页的执行时间（myst-nb 写入的 ``execution_seconds``，含内核启动）。"""
        from jupyter_cache import get_cache

        records = get_cache(self.docs / "_build" / ".jupyter_cache").list_cache_records()
        return {self.docname(r.uri): r.data["execution_seconds"] for r in records if "execution_seconds" in r.data}


def machine_info(loads: list[float]) -> dict[str, Any]:
    import torch

    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.is_file() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpu": names[0] if names else platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "load_min": min(loads, default=0.0),
        "load_max": max(loads, default=0.0),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="每项测几次（取中位数），默认 3；tests 只测一次")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "_build" / "bench", help="报告与工作目录")
    parser.add_argument("--page", help="编辑测试用的页面（文档名，如 part1/03-structure）；默认第一个有代码的章节页")
    parser.add_argument("--skip", default="", help=f"跳过的步骤，逗号分隔：{','.join(STEPS)}")
    parser.add_argument("--nox-python", default=sys.executable, help="装有 nox 的 Python（nox 会话传入）")
    args = parser.parse_args(argv)
    unknown = set(filter(None, args.skip.split(","))) - set(STEPS)
    if unknown or args.runs < 1:
        parser.error(f"--skip 应取自 {STEPS}，--runs 应为正整数；实际收到 {sorted(unknown)}、{args.runs}")
    return args


def choose_page(pages: dict[str, Path], wanted: str | None) -> str:
    """编辑测试用的页：指定的页，否则第一个有代码单元的章节页（在子目录里）。"""
    with_code = [name for name, path in pages.items() if book.code_cells(path.read_text(encoding="utf-8"), path)]
    chapters = [name for name in with_code if "/" in name] or with_code
    if wanted not in (None, *with_code) or not chapters:
        raise SystemExit(f"--page 应为有代码单元的页面之一 {with_code}，实际收到 {wanted!r}")
    return wanted or chapters[0]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    steps = [step for step in STEPS if step not in args.skip.split(",")]
    bench = Bench(args.out, args.runs, args.nox_python)
    print(f"副本 {ROOT} -> {bench.src}", flush=True)
    pages = bench.prepare()
    page = choose_page(pages, args.page)
    results: dict[str, Any] = {"config": {"runs": args.runs, "pages": list(pages), "edit_page": page}, "timings": {}}
    timings = results["timings"]
    for step in steps:
        print(f"\n== {step}", flush=True)
        if step == "floor":
            timings["floor"], results["floor_pages"] = bench.floor(pages)
        elif step == "cold":
            timings["cold"] = bench.repeat(bench.cold)
            results["exec_times"] = bench.execution_seconds()
        elif step == "noop":
            bench.nox("noop-warmup", "docs")  # 冷构建后的第一次重建会多写一些文件，不计
            timings["noop"] = bench.repeat(lambda i: bench.nox(f"noop-{i}", "docs"))
        elif step in ("text", "code"):
            timings[step] = bench.edit(step, pages[page])
        elif step == "reader":
            results["reader"] = bench.reader_speed()
        else:
            tests = bench.nox("tests", "tests", check=False)  # 测试失败也照样出报告
            timings["tests"] = report.summarize([tests.wall], [tests.cpu]) | {"returncode": tests.returncode}
    results["machine"] = machine_info(bench.loads)
    text = report.render(results)
    (bench.out / "report.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (bench.out / "report.md").write_text(text, encoding="utf-8")
    print("\n" + text)
    print(f"报告：{bench.out / 'report.md'}（数据 report.json，日志 {bench.logs}/）")
    return 0
