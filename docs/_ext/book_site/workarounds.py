"""本书唯一一处改动别的包的默认值：执行笔记本的客户端（nbclient、jupyter_client）的两个设置。

myst-nb 1.4 用 ``jupyter_cache.executors.utils.single_nb_execution(nb, cwd=…, timeout=…,
allow_errors=…)`` 执行笔记本（``myst_nb/core/execute/cache.py``），不把任何 ``NotebookClient``
选项传下去；nbclient 与 jupyter_client 作为库使用时也不读 Jupyter 的配置文件（nteract/papermill#525，
nbclient 的维护者：kernel manager 的设置没有接口，只能直接设类的 traitlet）。内核那一侧的设置放在
IPython 的内核配置里（``ipython_kernel_config.py``），这两个是客户端的，放不进去：

- ``NotebookClient.shutdown_kernel = "immediate"``：一页执行完（输出都已收到）就结束内核进程，
  不等它“优雅”退出。载入了 torch 的内核优雅退出要 0.6–3 s（负载高时更久），立即结束只要 0.1 s，
  页面输出逐字节相同。
- ``KernelManager.transport_encryption = "auto"``：内核规格声明支持 CurveZMQ 时为通信加密。
  ipykernel 7 对未加密的 TCP 连接每页打印一行 “Kernel is running over TCP without encryption”；
  加密之后这行警告从源头消失。

上游的出路：MyST-NB 的 PR #725（executablebooks/MyST-NB，2026-07）让 myst-nb 接受一个
kernel manager 类；升级到带它的 myst-nb 后，把这两个设置移到那里，删掉本模块。
``tests/test_workarounds.py`` 在 myst-nb 出现这样的设置时失败，提醒做这件事。
"""

from __future__ import annotations


def configure_notebook_client() -> None:
    """设定 nbclient 与 jupyter_client 的两个默认值（见模块说明）；重复调用无害。"""
    import jupyter_client.manager
    import nbclient

    nbclient.NotebookClient.shutdown_kernel.default_value = "immediate"
    jupyter_client.manager.KernelManager.transport_encryption.default_value = "auto"
