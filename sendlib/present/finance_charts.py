"""The finance charts: the High Needs Block waterfall, the deficit against its ceiling, and
savings against target. Each returns a Figure in the house style (see :mod:`.charts`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sendlib.present.charts import (
    COUNCIL_COLOUR,
    SMALL_TEXT,
    add_source,
    count_axis,
    new_figure,
    role_id,
    style,
    text_as_typed,
    wrap_label,
)
from sendlib.present.formats import pounds_k, pounds_m
from sendlib.present.palette import OTHERS, OVER, RULE, UNDER


@text_as_typed
def waterfall(steps: pd.DataFrame, *, title: str, source: str) -> Figure:
    """A waterfall of ``steps`` (from :func:`sendlib.measures.finance.waterfall`), £ million.

    >>> t = pd.DataFrame({"step": ["Spend", "Saving", "Net"], "amount": [10.0, -2.0, 8.0],
    ...                   "start": [0.0, 10.0, 0.0], "end": [10.0, 8.0, 8.0],
    ...                   "kind": ["total", "change", "total"]})
    >>> len(waterfall(t, title="t", source="s").axes[0].patches)
    3
    """
    with plt.style.context(style()):
        lines = sum(wrap_label(step).count("\n") + 1 for step in steps["step"])
        fig, ax = new_figure(8, 0.3 * lines + 0.2 * len(steps) + 1.8)
        rows = steps.iloc[::-1].reset_index(drop=True)
        for y, row in rows.iterrows():
            low, high = sorted([row["start"], row["end"]])
            colour = (
                COUNCIL_COLOUR if row["kind"] == "total" else UNDER if row["amount"] < 0 else OVER
            )
            ax.barh(y, (high - low) / 1e6, left=low / 1e6, color=colour)
            sign = "-" if row["amount"] < 0 else "+" if row["kind"] == "change" else ""
            ax.annotate(
                f"{sign}{pounds_m(abs(row['amount']), 3)}",
                (high / 1e6, y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=SMALL_TEXT,
            )
        ax.set_yticks(range(len(rows)), [wrap_label(s) for s in rows["step"]], fontsize=SMALL_TEXT)
        ax.set_xlabel("£ million")
        count_axis(ax.xaxis)
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.set_xlim(0, steps[["start", "end"]].max().max() / 1e6 * 1.22)
        add_source(fig, source)
    fig.alt_text = f"Waterfall chart. {title}. " + "; ".join(
        f"{s}: {pounds_m(a, 3)}" for s, a in zip(steps["step"], steps["amount"], strict=True)
    )
    return fig


def _year_labels(ax, x: pd.Series, values: pd.Series) -> None:
    """Each year's first point and the latest labelled with its value (£ million)."""
    labelled = ~x.dt.year.duplicated() | (x == x.max())
    for day, v, show in zip(x, values, labelled, strict=True):
        if show:
            ax.annotate(
                f"{pounds_m(v, 1)}",
                (day, v / 1e6),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                fontsize=SMALL_TEXT,
            )


@text_as_typed
def against_ceiling(
    table: pd.DataFrame,
    *,
    title: str,
    source: str,
    value: str = "deficit",
    label: str = "when",
    when: str = "as_at",
) -> Figure:
    """A series against a ceiling drawn where one applies, £ million. Points are spaced by
    their dates (``when``, e.g. :func:`sendlib.measures.finance.deficit_trajectory`'s
    ``as_at``), so three quarters of one year do not look as far apart as three years; each
    year's first point and the latest are labelled with their value (all are in the text
    alternative, with ``label``).

    >>> t = pd.DataFrame({"when": ["a", "b"], "as_at": pd.to_datetime(["2020-03-31",
    ...     "2021-03-31"]), "deficit": [1e6, 2e6], "ceiling": [None, 3e6]})
    >>> len(against_ceiling(t, title="t", source="s").axes[0].lines)
    2
    """
    import matplotlib.dates as mdates

    with plt.style.context(style()):
        fig, ax = new_figure()
        x = pd.to_datetime(table[when])
        values = table[value].astype(float) / 1e6
        ax.plot(
            x,
            values,
            marker="o",
            color=COUNCIL_COLOUR,
            label="Cumulative deficit",
            gid=role_id("council"),
        )
        _year_labels(ax, x, table[value])
        ceiling = table["ceiling"].astype("Float64")
        if ceiling.notna().any():
            ax.plot(
                [d for d, c in zip(x, ceiling, strict=True) if pd.notna(c)],
                [c / 1e6 for c in ceiling if pd.notna(c)],
                color=OVER,
                linestyle="--",
                label="Safety Valve ceiling",
            )
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.set_ylabel("£ million")
        count_axis(ax.yaxis)
        ax.set_title(title)
        ax.legend(loc="upper left", fontsize=9)
        add_source(fig, source)
    fig.alt_text = (
        f"Line chart. {title}. "
        + "; ".join(
            f"{w}: {pounds_m(v, 1)}" for w, v in zip(table[label], table[value], strict=True)
        )
        + "."
    )
    return fig


@text_as_typed
def target_and_achieved(table: pd.DataFrame, *, title: str, source: str) -> Figure:
    """Paired bars per line: the target and what was achieved (£ thousand).

    >>> t = pd.DataFrame({"line": ["a"], "target": [100.0], "achieved": [50.0]})
    >>> len(target_and_achieved(t, title="t", source="s").axes[0].patches)
    2
    """
    with plt.style.context(style()):
        fig, ax = new_figure(8, 0.7 * len(table) + 1.8)
        y = pd.Series(range(len(table)))[::-1].to_numpy()
        ax.barh(y + 0.2, table["target"] / 1e3, height=0.38, color=OTHERS, label="Target")
        ax.barh(
            y - 0.2,
            table["achieved"] / 1e3,
            height=0.38,
            color=COUNCIL_COLOUR,
            label="Achieved",
            gid=role_id("council"),
        )
        for yy, t, a in zip(y, table["target"], table["achieved"], strict=True):
            ax.annotate(
                pounds_k(t),
                (max(t, 0) / 1e3, yy + 0.2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=SMALL_TEXT,
            )
            ax.annotate(
                pounds_k(a),
                (max(a, 0) / 1e3, yy - 0.2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=SMALL_TEXT,
            )
        ax.set_yticks(y, [wrap_label(s) for s in table["line"]], fontsize=SMALL_TEXT)
        ax.axvline(0, color=RULE, linewidth=0.8)
        ax.set_xlabel("£ thousand saved")
        count_axis(ax.xaxis)
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right", fontsize=9)
        add_source(fig, source)
    fig.alt_text = f"Bar chart. {title}. " + "; ".join(
        f"{line}: target {pounds_k(t)}, achieved {pounds_k(a)}"
        for line, t, a in zip(table["line"], table["target"], table["achieved"], strict=True)
    )
    return fig
