"""``sendlib.plot``: a chart of any table the library returns, in the house style, in one line.

>>> import sendlib
>>> fig = sendlib.plot(sendlib.ehcp_caseload(["Kent", "Medway"]))
>>> fig.axes[0].get_title(loc="left")
'Statements and EHC plans: Kent, Medway'

The kind of table is read from its columns: a league table (``rank``) is drawn as every
council's bar in rank order, the council highlighted, with England's and the region's values;
a forecast (``point``) as a fan chart after the published series; a table of shares
(``share`` and a category) as stacked bars for the latest year; any other table with a
``year`` as a line per area (``area_name``, ``comparator`` or ``council``), each comparator in
its role's one colour (:data:`sendlib.present.palette.ROLES`), the council highlighted.
Lines and bars are drawn with seaborn, in sendlib's style (:func:`sendlib.present.charts.style`).
"""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sendlib.errors import ArgumentError
from sendlib.present import charts, palette
from sendlib.present.palette import COUNCIL, ROLES
from sendlib.registry import MEASURES, SOURCE_PLOT, described

VALUES = ("ehcps", "value", "rate_0_17", "index", "share", "pct_change", "per_head")
"""The value a line chart draws when ``measure`` is not given: the first of these it has."""
LABELS = {name: MEASURES[name].label for name in ("ehcps", "rate_0_17", "index", "share")}
"""The label of each value a line chart may draw (:mod:`sendlib.registry`)."""
AREAS = ("council", "area_name", "comparator")
CATEGORIES = ("category", "age_band", "placement_group", "primary_need")
SOURCE = SOURCE_PLOT


def plot(
    table: pd.DataFrame,
    *,
    measure: str | None = None,
    areas: list[str] | None = None,
    highlight: str | None = None,
    title: str | None = None,
) -> Figure:
    """A Figure of ``table`` (see the module's note for which chart each table gets).

    ``measure`` picks the value column, or the measure of a table with a ``measure`` column
    (activity tables); ``areas`` keeps those areas only; ``highlight`` names the area drawn in
    the council's colour (by default the table's council, or its first area); ``title``
    replaces the title sendlib writes.
    """
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ArgumentError("plot needs a non-empty table that sendlib returned")
    kind = _kind(table)
    if kind == "league":
        return _league(table, highlight=highlight, title=title)
    if kind == "forecast":
        return _forecast(table, highlight=highlight, title=title)
    if "year" not in table:
        raise ArgumentError(
            "plot draws tables with a year (caseload, benchmarks, activity, shares, forecasts) "
            f"or a league table; this one has columns {', '.join(map(str, table.columns))}"
        )
    told = described(table) or {}
    table = _one_measure(table, measure)
    category = told.get("category") or next((c for c in CATEGORIES if c in table), None)
    if kind == "shares" or (kind is None and category and "share" in table):
        return _shares(table, category, areas=areas, title=title)
    return _lines(table, measure=measure, areas=areas, highlight=highlight, title=title)


def _kind(table: pd.DataFrame) -> str | None:
    """The kind of table: what sendlib said it is (:func:`sendlib.registry.describe`), or,
    for a table of the analyst's own making, read from its columns (a ``rank``: a league
    table; a ``point`` with ``lower_80``: a forecast)."""
    told = described(table)
    if told:
        return told["kind"]
    if "rank" in table and "value" in table:
        return "league"
    if "point" in table and "lower_80" in table:
        return "forecast"
    return None


def _one_measure(table: pd.DataFrame, measure: str | None) -> pd.DataFrame:
    if "measure" not in table:
        return table
    known = list(dict.fromkeys(table["measure"]))
    chosen = measure or known[0]
    if chosen not in known:
        raise ArgumentError(f"no measure {chosen!r} in this table; it has {', '.join(known)}")
    rows = table[table["measure"].eq(chosen)]
    named = MEASURES[chosen].label if chosen in MEASURES else chosen
    return rows.assign(_label=rows["label"].iloc[0] if "label" in rows else named)


def _area_column(table: pd.DataFrame) -> str:
    told = (described(table) or {}).get("area")
    if told in table:
        return told
    column = next((c for c in AREAS if c in table and table[c].nunique() > 1), None)
    return column or next((c for c in AREAS if c in table), "area_name")


def _lines(table, *, measure, areas, highlight, title) -> Figure:
    value = measure if measure in table else next((v for v in VALUES if v in table), None)
    if value is None:
        raise ArgumentError(f"no value to draw; pick one with measure= from {list(table.columns)}")
    label = _area_column(table)
    rows = table[table[label].isin(areas)] if areas else table
    if rows.empty:
        raise ArgumentError(f"none of {areas} is in this table's {label} column")
    names = list(dict.fromkeys(rows[label]))
    if "role" in rows:
        roles = rows.drop_duplicates(label).set_index(label)["role"]
    elif "level" in rows:  # a caseload table: England and regions take their roles' colours
        by_level = {"national": "england", "region": "region", "inner_outer_london": "region"}
        roles = rows.drop_duplicates(label).set_index(label)["level"].map(by_level)
    else:
        roles = {}
    council = next((n for n in names if dict(roles).get(n) == "council"), names[0])
    highlight = highlight or council
    roles = dict(roles)
    # Areas without a role take the comparator colours, then the other house colours, in
    # turn: every area asked for is drawn, however many.
    taken = {*ROLES.values(), *charts.COMPARATOR_COLOURS}
    spare = itertools.cycle(
        [*charts.COMPARATOR_COLOURS, *(c for c in palette.CATEGORIES if c not in taken)]
    )
    colour_of = {
        n: COUNCIL if n == highlight else ROLES.get(roles.get(n)) or next(spare) for n in names
    }
    what = rows["_label"].iloc[0] if "_label" in rows else LABELS.get(value, value)
    with plt.style.context(charts.style()):
        fig, ax = charts.new_figure()
        import seaborn as sns  # scipy comes with it: imported when a line chart is drawn

        sns.lineplot(
            data=rows.assign(**{value: rows[value].astype(float)}),
            x="year",
            y=value,
            hue=label,
            hue_order=names,
            palette=colour_of,
            linewidth=2,
            ax=ax,
        )
        for line in ax.lines:
            if line.get_label() == highlight:
                line.set_linewidth(3)
        ax.set_title(title or f"{what}: {', '.join(names[:4])}{'...' if len(names) > 4 else ''}")
        ax.set_xlabel("")
        ax.set_ylabel(what if len(what) < 40 else value)
        charts.year_axis(ax.xaxis)
        charts.count_axis(ax.yaxis)
        legend = ax.get_legend()
        if legend is not None:
            legend.set_title(None)
        charts.add_source(fig, SOURCE)
    fig.alt_text = f"Line chart. {ax.get_title(loc='left')}."
    return fig


def _shares(table, category, *, areas, title) -> Figure:
    latest = table[table["year"].eq(table["year"].max())]
    label = _area_column(latest)
    if areas:
        latest = latest[latest[label].isin(areas)]
    year = int(latest["year"].iloc[0])
    return charts.stacked_shares(
        latest,
        category=category,
        share="share",
        title=title or f"Share of plans by {category.replace('_', ' ')}, January {year}",
        source=SOURCE,
        label=label,
    )


def _forecast(table, *, highlight, title) -> Figure:
    from sendlib.measures.caseload import ehcp_caseload

    area = highlight or (table["council"].iloc[0] if "council" in table else None)
    if "council" in table and area is not None:
        table = table[table["council"].eq(area)]
    history = pd.DataFrame({"year": [], "value": []})
    if area is not None:
        past = ehcp_caseload(area)
        history = pd.DataFrame({"year": past["year"], "value": past["ehcps"].astype(float)})
        history = history[history["year"].le(int(table["origin"].iloc[0]))]
    end = table.iloc[-1]
    return charts.fan(
        history,
        table,
        title=title
        or f"{area + ': ' if area else ''}about {end['point']:,.0f} plans forecast for "
        f"January {int(end['year'])}",
        ylabel="Statements and EHC plans",
        source=SOURCE + f" Forecast method: {table['method'].iloc[0]}.",
    )


def _league(table, *, highlight, title) -> Figure:
    rows = table.dropna(subset=["value"]).sort_values("rank")
    with plt.style.context(charts.style()):
        fig, ax = charts.new_figure(8, 4.5)
        colours = [COUNCIL if n == highlight else palette.OTHERS for n in rows["area_name"]]
        # One bar a council: matplotlib's bar is 20 times quicker than seaborn's for 150 bars.
        ax.bar(range(len(rows)), rows["value"].astype(float).to_numpy(), width=1.0, color=colours)
        ax.set_xlim(-0.5, len(rows) - 0.5)
        england = float(table["england_value"].iloc[0])
        if pd.notna(england) and table["value"].max() > 0 and england < 10 * table["value"].max():
            ax.axhline(england, color=ROLES["england"], linestyle="--", linewidth=1.5)
            ax.annotate(
                f"England {england:,.1f}",
                (1.0, england),
                xycoords=("axes fraction", "data"),
                xytext=(-3, 3),
                textcoords="offset points",
                ha="right",
                color=ROLES["england"],
            )
        ax.set_xticks([])
        first = "lowest" if rows["polarity"].iloc[0] == "low is good" else "highest"
        ax.set_xlabel(f"{len(rows)} councils in rank order, the {first} first")
        mine = rows[rows["area_name"].eq(highlight)]
        value = float(mine["value"].iloc[0]) if len(mine) else 0.0
        named = (
            f"{highlight}: {value:,.{0 if value.is_integer() else 1}f}, ranked {int(mine['rank'].iloc[0])} of "
            f"{int(mine['of'].iloc[0])} (quartile {int(mine['quartile'].iloc[0])})"
            if len(mine)
            else "Every council"
        )
        ax.set_title(title or named)
        charts.count_axis(ax.yaxis)
        charts.add_source(fig, SOURCE)
    fig.alt_text = f"Bar chart. {ax.get_title(loc='left')}."
    return fig
