"""``python -m benchmarks``：运行全部测量并写出报告（见 :mod:`benchmarks.run`）。"""

from benchmarks.run import main

raise SystemExit(main())
