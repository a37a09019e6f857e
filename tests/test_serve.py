"""book_site.serve：像 GitHub Pages 一样提供网站；客户端中途断开时不打印回溯，真正的错误照常报告。"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from book_site.serve import PagesHandler, serve


def test_missing_page_gets_the_sites_404_page(tmp_path: Path) -> None:
    (tmp_path / "404.html").write_text("<p>找不到</p>", encoding="utf-8")
    with serve(tmp_path) as base, pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(base + "no-such-page.html")
    assert error.value.code == 404
    assert error.value.read().decode("utf-8") == "<p>找不到</p>"


def test_gzip_server_compresses_text(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "index.html").write_text("<p>重复</p>" * 500, encoding="utf-8")
    with serve(tmp_path, gzip=True) as base:
        request = urllib.request.Request(base + "index.html", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Cache-Control"] == "max-age=600"
            raw = response.read()
    assert len(raw) < 500
    assert gzip.decompress(raw).decode("utf-8") == "<p>重复</p>" * 500


def test_server_speaks_http_1_1_and_keeps_the_connection(tmp_path: Path) -> None:
    """像浏览器访问真实网站那样，一个连接取好几个文件（HTTP/1.1 的持久连接）。"""
    import http.client

    (tmp_path / "a.css").write_text("a{}", encoding="utf-8")
    (tmp_path / "b.css").write_text("b{}", encoding="utf-8")
    with serve(tmp_path) as base:
        host, port = base.removeprefix("http://").rstrip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port))
        bodies = []
        for name in ("a.css", "b.css", "missing.css"):
            connection.request("GET", "/" + name)
            response = connection.getresponse()
            assert response.version == 11
            bodies.append((response.status, response.read()))
        connection.close()
    assert bodies[:2] == [(200, b"a{}"), (200, b"b{}")]
    assert bodies[2][0] == 404


def _hang_up_during_download(base: str) -> None:
    host, port = base.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port))) as client:
        client.sendall(b"GET /big.bin HTTP/1.0\r\n\r\n")
        client.recv(1024)  # 响应已经开始
        # SO_LINGER 0：关闭时发 RST，服务器接着写就得到 ConnectionResetError/BrokenPipeError
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    time.sleep(0.5)  # 让服务器线程写到断开的连接上


def test_client_hanging_up_prints_no_traceback(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "big.bin").write_bytes(b"x" * 20_000_000)
    with serve(tmp_path) as base:
        _hang_up_during_download(base)
    assert "Traceback" not in capfd.readouterr().err


class _BrokenHandler(PagesHandler):
    def do_GET(self) -> None:  # noqa: N802 -- http.server 规定的方法名
        raise ValueError("处理函数自己的错误")


def test_other_errors_are_still_reported(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with serve(tmp_path, _BrokenHandler) as base, pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(base + "index.html")
    time.sleep(0.2)
    err = capfd.readouterr().err
    assert "Traceback" in err
    assert "处理函数自己的错误" in err
