"""本书的 nox 会话：构建网站与 PDF、运行测试、检查代码、更新锁定文件。

每个会话一个由 nox 管理的虚拟环境（``.nox/<会话名>``，Python 3.11），用 uv 按锁定文件
``requirements/lock.txt`` 安装；没有 uv 的机器退回 virtualenv + pip。uv 把包缓存起来并以硬链接
装进环境，第二个会话的环境只需几秒；环境已与锁定文件一致时 uv 只核对（“Audited”），什么也不装。

torch 锁定为 ``2.13.0+cpu``，只有 PyTorch 的 CPU 源里有这个版本：uv 不读 pip 的配置，所以本机
pip 的源（``PIP_FIND_LINKS`` 等）在对应的 ``UV_*`` 变量未设置时转交给 uv；一个源也没有配置时
加上 PyTorch 的 CPU 源。
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.sessions = ["tests"]
nox.options.reuse_venv = "yes"
nox.options.default_venv_backend = "uv|virtualenv"

ROOT = Path(__file__).parent
PYTHON = "3.11"  # 锁定文件是在 Python 3.11 上解析的，只对它有效
LOCK = ROOT / "requirements" / "lock.txt"
REQUIREMENTS = ROOT / "requirements" / "book.in"
# 读者的依赖清单（随网站发布，下载的笔记本从它安装）：nox -s lock 由 pyproject.toml 与锁定文件生成
READER_REQUIREMENTS = ROOT / "requirements" / "reader.txt"
# 书页导入、但不是包自身依赖的模块：只固定它自己的版本，它的依赖（Jupyter 那一套）用读者环境里已有的
READER_EXTRAS = ("myst-nb",)
DOCS_OUT = ROOT / "docs" / "_build" / "html"  # 发布的网站：构建后的流水线 book_site.site 做出
SPHINX_OUT = ROOT / "docs" / "_build" / "sphinx"  # Sphinx 写出的页面（流水线的输入，下次增量构建也用它）
DOCTREES = ROOT / "docs" / "_build" / "doctrees"  # 不放进网站目录：发布的网站里不该有 Sphinx 的内部文件
SPHINX_FLAGS = ["-W", "-n", "--keep-going"]
# nox -s unit 不运行的测试：要构建好的网站、浏览器、新虚拟环境或 PDF 的（nox -s tests 运行全部）
UNIT_MARKERS = "not site and not browser and not reader and not pdf"
CHROMIUM = Path(os.environ.get("RNN_BOOK_CHROMIUM", "/usr/bin/chromium"))
LATEX_OUT = ROOT / "docs" / "_build" / "latex"
PDF = LATEX_OUT / "rnn-book.pdf"
# 系统包（Chromium、TeX Live、字体）只列在 tools/system-deps.sh：这里、.ci/run 与两个工作流都调用它
SYSTEM_DEPS = ROOT / "tools" / "system-deps.sh"
# 装好之后 PDF 版要找得到的程序、LaTeX 宏包与字体
TEX_TOOLS = ("xelatex", "latexmk", "kpsewhich", "fc-list", "pdfinfo", "pdffonts", "pdftotext", "pdfimages")
TEX_FILES = ("xeCJK.sty", "unicode-math.sty", "titlesec.sty", "tabulary.sty", "newunicodechar.sty")
TEX_FONTS = (
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "Noto Sans Mono CJK SC",
    "AR PL KaitiM GB",
    "TeX Gyre Termes",
    "TeX Gyre Heros",
    "TeX Gyre Termes Math",
    "DejaVu Sans Mono",
)
TORCH_CPU_LINKS = "https://download.pytorch.org/whl/cpu/torch/"
# pip 的源 -> uv 的同义变量（都是以空格分隔的列表）
PIP_TO_UV = {
    "PIP_FIND_LINKS": "UV_FIND_LINKS",
    "PIP_EXTRA_INDEX_URL": "UV_EXTRA_INDEX_URL",
    "PIP_INDEX_URL": "UV_INDEX_URL",
}

book_session = nox.session(python=PYTHON, download_python="never")


def package_sources() -> tuple[dict[str, str], list[str]]:
    """安装时要加的环境变量与参数：把 pip 的源转交给 uv；一个源也没有时用 PyTorch 的 CPU 源找 torch。"""
    env = {uv: os.environ[pip] for pip, uv in PIP_TO_UV.items() if os.environ.get(pip) and not os.environ.get(uv)}
    configured = any(os.environ.get(name) for name in (*PIP_TO_UV, *PIP_TO_UV.values()))
    return env, ([] if configured else ["--find-links", TORCH_CPU_LINKS])


def install_book(session: nox.Session) -> None:
    """按锁定文件装好全部依赖，再以可编辑方式装上本项目；确认 torch 是 CPU 构建。"""
    env, args = package_sources()
    try:
        # --compile：装包时就编译字节码（pip 的默认，uv 要明说），之后每次导入都不必再编译
        session.install("--compile", "-r", str(LOCK), *args, env=env)
    except nox.command.CommandFailed:
        session.error(
            "按 requirements/lock.txt 安装失败。若缺的是 torch==2.13.0+cpu：它只在 PyTorch 的 CPU 源里，"
            f"请用 PIP_FIND_LINKS/UV_FIND_LINKS 指向含它的目录或 {TORCH_CPU_LINKS}，"
            "或用 UV_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu。"
        )
    session.install("--no-deps", "-e", str(ROOT), env=env)
    session.run("python", "-c", _CPU_TORCH_CHECK, silent=True)
    session.env["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", "1")  # 小张量：多线程只有忙等开销


# CUDA 构建的 torch 依赖 nvidia-* 包（数 GB）；CPU 构建没有这些依赖。只读元数据，不导入 torch。
_CPU_TORCH_CHECK = """
import sys
from importlib.metadata import requires, version
cuda = [r for r in requires("torch") or [] if r.startswith("nvidia")]
if cuda:
    sys.exit(f"装上的 torch {version('torch')} 是 CUDA 构建（依赖 {cuda[0]} 等），本书要 CPU 构建 2.13.0+cpu")
"""


def build_site(session: nox.Session, *extra: str) -> None:
    """``sphinx-build -W -n --keep-going -j auto -b html -d docs/_build/doctrees docs docs/_build/sphinx``，
    再由构建后的流水线 ``python -m book_site.site docs/_build/sphinx docs/_build/html`` 做出网站。

    docs 与 tests 共用。``-j auto``：各页的笔记本在并行的读取进程里执行，2 核机器上冷构建快约 20%，
    页面逐字节相同。PDF 已经构建好（``nox -s pdf``）时流水线把它复制进网站并在页眉链接它。
    """
    flags = [*SPHINX_FLAGS, "-j", "auto", "-d", str(DOCTREES)]
    session.run("python", "-m", "sphinx", *flags, "-b", "html", "docs", str(SPHINX_OUT), *extra)
    session.run(*SITE_PIPELINE, str(SPHINX_OUT), str(DOCS_OUT), "--pdf", str(PDF), env=SITE_ENV)


# 构建后的流水线（docs/_ext/book_site/site）：在书的环境里运行，docs/_ext 在导入路径上
SITE_PIPELINE = ("python", "-m", "book_site.site")
SITE_ENV = {"PYTHONPATH": str(ROOT / "docs" / "_ext")}


def install_system_packages(session: nox.Session, target: str) -> None:
    """用 ``tools/system-deps.sh <target>`` 装上缺的 Debian 包（root 或免密码 sudo；否则它说明后失败）。"""
    try:
        session.run_install("bash", str(SYSTEM_DEPS), target, external=True)
    except nox.command.CommandFailed:
        session.error(f"没能装上 {target} 要的系统包，原因见上面 tools/system-deps.sh 的输出")


def ensure_chromium(session: nox.Session) -> None:
    """浏览器测试用 Chromium 与中文字体；缺了就用 tools/system-deps.sh 装上，装不上就说明后停止。"""
    if CHROMIUM.is_file() and _has_font("Noto Sans CJK SC"):
        return
    install_system_packages(session, "chromium")
    if not CHROMIUM.is_file():
        session.error(
            f"浏览器测试需要 {CHROMIUM}：请运行 tools/system-deps.sh chromium，"
            "或用环境变量 RNN_BOOK_CHROMIUM 指向一个 Chromium 可执行文件。"
        )


def _has_font(family: str) -> bool:
    return bool(shutil.which("fc-list")) and subprocess.run(["fc-list", "-q", family]).returncode == 0


def missing_tex() -> list[str]:
    """PDF 版缺的程序、LaTeX 宏包与字体（空列表表示都有）。"""
    missing = [tool for tool in TEX_TOOLS if not shutil.which(tool)]
    if missing:
        return missing
    found = {
        Path(p).name for p in subprocess.run(["kpsewhich", *TEX_FILES], capture_output=True, text=True).stdout.split()
    }
    missing += [name for name in TEX_FILES if name not in found]
    return missing + [font for font in TEX_FONTS if not _has_font(font)]


def ensure_tex(session: nox.Session) -> None:
    """PDF 版用 TeX Live 与字体；缺了就用 tools/system-deps.sh 装上，装不上就说明后停止。"""
    if not missing_tex():
        return
    install_system_packages(session, "tex")
    if missing := missing_tex():
        session.error(f"PDF 版缺少 {', '.join(missing)}：请运行 tools/system-deps.sh tex")


def build_pdf(session: nox.Session) -> None:
    """Sphinx 的 LaTeX 构建器（与网站共用执行缓存）+ latexmk/xelatex → docs/_build/latex/rnn-book.pdf。

    LaTeX 出错时显示日志里的错误段落后停止；成功时报告页数、大小、用时与日志里的问题计数。
    """
    ensure_tex(session)
    start = time.monotonic()
    if (
        session.run("python", "-m", "sphinx", *SPHINX_FLAGS, "-j", "auto", "-b", "latex", "docs", str(LATEX_OUT))
        is None
    ):
        return  # nox --install-only：session.run 什么也没运行，latexmk 也不运行
    sphinx_seconds = time.monotonic() - start
    latexmk = [
        "latexmk",
        "-pdf",
        "-dvi-",
        "-ps-",
        "-interaction=nonstopmode",
        "-halt-on-error",
        PDF.with_suffix(".tex").name,
    ]
    result = subprocess.run(latexmk, cwd=LATEX_OUT, capture_output=True, text=True, errors="replace")
    log = (
        PDF.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
        if PDF.with_suffix(".log").is_file()
        else ""
    )
    if result.returncode != 0:
        errors = "\n".join(latex_errors(log)) or result.stdout[-3000:] + result.stderr[-2000:]
        session.error(f"xelatex 失败（完整日志 {PDF.with_suffix('.log')}）：\n{errors}")
    pages = re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True).stdout)
    session.log(
        f"{PDF.relative_to(ROOT)}：{pages.group(1) if pages else '?'} 页，{PDF.stat().st_size / 1e6:.1f} MB；"
        f"Sphinx {sphinx_seconds:.0f} s + xelatex {time.monotonic() - start - sphinx_seconds:.0f} s；日志中 "
        f"缺字 {log.count('Missing character')}、未定义的引用 {len(re.findall(r'Reference .* undefined', log))}、"
        f"过宽的行 {len(re.findall(r'^Overfull .hbox', log, re.M))}"
    )


def latex_errors(log: str) -> list[str]:
    """LaTeX 日志里每个错误（以 “!” 开头的行）及其后到出错行号 “l.N” 为止的几行。"""
    lines = log.splitlines()
    found = []
    for index, line in enumerate(lines):
        if line.startswith("!"):
            block = lines[index : index + 8]
            end = next((i for i, text in enumerate(block) if re.match(r"l\.\d+", text)), len(block) - 1)
            found.extend([*block[: end + 1], ""])
    return found


@book_session
def tests(session: nox.Session) -> None:
    """构建 PDF 与网站，再运行全部测试：单元测试、doctest、PDF 与无头 Chromium 里的浏览器测试。"""
    install_book(session)
    ensure_chromium(session)
    build_pdf(session)  # 先于网站：网站复制这份 PDF 并在页眉链接它，浏览器测试检查这个链接
    build_site(session)
    session.env.update(RNN_BOOK_HTML=str(DOCS_OUT), RNN_BOOK_CHROMIUM=str(CHROMIUM), RNN_BOOK_PDF=str(PDF))
    # --durations：日志末尾列出最慢的测试，说明时间花在哪里
    session.run("python", "-m", "pytest", "--durations=20", *session.posargs)


@book_session
def unit(session: nox.Session) -> None:
    """不构建网站，只运行单元测试与 doctest（快速的开发循环，pytest-xdist 每核一个进程）。"""
    install_book(session)
    # --dist loadgroup：同一文档页的 doctest 块在同一个进程里（docs/conftest.py）
    session.run("python", "-m", "pytest", "-n", "auto", "--dist", "loadgroup", "-m", UNIT_MARKERS, *session.posargs)


@book_session
def docs(session: nox.Session) -> None:
    """构建 HTML 版的书到 docs/_build/html（零警告，执行全部代码单元）。"""
    install_book(session)
    build_site(session, *session.posargs)


@book_session
def pdf(session: nox.Session) -> None:
    """构建 PDF 版的书到 docs/_build/latex/rnn-book.pdf（xelatex，与网站共用执行缓存）。"""
    install_book(session)
    build_pdf(session)


@nox.session(name="docs-live", python=PYTHON, download_python="never", default=False)
def docs_live(session: nox.Session) -> None:
    """本地预览：改动源文件后自动重建并刷新浏览器。"""
    install_book(session)
    ignored = ["*/_build/*", "*/.jupyter_cache/*", "*.ipynb"]
    watch = ["--watch", "rnn_examples", *[arg for pattern in ignored for arg in ("--ignore", pattern)]]
    # sphinx-autobuild 提供 Sphinx 的输出（公式在浏览器里排版）；每次重建后流水线照样做出 docs/_build/html
    pipeline = " ".join(("env", f"PYTHONPATH={SITE_ENV['PYTHONPATH']}", *SITE_PIPELINE, str(SPHINX_OUT), str(DOCS_OUT)))
    session.run(
        "python",
        "-m",
        "sphinx_autobuild",
        "-d",
        str(DOCTREES),
        "docs",
        str(SPHINX_OUT),
        "--post-build",
        pipeline,
        *watch,
        *session.posargs,
    )


@book_session
def images(session: nox.Session) -> None:
    """重新生成 images/ 里的结构图（RNN1、RNN2、BPTT、LSTM、GRU；逐字节稳定）。"""
    install_book(session)
    session.run("python", "-m", "rnn_examples.diagrams", str(ROOT / "images"))


@book_session
def bench(session: nox.Session) -> None:
    """测量构建性能，报告写到 docs/_build/bench/report.md。"""
    install_book(session)
    session.run("python", "-m", "benchmarks", f"--nox-python={sys.executable}", *session.posargs)


@book_session
def lint(session: nox.Session) -> None:
    """ruff check、ruff format --check、mypy（rnn_examples）与 actionlint（GitHub 工作流）。"""
    install_book(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "rnn_examples")
    session.run("actionlint")


@nox.session(venv_backend="none", default=False)
def lock(session: nox.Session) -> None:
    """由 requirements/book.in 重新生成 requirements/lock.txt，再由它生成读者的 requirements/reader.txt。

    两个文件都是 ``uv pip compile``（Python 3.11）的输出：读者的清单是 ``pyproject.toml`` 的运行依赖
    在锁定版本下的闭包（``-c lock.txt``），加上 :data:`READER_EXTRAS`（``--no-deps``，只固定它自己）。
    torch 写成 ``torch==2.13.0``：macOS 与 Windows 上 PyPI 的就是 CPU 构建；Linux 上下载的笔记本
    从 PyTorch 的 CPU 源取 ``2.13.0+cpu``（版本更高，pip 优先选它）。
    """
    env, args = package_sources()
    compile_args = ["--python-version", PYTHON, "--no-header", "--annotation-style", "line", *args]

    def uv_compile(*arguments: str) -> None:
        session.run("uv", "pip", "compile", *arguments, *compile_args, env=env, external=True)

    uv_compile(str(REQUIREMENTS), "-o", str(LOCK), *session.posargs)
    if "--dry-run" in session.posargs:
        return
    runtime, extras = LOCK.with_name(".reader-runtime.txt"), LOCK.with_name(".reader-extras.in")
    extras.write_text("\n".join(READER_EXTRAS) + "\n", encoding="utf-8")
    uv_compile(str(ROOT / "pyproject.toml"), "-c", str(LOCK), "-o", str(runtime))
    uv_compile(str(extras), "-c", str(LOCK), "--no-deps", "-o", str(extras.with_suffix(".txt")))
    # 文件只用 ASCII：pip 读远程的依赖清单时，服务器不给字符集就按 Latin-1 解码
    header = [
        "# Runtime requirements of rnn_examples, the package of the RNN book, pinned to the versions",
        "# the book was built with. Generated by `nox -s lock` from pyproject.toml and lock.txt.",
        "# Linux: add --extra-index-url https://download.pytorch.org/whl/cpu to get the",
        "# CPU build of torch (2.13.0+cpu) instead of the multi-GB CUDA build from PyPI.",
    ]
    pins = [re.sub(r"^torch==([^+\s]+)\+cpu", r"torch==\1", line) for line in runtime.read_text().splitlines()]
    pins.append("# The pages use myst_nb.glue; its own dependencies come from your Jupyter environment.")
    pins += extras.with_suffix(".txt").read_text().splitlines()
    READER_REQUIREMENTS.write_text("\n".join(header + pins) + "\n", encoding="ascii")
    for path in (runtime, extras, extras.with_suffix(".txt")):
        path.unlink()
