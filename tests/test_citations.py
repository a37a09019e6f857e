"""docs/_ext/book_site/citations.py：书目标签与正文的“作者, 年份”引用相同，按标签排序，分号分隔。"""

from __future__ import annotations

from pybtex.database import Entry, Person

from book_site.citations import (
    AuthorYearLabelStyle,
    AuthorYearSorting,
    SemicolonAuthorYearReferenceStyle,
    author_year,
)


def entry(*authors: str, year: str = "2015", title: str = "A title") -> Entry:
    return Entry("article", fields={"year": year, "title": title}, persons={"author": [Person(a) for a in authors]})


def test_labels_follow_the_author_year_citation_form() -> None:
    assert author_year(entry("Elman, Jeffrey L.", year="1990")) == "Elman, 1990"
    assert author_year(entry("Williams, Ronald J.", "Zipser, David", year="1989")) == "Williams and Zipser, 1989"
    assert author_year(entry("Ba, Jimmy", "Kiros, Jamie", "Hinton, Geoffrey", year="2016")) == "Ba et al., 2016"
    # LaTeX 转义换成字母，von 部分留在姓里
    assert author_year(entry("H{\\'e}non, Michel", year="1976")) == "Hénon, 1976"
    assert author_year(entry("Cho, K.", 'van Merri{\\"e}nboer, Bart')) == "Cho and van Merriënboer, 2015"


def test_repeated_labels_get_letters_and_unique_ones_stay_plain() -> None:
    entries = [entry("Graves, Alex", title="B"), entry("Graves, Alex", title="A"), entry("Elman, J.")]
    labels = list(AuthorYearLabelStyle().format_labels(entries))
    assert labels == ["Graves, 2015a", "Graves, 2015b", "Elman, 2015"]


def test_sorting_matches_the_labels() -> None:
    hochreiter = entry("Hochreiter, Sepp", "Schmidhuber, J.", year="1997")
    henon = entry("H{\\'e}non, Michel", year="1976")
    single = entry("Graves, Alex", year="2013")
    group = entry("Graves, Alex", "Mohamed, A.", "Hinton, G.", year="2013")
    early, late = (
        entry("Pascanu, R.", "Mikolov, T.", "Bengio, Y.", year="2013"),
        entry("Pascanu, R.", "Gulcehre, C.", "Cho, K.", year="2014"),
    )
    shuffled = [late, hochreiter, group, early, henon, single]
    ordered = AuthorYearSorting().sort(shuffled)
    assert [author_year(e) for e in ordered] == [
        "Graves, 2013",
        "Graves et al., 2013",
        "Hénon, 1976",
        "Hochreiter and Schmidhuber, 1997",
        "Pascanu et al., 2013",
        "Pascanu et al., 2014",
    ]


def test_several_citations_are_separated_by_semicolons() -> None:
    style = SemicolonAuthorYearReferenceStyle()
    assert style.bracket_parenthetical.sep == "; "
    assert style.bracket_textual.sep == "; "
