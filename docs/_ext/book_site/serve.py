"""像 GitHub Pages 一样在本机提供构建好的网站：浏览器测试、读者环境测试与 Lighthouse 基准共用这一个。

- HTTP/1.1（连接保持，像浏览器访问真实网站那样复用连接；GitHub Pages 用 HTTP/2）；
- 找不到的地址返回 404 状态码和网站自己的 ``404.html``（:class:`PagesHandler`）；
- ``gzip=True`` 时（:class:`GzipHandler`）客户端接受 gzip 就压缩文本类文件，缓存头与 GitHub Pages
  相同（``max-age=600``）：测到的传输量就是读者下载的字节数；
- 不记访问日志；客户端中途断开（浏览器取消请求、Lighthouse 关掉页面）不打印回溯
  （:class:`QuietServer`）：这是读者一侧的常事，不是服务器的错误；
- :func:`serve` 在 127.0.0.1 的空闲端口上启动它，产出网站根地址，退出时关掉。

另有 :data:`QUIET_CHROMIUM_FLAGS`：浏览器测试（Playwright）与 Lighthouse 共用的一组 Chromium 参数。

预览本地构建：``python -m book_site.serve docs/_build/html``（在 ``docs/_ext`` 下运行，或把它放进
``PYTHONPATH``）。
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import sys
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LOCAL_HOST = "127.0.0.1"
# 安静的 Chromium：新的空配置目录，关掉一切后台联网（更新、同步、安全浏览、QUIC 等）
QUIET_CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-quic",
    "--metrics-recording-only",
)
# GitHub Pages 压缩发送的类型
GZIP_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


class PagesHandler(SimpleHTTPRequestHandler):
    """静态文件（HTTP/1.1）；找不到的地址返回 404 状态码和网站的 404.html；不记日志。"""

    protocol_version = "HTTP/1.1"

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


class GzipHandler(PagesHandler):
    """同 :class:`PagesHandler`，另外在客户端接受 gzip 时压缩文本类文件，并发送 GitHub Pages 的缓存头。"""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not path.is_file() or not accepts_gzip or not ctype.startswith(GZIP_TYPES):
            super().do_GET()
            return
        body = _gzipped(path, path.stat().st_mtime_ns)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@functools.lru_cache(maxsize=512)
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    # 压缩级别 6：与常见静态服务器（nginx、GitHub Pages）的默认相近；mtime=0 让结果可重复
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


class QuietServer(ThreadingHTTPServer):
    """每个请求一个守护线程；客户端断开造成的 ``ConnectionError`` 不打印回溯，其他错误照常报告。"""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipeError、ConnectionResetError 等
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(site: Path, handler: type[SimpleHTTPRequestHandler] | None = None, *, gzip: bool = False) -> Iterator[str]:
    """在 127.0.0.1 的空闲端口上提供 ``site``，产出网站根地址（以 / 结尾）。

    ``handler`` 默认是 :class:`PagesHandler`，``gzip=True`` 时是 :class:`GzipHandler`。
    """
    handler = handler or (GzipHandler if gzip else PagesHandler)
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
    parser.add_argument("--gzip", action="store_true", help="像 GitHub Pages 一样压缩文本类文件")
    args = parser.parse_args(argv)
    with serve(args.site, gzip=args.gzip) as url:
        print(f"{args.site} → {url}（Ctrl+C 停止）")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
