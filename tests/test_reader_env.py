"""在读者自己的环境里运行本书（标记 ``reader``，由 ``nox -s tests`` 运行）。

1. 本书的 wheel 两次构建逐字节相同。
2. 下载的笔记本：构建一个 ``RNN_BOOK_SITE_URL`` 指向 127.0.0.1 的网站并在那里提供它；新建一个
   只有 ``ipykernel`` 与 ``nbclient`` 的虚拟环境，用它的内核从头执行每个下载的 ``.ipynb``：第一个
   单元从网站安装本书的包与依赖，之后每个单元都成功，输出与书页上的相同（同样的随机种子）。
3. Binder：按 ``binder/requirements.txt`` 建一个新环境，运行 ``binder/postBuild``，用 jupytext
   打开每个书页（``.md``）并执行。

离线的机器上，``--extra-index-url https://download.pytorch.org/whl/cpu`` 连不上：pip 不重试、跳过它，
torch 从机器自己的 pip 源（``PIP_FIND_LINKS``）取。
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from book_site import site as site_pipeline
from book_site.serve import serve
from book_site.site.package import build_wheel, wheel_name

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.reader

# 执行笔记本的小脚本，在被测的虚拟环境里运行：参数是 (笔记本或书页, 输出文件) 对
RUNNER = """
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

args = sys.argv[1:]
for source, target in zip(args[::2], args[1::2]):
    source = Path(source)
    if source.suffix == ".md":
        import jupytext
        notebook = jupytext.read(source)
    else:
        notebook = nbformat.read(source, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(source.parent)}}
    )
    client.execute()
    nbformat.write(notebook, target)
"""

# 与构建时的内核相同：torch 1 个线程（浮点求和的顺序因此相同），matplotlib 用 inline 后端
KERNEL_ENV = {"OMP_NUM_THREADS": "1"}
# 连不上的包源不重试（离线机器上 PyTorch 的 CPU 源）
PIP_ENV = {"PIP_RETRIES": "0", "PIP_TIMEOUT": "10", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
    merged = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "MPLBACKEND"}}
    result = subprocess.run(
        [str(a) for a in args], env=merged | (env or {}), cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"命令失败（{result.returncode}）：{' '.join(map(str, args))}\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )


def fresh_venv(path: Path, *packages: str) -> Path:
    """新的虚拟环境（带 pip），装上 ``packages``；返回它的 python。"""
    run(sys.executable, "-m", "venv", path)
    python = path / "bin" / "python"
    if packages:
        run(python, "-m", "pip", "install", "--quiet", *packages, env=PIP_ENV)
    return python


def execute(python: Path, jobs: list[tuple[Path, Path]], workers: int = 2) -> None:
    """在 ``python`` 的环境里执行 ``jobs``（来源, 输出）：分成 ``workers`` 组并行。"""
    runner = jobs[0][1].parent / "_runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    groups = [jobs[i::workers] for i in range(workers) if jobs[i::workers]]

    def run_group(group: list[tuple[Path, Path]]) -> None:
        run(python, runner, *[str(p) for pair in group for p in pair], env=PIP_ENV | KERNEL_ENV)

    with ThreadPoolExecutor(len(groups)) as pool:
        list(pool.map(run_group, groups))


def comparable_outputs(notebook: nbformat.NotebookNode) -> list[list[tuple[str, str]]]:
    """每个代码单元的文本输出：流输出的文字、结果与显示数据的 ``text/plain``，以及有没有图。

    相邻的同名流输出合成一段（与构建的 ``nb_merge_streams`` 相同）：内核把一次 ``print``
    分成几段发出，取决于机器忙不忙。
    """
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs: list[tuple[str, str]] = []
        for output in cell.outputs:
            if output.output_type == "stream" and outputs and outputs[-1][0] == output.name:
                outputs[-1] = (output.name, outputs[-1][1] + output.text)
            elif output.output_type == "stream":
                outputs.append((output.name, output.text))
            elif output.output_type in {"execute_result", "display_data"}:
                data = output.get("data", {})
                outputs.append(("text/plain", data.get("text/plain", "")))
                outputs.append(("image", str("image/png" in data)))
            else:
                outputs.append((output.output_type, output.get("ename", "")))
        cells.append(outputs)
    return cells


def test_wheel_is_byte_reproducible(tmp_path: Path) -> None:
    first = build_wheel(tmp_path / "a").read_bytes()
    time.sleep(2.1)  # zip 的时间戳精确到 2 s：隔开两次构建，时间戳若漏进 wheel 就会不同
    second = build_wheel(tmp_path / "b").read_bytes()
    assert first == second, "同一份源码两次构建的 wheel 应逐字节相同"


def test_quickstart_names_the_published_wheel() -> None:
    text = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    assert f"packages/{wheel_name()}" in text, "快速上手页里的安装命令应写当前 wheel 的文件名"


@pytest.fixture
def served_dir(tmp_path: Path):
    """在 127.0.0.1 的空闲端口上提供 ``tmp_path/site``（目录可以稍后才写入）。"""
    site = tmp_path / "site"
    site.mkdir()
    with serve(site) as url:
        yield site, url


def test_downloaded_notebooks_run_in_a_fresh_jupyter(tmp_path: Path, served_dir: tuple[Path, str]) -> None:
    site, url = served_dir
    # 与 nox -s docs 相同的构建，只是站点地址不同；执行缓存共用，笔记本不重新执行
    run(
        sys.executable,
        "-m",
        "sphinx",
        "-q",
        "-j",
        "auto",
        "-b",
        "html",
        ROOT / "docs",
        tmp_path / "sphinx",
        env={"RNN_BOOK_SITE_URL": url},
    )
    assert site_pipeline.build(tmp_path / "sphinx", site, cache=tmp_path / "cache") == []
    downloads = sorted((site / "_sources").rglob("*.ipynb"))
    assert downloads, "网站里没有可下载的 .ipynb"
    python = fresh_venv(tmp_path / "reader", "ipykernel", "nbclient")
    work = tmp_path / "run"
    work.mkdir()
    jobs = [(path, work / f"{i:02d}-{path.stem}.ipynb") for i, path in enumerate(downloads)]
    execute(python, jobs[:1], workers=1)  # 第一个笔记本装上本书的包，其余的直接导入
    execute(python, jobs[1:])
    for source, executed in jobs:
        expected = nbformat.read(source, as_version=4)
        actual = nbformat.read(executed, as_version=4)
        # 第一个单元是下载时加上的安装单元，书页上没有它，输出也不比较
        assert comparable_outputs(actual)[1:] == comparable_outputs(expected)[1:], f"{source.name} 的输出与书页不同"


def test_binder_environment_runs_every_page(tmp_path: Path) -> None:
    env_dir = tmp_path / "binder"
    python = fresh_venv(env_dir)
    run(python, "-m", "pip", "install", "--quiet", "-r", ROOT / "binder" / "requirements.txt", env=PIP_ENV)
    bin_dir = env_dir / "bin"
    run(
        "bash",
        ROOT / "binder" / "postBuild",
        env=PIP_ENV | {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "NB_PYTHON_PREFIX": str(env_dir)},
    )
    overrides = env_dir / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    viewers = json.loads(overrides.read_text(encoding="utf-8"))["@jupyterlab/docmanager-extension:plugin"]
    assert viewers["defaultViewers"]["markdown"] == "Jupytext Notebook"
    pages = sorted(
        p
        for p in (ROOT / "docs").rglob("*.md")
        if "_build" not in p.relative_to(ROOT).parts and "kernelspec:" in p.read_text(encoding="utf-8")[:300]
    )
    assert pages, "docs/ 里没有可执行的书页"
    work = tmp_path / "run"
    work.mkdir()
    execute(python, [(page, work / f"{i:02d}-{page.stem}.ipynb") for i, page in enumerate(pages)])
    for i, page in enumerate(pages):
        notebook = nbformat.read(work / f"{i:02d}-{page.stem}.ipynb", as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert code, f"{page.name} 没有代码单元"
        assert all(c.get("execution_count") for c in code), f"{page.name} 没有执行每个代码单元"
