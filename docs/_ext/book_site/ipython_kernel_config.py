# 执行书页的 IPython 内核的配置（book_site.notebooks 把它放进构建用的 IPYTHONDIR 的 profile_default）。
# 只影响构建时执行笔记本的内核，不影响读者自己的 IPython。
c = get_config()  # noqa: F821 -- IPython 载入配置文件时提供

# inline 后端的图：PNG 给网站，PDF（矢量图，任意打印分辨率）给 PDF 版；myst-nb 为 LaTeX 优先取 PDF。
# 不写创建时间：重复执行得到逐字节相同的输出。
c.InlineBackend.figure_formats = {"png", "pdf"}
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"CreationDate": None}}
# 构建时的内核不需要命令历史（不写 history.sqlite）
c.HistoryManager.enabled = False
