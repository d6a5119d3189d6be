"""Charts in one accessible style: the council always in the same colour, labels on the lines.

Every function takes a tidy frame and returns a :class:`matplotlib.figure.Figure`; none saves
or shows it (the report layer does). The style is ``sendlib.mplstyle`` beside this module: the
Okabe-Ito colour-blind-safe palette, titles that state the finding, sources under the chart.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

STYLE = Path(__file__).with_name("sendlib.mplstyle")
COUNCIL_COLOUR = "#0072B2"
"""The council's colour in every chart (Okabe-Ito blue)."""
COMPARATOR_COLOURS = ["#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
"""Colours of comparators, in order (statistical neighbours, region, England...)."""


def use_style() -> None:
    """Apply the sendlib chart style to matplotlib (notebooks call it once)."""
    plt.style.use(STYLE)


def add_source(fig: Figure, source: str) -> Figure:
    """Write the source and data date under a chart, left-aligned, and return the figure."""
    fig.text(0.01, -0.02, source, ha="left", va="top", fontsize=8.5, color="#404040", wrap=True)
    return fig


def spread_labels(values: list[float], min_gap: float) -> list[float]:
    """Label positions near ``values`` but at least ``min_gap`` apart (order kept).

    >>> spread_labels([10.0, 10.5, 30.0], min_gap=2.0)
    [9.25, 11.25, 30.0]
    """
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [values[i] for i in order]
    for _ in range(len(placed)):
        moved = False
        for k in range(1, len(placed)):
            overlap = min_gap - (placed[k] - placed[k - 1])
            if overlap > 1e-9:
                placed[k - 1] -= overlap / 2
                placed[k] += overlap / 2
                moved = True
        if not moved:
            break
    result = [0.0] * len(values)
    for rank, i in enumerate(order):
        result[i] = round(placed[rank], 6)
    return result


def new_figure(width: float = 8, height: float = 4.5) -> tuple[Figure, plt.Axes]:
    """A figure in the sendlib style, closed to pyplot so Jupyter shows it once (as the value
    of the cell) and a long run does not keep every figure in memory."""
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(width, height))
    plt.close(fig)
    return fig, ax


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
    colour and drawn on top. ``table`` has columns ``x``, ``label`` and ``value``.

    >>> t = pd.DataFrame({"year": [2019, 2020] * 2, "area_name": ["A", "A", "B", "B"],
    ...                   "ehcps": [1, 2, 2, 3]})
    >>> fig = trend(t, value="ehcps", highlight="A", title="A grew", ylabel="plans",
    ...             source="Source: test")
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['B', 'A']
    """
    with plt.style.context(STYLE):
        fig, ax = new_figure()
        names = [n for n in dict.fromkeys(table[label]) if n != highlight] + [highlight]
        colours = iter(COMPARATOR_COLOURS)
        ends = []
        for name in names:
            series = table[table[label].eq(name)].sort_values(x)
            colour = COUNCIL_COLOUR if name == highlight else next(colours)
            ax.plot(
                series[x],
                series[value].astype("float"),
                label=name,
                color=colour,
                linewidth=3 if name == highlight else 2,
                zorder=3 if name == highlight else 2,
            )
            last = series.dropna(subset=[value]).tail(1)
            if len(last):
                ends.append((name, colour, last[x].iloc[0], float(last[value].iloc[0])))
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
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.margins(x=0.02)
        fig.subplots_adjust(right=0.75)
        add_source(fig, source)
    fig.alt_text = describe_trend(ends, title, x_first=table[x].min(), ylabel=ylabel)
    return fig


def describe_trend(ends: list[tuple], title: str, x_first: object, ylabel: str) -> str:
    """The text alternative of a trend chart: its title and where each line ends."""
    parts = [f"{name} {value:,.1f}" for name, _, _, value in ends]
    last = ends[0][2] if ends else ""
    return (
        f"Line chart. {title}. {ylabel} from {x_first} to {last}; in {last}: "
        + ", ".join(parts)
        + "."
    )
