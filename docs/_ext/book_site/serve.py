"""像 GitHub Pages 一样在本机提供构建好的网站：浏览器测试、读者环境测试与 Lighthouse 基准共用这一个。

- 找不到的地址返回 404 状态码和网站自己的 ``404.html``（:class:`PagesHandler`）；
- 不记访问日志；客户端中途断开（浏览器取消请求、Lighthouse 关掉页面）不打印回溯
  （:class:`QuietServer`）：这是读者一侧的常事，不是服务器的错误；
- :func:`serve` 在 127.0.0.1 的空闲端口上启动它，产出网站根地址，退出时关掉。

预览本地构建：``python -m book_site.serve docs/_build/html``（在 ``docs/_ext`` 下运行，或把它放进
``PYTHONPATH``）。
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LOCAL_HOST = "127.0.0.1"


class PagesHandler(SimpleHTTPRequestHandler):
    """静态文件；找不到的地址返回 404 状态码和网站的 404.html；不记日志。"""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page_404 = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page_404.is_file():
            super().send_error(code, message, explain)
            return
        body = page_404.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    """每个请求一个守护线程；客户端断开造成的 ``ConnectionError`` 不打印回溯，其他错误照常报告。"""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipeError、ConnectionResetError 等
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(site: Path, handler: type[SimpleHTTPRequestHandler] = PagesHandler) -> Iterator[str]:
    """在 127.0.0.1 的空闲端口上用 ``handler`` 提供 ``site``，产出网站根地址（以 / 结尾）。"""
    server = QuietServer((LOCAL_HOST, 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, name=f"serve-{Path(site).name}", daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="像 GitHub Pages 一样在 127.0.0.1 上提供构建好的网站")
    parser.add_argument("site", type=Path, help="sphinx-build 的 HTML 输出目录，如 docs/_build/html")
    args = parser.parse_args(argv)
    with serve(args.site) as url:
        print(f"{args.site} → {url}（Ctrl+C 停止）")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
