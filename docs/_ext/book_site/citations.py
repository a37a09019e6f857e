"""参考文献：书目的标签与正文的“作者, 年份”引用一致，同一处的几个引用用分号隔开。

正文用 sphinxcontrib-bibtex 的 ``author_year`` 引用样式，写成 [Werbos, 1990]；书目若用 pybtex 的
``plain`` 样式，标签却是编号 [1]、[2]……，读者在正文里看到“Werbos, 1990”，到书目里找不到它。
同一处引用几篇时，``author_year`` 用逗号分隔，“[Graves, 2013, Mikolov et al., 2010]”分不清
哪个逗号分开作者与年份、哪个分开两篇文献。这里注册三个插件（``conf.py`` 里按名字选用）：

- pybtex 标签样式 ``book_author_year``：与正文相同的“姓, 年份”“甲 and 乙, 年份”“甲 et al., 年份”
  （三位及以上作者），同一标签出现多次时依次加 a、b、c；
- pybtex 条目格式 ``book_author_year``：``plain`` 的条目格式，换上这些标签，并按标签排序（Hénon 排在
  Hochreiter 之前，同一作者的几篇按年份）；
- sphinxcontrib-bibtex 引用样式 ``book_author_year``：``author_year``，几个引用之间用“; ”。
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pybtex.plugin
from pybtex.database import Entry, Person
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSorting
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

NAME = "book_author_year"
SEPARATOR = "; "


def _surname(person: Person) -> str:
    """姓（连同 von 部分，如 “van Merriënboer”），LaTeX 转义换成 Unicode。"""
    parts = [*person.prelast_names, *person.last_names]
    return str(Text.from_latex(" ".join(parts)))


def author_year(entry: Entry) -> str:
    """一条文献的“作者, 年份”，与 sphinxcontrib-bibtex 的 ``author_year`` 正文引用相同。"""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_surname(person) for person in people]
    if not names:
        who = str(Text.from_latex(entry.fields.get("title", "")))
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', '')}".rstrip(", ")


class AuthorYearLabelStyle(BaseLabelStyle):
    """书目标签：“作者, 年份”；重复的标签依次加 a、b、c。"""

    def format_labels(self, sorted_entries: Iterable[Entry]) -> Iterator[str]:
        labels = [author_year(entry) for entry in sorted_entries]
        repeated = Counter(labels)
        seen: Counter[str] = Counter()
        for label in labels:
            if repeated[label] == 1:
                yield label
            else:
                yield label + chr(ord("a") + seen[label])
                seen[label] += 1


def _fold(text: str) -> str:
    """小写、去掉变音符号（é -> e），用作排序的键。"""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class AuthorYearSorting(AuthorYearTitleSorting):
    """与标签同序：第一作者的姓；一位、两位、三位及以上作者（“甲”“甲 and 乙”“甲 et al.”）；
    两位作者时第二位的姓；年份；标题。LaTeX 转义与变音符号先去掉（Hénon 排在 Hochreiter 之前）。

    读者在书目里按正文的“作者, 年份”查找，同一作者的几篇按年份排在一起。
    """

    def sorting_key(self, entry: Entry) -> tuple[str, int, str, str, str]:
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_fold(_surname(person)) for person in people]
        second = names[1] if len(names) == 2 else ""
        title = _fold(str(Text.from_latex(entry.fields.get("title", ""))))
        first = names[0] if names else title
        return first, min(len(names), 3), second, entry.fields.get("year", ""), title


class AuthorYearStyle(PlainStyle):
    """``plain`` 的条目格式，标签换成“作者, 年份”，排序见 :class:`AuthorYearSorting`。"""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = AuthorYearSorting


def _brackets() -> BracketStyle:
    return BracketStyle(sep=SEPARATOR)


@dataclass
class SemicolonAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """``author_year`` 引用，同一处的几个引用之间用分号。"""

    bracket_textual: BracketStyle = field(default_factory=_brackets)
    bracket_parenthetical: BracketStyle = field(default_factory=_brackets)
    bracket_author: BracketStyle = field(default_factory=_brackets)
    bracket_label: BracketStyle = field(default_factory=_brackets)
    bracket_year: BracketStyle = field(default_factory=_brackets)


def setup() -> None:
    """注册三个插件；在 Sphinx 读 ``bibtex_*_style`` 之前（扩展的 ``setup`` 里）调用。"""
    # force=True：同一个进程里构建几次（测试）时重复注册不出错
    labels, formatting = "pybtex.style.labels", "pybtex.style.formatting"
    pybtex.plugin.register_plugin(labels, NAME, AuthorYearLabelStyle, force=True)
    pybtex.plugin.register_plugin(formatting, NAME, AuthorYearStyle, force=True)
    referencing = "sphinxcontrib.bibtex.style.referencing"
    register_plugin(referencing, NAME, SemicolonAuthorYearReferenceStyle, force=True)
