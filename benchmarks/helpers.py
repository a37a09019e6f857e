"""基准测试用到的纯函数：不运行构建、不计时，由 ``tests/test_bench.py`` 直接测试。

- 从 MyST 文本笔记本取出代码单元，拼成一个普通 Python 脚本（“地板时间”就是运行这些脚本的时间）；
- 造“改一句话”“改一个代码单元”的页面文本（只用于临时副本，从不改真正的源文件）；
- 解析 Sphinx 日志：哪些笔记本被执行了、重新读了几篇文档、有没有 jupyter-cache 的建表竞争；
- 统计（中位数）、目标检查与 Markdown 报告。
"""

from __future__ import annotations

import re
import statistics
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

# 目标（issue 6，本机 2 核）：名称 -> 上限秒数
TARGET_COLD_SECONDS = 120.0
TARGET_COLD_OVER_FLOOR = 1.5
TARGET_NOOP_SECONDS = 6.0
TARGET_TEXT_EDIT_SECONDS = 8.0
TARGET_TESTS_SECONDS = 240.0

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_EXECUTING = re.compile(r"^(?P<path>\S.*?): Executing notebook", re.MULTILINE)
_UPDATING = re.compile(r"updating environment: (?:\[[^\]]*\] )?(\d+) added, (\d+) changed, (\d+) removed")
_RACE = re.compile(r"table \w+ already exists")


# -- 代码单元 ------------------------------------------------------------------
def is_text_notebook(text: str) -> bool:
    """页面是不是 MyST 文本笔记本（头信息里有 ``file_format: mystnb``，会在构建时执行）。"""
    from myst_nb.core.read import is_myst_markdown_notebook

    return is_myst_markdown_notebook(text)


def code_cells(text: str, path: Path | None = None) -> list[str]:
    """按 myst-nb 自己的读法取出页面的全部代码单元（与构建时内核执行的单元完全相同）。"""
    from myst_nb.core.read import read_myst_markdown_notebook

    notebook = read_myst_markdown_notebook(text, path=path)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def cells_to_script(cells: list[str]) -> str:
    """把代码单元依次拼成一个普通 Python 脚本。

    普通 Python 不认识 IPython 的魔法命令（以 ``%`` 或 ``!`` 开头的行），把它们改成注释；
    单元最后一个表达式在内核里会显示出来，在脚本里只计算不显示，计算量相同。
    """
    parts = []
    for index, source in enumerate(cells, start=1):
        lines = [
            f"# (IPython) {line}" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
        ]
        parts.append(f"# %% 代码单元 {index}\n" + "\n".join(lines))
    return "\n\n".join(parts) + "\n"


# -- 编辑副本 ------------------------------------------------------------------
def _blocks(lines: list[str]) -> list[tuple[int, int, str]]:
    """顶层围栏块（```、~~~、:::）与 ``$$`` 公式块的范围：(起始行, 结束行, 信息串)，含两端。"""
    blocks = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match:
            fence = match["fence"]
            end = index + 1
            while end < len(lines):
                closing = _FENCE.match(lines[end])
                same = closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence)
                if same and not closing["info"].strip():
                    break
                end += 1
            blocks.append((index, min(end, len(lines) - 1), match["info"].strip()))
            index = end + 1
        elif lines[index].strip().startswith("$$") and lines[index].strip().count("$$") == 1:
            end = index + 1
            while end < len(lines) and "$$" not in lines[end]:
                end += 1
            blocks.append((index, min(end, len(lines) - 1), "$$"))
            index = end + 1
        else:
            index += 1
    return blocks


def _front_matter_end(lines: list[str]) -> int:
    """头信息（首行 ``---`` 到下一个 ``---``）最后一行的行号；没有头信息时为 -1。"""
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                return index
    return -1


def edit_sentence(text: str, marker: str) -> str:
    """在第一句正文（围栏块、公式块与头信息之外、以汉字开头并以“。”结尾的行）后面加一句话。

    只改文字，不动代码单元：jupyter-cache 只按代码单元算哈希，所以这一页不应重新执行。
    """
    lines = text.split("\n")
    skipped = {i for start, end, _ in _blocks(lines) for i in range(start, end + 1)}
    skipped.update(range(_front_matter_end(lines) + 1))
    for index, line in enumerate(lines):
        stripped = line.strip()
        if index not in skipped and _CJK.match(stripped) and stripped.endswith("。"):
            lines[index] = f"{line}{marker}。"
            return "\n".join(lines)
    raise ValueError("页面里应有一行以汉字开头、以“。”结尾的正文，实际没有找到")


def edit_code_cell(text: str, marker: str) -> str:
    """在第一个 ``{code-cell}`` 的最后加一行注释：单元源码变了，这一页（且只有这一页）要重新执行。"""
    lines = text.split("\n")
    for _start, end, info in _blocks(lines):
        if info.startswith("{code-cell}"):
            lines.insert(end, f"# {marker}")
            return "\n".join(lines)
    raise ValueError("页面里应至少有一个 {code-cell} 代码单元，实际没有找到")


# -- Sphinx 日志 ---------------------------------------------------------------
def executed_notebooks(log: str) -> list[str]:
    """日志里被执行（而不是从缓存取出）的笔记本路径，按出现顺序。"""
    return [match["path"] for match in _EXECUTING.finditer(log)]


def updated_documents(log: str) -> int:
    """Sphinx 这次重新读入的文档数（新增 + 改动 + 删除）；日志里没有这一行时为 0。"""
    match = _UPDATING.search(log)
    return sum(int(group) for group in match.groups()) if match else 0


def has_cache_race(log: str) -> bool:
    """日志里有没有 jupyter-cache 并发建表失败（“table ... already exists”）。"""
    return bool(_RACE.search(log))


# -- 页面重量 ------------------------------------------------------------------
class _AssetParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = None
        if tag in {"script", "img"}:
            url = values.get("src")
        elif tag == "link" and {"stylesheet", "icon", "preload"} & set((values.get("rel") or "").split()):
            url = values.get("href")
        if url and not re.match(r"^([a-z]+:|//|#)", url):
            self.assets.append(url.split("?")[0].split("#")[0])


def local_assets(html: str) -> list[str]:
    """HTML 页面引用的本地资源（脚本、样式表、图标、图片）的相对地址，去重、保持顺序。"""
    parser = _AssetParser()
    parser.feed(html)
    return list(dict.fromkeys(parser.assets))


# -- 统计与报告 ----------------------------------------------------------------
def summarize(samples: list[float], cpu: list[float] | None = None) -> dict[str, Any]:
    """几次测量（墙钟秒数）的中位数、最小值、最大值与原始数据，保留两位小数。

    给了 ``cpu``（同几次测量里子进程用掉的 CPU 秒数）时，另记它的中位数 ``cpu``。
    """
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


def format_seconds(seconds: float | None) -> str:
    """``12.3 s``；没有数据时为 ``—``。"""
    return "—" if seconds is None else f"{seconds:.1f} s"


def format_bytes(size: int) -> str:
    """``12.3 KB``（1 KB = 1000 字节）。"""
    return f"{size / 1000:.1f} KB" if size < 1_000_000 else f"{size / 1_000_000:.2f} MB"


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """一张 Markdown 表格。"""
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _median(results: dict[str, Any], key: str) -> float | None:
    entry = results.get(key)
    return entry["total"]["median"] if entry else None


def check_targets(results: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """逐条对照 issue 6 的目标：(目标, 实测, 上限, 是否达到)；没测的项为 None。"""
    cold, floor = _median(results, "cold"), _median(results, "floor")
    noop = _median(results, "noop")
    nox = (results.get("nox_overhead") or {}).get("median")
    text = results.get("text_edit")
    tests = results.get("tests")
    checks: list[tuple[str, str, str, bool | None]] = []
    if cold is not None and floor:
        ratio = cold / floor
        checks.append(
            ("冷构建 / 地板", f"{ratio:.2f}×", f"≤ {TARGET_COLD_OVER_FLOOR}×", ratio <= TARGET_COLD_OVER_FLOOR)
        )
    if cold is not None:
        checks.append(("冷构建", format_seconds(cold), f"≤ {TARGET_COLD_SECONDS:.0f} s", cold <= TARGET_COLD_SECONDS))
    if noop is not None:
        total = noop + (nox or 0.0)
        label = "空重建（`nox -R -s docs` 估计 = sphinx + nox 开销）" if nox is not None else "空重建（sphinx-build）"
        checks.append((label, format_seconds(total), f"≤ {TARGET_NOOP_SECONDS:.0f} s", total <= TARGET_NOOP_SECONDS))
    if text:
        seconds, executions = text["total"]["median"], max(len(pages) for pages in text["executed"])
        checks.append(
            (
                "改一句话：重新执行 0 个笔记本，时间",
                f"{executions} 个，{format_seconds(seconds)}",
                f"0 个，≤ {TARGET_TEXT_EDIT_SECONDS:.0f} s",
                executions == 0 and seconds <= TARGET_TEXT_EDIT_SECONDS,
            )
        )
    code = results.get("code_edit")
    if code:
        expected = [code["page"]]
        ok = all(pages == expected for pages in code["executed"])
        checks.append(("改一个代码单元：只重新执行这一页", f"{code['executed'][-1]}", f"[{code['page']!r}]", ok))
    if tests:
        ok = tests["returncode"] == 0 and tests["seconds"] <= TARGET_TESTS_SECONDS
        shown = format_seconds(tests["seconds"]) + (
            "" if tests["returncode"] == 0 else f"（退出码 {tests['returncode']}）"
        )
        checks.append(("`nox -R -s tests`（环境已装好）", shown, f"≤ {TARGET_TESTS_SECONDS / 60:.0f} min", ok))
    return checks


def _row(name: str, entry: dict[str, Any] | None, note: str = "") -> list[str]:
    if not entry or not entry.get("total"):
        return [name, "—", "—", "—", "0", "未测"]
    total = entry["total"]
    spread = f"{format_seconds(total['min'])} – {format_seconds(total['max'])}"
    cpu = format_seconds(total.get("cpu"))
    return [name, format_seconds(total["median"]), spread, cpu, str(len(total["samples"])), note]


def render_report(results: dict[str, Any]) -> str:
    """由测量结果（即 report.json 的内容）生成 Markdown 报告。"""
    machine = results["machine"]
    config = results["config"]
    floor, cold = _median(results, "floor"), _median(results, "cold")
    out = [
        "# 构建性能报告",
        "",
        f"测量时间 {machine['date']}；机器：{machine['cpu']}，{machine['cores']} 核，Python {machine['python']}，"
        f"torch {machine['torch']}（{machine['torch_threads']} 个线程）。",
        f"每项测 {config['runs']} 次，取中位数；测量期间的 1 分钟平均负载 {machine['load_min']:.1f} – "
        f"{machine['load_max']:.1f}。共享的机器上绝对时间有噪声，比值（冷构建 / 地板）更可比。",
        f"Sphinx 参数与 `nox -s docs` 相同：`{' '.join(config['sphinx_flags'])} -b html`；"
        f"共 {len(config['pages'])} 个会执行的页面，编辑测试用的页面是 `{config['edit_page']}`。",
    ]
    if config.get("pages_without_code"):
        out.append(
            f"没有代码单元、却仍按笔记本执行（白启动一次内核）的页面：{', '.join(config['pages_without_code'])}"
            "——去掉头信息里的 `file_format: mystnb` 与 kernelspec，它们就是普通 Markdown 页。"
        )
    out += [
        "",
        "## 结果",
        "",
    ]
    rows = [
        _row("地板：每页代码单元作一个普通 Python 进程", results.get("floor"), "各页之和"),
        _row(
            "冷构建（空的构建目录与执行缓存）",
            results.get("cold"),
            f"冷构建 / 地板 = {cold / floor:.2f}×" if cold is not None and floor else "",
        ),
        _row("空重建（什么都没改，sphinx-build）", results.get("noop")),
        _row("`nox -R -s docs` 自身的开销", _wrap(results.get("nox_overhead")), "nox 启动 + 共用环境检查"),
        _row(
            "改一句话",
            results.get("text_edit"),
            _executions_note(results.get("text_edit")),
        ),
        _row("改一个代码单元", results.get("code_edit"), _executions_note(results.get("code_edit"))),
        _row("并行冷构建 `-j auto`", results.get("parallel"), _parallel_note(results.get("parallel"))),
    ]
    if results.get("parallel") and not results["parallel"].get("total"):
        rows[-1][-1] = _parallel_note(results["parallel"])  # 全部失败时也要写出失败次数
    out += [markdown_table(["测量", "中位数", "范围", "CPU 时间", "次数", "说明"], rows), ""]
    cold_cpu = ((results.get("cold") or {}).get("total") or {}).get("cpu")
    floor_cpu = ((results.get("floor") or {}).get("total") or {}).get("cpu")
    if cold_cpu and floor_cpu:
        out += [
            f"“CPU 时间”是子进程树（含内核）用掉的 CPU 秒数的中位数，受别的进程干扰小；"
            f"按 CPU 时间，冷构建 / 地板 = {cold_cpu / floor_cpu:.2f}×。",
            "",
        ]

    checks = check_targets(results)
    if checks:
        out += ["## 目标", ""]
        marks = {True: "达到", False: "**未达到**", None: "—"}
        out += [markdown_table(["目标", "实测", "上限", ""], [[a, b, c, marks[d]] for a, b, c, d in checks]), ""]

    parts = results.get("floor_parts")
    if parts:
        out += ["## 地板时间由什么组成", "", "各项取几次测量的最小值（固定开销，噪声只会让它变长）。", ""]
        pages = len(config["pages"])
        rows = [
            ["启动 Python 进程", format_seconds(parts["python"]), format_seconds(parts["python"] * pages)],
            [
                "导入 torch、matplotlib 与 rnn_examples",
                format_seconds(parts["imports"]),
                format_seconds(parts["imports"] * pages),
            ],
            [
                "启动并关闭一个 Jupyter 内核（空笔记本，仅构建有）",
                format_seconds(parts["kernel"]),
                format_seconds(parts["kernel"] * pages),
            ],
            [
                "内核里导入同样的包（仅构建有）",
                format_seconds(parts["kernel_imports"]),
                format_seconds(parts["kernel_imports"] * pages),
            ],
        ]
        out += [markdown_table(["部分", "每页", f"× {pages} 页"], rows), ""]
        if floor is not None:
            fixed = (parts["python"] + parts["imports"]) * pages
            share = f"（{fixed / floor:.0%}）" if fixed <= floor else "（测量噪声大于这个差别）"
            out += [
                f"地板 {format_seconds(floor)} 中约 {format_seconds(fixed)}{share}是每页重复的进程启动与导入，"
                "其余是页面代码本身（含把图渲染成 PNG）。构建比地板多出的固定部分主要是每页启动一个 Jupyter 内核："
                f"约 {format_seconds(parts['kernel'] * pages)}。",
                "",
            ]

    exec_times = results.get("exec_times")
    if exec_times:
        out += ["## 每页执行时间（前 5，来自 jupyter-cache 记录的 `execution_seconds`）", ""]
        floor_pages = (results.get("floor") or {}).get("pages", {})
        top = sorted(exec_times.items(), key=lambda item: item[1], reverse=True)[:5]
        rows = [[f"`{page}`", format_seconds(seconds), format_seconds(floor_pages.get(page))] for page, seconds in top]
        out += [markdown_table(["页面", "构建中执行（含内核启动）", "地板（普通 Python）"], rows), ""]
        out += [f"全部 {len(exec_times)} 页执行时间之和：{format_seconds(sum(exec_times.values()))}。", ""]

    weight = results.get("page_weight")
    if weight:
        out += [f"## 页面重量：`{weight['page']}`", ""]
        rows = [[kind, str(count), format_bytes(size)] for kind, (count, size) in weight["by_kind"].items()]
        rows.append(["合计", str(weight["requests"]), format_bytes(weight["total"])])
        out += [markdown_table(["类型", "文件数", "大小"], rows), ""]
        out += [
            f"HTML 本身 {format_bytes(weight['html'])}（gzip 后 {format_bytes(weight['html_gzip'])}）。"
            "只计 HTML 直接引用的本地文件（不含样式表再加载的字体、MathJax 按需加载的组件），未压缩。",
            "",
        ]

    out += [
        "## 复现",
        "",
        "```bash",
        "nox -s bench                 # 全部测量，写出 docs/_build/bench/report.md 与 report.json",
        "nox -s bench -- --runs 1     # 快速看一眼（每项只测一次）",
        "```",
        "",
        "构建在书的临时副本上进行（`docs/_build/bench/work/`），不碰 `docs/_build/html` 与真正的源文件。",
        "",
    ]
    return "\n".join(out)


def _wrap(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"total": entry} if entry else None


def _executions_note(entry: dict[str, Any] | None) -> str:
    if not entry:
        return ""
    counts = [len(pages) for pages in entry["executed"]]
    return f"重新执行的笔记本：{counts}；重新读入的文档：{entry['reread']}"


def _parallel_note(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "未测"
    return f"{entry['succeeded']}/{entry['runs']} 次成功，建表竞争 {entry['races']} 次"
