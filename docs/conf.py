"""Sphinx 配置：《循环神经网络》在线书。

构建：``nox -s docs``（即 ``sphinx-build -W -n --keep-going -b html docs docs/_build/html``）。
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).parent.resolve()
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))  # 本书的扩展 book_site：构建行为都在那里，这里只写设置

# -- 项目信息 ---------------------------------------------------------------
project = "循环神经网络"
author = "RNN 在线书作者"
copyright = "2026, RNN 在线书作者"
language = "zh_CN"

# -- 扩展 -------------------------------------------------------------------
extensions = [
    "myst_nb",  # 同时提供 MyST Markdown 解析与文本笔记本的执行
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",  # 渲染 {doctest} 块；这些块由 pytest + sybil 执行
    "sphinx_copybutton",
    "sphinx_togglebutton",
    "sphinx_exercise",
    "sphinxcontrib.bibtex",  # 参考文献：docs/references.bib，正文用 {cite:p}
    "notfound.extension",  # 404 页（绝对链接，任意深度的错误地址都能正确显示样式）
    "book_site",
]

exclude_patterns = ["_build", "conftest.py", "**/.ipynb_checkpoints", "**/.jupyter_cache"]

# -- MyST 与公式 -------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
numfig = True
math_numfig = True
math_eqref_format = "({number})"

# -- 参考文献 -----------------------------------------------------------------
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# -- 笔记本执行 ---------------------------------------------------------------
nb_execution_mode = "cache"
nb_execution_timeout = 180
nb_merge_streams = True
# 代码单元出错时不抛异常，由 book_site.notebooks 报告页面、行号、单元与异常（-W 下构建失败）；
# myst-nb 自己的 mystnb.exec 警告是整段带颜色码的回溯，压下
nb_execution_raise_on_error = False
nb_execution_show_tb = False
suppress_warnings = ["mystnb.exec"]

# -- API 文档 ----------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_custom_sections = [("形状", "params_style")]
# 没有网络，不用 intersphinx；torch 的类型无法交叉引用
nitpick_ignore_regex = [("py:class", r"torch\..*"), ("py:class", r"nn\..*")]

# -- HTML --------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "循环神经网络"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_favicon = "_static/favicon.svg"
book_description = (
    "一本用中文讲循环神经网络（RNN）的开放在线书：从序列数据、隐藏状态到随时间反向传播与梯度消失，"
    "每个例子都在构建时运行。"
)
# 主题模式默认“跟随系统”；不设时 pydata 主题在首次访问时向控制台报 "Got invalid theme mode"
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": True,
    "use_download_button": True,  # 源文件 .md 与执行后的 .ipynb（见 _ext/book_site.py）
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
}

# 仓库地址只从环境变量来（GitHub Actions 里是 ${{ github.server_url }}/${{ github.repository }}），
# Read the Docs 上回退到它提供的克隆地址。没有地址就不显示仓库、问题、编辑与启动按钮，
# 绝不写一个编造的地址。
_repo_url = os.environ.get("RNN_BOOK_REPOSITORY_URL", "").strip()
if not _repo_url and os.environ.get("READTHEDOCS_GIT_CLONE_URL", "").startswith("https://"):
    _repo_url = os.environ["READTHEDOCS_GIT_CLONE_URL"].removesuffix(".git")
if _repo_url:
    html_theme_options |= {
        "repository_url": _repo_url.rstrip("/"),
        "repository_branch": os.environ.get("RNN_BOOK_REPOSITORY_BRANCH", "main"),
        "path_to_docs": "docs",
        "use_repository_button": True,
        "use_issues_button": True,
        "use_edit_page_button": True,
        "use_source_button": True,
        # 不配 Colab/Binder 启动按钮：书页是 MyST 文本笔记本（.md），Colab 打不开，
        # Binder 的默认环境没有 jupytext 与本书依赖，按钮只会通向打不开的页面。
    }

# -- 公式：构建时排版 ------------------------------------------------------------------
# book_site.assets 在构建时用 Node.js 运行 MathJax 3.2（sphinx-mathjax-offline 包里的那一份，
# 这个包只作为 MathJax 文件的来源，不作为 Sphinx 扩展加载），公式的 CHTML 直接写进页面；
# 页面不带任何公式脚本，只链接 _static/mathjax/chtml.css 与用到的几个 woff 字体。
html_math_renderer = "book_chtml"

# -- 中文搜索 -------------------------------------------------------------------
# jieba 分词；用户词典必须是绝对路径（相对路径会被静默忽略）。
html_search_language = "zh"
html_search_options = {"dict": str(DOCS / "_ext" / "jieba_userdict.txt")}

# -- 404 页 ---------------------------------------------------------------------
# 404 页里的链接是以此开头的绝对地址：本地与用户站点是 "/"，GitHub 项目站点是 "/<仓库名>/"
# （工作流从 actions/configure-pages 的 base_path 得到），Read the Docs 上由扩展自己推断。
if "RNN_BOOK_URL_PREFIX" in os.environ or not os.environ.get("READTHEDOCS"):
    notfound_urls_prefix = os.environ.get("RNN_BOOK_URL_PREFIX", "/")
