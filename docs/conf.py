"""Sphinx 配置：《循环神经网络》在线书。

构建：``nox -s docs``（即 ``sphinx-build -W -n --keep-going -b html docs docs/_build/html``）。
"""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).parent.resolve()
ROOT = DOCS.parent

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
]

exclude_patterns = ["_build", "conftest.py", "**/.ipynb_checkpoints", "**/.jupyter_cache"]

# -- MyST 与公式 -------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
numfig = True
math_numfig = True
math_eqref_format = "({number})"

# -- 笔记本执行 ---------------------------------------------------------------
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
nb_execution_timeout = 180
nb_execution_show_tb = True
nb_merge_streams = True

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
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": True,
}
