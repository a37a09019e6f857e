"""本书的构建性能基准：``nox -s bench`` 运行它，报告写到 ``docs/_build/bench/``。

- :mod:`benchmarks.helpers`：纯函数（取代码单元、造编辑副本、解析构建日志、统计与报告格式），
  由 ``tests/test_bench.py`` 测试；
- :mod:`benchmarks.run`：真正计时的部分（地板时间、冷构建、空重建、改文字、改代码、并行构建……）。

直接运行：``.nox/bench/bin/python -m benchmarks --help``。
"""
