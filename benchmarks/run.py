"""``nox -s bench`` 的主程序：在这台机器上测量本书的构建时间，写出 report.md 与 report.json。

测量的项目（issue 6）：

- 地板：把每页的代码单元拼成一个普通 Python 脚本，一页一个进程地运行（每页照样付一次 torch 导入）；
- 冷构建：空的构建目录与执行缓存，参数与 ``nox -s docs`` 相同；
- 空重建：什么都没改再构建一次；另测 ``nox -R -s docs`` 自身（nox 启动 + 共用环境检查）的开销；
- 改一句话：重新执行的笔记本数（应为 0）与时间；改一个代码单元：应只重新执行这一页；
- 并行冷构建 ``-j auto``：重复几次，看 jupyter-cache 建表竞争是否还会出现；
- 每页执行时间（jupyter-cache 记录的 ``execution_seconds``）与一个章节页的页面重量；
- ``nox -R -s tests`` 的时间。

所有构建都在书的快照副本 ``docs/_build/bench/work/src`` 上进行：源文件只读，``docs/_build/html``
不碰；编辑测试只改副本。快照包含 docs/ 以及它引用的 images/、rnn_examples/ 等目录，
相对路径（``../images``）在副本里照样成立。
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import helpers

ROOT = Path(__file__).resolve().parent.parent
# 与 noxfile.py 的 SPHINX_FLAGS 相同（nox 会话会把它们显式传进来）
DEFAULT_SPHINX_FLAGS = ["-W", "-n", "--keep-going"]
# 快照不复制的东西：版本库、虚拟环境、构建输出与各种缓存
SNAPSHOT_IGNORE = shutil.ignore_patterns(
    ".git",
    ".nox",
    "_build",
    ".jupyter_cache",
    "jupyter_execute",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "*.egg-info",
    ".ipynb_checkpoints",
)
STEPS = ["parts", "floor", "cold", "noop", "text", "code", "parallel", "nox", "tests"]

# 在一个新内核里执行一个单元并计时（与 myst-nb 相同：nbclient 启动内核、执行、关闭；
# 关闭方式与 docs/conf.py 设的相同，立即结束）
KERNEL_TIMER = """
import sys, time
import nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
nb.cells.append(nbformat.v4.new_code_cell(sys.argv[1]))
start = time.perf_counter()
NotebookClient(nb, timeout=180, kernel_name="python3", shutdown_kernel="immediate").execute()
print(time.perf_counter() - start)
"""
IMPORTS = "import torch, matplotlib.pyplot, rnn_examples"


class BenchError(RuntimeError):
    """某个被测命令失败了（日志路径写在消息里）。"""


class Bench:
    """一次基准运行：工作目录、计时与日志。"""

    def __init__(self, args: argparse.Namespace) -> None:
        self.runs: int = args.runs
        self.flags: list[str] = args.sphinx_flag or DEFAULT_SPHINX_FLAGS
        self.nox: list[str] | None = [args.nox_python, "-m", "nox"] if args.nox_python else None
        self.out: Path = args.out.resolve()
        self.work = self.out / "work"
        self.logs = self.out / "logs"
        self.src = self.work / "src"
        self.docs = self.src / "docs"
        # 构建用调用者（nox 会话）的环境，与 ``nox -s docs`` 相同；OMP_NUM_THREADS=1 与 docs/conf.py
        # 给内核的设置相同（调用者已设置时尊重调用者），地板才可比
        extra = dict(item.split("=", 1) for item in args.env)
        self.base_env = {"OMP_NUM_THREADS": "1"} | dict(os.environ) | extra
        # 构建与地板从快照导入 rnn_examples（PYTHONPATH 排在可编辑安装之前）：别人同时改着包时，
        # 快照里的页面与快照里的包仍然配套
        pythonpath = os.pathsep.join(filter(None, [str(self.src), os.environ.get("PYTHONPATH")]))
        self.env = self.base_env | {"PYTHONPATH": pythonpath}
        # 地板脚本：plt.show() 像 inline 后端那样把图渲染成 PNG（见 benchmarks/inline_backend.py）
        self.floor_env = self.env | {"MPLBACKEND": "module://benchmarks.inline_backend"}
        self.loads: list[float] = []
        self.last_cpu = 0.0
        self.python = sys.executable

    # -- 基础设施 ----------------------------------------------------------------
    def prepare(self) -> None:
        """清空工作目录，复制书的快照。"""
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.rmtree(self.logs, ignore_errors=True)
        self.logs.mkdir(parents=True)
        shutil.copytree(ROOT, self.src, ignore=SNAPSHOT_IGNORE, symlinks=True)

    def run(
        self, name: str, cmd: list[str], cwd: Path, *, check: bool = True, env: dict[str, str] | None = None
    ) -> tuple[float, str, int]:
        """运行一个命令并计时；输出存到 logs/<name>.log。"""
        self.loads.append(os.getloadavg()[0])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(
            cmd, cwd=cwd, env=env or self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # 子进程树（含 Sphinx 启动的内核）用掉的 CPU 时间：别的进程抢核时它比墙钟时间稳定得多
        self.last_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        log = self.logs / f"{name}.log"
        log.write_text(proc.stdout, encoding="utf-8")
        status = "" if proc.returncode == 0 else f"  退出码 {proc.returncode}"
        print(f"  {name:<44} {seconds:7.2f} s{status}", flush=True)
        if check and proc.returncode != 0:
            raise BenchError(f"{name} 失败（退出码 {proc.returncode}），日志：{log}")
        return seconds, proc.stdout, proc.returncode

    def sphinx(self, name: str, outdir: Path, *extra: str, check: bool = True) -> tuple[float, str, int]:
        """与 ``nox -s docs`` 相同的 sphinx-build，源是快照里的 docs/。"""
        cmd = [self.python, "-m", "sphinx", *self.flags, "-b", "html", *extra, str(self.docs), str(outdir)]
        return self.run(name, cmd, ROOT, check=check)

    def docname(self, path: str | Path) -> str:
        """快照里的页面路径 -> 文档名（``part1/03-structure``）。"""
        return Path(path).resolve().relative_to(self.docs.resolve()).with_suffix("").as_posix()

    def pages(self) -> dict[str, Path]:
        """快照里会执行的页面（MyST 文本笔记本），文档名 -> 路径。"""
        found = {}
        for path in sorted(self.docs.rglob("*.md")):
            parts = path.relative_to(self.docs).parts
            if any(part.startswith(("_", ".")) for part in parts[:-1]):
                continue
            if helpers.is_text_notebook(path.read_text(encoding="utf-8")):
                found[self.docname(path)] = path
        return found

    def executed(self, log: str) -> list[str]:
        return [self.docname(path) for path in helpers.executed_notebooks(log)]

    # -- 各项测量 ----------------------------------------------------------------
    def floor_parts(self) -> dict[str, float]:
        """地板与构建的组成：Python 启动、导入、空内核、内核里的导入。

        取最小值而不是中位数：这些是固定开销，别的进程抢核只会让它们变长。
        """
        samples: dict[str, list[float]] = {"python": [], "imports": [], "kernel": [], "kernel_imports": []}
        for i in range(self.runs):
            python = self.run(f"parts-python-{i}", [self.python, "-c", "pass"], ROOT, env=self.floor_env)
            samples["python"].append(python[0])
            imports = self.run(f"parts-imports-{i}", [self.python, "-c", IMPORTS], ROOT, env=self.floor_env)
            samples["imports"].append(imports[0])
            # 内核的环境与 docs/conf.py 给内核的相同：不带 MPLBACKEND（ipykernel 自己设 inline 后端）
            kernel_env = {key: value for key, value in self.env.items() if key != "MPLBACKEND"}
            _, out, _ = self.run(f"parts-kernel-{i}", [self.python, "-c", KERNEL_TIMER, "pass"], ROOT, env=kernel_env)
            samples["kernel"].append(float(out.split()[-1]))
            cmd = [self.python, "-c", KERNEL_TIMER, IMPORTS]
            _, out, _ = self.run(f"parts-kernel-imports-{i}", cmd, ROOT, env=kernel_env)
            samples["kernel_imports"].append(float(out.split()[-1]))
        fastest = {key: helpers.summarize(values)["min"] for key, values in samples.items()}
        fastest["kernel_imports"] = round(max(fastest["kernel_imports"] - fastest["kernel"], 0.0), 2)
        return fastest

    def floor(self, pages: dict[str, Path]) -> dict[str, Any]:
        """每页代码单元作一个普通 Python 进程（工作目录为页面所在目录，与内核相同）。"""
        scripts = self.work / "floor"
        per_page: dict[str, list[float]] = {name: [] for name in pages}
        totals, cpus = [], []
        for name, path in pages.items():
            script = scripts / f"{name}.py"
            script.parent.mkdir(parents=True, exist_ok=True)
            cells = helpers.code_cells(path.read_text(encoding="utf-8"), path=path)
            script.write_text(helpers.cells_to_script(cells), encoding="utf-8")
        for i in range(self.runs):
            total = cpu = 0.0
            for name, path in pages.items():
                cmd = [self.python, str(scripts / f"{name}.py")]
                seconds, _, _ = self.run(f"floor-{i}-{name.replace('/', '-')}", cmd, path.parent, env=self.floor_env)
                per_page[name].append(seconds)
                total += seconds
                cpu += self.last_cpu
            print(f"  floor 第 {i + 1} 次合计 {total:.2f} s", flush=True)
            totals.append(total)
            cpus.append(cpu)
        return {
            "total": helpers.summarize(totals, cpus),
            "pages": {name: helpers.summarize(values)["median"] for name, values in per_page.items()},
        }

    def cold(self, outdir: Path) -> tuple[dict[str, Any], dict[str, float]]:
        """冷构建：每次都删掉构建目录、执行缓存与 jupyter_execute。返回结果与每页执行时间的中位数。"""
        totals, cpus, executed = [], [], []
        exec_samples: dict[str, list[float]] = {}
        for i in range(self.runs):
            shutil.rmtree(outdir.parent, ignore_errors=True)
            seconds, log, _ = self.sphinx(f"cold-{i}", outdir)
            totals.append(seconds)
            cpus.append(self.last_cpu)
            executed.append(self.executed(log))
            for name, value in self.execution_seconds(outdir).items():
                exec_samples.setdefault(name, []).append(value)
        exec_times = {name: helpers.summarize(values)["median"] for name, values in exec_samples.items()}
        return {"total": helpers.summarize(totals, cpus), "executed": executed}, exec_times

    def execution_seconds(self, outdir: Path) -> dict[str, float]:
        """jupyter-cache 数据库里每页的执行时间（myst-nb 写入的 ``execution_seconds``，含内核启动）。"""
        from jupyter_cache import get_cache

        cache = get_cache(outdir.parent / ".jupyter_cache")
        return {
            self.docname(record.uri): record.data["execution_seconds"]
            for record in cache.list_cache_records()
            if "execution_seconds" in record.data
        }

    def noop(self, outdir: Path) -> dict[str, Any]:
        """空重建：先不计入地跑一次（冷构建后的第一次），再测 runs 次。"""
        first, _, _ = self.sphinx("noop-first", outdir)
        totals, cpus = [], []
        for i in range(self.runs):
            totals.append(self.sphinx(f"noop-{i}", outdir)[0])
            cpus.append(self.last_cpu)
        return {"total": helpers.summarize(totals, cpus), "first": round(first, 2)}

    def edit(self, kind: str, outdir: Path, page: str, path: Path) -> dict[str, Any]:
        """在快照里改一页（改一句话或改一个代码单元）再构建；每次的改动都不同，最后复原。"""
        original = path.read_text(encoding="utf-8")
        totals, cpus, executed, reread = [], [], [], []
        try:
            for i in range(self.runs):
                if kind == "text":
                    edited = helpers.edit_sentence(original, f"基准测试第 {i + 1} 次改动这句话")
                else:
                    edited = helpers.edit_code_cell(original, f"基准测试第 {i + 1} 次改动这个代码单元")
                path.write_text(edited, encoding="utf-8")
                seconds, log, _ = self.sphinx(f"{kind}-edit-{i}", outdir)
                totals.append(seconds)
                cpus.append(self.last_cpu)
                executed.append(self.executed(log))
                reread.append(helpers.updated_documents(log))
        finally:
            path.write_text(original, encoding="utf-8")
            self.sphinx(f"{kind}-edit-restore", outdir)
        return {"total": helpers.summarize(totals, cpus), "page": page, "executed": executed, "reread": reread}

    def parallel(self, outdir: Path) -> dict[str, Any]:
        """并行冷构建 ``-j auto``，重复 runs 次；失败不中断，记下是否出现建表竞争。"""
        totals, cpus, executed, succeeded, races = [], [], [], 0, 0
        for i in range(self.runs):
            shutil.rmtree(outdir.parent, ignore_errors=True)
            seconds, log, code = self.sphinx(f"parallel-{i}", outdir, "-j", "auto", check=False)
            races += helpers.has_cache_race(log)
            if code == 0:
                succeeded += 1
                totals.append(seconds)
                cpus.append(self.last_cpu)
                executed.append(self.executed(log))
        result: dict[str, Any] = {"runs": self.runs, "succeeded": succeeded, "races": races, "executed": executed}
        result["total"] = helpers.summarize(totals, cpus) if totals else None
        return result

    def nox_overhead(self) -> dict[str, Any]:
        """``nox -R -s docs`` 比直接运行 sphinx 多花的时间（用 ``--version``，不构建、不写 docs/_build）。"""
        assert self.nox is not None
        with_nox = [
            self.run(
                f"nox-docs-version-{i}", [*self.nox, "-R", "-s", "docs", "--", "--version"], ROOT, env=self.base_env
            )[0]
            for i in range(self.runs)
        ]
        bare = [
            self.run(f"sphinx-version-{i}", [self.python, "-m", "sphinx", "--version"], ROOT, env=self.base_env)[0]
            for i in range(self.runs)
        ]
        overhead = [max(a - b, 0.0) for a, b in zip(sorted(with_nox), sorted(bare), strict=True)]
        return helpers.summarize(overhead) | {"nox_docs_version": helpers.summarize(with_nox)["median"]}

    def tests(self) -> dict[str, Any]:
        """``nox -R -s tests`` 一次（环境已装好）。"""
        assert self.nox is not None
        seconds, _, code = self.run("nox-tests", [*self.nox, "-R", "-s", "tests"], ROOT, check=False, env=self.base_env)
        return {"seconds": round(seconds, 2), "returncode": code}

    def page_weight(self, html_dir: Path, page: str) -> dict[str, Any]:
        """一页 HTML 及其引用的本地资源（样式、脚本、图标、图片）的大小。"""
        html_path = html_dir / f"{page}.html"
        html = html_path.read_bytes()
        by_kind: dict[str, list[int]] = {}
        for url in helpers.local_assets(html.decode("utf-8")):
            asset = (html_path.parent / url).resolve()
            if asset.is_file():
                kind = {".css": "样式表", ".js": "脚本"}.get(asset.suffix, "图片与图标")
                count_size = by_kind.setdefault(kind, [0, 0])
                count_size[0] += 1
                count_size[1] += asset.stat().st_size
        total = len(html) + sum(size for _, size in by_kind.values())
        return {
            "page": page,
            "html": len(html),
            "html_gzip": len(gzip.compress(html)),
            "by_kind": {"HTML": [1, len(html)]} | by_kind,
            "requests": 1 + sum(count for count, _ in by_kind.values()),
            "total": total,
        }


def machine_info(loads: list[float], env: dict[str, str]) -> dict[str, Any]:
    import torch

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": env.get("OMP_NUM_THREADS", str(torch.get_num_threads())),
        "load_min": min(loads, default=0.0),
        "load_max": max(loads, default=0.0),
    }


def choose_page(cells: dict[str, int], wanted: str | None) -> str:
    """编辑测试与页面重量用的页：指定的页，否则第一个有代码单元的章节页（在子目录里），再否则第一个有代码的页。"""
    with_code = [name for name, count in cells.items() if count]
    if wanted:
        if wanted not in with_code:
            raise SystemExit(f"--page 应为有代码单元的页面之一 {with_code}，实际收到 {wanted!r}")
        return wanted
    chapters = [name for name in with_code if "/" in name]
    if not with_code:
        raise SystemExit("没有一页有代码单元，无法做“改一个代码单元”的测试")
    return (chapters or with_code)[0]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="每项测几次（取中位数），默认 3")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "_build" / "bench", help="报告与工作目录")
    parser.add_argument("--page", help="编辑测试用的页面（文档名，如 part1/03-structure）")
    parser.add_argument("--skip", default="", help=f"跳过的步骤，逗号分隔：{','.join(STEPS)}")
    parser.add_argument("--sphinx-flag", action="append", help="传给 sphinx-build 的参数（默认 -W -n --keep-going）")
    parser.add_argument("--nox-python", help="装有 nox 的 Python（nox 会话传入）；不给则不测 nox 开销与 tests")
    parser.add_argument("--env", action="append", default=[], help="给构建与地板额外的环境变量 KEY=VALUE")
    args = parser.parse_args(argv)
    unknown = set(filter(None, args.skip.split(","))) - set(STEPS)
    if unknown or args.runs < 1:
        parser.error(f"--skip 应取自 {STEPS}，--runs 应为正整数；实际收到 {sorted(unknown)}、{args.runs}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    bench = Bench(args)
    print(f"快照 {ROOT} -> {bench.src}", flush=True)
    bench.prepare()
    pages = bench.pages()
    if not pages:
        raise SystemExit(f"{bench.docs} 里没有会执行的页面（file_format: mystnb）")
    cells = {name: len(helpers.code_cells(path.read_text(encoding="utf-8"), path=path)) for name, path in pages.items()}
    page = choose_page(cells, args.page)
    results: dict[str, Any] = {
        "config": {
            "runs": bench.runs,
            "sphinx_flags": bench.flags,
            "pages": list(pages),
            # 没有代码单元的笔记本页照样会启动一次内核（myst-nb 的 cache 模式不跳过它们）
            "pages_without_code": [name for name, count in cells.items() if not count],
            "edit_page": page,
            "extra_env": args.env,
        }
    }
    serial = bench.work / "serial" / "html"

    def step(name: str, title: str) -> bool:
        if name in skip:
            return False
        print(f"\n== {title}", flush=True)
        return True

    if step("parts", "地板的组成：Python 启动、导入、内核启动"):
        results["floor_parts"] = bench.floor_parts()
    if step("floor", f"地板：{len(pages)} 页，每页一个普通 Python 进程"):
        results["floor"] = bench.floor(pages)
    if step("cold", "冷构建（串行）"):
        results["cold"], results["exec_times"] = bench.cold(serial)
    if not serial.exists() and {"noop", "text", "code"} - skip:
        print("\n== 准备：构建一次（不计时）", flush=True)
        bench.sphinx("prepare", serial)
    if step("noop", "空重建"):
        results["noop"] = bench.noop(serial)
    if step("text", f"改一句话：{page}"):
        results["text_edit"] = bench.edit("text", serial, page, pages[page])
    if step("code", f"改一个代码单元：{page}"):
        results["code_edit"] = bench.edit("code", serial, page, pages[page])
    if step("parallel", "并行冷构建 -j auto"):
        results["parallel"] = bench.parallel(bench.work / "parallel" / "html")
    if bench.nox and step("nox", "nox -R -s docs 的开销"):
        results["nox_overhead"] = bench.nox_overhead()
    if bench.nox and step("tests", "nox -R -s tests"):
        results["tests"] = bench.tests()

    if serial.exists():
        results["page_weight"] = bench.page_weight(serial, page)
    results["machine"] = machine_info(bench.loads, bench.env)
    report = helpers.render_report(results)
    (bench.out / "report.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (bench.out / "report.md").write_text(report, encoding="utf-8")
    print("\n" + report)
    print(f"报告：{bench.out / 'report.md'}（数据 {bench.out / 'report.json'}，日志 {bench.logs}/）")
    return 0
