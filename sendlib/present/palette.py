"""The one palette of sendlib: every chart, the page template and the chart style read their
colours here (nowhere else types a colour), so the council is the same blue, and each
comparator the same colour, in every report.

The colours are Okabe and Ito's eight colour-blind-safe colours (as the Government Analysis
Function's afcharts recommends), extended for breakdowns of more than eight categories with
four of Paul Tol's "muted" scheme and a mid grey (:data:`CATEGORIES`), and three greys for
what is not data (other councils' bars, axis lines, source text).

>>> COUNCIL, ROLES["neighbours"], ROLES["region"], ROLES["england"]
('#0072B2', '#E69F00', '#009E73', '#CC79A7')
"""

from __future__ import annotations

COUNCIL = "#0072B2"
"""The council: the same blue on every chart and in the page's accent."""

OVER = "#D55E00"
"""Okabe-Ito vermillion: a ceiling, a rise in spend, a shortfall (what a board must watch)."""
UNDER = "#009E73"
"""Okabe-Ito bluish green: a saving, a fall in spend."""
OTHERS = "#BFBFBF"
"""Light grey: every other council's bar, a target beside an actual."""
RULE = "#595959"
"""Dark grey: a zero line or other rule across a chart."""
SOURCE_TEXT = "#404040"
"""Near black: the source line under a chart."""
ON_DARK = "white"
"""Text on a dark segment, and the white behind a label that must read over a line."""
ON_LIGHT = "black"
"""Text on a light segment."""

ROLES = {
    "council": COUNCIL,
    "neighbours": "#E69F00",
    "region": "#009E73",
    "england": "#CC79A7",
}
"""One fixed colour per role, in every report and chart: the council, its statistical
neighbours, its region (or Inner/Outer London), England. A chart colours a line by its role,
never by its place in a list, so South East is the same green in the caseload and the
benchmarking reports."""

COMPARATORS = ["#56B4E9", "#D55E00", "#000000", "#F0E442"]
"""Colours for comparators without a role (an analyst's own groups), in order: none of them
is a role's colour."""


def role_colour(role: object, others: list[str] | None = None) -> str:
    """The colour of a role (:data:`ROLES`); any other role takes the next of ``others``
    (a list the caller keeps, consumed in order) or, without one, the first comparator colour.

    >>> role_colour("region"), role_colour("England".lower()), role_colour("custom")
    ('#009E73', '#CC79A7', '#56B4E9')
    """
    if role in ROLES:
        return ROLES[role]
    if others:
        return others.pop(0)
    return COMPARATORS[0]


CATEGORIES = [
    "#0072B2",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#E69F00",
    "#CC79A7",
    "#999999",
    "#F0E442",
    "#000000",
    "#882255",
    "#44AA99",
    "#117733",
    "#DDCC77",
]
"""Categories of a breakdown (age bands, placement groups, needs), in their order."""

CYCLE = [COUNCIL, "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
"""matplotlib's colour cycle in the house style: the council's colour first."""


PAGE = {
    "ink": "#1b1b1b",
    "muted": "#505a5f",
    "rule": "#d9d9d9",
    "band": "#f3f2f1",
    "link": "#1d4f91",
    "red": "#b10e1e",
    "amber": "#8a5300",
    "green": "#00703c",
    "paper": "#fff",
}
"""The page's colours (GOV.UK Design System's text, secondary text, border, light grey, link
and the RAG labels' red, amber and green, each with at least 4.5:1 contrast on white), as the
page template's CSS variables."""
