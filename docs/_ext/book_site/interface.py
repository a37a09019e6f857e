"""界面的中文标签：主题与扩展里写死在 JavaScript 中、模板与译文文件都改不到的英文。

主题模板里的英文由 ``docs/_templates`` 里的组件与 ``docs/locale/zh_CN/LC_MESSAGES/sphinx.po``
换成中文；剩下的一处在 sphinx-togglebutton 0.4.5 的 ``togglebutton.js`` 里：折叠的答案与提示框的
按钮在浏览器里生成，``aria-label`` 写死为 "Toggle hidden content"，读屏软件念出的就是这句英文。
这里加一段内联脚本，在页面载入完成（``load``，晚于 togglebutton 在 ``DOMContentLoaded`` 时生成按钮）
后把它换成中文。浏览器测试 ``test_typesetting.py::test_theme_labels_are_chinese`` 检查结果。
"""

from __future__ import annotations

from sphinx.application import Sphinx

TOGGLE_LABEL = "显示或隐藏内容"

_TOGGLE_LABEL_JS = f"""window.addEventListener("load", () => {{
  for (const button of document.querySelectorAll('.toggle-button[aria-label="Toggle hidden content"]')) {{
    button.setAttribute("aria-label", "{TOGGLE_LABEL}");
  }}
}});"""


def setup(app: Sphinx) -> None:
    app.add_js_file(None, body=_TOGGLE_LABEL_JS)
