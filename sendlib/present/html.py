"""The building blocks of a report notebook: title block, sentences, tables, sources.

Each function returns an object Jupyter displays as HTML (and nbconvert keeps in the report),
so a notebook cell is one call. All text that comes from data is escaped: a council file that
says ``<script>`` shows those characters, it does not run them.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from sendlib.measures import arithmetic
from sendlib.measures.provenance import describe_input, ehcp_release_years, inputs
from sendlib.periods import BASE_YEAR
from sendlib.present.formats import long_date
from sendlib.registry import SOURCE_EHCP  # noqa: F401 - the source lines
from sendlib.vocab import RAG_WORDS

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter

__all__ = [
    "describe_input",
    "ehcp_release_years",
]  # re-exported: pages and notebooks call them here


def neighbours_table(council: str, sn_model: str) -> HTML:
    """The council's ten statistical neighbours in DfE's ``sn_model`` as a table, or a note
    saying why there are none (a council the model predates)."""
    from sendlib.errors import NotAvailableError
    from sendlib.measures.areas import statistical_neighbours

    try:
        found = statistical_neighbours(council, model=sn_model)
    except NotAvailableError as exc:
        return note(f"No statistical neighbours to show: {exc}")
    shown = table(
        found[["rank", "area_name", "closeness"]],
        caption=f"DfE statistical neighbours ({sn_model} model)",
    )
    said = closeness_sentence(found)
    return HTML((sentence(said).data if said else "") + shown.data)


def closeness_sentence(neighbours: pd.DataFrame) -> str:
    """A warning when DfE rates most of a council's neighbours as not close ("" otherwise).

    >>> closeness_sentence(pd.DataFrame({"closeness": ["Not close"] * 10}))
    'DfE rates none of these ten councils as close (all 10 "Not close"): the council is unlike any other, so comparisons with its neighbours say less than usual.'
    """
    bands = neighbours["closeness"].astype("string").fillna("")
    far = bands.isin(["Not close", "Somewhat close"])
    if far.mean() < 0.8:
        return ""
    counts = bands[far].value_counts()
    said = " and ".join(f'{n} "{band}"' for band, n in counts.items())
    close = int((~far).sum())
    return (
        f"DfE rates {'none' if close == 0 else f'only {close}'} of these ten councils as close "
        f"({'all ' if close == 0 else ''}{said}): the council is unlike any other, so "
        "comparisons with its neighbours say less than usual."
    )


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def title_block(
    report: str,
    council: str,
    meeting_date: str,
    latest_census: int | None = None,
    *,
    data: str | None = None,
    board: str = "",
) -> HTML:
    """The heading of a report: council, the board (as the pack definition names it), the
    meeting, the report and the date of its data."""
    from sendlib.measures.areas import find_council

    name = find_council(council)["area_name"]
    meeting = long_date(date.fromisoformat(str(meeting_date)))
    when = data or (
        f"DfE SEN2 returns to January {int(latest_census)}, as DfE's releases of "
        f"{ehcp_release_years()} publish them"
    )
    return HTML(
        '<div class="sendlib-title"><p class="sendlib-kicker">'
        + " · ".join(_esc(part) for part in (name, board, meeting) if part)
        + f"</p><h1>{_esc(report)}</h1><p>Data: {_esc(when)}.</p></div>"
        "<!-- sendlib:toc -->"
    )


def sentence(text: str) -> HTML:
    """A paragraph of generated prose."""
    return HTML(f'<p class="sendlib-summary">{_esc(text)}</p>')


def index_title(table: pd.DataFrame) -> str:
    """A chart title that states the finding of an indexed caseload table.

    >>> t = pd.DataFrame({"year": [2025, 2025], "role": ["council", "england"],
    ...                   "area_name": ["Kingston", "England"], "index": [150.0, 170.0]})
    >>> index_title(t)
    'Kingston: plans grew by 50% since 2015, England by 70%'
    """
    latest = table[table["year"].eq(table["year"].max())].set_index("role")
    council = latest.loc["council"]
    england = latest.loc["england"]
    if pd.isna(council["index"]) or pd.isna(england["index"]):
        return f"{council['area_name']}: plans since {BASE_YEAR}"
    return (
        f"{council['area_name']}: plans grew by {council['index'] - 100:.0f}% since {BASE_YEAR}, "
        f"England by {england['index'] - 100:.0f}%"
    )


def _svg(fig: Figure) -> str:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "sendlib"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue().decode("utf-8")


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def natural_width(svg: str) -> float:
    """The width a chart's SVG asks for, in CSS px (its ``width`` is in points: 4/3 px each).

    >>> natural_width('<svg width="588pt" height="342pt">')
    784.0
    """
    match = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)
    return float(match.group(1)) * 4 / 3 if match else 0.0


def figure(fig: Figure, alt: str | None = None) -> HTML:
    """A chart embedded as an SVG image with its text alternative (``fig.alt_text`` unless
    given), and a phone's version of it (:func:`sendlib.present.charts.phone_version`, its
    text 12 pt) chosen by the browser, with no script, wherever the page is narrower than the
    desktop version's natural width. Each version is shown at its natural size or smaller, so
    the desktop chart's text (9 pt and up, 12 px) is never shrunk, and the phone's keeps
    11 px or more on a 375 px screen.
    SVG stays sharp at any width and is small; the images carry no date or random id, so the
    same chart gives the same bytes."""
    from sendlib.present.charts import phone_version

    desktop, phone = _svg(fig), _svg(phone_version(fig))
    # The page's side padding is 1rem each side (16 px).
    breakpoint = math.ceil(natural_width(desktop) + 32)
    text = alt if alt is not None else getattr(fig, "alt_text", "Chart")
    return HTML(
        '<figure class="sendlib-figure"><picture>'
        f'<source media="(max-width: {breakpoint}px)" '
        f'srcset="{_data_uri(phone)}">'
        f'<img src="{_data_uri(desktop)}" '
        f'alt="{_esc(text)}" style="max-width:100%;height:auto"></picture></figure>'
    )


FIGURE = re.compile(
    r"^[+\-−–]?£?\d[\d,]*(\.\d+)?(%|pp|k|m|bn)?"
    r"( (to|–|of) [+\-−–]?£?\d[\d,]*(\.\d+)?(%|pp|k|m|bn)?)?$"
)
"""A cell that is a figure (a count, £, %, a change, a range "1,505 to 1,665" or a rank
"58 of 151"): it never wraps."""


def is_figure(value: object) -> bool:
    """Whether a table cell is a figure (or missing): figures never wrap on a page.

    >>> [is_figure(v) for v in ("1,505 to 1,665", "-£112,000", "+8.4%", "58 of 151", "–", 3.5)]
    [True, True, True, True, True, True]
    >>> is_figure("Kent"), is_figure("1 = most plans per child")
    (False, False)
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return True
    if isinstance(value, (int, float)):
        return True
    text = str(value).strip()
    return text in ("", "–") or bool(FIGURE.match(text))


def table(
    frame: pd.DataFrame,
    caption: str = "",
    index: bool = False,
    *,
    folded: bool = False,
    cards: bool = False,
) -> HTML:
    """A frame as an accessible HTML table: a caption, figures right-aligned and never
    wrapped (:func:`is_figure`), words aligned left, text escaped, decimals to one place.
    ``folded``: behind a line "Table: <caption>" the reader opens (:func:`fold`), for a
    table that gives the figures of the chart before it. ``cards``: on a phone each row is a
    card headed by its first cell (a table too wide for a phone, every column kept)."""
    shown = frame.copy()
    if index:
        shown = shown.reset_index().rename(columns={"index": ""})
    shown.columns = [str(c) for c in shown.columns]
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_float_dtype(values):
            shown[column] = values.map(lambda v: "–" if pd.isna(v) else f"{v:,.1f}")
    words = tuple(
        c for i, c in enumerate(shown.columns) if i == 0 or not all(is_figure(v) for v in shown[c])
    )
    shown_table = rag_table(
        shown,
        [],
        caption,
        text_columns=words,
        **({"cards": True, "card_title": shown.columns[0]} if cards else {}),
    )
    return fold(f"Table: {caption}", shown_table) if folded else shown_table


def grid(wide: pd.DataFrame, corner: str, fmt, caption: str, *, folded: bool = False) -> HTML:
    """A wide frame (rows by columns of figures) as a table, each cell shown by ``fmt``, the
    row labels headed ``corner`` (``folded`` as for :func:`table`).

    >>> w = pd.DataFrame({"A": [1.0, None]}, index=["x", "y"])
    >>> ">Row</th>" in grid(w, "Row", number, "t").data
    True
    """
    shown = wide.apply(lambda column: column.map(fmt))
    shown.index.name = corner
    shown.columns.name = None
    return table(shown.reset_index(), caption=caption, folded=folded)


def caseload_table(comparison: pd.DataFrame) -> HTML:
    """The caseload table of a report: one row per January, a column per area, with growth.

    ``comparison`` is a frame from :func:`sendlib.measures.caseload.caseload_with_comparators`.
    """
    wide = comparison.pivot(index="year", columns="area_name", values="ehcps")
    wide = wide[list(dict.fromkeys(comparison["area_name"]))]
    first = comparison["area_name"].iloc[0]
    shown = wide.apply(lambda column: column.map(number))
    growth = arithmetic.pct_change(wide[first], wide[first].shift(1))
    shown[f"{first}: change on a year"] = growth.map(signed)
    return grid(shown, "January", str, "Statements and EHC plans at each January census")


def fold(summary: str, *parts: HTML) -> HTML:
    """Parts shown on screen behind a one-line ``summary`` the reader opens (a long table
    after the chart that draws it); on paper they print open.

    >>> fold("The figures", note("n")).data
    '<details class="sendlib-more"><summary>The figures</summary><p class="sendlib-note">n</p></details>'
    """
    inner = "".join(part.data for part in parts if part is not None)
    return HTML(
        f'<details class="sendlib-more"><summary>{_esc(summary)}</summary>{inner}</details>'
    )


def note(text: str) -> HTML:
    """A short note, e.g. what a table left out and why."""
    return HTML(f'<p class="sendlib-note">{_esc(text)}</p>')


def combine(*parts: HTML) -> HTML:
    """Several pieces (figure, table, sentence...) shown as one cell output."""
    return HTML("".join(part.data for part in parts if part is not None))


def number(value: object, digits: int = 0, suffix: str = "") -> str:
    """A number for a table or sentence, or an en dash when missing.

    >>> number(1234.5), number(12.345, 1, "%"), number(None)
    ('1,234', '12.3%', '–')
    """
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):,.{digits}f}{suffix}"


def number_range(lows, highs) -> list[str]:
    """Each pair of bounds as "low to high" (an interval), en dashes where missing.

    >>> number_range([1490.2, None], [1601, 3])
    ['1,490 to 1,601', '– to 3']
    """
    return [f"{number(low)} to {number(high)}" for low, high in zip(lows, highs, strict=True)]


def spread(
    long: pd.DataFrame, index: str, columns: str, values: str, *, keep_empty: bool = True
) -> pd.DataFrame:
    """A tidy frame spread wide for a table: a row per ``index`` value and a column per
    ``columns`` value, both in the order they first come, each cell the ``values`` figure.
    Rows and columns with no figure stay (as missing) unless ``keep_empty`` is false.

    >>> t = pd.DataFrame({"area": ["B", "A"], "year": [2025, 2025], "n": [2, 1]})
    >>> spread(t, "area", "year", "n").to_dict()
    {2025: {'B': 2, 'A': 1}}
    """
    return long.pivot_table(
        index=index,
        columns=columns,
        values=values,
        aggfunc="first",
        sort=False,
        dropna=not keep_empty,
    )


def signed(value: object, digits: int = 1, suffix: str = "%") -> str:
    """A change with its sign, or an en dash when missing.

    >>> signed(9.87), signed(-2), signed(None)
    ('+9.9%', '-2.0%', '–')
    """
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):+,.{digits}f}{suffix}"


def export(frame: pd.DataFrame, folder: str | Path, name: str) -> list[Path]:
    """Save a table as CSV and Excel in ``folder`` (created if missing); return the paths.

    Each file is written whole or not at all (written beside, then moved into place).
    """
    from sendlib.outputs import writable, written_whole

    folder = writable(folder, "the exported table")
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.csv", folder / f"{name}.xlsx"]
    for path in paths:
        with written_whole(path, "the exported table") as part:
            if path.suffix == ".csv":
                frame.to_csv(part, index=False)
            else:
                frame.to_excel(part, index=False, engine="openpyxl")
    return paths


RAG_CLASSES = {code: (RAG_WORDS[code], f"rag-{RAG_WORDS[code].lower()}") for code in "RAG"}


def rag_label(rating: object, differs: bool = False, why: str = "") -> str:
    """A RAG rating as HTML: the word and its colour, never colour alone; ``why`` says why a
    KPI is not rated.

    >>> rag_label("A")
    '<span class="rag rag-amber">Amber</span>'
    >>> rag_label(None, why="no baseline")
    '<span class="rag rag-none">Not rated (no baseline)</span>'
    """
    key = None if rating is None or pd.isna(rating) else str(rating).strip().upper()[:1]
    word, css = RAG_CLASSES.get(key, ("Not rated", "rag-none"))
    extra = " rag-differs" if differs else ""
    suffix = " (differs)" if differs else ""
    if key not in RAG_CLASSES and why:
        suffix = f" ({_esc(why)})"
    return f'<span class="rag {css}{extra}">{word}{suffix}</span>'


def rag_table(
    frame: pd.DataFrame,
    html_columns: list[str],
    caption: str = "",
    *,
    text_columns: tuple[str, ...] = (),
    cards: bool = False,
    card_title: str = "",
    card_details: tuple[str, ...] = (),
    wide: bool = False,
) -> HTML:
    """A table whose ``html_columns`` hold HTML made by sendlib (RAG labels); every other
    cell is escaped, so text from a council's file shows as text. ``text_columns`` are words
    (aligned left and wrapped); every other cell is a figure and never wraps. With ``cards``,
    on a phone each row becomes a card of labelled lines (pure CSS: no script), headed by its
    ``card_title`` column, without the ``card_details`` columns (the desktop table has them).
    A ``wide`` table widens its page on a large screen (to 84rem) so every column shows;
    the page's prose keeps its reading width."""

    def kind(column: str) -> str:
        css = "sendlib-text" if column in text_columns else "sendlib-figure-cell"
        if column == card_title:
            css += " sendlib-card-title"
        if column in card_details:
            css += " sendlib-card-detail"
        return css

    head = "".join(f'<th scope="col" class="{kind(c)}">{_esc(c)}</th>' for c in frame.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{kind(column)}" data-label="{_esc(column)}">'
            f"{value if column in html_columns else _esc('–' if pd.isna(value) else value)}"
            "</td>"
            for column, value in row.items()
        )
        + "</tr>"
        for _, row in frame.iterrows()
    )
    label = _esc(caption or "Table")
    css = "sendlib-table sendlib-cards" if cards else "sendlib-table"
    box = "sendlib-scroll sendlib-wide" if wide else "sendlib-scroll"
    return HTML(
        f'<div class="{box}" tabindex="0" role="region" aria-label="{label}">'
        f'<table class="{css}"><caption>{_esc(caption)}</caption><thead><tr>{head}'
        f"</tr></thead><tbody>{body}</tbody></table></div>"
    )


def money(value: object, unit: str = "GBP") -> str:
    """A figure in its unit: £ with thousands, % with two decimals, counts with commas.

    >>> money(28607000.0), money(6.72, "percent"), money(1512.0, "count"), money(None)
    ('£28,607,000', '6.72%', '1,512', '–')
    """
    if value is None or pd.isna(value):
        return "–"
    if unit == "GBP":
        return f"-£{abs(value):,.0f}" if value < 0 else f"£{value:,.0f}"
    if unit == "percent":
        return f"{value:.2f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def local_sources(files: CouncilQuarter) -> HTML:
    """The council's own files a report used, with their sha256, and the public data."""
    path, hashes = files.folder, files.hashes
    items = "".join(
        f"<li><code>{_esc(name)}</code>, sha256 <code>{_esc(digest[:16])}…</code></li>"
        for name, digest in hashes.items()
    )
    return HTML(
        f'<details class="sendlib-files"><summary>The council\'s own files, in '
        f"<code>{_esc(path.name)}</code>, and their sha256 checksums</summary>"
        f'<ul class="sendlib-sources">{items}</ul></details>' + sources().data
    )


def sources() -> HTML:
    """The sources of a report: each raw file, its release and its sha256, and the version."""
    found = inputs()
    items = "".join(
        f"<li>{_esc(description)}: <code>{_esc(name)}</code>, sha256 "
        f"<code>{_esc(digest[:16])}…</code></li>"
        for name, description, digest in found
    )
    return HTML(
        f'<details class="sendlib-files"><summary>The published data files '
        f"({len(found)}) and their sha256 checksums</summary>"
        f'<ul class="sendlib-sources">{items}</ul></details>'
    )


def growth_sentence(table: pd.DataFrame) -> str:
    """One sentence on the latest year of :func:`sendlib.measures.caseload.caseload_with_comparators`' table.

    >>> from sendlib.measures.caseload import caseload_with_comparators
    >>> t = caseload_with_comparators("Kingston upon Thames", latest=2019)
    >>> growth_sentence(t)
    'Kingston upon Thames maintained 1,161 statements and EHC plans in January 2019, up 11.4% on a year earlier (Outer London 10.0%, England 10.7%).'
    """
    latest = int(table["year"].max())
    now = table[table["year"].eq(latest)].set_index("role")
    before = table[table["year"].eq(latest - 1)].set_index("role")
    change = arithmetic.pct_change(now["ehcps"], before["ehcps"])
    council = now.loc["council"]

    def pct(role: str) -> str:
        value = change.get(role)
        return "not available" if value is None or pd.isna(value) else f"{value:.1f}%"

    direction = "up" if pd.notna(change.get("council")) and change["council"] >= 0 else "down"
    return (
        f"{council['area_name']} maintained {int(council['ehcps']):,} statements and EHC "
        f"plans in January {latest}, {direction} {pct('council').lstrip('-')} on a year "
        f"earlier ({now.loc['region', 'area_name']} {pct('region')}, England "
        f"{pct('england')})."
    )
