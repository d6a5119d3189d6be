"""Charts in one accessible style: the council always in the same colour, labels on the lines.

Every function takes a tidy frame and returns a :class:`matplotlib.figure.Figure`; none saves
or shows it (the report layer does). The style is ``sendlib.mplstyle`` beside this module: the
Okabe-Ito colour-blind-safe palette, titles that state the finding, sources under the chart.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sendlib.present.chart_style import (  # noqa: F401 - the style's names, used from here too
    COMPARATOR_COLOURS,
    COUNCIL_COLOUR,
    SMALL_TEXT,
    SOURCE_SIZE,
    STYLE,
    add_source,
    count_axis,
    new_figure,
    plain_text,
    role_id,
    spread_labels,
    style,
    text_as_typed,
    use_style,
    wrap_label,
    year_axis,
)
from sendlib.present.palette import CATEGORIES, ON_DARK, ON_LIGHT, OTHERS, OVER, role_colour
from sendlib.present.phone import PHONE_TEXT, PHONE_WIDTH, phone_version  # noqa: F401
from sendlib.registry import described


@text_as_typed
def trend(
    table: pd.DataFrame,
    *,
    value: str,
    highlight: str,
    title: str,
    ylabel: str,
    source: str,
    label: str = "area_name",
    x: str = "year",
) -> Figure:
    """A line per area over time, labelled at the line's end, ``highlight`` in the council
    colour and drawn on top. ``table`` has columns ``x``, ``label`` and ``value``, and may have
    ``role`` (council, neighbours, region, england): each role is drawn in its one colour of
    :data:`sendlib.present.palette.ROLES`, whatever the order of the rows.

    >>> t = pd.DataFrame({"year": [2019, 2020] * 2, "area_name": ["A", "A", "B", "B"],
    ...                   "ehcps": [1, 2, 2, 3]})
    >>> fig = trend(t, value="ehcps", highlight="A", title="A grew", ylabel="plans",
    ...             source="Source: test")
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['B', 'A']
    """
    if label not in table:
        told = (described(table) or {}).get("area")
        if told not in table:
            from sendlib.errors import ArgumentError

            raise ArgumentError(
                f"trend needs a column naming each line ({label!r}, or the area column the "
                f"table says it has); the table has {', '.join(map(str, table.columns))}"
            )
        label = told  # a benchmark names its rows by comparator, and says so
    with plt.style.context(style()):
        fig, ax = new_figure()
        ends = _trend_lines(ax, table, value=value, label=label, x=x, highlight=highlight)
        _end_labels(ax, ends, highlight)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        if pd.api.types.is_numeric_dtype(table[x]):
            year_axis(ax.xaxis)
        # else: periods such as financial years ("2021/22"), drawn in order as categories
        count_axis(ax.yaxis)
        ax.margins(x=0.02)
        fig.subplots_adjust(right=0.75)
        add_source(fig, source)
    fig.alt_text = describe_trend(ends, title, x_first=table[x].min(), ylabel=ylabel)
    return fig


def _trend_lines(ax, table: pd.DataFrame, *, value, label, x, highlight) -> list[tuple]:
    """A line per area, the highlighted one last (on top) in the council's colour, each other
    in its role's colour; the end of each line: (name, colour, x, value)."""
    names = [n for n in dict.fromkeys(table[label]) if n != highlight] + [highlight]
    others = list(COMPARATOR_COLOURS)
    roles = (
        table.drop_duplicates(label).set_index(label)["role"].to_dict() if "role" in table else {}
    )
    ends = []
    for name in names:
        series = table[table[label].eq(name)].sort_values(x)
        colour = COUNCIL_COLOUR if name == highlight else role_colour(roles.get(name), others)
        role = "council" if name == highlight else roles.get(name)
        ax.plot(
            series[x],
            series[value].astype("float"),
            label=name,
            color=colour,
            linewidth=3 if name == highlight else 2,
            zorder=3 if name == highlight else 2,
            gid=role_id(role),
        )
        last = series.dropna(subset=[value]).tail(1)
        if len(last):
            ends.append((name, colour, last[x].iloc[0], float(last[value].iloc[0])))
    return ends


def _end_labels(ax, ends: list[tuple], highlight: str) -> None:
    """Each line's name at its end, spread so no two overlap."""
    low, high = ax.get_ylim()
    positions = spread_labels([end[3] for end in ends], min_gap=(high - low) * 0.06)
    for (name, colour, x_end, _), y_label in zip(ends, positions, strict=True):
        ax.annotate(
            name,
            (x_end, y_label),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            color=colour,
            fontweight="bold" if name == highlight else "normal",
            annotation_clip=False,
        )


def describe_trend(ends: list[tuple], title: str, x_first: object, ylabel: str) -> str:
    """The text alternative of a trend chart: its title and where each line ends."""
    parts = [f"{name} {value:,.1f}" for name, _, _, value in ends]
    last = ends[0][2] if ends else ""
    return (
        f"Line chart. {title}. {ylabel} from {x_first} to {last}; in {last}: "
        + ", ".join(parts)
        + "."
    )


@text_as_typed
def ranked_bars(
    table: pd.DataFrame,
    *,
    value: str,
    highlight: str,
    title: str,
    xlabel: str,
    source: str,
    label: str = "area_name",
    references: dict[str, float] | None = None,
    reference_roles: dict[str, str] | None = None,
    fmt: str = "{:,.1f}",
) -> Figure:
    """Horizontal bars, largest at the top, ``highlight`` in the council colour, each bar
    labelled with its value; ``references`` (e.g. region and England) drawn as dashed lines,
    each in its role's colour (``reference_roles``: name -> role).

    >>> t = pd.DataFrame({"area_name": ["A", "B", "C"], "rate": [3.0, 5.0, 4.0]})
    >>> fig = ranked_bars(t, value="rate", highlight="C", title="C is second", xlabel="rate",
    ...                   source="Source: test", references={"England": 4.5})
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['A', 'C', 'B']
    """
    rows = table.dropna(subset=[value]).sort_values(value)
    with plt.style.context(style()):
        fig, ax = new_figure(8, 0.42 * len(rows) + 1.6)
        colours = [COUNCIL_COLOUR if n == highlight else OTHERS for n in rows[label]]
        bars = ax.barh(rows[label], rows[value].astype(float), color=colours)
        for bar, name in zip(bars, rows[label], strict=True):
            bar.set_gid(role_id("council") if name == highlight else None)
        for bar, v in zip(bars, rows[value], strict=True):
            ax.annotate(
                fmt.format(v),
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
                # over the reference lines, on white: a dashed line never crosses a figure
                zorder=5,
                bbox={"boxstyle": "square,pad=0.05", "facecolor": ON_DARK, "edgecolor": "none"},
            )
        _reference_lines(ax, references or {}, reference_roles or {}, fmt)
        for tick in ax.get_yticklabels():
            if tick.get_text() == highlight:
                tick.set_fontweight("bold")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        add_source(fig, source)
    fig.alt_text = (
        f"Bar chart. {title}. "
        + "; ".join(
            f"{n} {fmt.format(v)}"
            for n, v in zip(rows[label][::-1], rows[value][::-1], strict=True)
        )
        + "."
    )
    return fig


def _reference_lines(ax, references: dict, roles: dict, fmt: str) -> None:
    """Dashed lines at the reference values (region, England...), each in its role's colour,
    named in the legend, not over the chart: a label over the axes meets the title as soon as
    the title wraps (on a phone)."""
    shown = [(n, r) for n, r in references.items() if pd.notna(r)]
    others = list(COMPARATOR_COLOURS)
    for name, ref in sorted(shown, key=lambda item: float(item[1])):
        role = roles.get(name)
        ax.axvline(
            float(ref),
            color=role_colour(role, others),
            linestyle="--",
            linewidth=1.5,
            gid=role_id(role),
            label=f"{name} {fmt.format(ref)}",
            zorder=3,
        )
    if shown:
        ax.legend(loc="lower right", title=None)


@text_as_typed
def stacked_shares(
    table: pd.DataFrame,
    *,
    category: str,
    share: str,
    title: str,
    source: str,
    label: str = "comparator",
    order: list[str] | None = None,
) -> Figure:
    """One horizontal bar per area, split into the shares of each category (adding to 100%).

    >>> t = pd.DataFrame({"comparator": ["A", "A", "B", "B"], "category": ["x", "y"] * 2,
    ...                   "share": [40.0, 60.0, 70.0, 30.0]})
    >>> fig = stacked_shares(t, category="category", share="share", title="t", source="s")
    >>> len(fig.axes[0].patches)
    4
    """
    wide = table.pivot_table(
        index=label, columns=category, values=share, aggfunc="first", sort=False
    )
    if order:
        wide = wide[[c for c in order if c in wide.columns]]
    wide = wide.iloc[::-1]
    with plt.style.context(style()):
        fig, ax = new_figure(8, 0.6 * len(wide) + 2.4)
        _stack(ax, wide)
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of plans")
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=SMALL_TEXT)
        add_source(fig, source)
        fig.subplots_adjust(bottom=0.35)
    fig.alt_text = f"Stacked bar chart. {title}. " + " ".join(
        f"{area}: "
        + ", ".join(
            f"{c} {wide.loc[area, c]:.0f}%" for c in wide.columns if pd.notna(wide.loc[area, c])
        )
        + "."
        for area in wide.index[::-1]
    )
    return fig


def _stack(ax, wide: pd.DataFrame) -> None:
    """A bar per row of ``wide`` split into its columns' shares, each share of 6% or more
    labelled in the colour that reads on its segment."""
    palette = CATEGORIES
    left = pd.Series(0.0, index=wide.index)
    for column, colour in zip(wide.columns, palette, strict=False):
        values = wide[column].astype(float).fillna(0)
        ax.barh(
            wide.index,
            values,
            left=left,
            color=colour,
            label=column,
            edgecolor=ON_DARK,
            linewidth=0.6,
        )
        for y, (v, start) in enumerate(zip(values, left, strict=True)):
            if v >= 6:
                ax.text(
                    start + v / 2,
                    y,
                    f"{v:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=SMALL_TEXT,
                    color=ON_DARK if colour in palette[:4] + palette[8:10] else ON_LIGHT,
                )
        left = left + values


@text_as_typed
def funnel(stages: pd.DataFrame, *, title: str, source: str) -> Figure:
    """Requests -> assessments -> new plans as bars, each labelled with its share of the first.

    ``stages`` has columns ``stage`` and ``value`` in order.

    >>> t = pd.DataFrame({"stage": ["Requests", "Assessments", "New plans"],
    ...                   "value": [100.0, 80.0, 75.0]})
    >>> fig = funnel(t, title="Most requests became plans", source="s")
    >>> len(fig.axes[0].patches)
    3
    """
    first = float(stages["value"].iloc[0])
    with plt.style.context(style()):
        fig, ax = new_figure(8, 3.2)
        rows = stages.iloc[::-1]
        bars = ax.barh(
            rows["stage"], rows["value"].astype(float), color=COUNCIL_COLOUR, gid=role_id("council")
        )
        for bar, v in zip(bars, rows["value"], strict=True):
            share = f" ({v / first * 100:.0f}% of requests)" if first else ""
            ax.annotate(
                f"{v:,.0f}{share}",
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=9.5,
            )
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, first * 1.45 if first else 1)
        add_source(fig, source)
    fig.alt_text = (
        f"Bar chart. {title}. "
        + "; ".join(f"{s} {v:,.0f}" for s, v in zip(stages["stage"], stages["value"], strict=True))
        + "."
    )
    return fig


@text_as_typed
def fan(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    *,
    title: str,
    ylabel: str,
    source: str,
    ceiling: tuple[int, float] | None = None,
    value: str = "value",
    fmt: str = "{:,.0f}",
) -> Figure:
    """A series (``history``: ``year``, ``value``) and its forecast (``year``, ``point``,
    ``lower_80``... ``upper_95``) with 80% and 95% bands; ``ceiling`` = (year, level) draws a
    limit such as a Safety Valve EHCP ceiling.

    >>> h = pd.DataFrame({"year": [2024, 2025], "value": [100.0, 110.0]})
    >>> f = pd.DataFrame({"year": [2026], "point": [120.0], "lower_80": [115.0],
    ...     "upper_80": [125.0], "lower_95": [110.0], "upper_95": [130.0]})
    >>> fig = fan(h, f, title="t", ylabel="plans", source="s")
    >>> len(fig.axes[0].collections)
    2
    """
    with plt.style.context(style()):
        fig, ax = new_figure()
        # Published points are marked, so a history of one January still draws what the
        # legend names.
        ax.plot(
            history["year"],
            history[value].astype(float),
            color=COUNCIL_COLOUR,
            marker="o",
            markersize=4,
            label="Published",
            gid=role_id("council"),
        )
        _fan_bands(ax, _from_last_published(history, forecast, value))
        end = forecast.tail(1).iloc[0]
        ax.annotate(
            f"{int(end['year'])}: {fmt.format(end['point'])}\n(80%: "
            f"{fmt.format(end['lower_80'])} to {fmt.format(end['upper_80'])})",
            (end["year"], end["point"]),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=COUNCIL_COLOUR,
            annotation_clip=False,
        )
        if ceiling is not None:
            _ceiling_mark(ax, ceiling, fmt)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        year_axis(ax.xaxis)
        count_axis(ax.yaxis)
        ax.legend(loc="upper left", fontsize=9)
        fig.subplots_adjust(right=0.8)
        add_source(fig, source)
    fig.alt_text = (
        f"Fan chart. {title}. Forecast for {int(end['year'])}: "
        f"{fmt.format(end['point'])}, 80% interval {fmt.format(end['lower_80'])} "
        f"to {fmt.format(end['upper_80'])}, 95% interval "
        f"{fmt.format(end['lower_95'])} to {fmt.format(end['upper_95'])}."
    )
    return fig


def _from_last_published(history: pd.DataFrame, forecast: pd.DataFrame, value: str):
    """The forecast with the last published point first, so its line and bands start there."""
    last = history.dropna(subset=[value]).tail(1)
    start = pd.DataFrame(
        {
            "year": last["year"],
            "point": last[value],
            **{c: last[value] for c in ["lower_80", "upper_80", "lower_95", "upper_95"]},
        }
    )
    return pd.concat([start, forecast], ignore_index=True).astype({"point": float})


def _fan_bands(ax, joined: pd.DataFrame) -> None:
    """The 95% and 80% bands and the dashed forecast line."""
    for level, alpha in [(95, 0.15), (80, 0.3)]:
        ax.fill_between(
            joined["year"],
            joined[f"lower_{level}"].astype(float),
            joined[f"upper_{level}"].astype(float),
            color=COUNCIL_COLOUR,
            alpha=alpha,
            linewidth=0,
            label=f"{level}% interval",
        )
    ax.plot(joined["year"], joined["point"], color=COUNCIL_COLOUR, linestyle="--", label="Forecast")


def _ceiling_mark(ax, ceiling: tuple[int, float], fmt: str) -> None:
    """A ceiling (year, level) as a bar mark, labelled below it: the forecast line runs above
    a ceiling it breaches."""
    ax.plot([ceiling[0]], [ceiling[1]], marker="_", markersize=30, color=OVER, markeredgewidth=3)
    ax.annotate(
        f"Ceiling {fmt.format(ceiling[1])}",
        ceiling,
        xytext=(0, -12),
        textcoords="offset points",
        ha="center",
        va="top",
        color=OVER,
        fontsize=9,
    )
