"""把测量结果（report.json 的内容）写成 Markdown 报告。

报告是一列 :class:`Section`：标题、表头、行与几句说明。新的测量加一个返回 ``Section`` 的
函数，放进 :data:`SECTIONS` 即可；没有数据的节返回 ``None``，不出现在报告里。
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Results = dict[str, Any]

# 构建时间的目标（本机 2 核，环境已装好）：(测量, 上限秒数)
TIME_LIMITS = {"cold": 120.0, "noop": 6.0, "text": 8.0, "tests": 180.0}
COLD_OVER_FLOOR = 1.5
# 构建时间表的行：(测量, 说明)
TIMINGS = {
    "floor": "地板：每页的代码单元作一个普通 Python 进程，各页之和",
    "cold": "冷构建 `nox -R -s docs`（空的构建目录与执行缓存）",
    "noop": "空重建 `nox -R -s docs`（什么都没改）",
    "text": "改一句话后重建",
    "code": "改一个代码单元后重建",
    "tests": "`nox -R -s tests`（构建已是最新，全部测试含浏览器）",
}


def summarize(samples: list[float], cpu: list[float] | None = None) -> dict[str, Any]:
    """几次测量（墙钟秒数）的中位数、最小值、最大值与原始数据；给了 ``cpu`` 另记其中位数。"""
    if not samples:
        raise ValueError("samples 应至少有一个测量值，实际收到空列表")
    summary = {
        "median": round(statistics.median(samples), 2),
        "min": round(min(samples), 2),
        "max": round(max(samples), 2),
        "samples": [round(sample, 2) for sample in samples],
    }
    if cpu:
        summary["cpu"] = round(statistics.median(cpu), 2)
    return summary


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


@dataclass
class Section:
    """报告的一节：一张表和表后的说明。"""

    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", "| " + " | ".join(self.headers) + " |"]
        lines.append("|" + " --- |" * len(self.headers))
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join([*lines, "", *self.notes]).rstrip() + "\n"


def _median(results: Results, name: str) -> float | None:
    entry = results["timings"].get(name)
    return entry["median"] if entry else None


def timings(results: Results) -> Section | None:
    rows = []
    for name, label in TIMINGS.items():
        entry = results["timings"].get(name)
        if entry:
            spread = f"{seconds(entry['min'])} – {seconds(entry['max'])}"
            executed, code = entry.get("executed"), entry.get("returncode")
            note = "" if executed is None else f"重新执行的笔记本：{[len(pages) for pages in executed]}"
            note += f"**失败**（退出码 {code}，见 logs/{name}.log）" if code else ""
            rows.append([label, seconds(entry["median"]), spread, seconds(entry.get("cpu")), note])
    notes = ["“CPU”是子进程树（含内核）用掉的 CPU 秒数的中位数，受别的进程干扰比墙钟时间小。"]
    return Section("构建时间", ["测量", "中位数", "范围", "CPU", "说明"], rows, notes) if rows else None


def targets(results: Results) -> Section | None:
    marks = {True: "达到", False: "**未达到**"}
    rows = []
    floor, cold = _median(results, "floor"), _median(results, "cold")
    if floor and cold:
        ok = cold / floor <= COLD_OVER_FLOOR
        rows.append(["冷构建 / 地板", f"{cold / floor:.2f}×", f"≤ {COLD_OVER_FLOOR}×", marks[ok]])
    for name, limit in TIME_LIMITS.items():
        value = _median(results, name)
        if value is not None:
            ok = value <= limit and not results["timings"][name].get("returncode")
            rows.append([TIMINGS[name], seconds(value), f"≤ {limit:.0f} s", marks[ok]])
    for name, expected in (("text", []), ("code", [results["config"]["edit_page"]])):
        entry = results["timings"].get(name)
        if entry:
            ok = all(pages == expected for pages in entry["executed"])
            rows.append([f"{TIMINGS[name]}：重新执行的页", str(entry["executed"][-1]), str(expected), marks[ok]])
    return Section("目标", ["目标", "实测", "上限", ""], rows) if rows else None


def slowest_pages(results: Results) -> Section | None:
    exec_times = results.get("exec_times")
    if not exec_times:
        return None
    floor_pages = results.get("floor_pages", {})
    top = sorted(exec_times.items(), key=lambda item: item[1], reverse=True)[:5]
    rows = [[f"`{page}`", seconds(value), seconds(floor_pages.get(page))] for page, value in top]
    notes = [f"全部 {len(exec_times)} 页执行时间之和：{seconds(sum(exec_times.values()))}。两列之差主要是启动内核。"]
    headers = ["页面", "构建中执行（jupyter-cache 记录，含内核启动）", "地板（普通 Python）"]
    return Section("最慢的 5 页", headers, rows, notes)


def reader_speed(results: Results) -> Section | None:
    measured = results.get("reader")
    if not measured:
        return None
    if "error" in measured:
        return Section("读者一侧（Lighthouse）", ["结果"], [["没有测量"]], [measured["error"]])
    rows = [
        [
            row["page"],
            row["mode"],
            f"{row['performance']:.0f}",
            f"{row['accessibility']:.0f}",
            f"{row['best_practices']:.0f}",
            f"{row['fcp_ms'] / 1000:.1f} s",
            f"{row['lcp_ms'] / 1000:.1f} s",
            f"{row['tbt_ms']:.0f} ms",
            f"{row['transfer_bytes'] / 1024:.0f} KiB",
        ]
        for row in measured["rows"]
    ]
    size, (load_before, load_after) = measured["site_size"], measured["load"]
    low = [
        f"{row['page']}（{row['performance']:.0f}）"
        for row in measured["rows"]
        if row["mode"] == "mobile" and row["performance"] < 90
    ]
    notes = [
        f"Lighthouse 12 的模拟节流，每项为 {results['config']['runs']} 次的中位数；网站由 127.0.0.1 按 gzip 提供。"
        f"测量前后的 1 分钟平均负载 {load_before:.1f} / {load_after:.1f}（负载会压低分数）。",
        f"网站大小：{size['total'] / 2**20:.1f} MiB，{size['files']} 个文件。",
        "手机性能低于 90 的页：" + ("、".join(low) if low else "没有") + "。",
    ]
    headers = ["页面", "模式", "性能", "无障碍", "最佳实践", "FCP", "LCP", "TBT", "传输量"]
    return Section("读者一侧（Lighthouse）", headers, rows, notes)


SECTIONS: list[Callable[[Results], Section | None]] = [timings, targets, slowest_pages, reader_speed]


def render(results: Results) -> str:
    """完整的 Markdown 报告：机器与配置，然后是 :data:`SECTIONS` 的每一节。"""
    machine, config = results["machine"], results["config"]
    intro = [
        "# 构建性能报告",
        "",
        f"{machine['date']}；{machine['cpu']}，{machine['cores']} 核，Python {machine['python']}，"
        f"torch {machine['torch']}。每项测 {config['runs']} 次取中位数；1 分钟平均负载 "
        f"{machine['load_min']:.1f} – {machine['load_max']:.1f}（共享机器上绝对时间有噪声，比值更可比）。",
        f"{len(config['pages'])} 个会执行的页面；编辑测试用 `{config['edit_page']}`。全部构建都在书的副本"
        " `docs/_build/bench/work/src` 上用副本自己的 noxfile 运行，不碰源文件与 `docs/_build/html`。",
        "",
    ]
    sections = [section(results) for section in SECTIONS]
    return "\n".join(intro) + "\n" + "\n".join(section.markdown() for section in sections if section)
