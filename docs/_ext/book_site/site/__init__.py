"""构建后的流水线：由 Sphinx 写出的页面（``docs/_build/sphinx``）做出发布的网站（``docs/_build/html``）。

``python -m book_site.site <Sphinx 的输出目录> <网站目录>``（``nox -s docs``、``nox -s tests`` 在
``sphinx-build`` 之后运行它，``nox -s docs-live`` 作为 sphinx-autobuild 的 ``--post-build``）。
Sphinx 的输出目录原样留着（下次增量构建要用），流水线把它复制到网站目录旁的临时目录，依次运行
:func:`stages` 列出的各步，完成后换上网站目录：网站只由这一次的 Sphinx 输出决定，与构建的历史无关。

每一步是一个函数 ``stage(site: Site) -> None``，只读写 :class:`Site` 里的文件，契约写在各自模块的
说明里；要加一步，写一个这样的函数放进 :func:`stages` 的合适位置，再在 ``tests/test_site.py``
（搜索一步在 ``tests/test_search_index.py``）里用一个小的夹具目录测它（见 ``docs/_ext/book_site/README.rst``）。

这里还定义“网站里哪些是书页”（:func:`site_pages`、:func:`content_pages`）：流水线、测试与基准共用。
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: 网站里不是书页的目录（``.doctrees`` 是旧的构建放在网站目录里的）
NON_PAGE_DIRS = frozenset({"_static", "_sources", "_images", "_downloads", ".doctrees", "jupyter_execute", "packages"})
#: 不是内容页的 HTML：Sphinx 的搜索页与索引页、404 页
NON_CONTENT_PAGES = frozenset({"search.html", "genindex.html", "py-modindex.html", "404.html"})


def site_pages(site: Path) -> list[str]:
    """网站里全部 HTML 页（相对路径，排序），包括首页、404 页、搜索页与索引页。"""
    pages = []
    for path in Path(site).rglob("*.html"):
        rel = path.relative_to(site)
        if rel.parts[0] not in NON_PAGE_DIRS:
            pages.append(rel.as_posix())
    return sorted(pages)


def content_pages(site: Path) -> list[str]:
    """网站的内容页：书的每一页，不含搜索页、索引页与 404 页。"""
    return [page for page in site_pages(site) if page not in NON_CONTENT_PAGES]


@dataclass
class Site:
    """流水线正在做的网站：一个目录，外加各步共用的设置。

    - ``root``：网站目录（各步就地读写；写文件一律先删后写，见 :meth:`write_bytes`）；
    - ``cache``：各步的缓存目录（内容作键，删掉它只是慢一些）；
    - ``pdf``：全书 PDF（没有时为 None）；``site_url``：发布地址（可为空）。
    """

    root: Path
    cache: Path
    pdf: Path | None = None
    log: Callable[[str], None] = field(default=print)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cache.mkdir(parents=True, exist_ok=True)

    def pages(self) -> list[str]:
        return site_pages(self.root)

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write_bytes(self, rel: str, data: bytes) -> None:
        """写文件：先删掉旧文件再写（网站目录里的文件可能是 Sphinx 输出的硬链接，不能就地改）。"""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.write_bytes(data)

    def write(self, rel: str, text: str) -> None:
        self.write_bytes(rel, text.encode("utf-8"))

    def edit_pages(self) -> Iterator[tuple[str, str]]:
        """逐页 (相对路径, 内容)；调用者用 :meth:`write` 写回改过的页。"""
        for rel in self.pages():
            yield rel, self.read(rel)

    def error(self, message: str) -> None:
        """记下一个错误：流水线做完所有步骤后以非零状态退出（与 ``sphinx-build -W`` 相同）。"""
        self.errors.append(message)
        self.log(f"错误：{message}")


Stage = Callable[[Site], None]


def stages() -> list[tuple[str, Stage]]:
    """流水线的各步，按运行顺序（导入放在这里：``book_site.site`` 的页面函数不必载入各步）。"""
    from . import fonts, formulas, markup, package, search, sourcemaps, styles

    return [
        ("pdf", markup.offer_pdf),
        ("search", search.build_search),  # 在公式之前：公式的 TeX 还是文字
        ("math", formulas.typeset_math),
        ("sourcemaps", sourcemaps.drop_source_maps),  # 在 markup 之前：脚本的 ?v= 是去掉映射注释后的校验和
        ("markup", markup.rewrite_pages),
        ("styles", styles.bundle_styles),
        ("fonts", fonts.subset_icon_font),
        ("package", package.publish_package),
    ]


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def build(
    source: Path,
    out: Path,
    *,
    cache: Path | None = None,
    pdf: Path | None = None,
    skip: frozenset[str] = frozenset(),
    log: Callable[[str], None] = print,
) -> list[str]:
    """由 ``source``（Sphinx 的 HTML 输出）做出网站 ``out``；返回错误（空列表即成功）。

    ``out`` 只在全部步骤做完后才被替换：中途失败时，旧的网站原样留着。
    """
    source, out = Path(source), Path(out)
    if not (source / "index.html").is_file():
        raise FileNotFoundError(f"{source} 里没有 index.html：先运行 sphinx-build")
    work = out.with_name(f".{out.name}.new")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work, copy_function=_link_or_copy)
    site = Site(work, Path(cache) if cache else out.parent / ".site-cache", pdf, log)
    for name, stage in stages():
        if name not in skip:
            stage(site)
    if site.errors:
        shutil.rmtree(work, ignore_errors=True)
        return site.errors
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    work.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return []
