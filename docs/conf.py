"""Sphinx 配置：《循环神经网络》在线书。

构建：``nox -s docs``（即 ``sphinx-build -W -n --keep-going -b html docs docs/_build/html``）。
"""

from __future__ import annotations

import importlib.util
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

exclude_patterns = ["_build", "_ext", "conftest.py", "**/.ipynb_checkpoints", "**/.jupyter_cache"]

# -- MyST 与公式 -------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
numfig = True
math_numfig = True
math_eqref_format = "({number})"

# -- 参考文献 -----------------------------------------------------------------
bibtex_bibfiles = ["references.bib"]
# 书目的标签与正文引用同为“作者, 年份”，同一处的几个引用用分号隔开（见 book_site.citations）
bibtex_default_style = "book_author_year"
bibtex_reference_style = "book_author_year"

# -- 笔记本执行 ---------------------------------------------------------------
nb_execution_mode = "cache"
# 所有构建（HTML、PDF、测试里的临时网站）共用一个执行缓存：换个输出目录不会重新执行笔记本
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
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
# 类型只补在已有说明的参数上：文档字符串里“形状”一节把字段表分成两段（参数、抛出），
# 默认的 "all" 会在每一段里都补一遍全部参数，页面上出现两个“参数”
autodoc_typehints_description_target = "documented_params"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# “形状”一节是普通的小节（标题 + 原样的内容，内容是列表），不是参数表：写成 params_style 时
# napoleon 把列表项的“- ``x``”当作参数名，页面上出现加粗的“- ``x``”
napoleon_custom_sections = ["形状"]
# “Attributes:” 一节写成“变量”字段表（Sphinx 有中文标签）；默认的 .. attribute:: 加 :type: 字段
# 在页面上留下英文的“Type:”
napoleon_use_ivar = True
# 没有网络，不用 intersphinx；torch 的类型无法交叉引用
nitpick_ignore_regex = [
    ("py:class", r"torch\..*"),
    ("py:class", r"nn\..*"),
    ("py:class", r"matplotlib\..*"),
    ("py:class", r"os\.PathLike.*"),
    ("py:class", r"(pathlib\.)?Path"),
    # 类型注解里标准库的 Counter、collections.abc.Callable 等与泛型参数 R 没有可链接的文档
    ("py:class", r"collections\..*"),
    ("py:class", r"rnn_examples\.seeds\.R"),
]

# -- HTML --------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "循环神经网络"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_favicon = "_static/favicon.svg"
# 主题里写死了英文的几个组件的中文版（侧栏、按钮的提示）；见 _templates 里各文件的说明
templates_path = ["_templates"]
# 主题界面文字的中文译文（主题自带的中文译文缺了几条，如“System Settings”）：
# locale/zh_CN/LC_MESSAGES/sphinx.po，Sphinx 在构建开始时编译成 .mo（不提交），优先于主题自带的译文
locale_dirs = ["locale"]
book_description = (
    "一本用中文讲循环神经网络（RNN）的开源在线图书：从序列数据、隐藏状态到随时间反向传播与梯度消失，"
    "每个例子都在构建时运行。"
)
# 主题模式默认“跟随系统”；不设时 pydata 主题在首次访问时向控制台报 "Got invalid theme mode"
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": True,
    "use_download_button": True,  # 源文件 .md 与执行后的 .ipynb（见 _ext/book_site.py）
    "use_fullscreen_button": False,
    # 首页不再在目录里重复一遍：侧栏顶上的书名就是回到首页的链接
    "home_page_in_toc": False,
    # 一个搜索框：侧栏书名下的那个（Ctrl+K 同样打开搜索）；页顶不再有一条只放搜索框的横栏。
    # 手机上侧栏收起，页眉按钮里的放大镜打开同一个搜索对话框。
    "navbar_persistent": [],
    "search_bar_text": "搜索本书…",
}
# 折叠的答案与提示框上的提示文字（sphinx-togglebutton 没有简体中文译文，默认是 "Click to show"）
togglebutton_hint = "展开"
togglebutton_hint_hide = "收起"
# 侧栏：书名、搜索与全书目录都在一个导航地标里（book-sidebar.html）
html_sidebars = {"**": ["book-sidebar.html"]}

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
        # Binder：环境在 binder/（锁定版本的依赖、CPU 版 torch、jupytext，postBuild 装上本书的包
        # 并让 JupyterLab 把 .md 书页当作笔记本打开）。不配 Colab：它只能打开仓库里的 .ipynb，
        # 而书页是 MyST 文本笔记本，本书不提交生成的 .ipynb。
        "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
    }

# -- 公式：构建时排版 ------------------------------------------------------------------
# Sphinx 按 sphinx.ext.mathjax 写出公式的 TeX；构建后的流水线 book_site.site（nox -s docs 在
# sphinx-build 之后运行它）用 Node.js 运行 MathJax 3.2 把公式排成 CHTML 写进页面，发布的页面不带
# 任何公式脚本。Sphinx 自己的输出（docs/_build/sphinx，nox -s docs-live 预览的就是它）照常在浏览器里
# 排版：MathJax 取自 sphinx-mathjax-offline 包里的那一份（不作为 Sphinx 扩展加载），不连外部主机。
html_math_renderer = "mathjax"
mathjax_path = "mathjax/tex-chtml.js"
html_static_path += [str(Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent / "static")]

# -- 中文搜索 -------------------------------------------------------------------
# 网站的搜索索引由构建后的流水线从写好的页面生成（汉字二元组，不分词，没有词典；搜索页用本书自己的
# 脚本），见 _ext/book_site/site/search.py。Sphinx 自己的索引只用在 docs-live 的预览里：
# 不把 jieba 的整本词典当用户词典载入（dict 为空），预览的构建因此不慢。
html_search_language = "zh"
html_search_options = {"dict": ""}
# 参考页：搜索结果排在讲授概念的章节之后（术语表的定义另算，紧跟在最好的章节结果后面）
book_search_reference_pages = ["appendix/*"]

# -- 在自己的电脑上运行 ----------------------------------------------------------
# 下载的 .ipynb 开头的安装单元从这个地址取本书的包（packages/ 下的 wheel 与依赖清单，见
# book_site.site.package）。GitHub Pages 工作流从 actions/configure-pages 得到站点地址，Read the Docs
# 上用它的规范地址；本地构建没有地址，安装单元改为说明怎样从仓库克隆安装。
book_site_url = os.environ.get("RNN_BOOK_SITE_URL") or os.environ.get("READTHEDOCS_CANONICAL_URL", "")

# -- PDF（LaTeX）------------------------------------------------------------------
# nox -s pdf：Sphinx 的 LaTeX 构建器 + xelatex（latexmk），输出 docs/_build/latex/rnn-book.pdf。
# 版式与字体在 _ext/book_site/rnnbook.sty（每项设置注明理由），文档结构（部分、附录、练习解答、
# 矢量图）由 book_site.latex 在组装全书时调整。toctree_only：首页的导言是网站的话，PDF 只取目录树。
latex_engine = "xelatex"
latex_documents = [("index", "rnn-book.tex", project, author, "manual", True)]
latex_docclass = {"manual": "book"}  # book：\frontmatter / \mainmatter，前言不编号、罗马页码
latex_additional_files = ["_ext/book_site/rnnbook.sty"]
latex_show_urls = "footnote"  # 纸上点不了链接：外部网址印在脚注里
latex_domain_indices = False  # 不要“Python 模块索引”：附录 API 参考已按模块排列
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "classoptions": ",oneside,openany",  # 屏幕与家用打印机：不留空白页
    # 书签里的公式（如节标题中的 δ_t）：hyperref 的 psdextra 把数学符号换成 Unicode 字符
    "passoptionstopackages": r"\PassOptionsToPackage{psdextra}{hyperref}",
    "babel": "",  # 中文由 xeCJK 处理，图表名等由 rnnbook.sty 设置
    "fontpkg": "",  # 字体全部在 rnnbook.sty（不用 Sphinx 默认的 FreeFont）
    "fncychap": "",  # 章标题“第 N 章”由 rnnbook.sty 用 titlesec 排
    "makeindex": "",  # 不要索引：术语表就是本书的术语索引，xindy 也不会按拼音排中文
    "printindex": "",
    "sphinxsetup": "hmargin={25mm,25mm}, vmargin={25mm,25mm}, verbatimforcewraps=true",
    "preamble": r"\newcommand{\booksubtitle}{一本每个例子都会运行的中文书}\usepackage{rnnbook}",
    "maketitle": r"\bookmaketitle",
    "tableofcontents": r"\booktableofcontents",
}

# -- 404 页 ---------------------------------------------------------------------
# 404 页里的链接是以此开头的绝对地址：本地与用户站点是 "/"，GitHub 项目站点是 "/<仓库名>/"
# （工作流从 actions/configure-pages 的 base_path 得到），Read the Docs 上由扩展自己推断。
if "RNN_BOOK_URL_PREFIX" in os.environ or not os.environ.get("READTHEDOCS"):
    notfound_urls_prefix = os.environ.get("RNN_BOOK_URL_PREFIX", "/")
