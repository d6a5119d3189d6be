"""The data check: DfE's published files tested against themselves before anything uses them.

Published files are sometimes wrong upstream. DfE's 2025 EHCP release gives all 15 councils of
Yorkshire and The Humber the region's 6,078 new plans for 2022; a finance file gives York
£0 of specialist spend in 2021-22. Summing such figures silently gives wrong totals, so every
build runs these checks (``sendlib data check`` runs them alone) and writes a tidy table of
**findings** (the processed table ``findings``):

==========================  ========  =========================================================
check                       severity  what happens to the figure
==========================  ========  =========================================================
``duplicate_rows``          error     the build stops (the file must be corrected)
``negative_count``          error     the build stops
``percent_out_of_range``    error     the build stops
``equals_region``           anomaly   excluded: a council's figure equal to its region's (or
                                      England's) total, where the region has other councils
``zero_where_others_report`` anomaly  excluded: 0 where the council usually reports 50 or more
                                      and councils typically report 50 or more; flagged where
                                      0 is plausible (no request refused in a year)
``outside_council_life``    anomaly   excluded: a figure for a council in a year it did not
                                      exist (BCP before 2019-20, Northamptonshire after 2021)
``missing_where_others_report`` anomaly  flagged: an empty cell where 90% of councils report
``no_published_total``      error     the build stops: council figures for a period (or a
                                      region) DfE gives no England (or regional) total for
``sum_differs_from_total``  anomaly   flagged: councils add to a different total than DfE's
                                      published regional or national figure
``implausible_jump``        anomaly   flagged: a council's figure three times (or a third of)
                                      the year before, both 50 or more; for plans held at
                                      January (a stock) 1.5 times or two-thirds; excluded where
                                      the next year undoes it (down by half and back)
``differs_from_own_breakdown`` anomaly  flagged: a council's total is not the sum of its own age
                                      bands in the same release (a figure changed by hand)
``dfe_footnote``            anomaly   flagged: DfE's own footnote names the council (see
                                      :mod:`sendlib.footnotes`), shown beside its figures
==========================  ========  =========================================================

An excluded figure becomes missing with the flag ``condemned``: every sum, mean and forecast
leaves it out and names it, and the reports cite the findings that touch what they show.

Columns of the findings table: ``severity``, ``check``, ``table``, ``file``, ``measure``,
``period``, ``old_la_code``, ``area_name``, ``value`` (the figure as published), ``found``
(what was found, in words), ``action``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendlib.quality.findings import (  # noqa: F401 - the data check's names
    CONDEMNED,
    EXCLUDED,
    FINDING_COLUMNS,
    FLAGGED,
    JUMP,
    LARGE,
    REPORTING_SHARE,
    SPECS,
    STOPPED,
    DataQualityError,
    Spec,
    _census,
    _file,
    _findings,
    _measure,
)
from sendlib.quality.rules import _against_others, _against_totals, _without_totals


def check_table(
    table: str, frame: pd.DataFrame, councils: pd.DataFrame, spec: Spec | None = None
) -> pd.DataFrame:
    """The findings for one table (see the module's list of checks); a new frame.

    ``frame`` is the tidy table as built; ``councils`` is
    :func:`sendlib.geography.council_index` (for each council's years of existence).
    The column ``_index`` holds the row of ``frame`` each finding is about.
    """
    spec = spec or SPECS[table]
    if not frame.index.is_unique:
        raise ValueError(f"{table}: the frame's index must be unique (findings refer to rows)")
    level = frame["level"] if "level" in frame else pd.Series("council", index=frame.index)
    area = [c for c in ("level", "area_code", "old_la_code", "area_name") if c in frame]
    keys = [spec.period, *spec.categories]
    found: list[pd.DataFrame] = []

    duplicated = frame.duplicated([*area, *keys], keep="first")
    found.append(
        _findings(
            frame[duplicated],
            spec,
            table,
            next(iter(spec.values)),
            "duplicate_rows",
            "error",
            "the same area, period and category appears more than once",
            STOPPED,
        )
    )
    if spec.file == "release" and "level" in frame:
        found.append(_without_totals(frame, spec, table, keys))
    percent = frame["unit"].eq("percent") if "unit" in frame else pd.Series(False, frame.index)
    for value, flag in spec.values.items():
        found += _impossible(table, frame, spec, value, percent)
        if not spec.counts:
            continue
        is_council = level.eq("council") & ~percent
        councils_rows = frame[is_council & ~duplicated]
        found.extend(
            _against_totals(table, frame[~duplicated], councils_rows, spec, value, keys, percent)
        )
        excluded = {
            i
            for f in found
            if not f.empty
            for i in f.loc[f["action"].eq(EXCLUDED) & f["_value"].eq(value), "_index"]
        }
        found.extend(
            _against_others(table, councils_rows, spec, value, flag, keys, councils, excluded)
        )
    found = [f for f in found if not f.empty]
    if not found:
        return pd.DataFrame(columns=[*FINDING_COLUMNS, "_value", "_index"])
    result = pd.concat(found, ignore_index=True)
    return result.sort_values(["severity", "check", "period", "area_name"], ignore_index=True)


def _impossible(table, frame, spec, value, percent) -> list[pd.DataFrame]:
    """Figures no file may hold (the build stops): a negative count or sum of pounds, a
    percentage below 0 or above 100."""
    numbers = frame[value].astype("Float64")
    found = []
    if spec.counts:
        negative = numbers.lt(0).fillna(False) & ~percent
        found.append(
            _findings(
                frame[negative],
                spec,
                table,
                value,
                "negative_count",
                "error",
                "a negative figure in a column of counts or pounds",
                STOPPED,
            )
        )
    out_of_range = percent & (numbers.lt(0) | numbers.gt(100)).fillna(False)
    found.append(
        _findings(
            frame[out_of_range],
            spec,
            table,
            value,
            "percent_out_of_range",
            "error",
            "a percentage below 0 or above 100",
            STOPPED,
        )
    )
    return found


def check(tables: dict[str, pd.DataFrame], councils: pd.DataFrame) -> pd.DataFrame:
    """Every finding in every table of :data:`SPECS` present in ``tables``; a new frame with
    :data:`FINDING_COLUMNS` and ``_index`` (the row of the table it is about)."""
    parts = [check_table(name, frame, councils) for name, frame in tables.items() if name in SPECS]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=[*FINDING_COLUMNS, "_value", "_index"])
    return pd.concat(parts, ignore_index=True)


def condemn(
    table: str,
    frame: pd.DataFrame,
    findings: pd.DataFrame,
    specs: dict[str, Spec] | None = None,
) -> pd.DataFrame:
    """``frame`` with the figures the findings exclude made missing, flagged
    :data:`CONDEMNED` (a new frame; ``frame`` is not changed)."""
    spec = (specs or SPECS).get(table)
    if spec is None:
        return frame
    mine = findings[findings["table"].eq(table) & findings["action"].eq(EXCLUDED)]
    if mine.empty:
        return frame
    out = frame.copy()
    for value, flag in spec.values.items():
        index = mine.loc[mine["_value"].eq(value), "_index"].to_numpy()
        if len(index) == 0:
            continue
        out.loc[index, value] = pd.NA
        if flag is not None:
            if flag not in out:
                out[flag] = pd.array([pd.NA] * len(out), dtype="string")
            out.loc[index, flag] = CONDEMNED
    return out


def findings_about(
    findings: pd.DataFrame, tables: list[str], codes: list[str] | None = None
) -> pd.DataFrame:
    """The findings on ``tables`` about the councils ``codes`` (or every council), for a
    report's data notes: ``check``, ``file``, ``measure``, ``period``, ``area_name``,
    ``found``, ``action``."""
    rows = findings[findings["table"].isin(tables)]
    if codes is not None:
        rows = rows[rows["old_la_code"].isin(codes) | rows["old_la_code"].isna()]
    return rows[["check", "file", "measure", "period", "area_name", "found", "action"]].reset_index(
        drop=True
    )


def against_breakdowns(
    totals: pd.DataFrame, parts: pd.DataFrame, category: str, table: str = "caseload_releases"
) -> pd.DataFrame:
    """A council's published total against the sum of its own breakdown (its age bands) in the
    same release and year: where every band has a figure and they add up to a different total,
    the total is flagged (a figure changed by hand is caught by the council's own rows, not only
    by its region's sum). Findings with :data:`FINDING_COLUMNS`, ``_value`` and ``_index``."""
    keys = ["year", "release", "old_la_code"]
    rows = totals[totals["level"].eq("council")]
    grouped = parts[parts["level"].eq("council")].groupby(keys, dropna=False)["ehcps"]
    sums = grouped.agg(lambda s: s.sum() if s.notna().all() else np.nan).rename("_sum")
    joined = rows.reset_index().merge(sums.reset_index(), on=keys, how="inner").set_index("index")
    differs = joined["_sum"].notna() & joined["ehcps"].notna()
    differs &= (joined["ehcps"].astype("Float64") - joined["_sum"]).abs().gt(0.5).fillna(False)
    hit = joined[differs]
    return _findings(
        hit,
        SPECS[table],
        table,
        "ehcps",
        "differs_from_own_breakdown",
        "anomaly",
        f"the council's own {category} bands add up to "
        + hit["_sum"].round().astype("Int64").astype("string"),
        FLAGGED,
    )
