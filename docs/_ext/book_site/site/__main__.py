"""``python -m book_site.site <Sphinx 的输出目录> <网站目录>``：见 :mod:`book_site.site`。"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import build, stages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book_site.site", description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="sphinx-build 的 HTML 输出目录，如 docs/_build/sphinx")
    parser.add_argument("out", type=Path, help="网站目录，如 docs/_build/html")
    parser.add_argument("--cache", type=Path, help="各步的缓存目录（默认：网站目录旁的 .site-cache）")
    parser.add_argument("--pdf", type=Path, help="全书 PDF：存在时复制进网站并在页眉链接它")
    parser.add_argument("--skip", nargs="*", default=[], choices=[name for name, _ in stages()], help="跳过这些步骤")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")  # fontTools 的 INFO 不显示
    pdf = args.pdf if args.pdf and args.pdf.is_file() else None
    errors = build(args.source, args.out, cache=args.cache, pdf=pdf, skip=frozenset(args.skip))
    if errors:
        print(f"网站没有做成：{len(errors)} 个错误（见上）", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
