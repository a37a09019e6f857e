"""正文里指向本书仓库与网站文件的链接：地址只来自配置，没有地址时只留下文字。

- 角色 ``{repo}`文字 <路径>```：``conf.py`` 从环境变量 ``RNN_BOOK_REPOSITORY_URL`` 得到仓库地址
  （写进 ``html_theme_options["repository_url"]``，主题的仓库、问题、编辑按钮用的也是它）时，
  渲染成指向 ``<仓库地址>/<路径>`` 的链接；``<路径>`` 可以省略，指向仓库首页。
  没有配置地址时只渲染文字，绝不写一个编造的地址，所以句子要写得不靠链接也读得通。
- 角色 ``{site}`文字 <路径>```：指向随网站发布的文件（例如 ``packages/`` 下的 wheel）。
  配置了网站地址 ``book_site_url`` 时是绝对地址（PDF 里也能用）；没有时，网页里是相对于当前页的地址
  （在本地构建的网站里同样有效），PDF 里只留文字。

读入时角色只留下一个占位节点，写出每一页时（``doctree-resolved``）才按当时的配置换成链接或文字：
换了地址再构建，即使文档树来自缓存，链接也跟着新的地址。
"""

from __future__ import annotations

import posixpath
import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxRole

_TEXT_AND_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]*)>$", re.DOTALL)


class BookLink(nodes.inline):
    """占位节点：``kind`` 为 ``"repo"`` 或 ``"site"``，``target`` 为路径。"""


class _LinkRole(SphinxRole):
    kind = ""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        match = _TEXT_AND_TARGET.match(self.text)
        label, target = (match["text"], match["target"].strip()) if match else (self.text, "")
        node = BookLink(self.rawtext, label, kind=self.kind, target=target.lstrip("/"))
        return [node], []


class RepositoryRole(_LinkRole):
    kind = "repo"


class SiteRole(_LinkRole):
    kind = "site"


def _uri(app: Sphinx, docname: str, kind: str, target: str) -> str:
    """占位节点的链接地址；没有可用的地址时为空串。"""
    if kind == "repo":
        base = str(app.config.html_theme_options.get("repository_url", "")).rstrip("/")
        return f"{base}/{target}" if base and target else base
    site = str(app.config.book_site_url).rstrip("/")
    if site:
        return f"{site}/{target}"
    if app.builder.format != "html":
        return ""
    return posixpath.relpath(target or ".", posixpath.dirname(docname) or ".")


def resolve_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(BookLink)):
        uri = _uri(app, docname, node["kind"], node["target"])
        text = node.astext()
        replacement = nodes.reference(node.rawsource, text, refuri=uri) if uri else nodes.Text(text)
        node.replace_self(replacement)


def setup(app: Sphinx) -> None:
    app.add_node(BookLink)
    app.add_role("repo", RepositoryRole())
    app.add_role("site", SiteRole())
    app.connect("doctree-resolved", resolve_links)
