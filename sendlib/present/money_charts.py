"""Charts of the money model: plans or spend by placement group each year, and the DSG
deficit's paths under the council's scenarios against its ceiling."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sendlib.present.chart_style import (
    SMALL_TEXT,
    add_source,
    count_axis,
    new_figure,
    role_id,
    spread_labels,
    style,
)
from sendlib.present.palette import CATEGORIES, COUNCIL, CYCLE, OVER, RULE


def by_group(
    wide: pd.DataFrame,
    *,
    first_forecast: object,
    title: str,
    ylabel: str,
    source: str,
    fmt: str = "{:,.0f}",
    colours: dict[str, str] | None = None,
) -> Figure:
    """One stacked column per year (``wide``: a row per year label, a column per group),
    the columns from ``first_forecast`` on paler and marked "forecast"; a legend beside the
    chart names each group with its value in the last column, in the order they are stacked
    (a phone puts it under the chart). ``colours`` gives each group's colour
    (default: :data:`~sendlib.present.palette.CATEGORIES` in column order), so a group keeps
    its colour from chart to chart.

    >>> w = pd.DataFrame({"A": [1.0, 2.0], "B": [3.0, 4.0]}, index=[2025, 2026])
    >>> fig = by_group(w, first_forecast=2026, title="t", ylabel="plans", source="s")
    >>> len(fig.axes[0].patches)
    4
    """
    labels = [str(i) for i in wide.index]
    forecast = [i >= first_forecast for i in wide.index] if first_forecast is not None else []
    with plt.style.context(style()):
        fig, ax = new_figure()
        bottom = pd.Series(0.0, index=wide.index)
        ends = []
        given = colours or dict(zip(wide.columns, CATEGORIES, strict=False))
        for column in wide.columns:
            colour = given[column]
            values = wide[column].astype(float).fillna(0)
            for x, (_label, v, b) in enumerate(zip(labels, values, bottom, strict=True)):
                ax.bar(
                    x,
                    v,
                    bottom=b,
                    color=colour,
                    alpha=0.55 if forecast and forecast[x] else 1.0,
                    edgecolor="white",
                    linewidth=0.6,
                    label=column if x == 0 else None,
                )
            ends.append(
                (column, colour, float(bottom.iloc[-1] + values.iloc[-1] / 2), values.iloc[-1])
            )
            bottom = bottom + values
        ax.set_xticks(range(len(labels)), labels)
        if forecast and any(forecast):
            start = forecast.index(True) - 0.5
            ax.axvline(start, color=RULE, linewidth=1, linestyle=":")
            ax.annotate(
                "forecast",
                (start, 1),
                xycoords=("data", "axes fraction"),
                xytext=(4, -4),
                textcoords="offset points",
                va="top",
                fontsize=SMALL_TEXT,
                color=RULE,
            )
        handles, _ = ax.get_legend_handles_labels()
        named = [f"{name}: {fmt.format(value)}" for name, _, _, value in ends]
        ax.legend(
            handles[::-1],
            named[::-1],
            title=f"{labels[-1]}, top to bottom",
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=SMALL_TEXT,
            title_fontsize=SMALL_TEXT,
            frameon=False,
        )
        ax.set_title(_wrapped(title))
        ax.set_ylabel(ylabel)
        count_axis(ax.yaxis)
        ax.grid(axis="x", visible=False)
        fig.subplots_adjust(right=0.64)
        add_source(fig, source)
    last = wide.index[-1]
    fig.alt_text = (
        f"Stacked column chart. {title}. {last}: "
        + ", ".join(f"{c} {fmt.format(float(wide.loc[last, c]))}" for c in wide.columns)
        + "."
    )
    return fig


def _wrapped(title: str, width: int = 62) -> str:
    """A title in lines of at most ``width`` characters, so it never runs past the chart."""
    return "\n".join(textwrap.wrap(title, width=width))


def paths(
    table: pd.DataFrame,
    *,
    value: str,
    title: str,
    ylabel: str,
    source: str,
    band: pd.DataFrame | None = None,
    ceiling: pd.DataFrame | None = None,
    fmt: str = "£{:,.1f}m",
    scale: float = 1e6,
) -> Figure:
    """A line per scenario (``table``: ``x`` labels in order, ``scenario``, ``value``), the
    central one (first) in the council's colour with its 80% ``band`` (``x``, ``lower_80``,
    ``upper_80``) and each scenario named at its end; ``ceiling`` (``x``, ``ceiling``) marks
    a limit where there is one.

    >>> t = pd.DataFrame({"x": ["a", "b", "a", "b"], "scenario": ["central"] * 2 + ["s"] * 2,
    ...                   "v": [1e6, 2e6, 1e6, 1.5e6]})
    >>> len(paths(t, value="v", title="t", ylabel="£m", source="s").axes[0].lines)
    2
    """
    order = list(dict.fromkeys(table["x"]))
    position = {x: i for i, x in enumerate(order)}
    names = list(dict.fromkeys(table["scenario"]))
    with plt.style.context(style()):
        fig, ax = new_figure()
        if band is not None and len(band):
            xs = band["x"].map(position)
            ax.fill_between(
                xs,
                band["lower_80"].astype(float) / scale,
                band["upper_80"].astype(float) / scale,
                color=COUNCIL,
                alpha=0.2,
                linewidth=0,
                label=f"{names[0]}: 80% interval",
            )
        ends = []
        colours = [COUNCIL] + [c for c in CYCLE if c != COUNCIL]
        for name, colour in zip(names, colours, strict=False):
            rows = table[table["scenario"].eq(name)]
            xs = rows["x"].map(position)
            values = rows[value].astype(float) / scale
            ax.plot(
                xs,
                values,
                color=colour,
                linewidth=3 if name == names[0] else 2,
                linestyle="-" if name == names[0] else "--",
                marker="o",
                markersize=3,
                gid=role_id("council") if name == names[0] else None,
            )
            ends.append((name, colour, float(xs.iloc[-1]), float(values.iloc[-1])))
        if ceiling is not None and ceiling["ceiling"].notna().any():
            marks = ceiling.dropna(subset=["ceiling"])
            ax.plot(
                marks["x"].map(position),
                marks["ceiling"].astype(float) / scale,
                color=OVER,
                marker="_",
                markersize=24,
                markeredgewidth=3,
                linestyle="none",
                label="Ceiling",
            )
        low, high = ax.get_ylim()
        # names wrapped to two lines need twice a line's room
        spots = spread_labels([e[3] for e in ends], min_gap=(high - low) * 0.11)
        for (name, colour, x, v), y in zip(ends, spots, strict=True):
            ax.annotate(
                "\n".join(textwrap.wrap(f"{name}: {fmt.format(v)}", width=24)),
                (x, y),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=SMALL_TEXT,
                color=colour,
                annotation_clip=False,
            )
        ax.set_xticks(range(len(order)), order)
        ax.set_title(_wrapped(title))
        ax.set_ylabel(ylabel)
        count_axis(ax.yaxis)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize=SMALL_TEXT)
        fig.subplots_adjust(right=0.66)
        add_source(fig, source)
    fig.alt_text = (
        f"Line chart. {title}. In {order[-1]}: "
        + ", ".join(f"{n} {fmt.format(v)}" for n, _, _, v in ends)
        + "."
    )
    return fig
