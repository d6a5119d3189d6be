"""Charts in one accessible style: the council always in the same colour, labels on the lines.

Every function takes a tidy frame and returns a :class:`matplotlib.figure.Figure`; none saves
or shows it (the report layer does). The style is ``sendlib.mplstyle`` beside this module: the
Okabe-Ito colour-blind-safe palette, titles that state the finding, sources under the chart.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sendlib.present.palette import (
    CATEGORIES,
    COMPARATORS,
    COUNCIL,
    CYCLE,
    OTHERS,
    OVER,
    ROLES,
    SOURCE_TEXT,
    role_colour,
)

SMALL_TEXT = 9
"""The smallest text of a chart, in points: 9 pt is 12 CSS px where the page shows the chart at
its natural size, as it does wherever the page is wider than the chart (11 px is the floor)."""
SOURCE_SIZE = SMALL_TEXT
"""Font size of the source line under a chart (points)."""
STYLE = Path(__file__).with_name("sendlib.mplstyle")
COUNCIL_COLOUR = COUNCIL
"""The council's colour in every chart (Okabe-Ito blue)."""
COMPARATOR_COLOURS = COMPARATORS
"""Colours of comparators, in order (statistical neighbours, region, England...)."""


def style() -> list:
    """The house style, for ``plt.style.use`` or ``plt.style.context``: the style file and the
    palette's colour cycle. Every chart function draws inside it."""
    from cycler import cycler

    return [STYLE, {"axes.prop_cycle": cycler(color=CYCLE)}]


def use_style() -> None:
    """Apply the house style to every later matplotlib figure (for an analyst's own charts;
    sendlib's chart functions apply it themselves)."""
    plt.style.use(style())


def add_source(fig: Figure, source: str) -> Figure:
    """Write the source and data date under a chart, left-aligned, and return the figure."""
    # Wrapped here by characters: matplotlib's own wrapping measures the text word by word
    # at every draw, which costs more than the rest of most charts.
    characters = int(fig.get_figwidth() * 72 / (SOURCE_SIZE * 0.5))
    text = "\n".join(textwrap.wrap(source, width=characters)) or source
    fig.text(0.01, -0.02, text, ha="left", va="top", fontsize=SOURCE_SIZE, color=SOURCE_TEXT)
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


def _year_text(value: float, _position: object = None) -> str:
    return f"{value:.0f}"


class _Values:
    """An axis formatter (picklable, so a chart can be copied for a phone)."""

    def __init__(self, fmt=None) -> None:
        self.fmt = fmt

    def __call__(self, value: float, _position: object = None) -> str:
        from sendlib.present.formats import count

        return (self.fmt or count)(value)


def year_axis(axis) -> None:
    """Whole years on an axis, written out ("2021", never "0 +2.02e3" or "2,021"); ticks only
    at whole numbers."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(_year_text))


def count_axis(axis, fmt=None) -> None:
    """Values on an axis the GOV.UK way: thousands separated ("20,000"), no scientific
    notation or offset; ``fmt`` (a module-level function of the value) for £ or %."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(_Values(fmt)))


def wrap_label(text: object, width: int = 30) -> str:
    """A long category label wrapped onto lines of ``width`` characters, never cut.

    >>> print(wrap_label("Increased places in Specialist Resource Provisions (SRP)", 30))
    Increased places in Specialist
    Resource Provisions (SRP)
    """
    return "\n".join(textwrap.wrap(str(text), width=width)) or str(text)


def new_figure(width: float = 8, height: float = 4.5) -> tuple[Figure, plt.Axes]:
    """A figure in the sendlib style, closed to pyplot so Jupyter shows it once (as the value
    of the cell) and a long run does not keep every figure in memory."""
    with plt.style.context(style()):
        fig, ax = plt.subplots(figsize=(width, height))
    plt.close(fig)
    return fig, ax


def role_id(role: object) -> str | None:
    """The SVG id of a role's line or bar (``sendlib-role-england``), by which a test can
    find each role's colour on every page; None for a line with no role.

    >>> role_id("region"), role_id(None)
    ('sendlib-role-region', None)
    """
    return f"sendlib-role-{role}" if role in ROLES else None


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
        found = next((c for c in ("comparator", "council", "area_name") if c in table), None)
        if found is None:
            from sendlib.errors import ArgumentError

            raise ArgumentError(
                f"trend needs a column naming each line ({label!r}, 'comparator' or 'council'); "
                f"the table has {', '.join(map(str, table.columns))}"
            )
        label = found  # the benchmarks name their rows by comparator
    with plt.style.context(style()):
        fig, ax = new_figure()
        names = [n for n in dict.fromkeys(table[label]) if n != highlight] + [highlight]
        others = list(COMPARATOR_COLOURS)
        roles = (
            table.drop_duplicates(label).set_index(label)["role"].to_dict()
            if "role" in table
            else {}
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
        year_axis(ax.xaxis)
        count_axis(ax.yaxis)
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
                bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none"},
            )
        shown = [(n, r) for n, r in (references or {}).items() if pd.notna(r)]
        others = list(COMPARATOR_COLOURS)
        for name, ref in sorted(shown, key=lambda item: float(item[1])):
            role = (reference_roles or {}).get(name)
            colour = role_colour(role, others)
            # Named in the legend, not over the chart: a label over the axes meets the title
            # as soon as the title wraps (on a phone).
            ax.axvline(
                float(ref),
                color=colour,
                linestyle="--",
                linewidth=1.5,
                gid=role_id(role),
                label=f"{name} {fmt.format(ref)}",
                zorder=3,
            )
        if shown:
            ax.legend(loc="lower right", title=None)
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
    palette = CATEGORIES
    with plt.style.context(style()):
        fig, ax = new_figure(8, 0.6 * len(wide) + 2.4)
        left = pd.Series(0.0, index=wide.index)
        for column, colour in zip(wide.columns, palette, strict=False):
            values = wide[column].astype(float).fillna(0)
            ax.barh(
                wide.index,
                values,
                left=left,
                color=colour,
                label=column,
                edgecolor="white",
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
                        color="white" if colour in palette[:4] + palette[8:10] else "black",
                    )
            left = left + values
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
    """A series and its forecast with 80% and 95% bands (a fan chart).

    ``history`` has ``year`` and ``value``; ``forecast`` has ``year``, ``point`` and
    ``lower_80``/``upper_80``/``lower_95``/``upper_95``. ``ceiling`` = (year, level) draws a
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
        last = history.dropna(subset=[value]).tail(1)
        joined = pd.concat(
            [
                pd.DataFrame(
                    {
                        "year": last["year"],
                        "point": last[value],
                        **{
                            c: last[value] for c in ["lower_80", "upper_80", "lower_95", "upper_95"]
                        },
                    }
                ),
                forecast,
            ],
            ignore_index=True,
        ).astype({"point": float})
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
        ax.plot(
            joined["year"], joined["point"], color=COUNCIL_COLOUR, linestyle="--", label="Forecast"
        )
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
            ax.plot(
                [ceiling[0]],
                [ceiling[1]],
                marker="_",
                markersize=30,
                color=OVER,
                markeredgewidth=3,
            )
            ax.annotate(
                f"Ceiling {fmt.format(ceiling[1])}",
                ceiling,
                xytext=(
                    0,
                    -12,
                ),  # below its mark: the forecast line runs above a ceiling it breaches
                textcoords="offset points",
                ha="center",
                va="top",
                color=OVER,
                fontsize=9,
            )
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


def plain_text(value: object) -> object:
    """Text shown as typed: a ``$`` never starts matplotlib's maths mode, so a label such as
    ``$\\macro$`` from a council's file draws as those characters instead of failing.

    >>> print(plain_text("Cost $x$ (£)"))
    Cost \\$x\\$ (£)
    """
    return value.replace("$", r"\$") if isinstance(value, str) else value


def _plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    text = [
        c
        for c in frame.columns
        if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
    ]
    return frame.assign(**{c: frame[c].map(plain_text) for c in text}) if text else frame


def text_as_typed(function):
    """Make every piece of text a chart function is given draw as typed (see
    :func:`plain_text`): strings, lists of strings and the text columns of DataFrames."""
    import functools

    def clean(value):
        if isinstance(value, pd.DataFrame):
            return _plain_frame(value)
        if isinstance(value, list | tuple):
            return type(value)(plain_text(v) for v in value)
        return plain_text(value)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*(clean(a) for a in args), **{k: clean(v) for k, v in kwargs.items()})

    return wrapper


for _name in ("trend", "ranked_bars", "stacked_shares", "funnel", "fan"):
    globals()[_name] = text_as_typed(globals()[_name])


PHONE_WIDTH = 4.6
"""The width (inches) a chart is redrawn at for a phone (with the 0.1 inch padding a tight
save adds each side)."""
PHONE_TEXT = 12.0
"""The smallest text (points) of a phone chart: drawn 4.6 inches wide and shown about 343 px
wide, a point is about a pixel, so no text is under 11 px."""


def phone_version(fig: Figure) -> Figure:
    """The same chart redrawn for a phone: narrower, every text at least
    :data:`PHONE_TEXT` points, long titles and the source line wrapped to the width. A copy:
    ``fig`` is not changed."""
    import pickle

    from matplotlib.ticker import MaxNLocator

    phone = pickle.loads(pickle.dumps(fig))
    width, height = fig.get_size_inches()
    names = [
        " ".join(t.get_text().split("\n"))
        for ax in fig.axes
        for t in ax.get_yticklabels()
        if not t.get_text().replace(",", "").replace(".", "").lstrip("-£").isdigit()
    ]
    lines = max((len(textwrap.wrap(n, width=18)) for n in names), default=1)
    rows = len(names) * lines / 0.8  # the axes take about 80% of the height
    # a bar per category: as tall as its wrapped names, at the phone's text size
    phone.set_size_inches(PHONE_WIDTH, max(height * 0.95, 3.6, 0.24 * rows + 1.6))
    characters = int((PHONE_WIDTH - 0.3) * 72 / (PHONE_TEXT * 0.62))  # a line of text
    for text in phone.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text")):
        size = text.get_fontsize()
        text.set_fontsize(max(size, PHONE_TEXT))
    for ax in phone.axes:
        for loc in ("left", "center"):
            title = ax.get_title(loc=loc)
            if title:
                joined = " ".join(title.split("\n"))
                bold = int(characters * 0.62 / 0.7)  # titles are bold, and larger
                ax.set_title("\n".join(textwrap.wrap(joined, width=bold)), loc=loc)
        names = [" ".join(t.get_text().split("\n")) for t in ax.get_yticklabels()]
        if any(len(name) > 18 for name in names):  # long category names, wrapped narrower
            ax.set_yticks(
                ax.get_yticks(), ["\n".join(textwrap.wrap(n, width=18)) or n for n in names]
            )
        _one_column_legend(ax)
    for text in phone.texts:  # the source line, under the chart
        joined = " ".join(text.get_text().split("\n"))
        text.set_text("\n".join(textwrap.wrap(joined, width=characters)) or joined)
    _fit_width(phone, PHONE_WIDTH - 0.2)
    for ax in phone.axes:  # fewer ticks on a narrow axis: one per 0.8 inch
        locator = ax.xaxis.get_major_locator()
        if isinstance(locator, MaxNLocator):
            inches = ax.get_position().width * PHONE_WIDTH
            locator.set_params(nbins=max(2, int(inches / 0.8)))
    _drop_crowded_labels(phone)
    _source_last(phone)
    return phone


def _source_last(fig: Figure) -> None:
    """Put the source line under everything the axes draw (a legend under a phone's chart
    is taller than the desktop's)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in fig.axes) if fig.axes else 0.0
    height = fig.get_size_inches()[1] * fig.dpi
    for text in fig.texts:
        x, y = text.get_position()
        text.set_position((x, min(y, lowest / height - 0.03)))


def _one_column_legend(ax) -> None:
    """A legend in one column (a phone is narrow): kept inside the axes where it was, or
    put under them where it was under them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    legend = ax.get_legend()
    if legend is None:
        return
    renderer = FigureCanvasAgg(ax.figure).get_renderer()
    below = legend.get_window_extent(renderer).y1 <= ax.get_window_extent(renderer).y0
    handles = legend.legend_handles
    labels = ["\n".join(textwrap.wrap(t.get_text(), width=24)) for t in legend.get_texts()]
    size = max(legend.get_texts()[0].get_fontsize(), PHONE_TEXT) if labels else PHONE_TEXT
    # Under the axes on a phone, wherever it was: inside, it would cover a narrow chart.
    drop = -0.2 if below else -0.12
    ax.legend(
        handles,
        labels,
        ncols=1,
        fontsize=size,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(0, drop),
    )


def _drop_crowded_labels(fig: Figure) -> None:
    """On a phone, a value label inside a chart that would run over another is left out (the
    bar still shows it, and the table and the text alternative give every value)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    for ax in fig.axes:
        kept = []
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            if any(box.overlaps(other) for other in kept):
                text.set_visible(False)
            else:
                kept.append(box)


def _fit_width(fig: Figure, width: float) -> None:
    """Narrow the axes until everything the figure draws (labels at line ends, long tick
    labels) fits within ``width`` inches, so the saved chart is not wider and its text not
    scaled down."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    for _ in range(4):
        box = fig.get_tightbbox(canvas.get_renderer())
        left, right = max(0.0, -box.x0), max(0.0, box.x1 - width)
        if left + right < 0.02:
            return
        for ax in fig.axes:
            pos = ax.get_position()
            x0 = pos.x0 + (left + 0.02) / width
            x1 = pos.x1 - (right + 0.02) / width
            if x1 - x0 < 0.15:  # keep a usable plot; the rest is drawn smaller
                return
            ax.set_position([x0, pos.y0, x1 - x0, pos.height])
