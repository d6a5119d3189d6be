"""The house style of every chart: the style file, the palette's colour cycle, the axes'
number formats, the source line, text drawn as typed. :mod:`sendlib.present.charts` and
:mod:`sendlib.present.finance_charts` draw with it; an analyst may too (:func:`use_style`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sendlib.present.palette import (
    COMPARATORS,
    COUNCIL,
    CYCLE,
    ROLES,
    SOURCE_TEXT,
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
