"""What every report section shares: the source lines and the note naming what a figure
leaves out."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from sendlib.present import html as reports
from sendlib.registry import SOURCE_BENCHMARKS as SOURCE  # noqa: F401 - the source lines
from sendlib.registry import SOURCE_POPULATION


def source_line(sn_model: str, population: bool = False) -> str:
    """The source line of a benchmarking chart: the releases, the neighbour model and (with
    ``population``) ONS's estimates."""
    releases = reports.ehcp_release_years()
    return SOURCE.format(model=sn_model, releases=releases) + (
        SOURCE_POPULATION if population else ""
    )


def left_out_note(table: pd.DataFrame, of: str = "the figures") -> HTML | None:
    """A note naming the councils a table's figures leave out, and why."""
    notes = table.loc[table["left_out"].fillna("").ne(""), ["comparator", "left_out"]]
    notes = notes.drop_duplicates()
    if notes.empty:
        return None
    text = " ".join(f"{r.comparator}: {r.left_out}." for r in notes.itertuples())
    return reports.note(f"Left out of {of}, and why. {text}")


def latest_year(table: pd.DataFrame, latest: int, column: str = "year") -> int | None:
    """The latest year of ``table`` up to ``latest`` (``None`` when it has none)."""
    years = table.loc[table[column].le(latest), column]
    return int(years.max()) if len(years) else None
