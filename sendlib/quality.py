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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sendlib import config
from sendlib.errors import SendlibError

CONDEMNED = "condemned"
"""The flag of a figure the data check excluded."""

LARGE = 50
"""A figure at least this big is one whose sudden zero or threefold jump is implausible."""
JUMP = 3.0
REPORTING_SHARE = 0.9

FINDING_COLUMNS = [
    "severity",
    "check",
    "table",
    "file",
    "measure",
    "period",
    "old_la_code",
    "area_name",
    "value",
    "found",
    "action",
]


class DataQualityError(SendlibError):
    """Published files that fail the data check's error-level tests (every one listed)."""

    def __init__(self, findings: pd.DataFrame) -> None:
        self.findings = findings
        lines = [f"the data check found {len(findings)} error(s) in the published files:"]
        for row in findings.head(50).itertuples():
            where = ", ".join(
                str(v) for v in (row.area_name, row.period, row.measure) if v and pd.notna(v)
            )
            lines.append(f"  {row.file}: {where}: {row.found}")
        if len(findings) > 50:
            lines.append(f"  ... and {len(findings) - 50} more")
        lines.append(
            "  fix: restore the file as published (git checkout -- data/raw/...) or correct "
            "the rows named; data/processed/ was left as it was"
        )
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Spec:
    """How to check one table: its period column, category columns, value/flag pairs, the
    file it came from, whether its values are counts (summable), and how a period maps to the
    January census inside it."""

    period: str
    categories: tuple[str, ...]
    values: dict[str, str | None]
    file: str
    counts: bool = True
    census_offset: int = 0
    headline: dict[str, tuple] | None = None
    """Rows whose zeros and jumps are tested: column -> values (``None``: no such tests);
    ``{}`` for every row. Statements fell to zero by design in 2014-2018, a rare placement
    type can double: only headline figures are tested."""
    headline_values: tuple[str, ...] = ()
    """Value columns whose zeros and jumps are tested (empty: all)."""
    life: bool = True
    """Whether a figure for a council outside its years is wrong (ONS back-casts population
    estimates on today's boundaries, so for population it is not)."""
    jump: float = JUMP
    """A year-on-year ratio beyond this (or below its inverse) is implausible."""
    stock: bool = False
    """A stock (plans held at January) moves slowly: a jump that the next year undoes (down by
    half and back) is shown wrong by the series itself, and excluded."""
    zero_plausible: dict[str, tuple] = field(default_factory=dict)
    """Rows where 0 is a plausible figure (no request refused in a year): column -> values. Such
    a zero is flagged, not excluded."""


def _release_file(release: str) -> str:
    return f"{config.EHCP_DIR}/education-health-and-care-plans_{release}.zip"


SPECS: dict[str, Spec] = {
    "caseload_releases": Spec(
        "year",
        ("release",),
        {"ehcps": "ehcps_flag", "statements": "statements_flag", "ehc_plans": "ehc_plans_flag"},
        "release",
        headline={},
        headline_values=("ehcps",),
        jump=1.5,
        stock=True,
    ),
    "caseload_by_age_releases": Spec(
        "year", ("release", "age_band"), {"ehcps": "ehcps_flag"}, "release"
    ),
    "caseload_by_placement": Spec(
        "year", ("release", "placement"), {"ehcps": "ehcps_flag"}, "release"
    ),
    "caseload_by_need": Spec(
        "year", ("release", "primary_need"), {"ehcps": "ehcps_flag"}, "release"
    ),
    "ehcp_activity": Spec(
        "year",
        ("release", "measure", "unit"),
        {"value": "flag"},
        "release",
        census_offset=1,
        headline={
            "measure": (
                "requests",
                "requests_refused",
                "assessments",
                "new_plans",
                "ceased_plans",
                "plans_issued",
            )
        },
        zero_plausible={"measure": ("requests_refused", "assessments_no_plan")},
    ),
    "specialist_spend": Spec(
        "financial_year",
        ("sector",),
        {"spend": "spend_flag"},
        config.SPECIALIST_SPEND,
        headline={},
    ),
    "population": Spec(
        "year",
        ("age_group", "population_source"),
        {"population": "population_flag"},
        "population",
        census_offset=1,  # a mid-year estimate is read against the next January's census
        life=False,
    ),
}
"""The tables the data check reads, and how."""


def _census(spec: Spec, periods: pd.Series) -> pd.Series:
    if spec.period == "financial_year":
        return periods.astype("string").str.slice(0, 4).astype("int64") + 1
    return periods.astype("int64") + spec.census_offset


def _file(spec: Spec, frame: pd.DataFrame) -> pd.Series:
    if spec.file == "release" and "release" in frame:
        return frame["release"].map(_release_file).astype("string")
    if spec.file == "population":
        source = frame.get("population_source")
        return (
            source.astype("string")
            if source is not None
            else pd.Series(spec.file, index=frame.index, dtype="string")
        )
    return pd.Series(spec.file, index=frame.index, dtype="string")


def _measure(spec: Spec, frame: pd.DataFrame, value: str) -> pd.Series:
    parts = [value] if value not in ("value",) else []
    text = pd.Series(" ".join(parts), index=frame.index, dtype="string")
    for column in spec.categories:
        if column in ("release", "unit", "population_source"):
            continue
        text = (text + " " + frame[column].astype("string")).str.strip()
    return text


def _findings(
    rows: pd.DataFrame,
    spec: Spec,
    table: str,
    value: str,
    check: str,
    severity: str,
    found: pd.Series | str,
    action: str,
) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=[*FINDING_COLUMNS, "_value", "_index"])
    return pd.DataFrame(
        {
            "severity": severity,
            "check": check,
            "table": table,
            "file": _file(spec, rows),
            "measure": _measure(spec, rows, value),
            "period": rows[spec.period].astype("string"),
            "old_la_code": rows["old_la_code"].astype("string") if "old_la_code" in rows else pd.NA,
            "area_name": rows["area_name"].astype("string"),
            "value": rows[value].astype("Float64"),
            "found": found,
            "action": action,
            "_value": value,
            "_index": rows.index,
        }
    )


EXCLUDED = "excluded from sums, means and forecasts"
FLAGGED = "flagged"
STOPPED = "the build stops"


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
        numbers = frame[value].astype("Float64")
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


def _without_totals(frame: pd.DataFrame, spec: Spec, table: str, keys: list) -> pd.DataFrame:
    """Council rows of a release with no England (or no regional) total beside them: a row of a
    year DfE did not publish, or of a region that does not exist, is an error, not a new year."""
    councils = frame[frame["level"].eq("council")]
    value = next(iter(spec.values))
    parts = []
    for level, on in (("national", []), ("region", ["region_name"])):
        published = frame.loc[frame["level"].eq(level), [*keys, *on]].drop_duplicates()
        joined = councils.reset_index().merge(
            published.assign(_has=True), on=[*keys, *on], how="left"
        )
        lonely = joined[joined["_has"].isna()].set_index("index")
        where = "England" if level == "national" else "its region"
        parts.append(
            _findings(
                lonely,
                spec,
                table,
                value,
                "no_published_total",
                "error",
                f"no {where} total for this {spec.period} and category in the release: the row "
                "is not one DfE published beside its totals",
                STOPPED,
            )
        )
    return pd.concat([p for p in parts if not p.empty] or [parts[0]], ignore_index=False)


def _against_totals(table, frame, councils_rows, spec, value, keys, percent) -> list:
    """Councils against the region and England totals DfE published beside them."""
    if "level" not in frame:
        return []
    out = []
    totals = frame[frame["level"].isin(["region", "national"]) & ~percent.loc[frame.index]]
    for level, on in (("region", ["region_name"]), ("national", [])):
        published = totals[totals["level"].eq(level)]
        if published.empty:
            continue
        published = published[[*keys, *on, value]].rename(columns={value: "_total"})
        if level == "national":
            published = published.drop_duplicates(keys)
        joined = councils_rows.reset_index().merge(published, on=[*keys, *on], how="inner")
        joined = joined.set_index("index")
        numbers = joined[value].astype("Float64")
        everyone = numbers.groupby([joined[k] for k in [*keys, *on]], dropna=False).transform("sum")
        # Equal to the total while another council also has plans: impossible, so wrong.
        same = (
            numbers.eq(joined["_total"].astype("Float64")).fillna(False)
            & numbers.gt(0).fillna(False)
            & (everyone - numbers).gt(0).fillna(False)
        )
        name = "region's" if level == "region" else "England's"
        hit = joined[same]
        out.append(
            _findings(
                hit,
                spec,
                table,
                value,
                "equals_region",
                "anomaly",
                f"the council's figure equals its {name} total ("
                + hit["_total"].astype("Int64").astype("string")
                + ")",
                EXCLUDED,
            )
        )
        # Where every council has a figure, they should add up to the published total.
        by = [joined[k] for k in [*keys, *on]]
        grouped = joined.groupby(by, dropna=False)
        figures = joined[value].astype("Float64")
        gap = figures.isna().groupby(by, dropna=False).any()
        sums = figures.groupby(by, dropna=False).sum().astype(float).mask(gap)
        total = grouped["_total"].first()
        differs = sums.notna() & total.notna() & (sums - total.astype(float)).abs().gt(0.5)
        if level == "region":
            differs &= ~same.groupby(by, dropna=False).any()
        for key in differs[differs].index:
            key = key if isinstance(key, tuple) else (key,)
            where = dict(zip([*keys, *on], key, strict=True))
            row = totals[
                totals["level"].eq(level)
                & np.logical_and.reduce([totals[k].eq(v) for k, v in where.items()])
            ].head(1)
            out.append(
                _findings(
                    row,
                    spec,
                    table,
                    value,
                    "sum_differs_from_total",
                    "anomaly",
                    f"its councils add up to {float(sums[key if len(key) > 1 else key[0]]):,.0f}",
                    FLAGGED,
                )
            )
    return out


def _against_others(table, rows, spec, value, flag, keys, councils, excluded=frozenset()) -> list:
    """A council's figure against other councils' and its own other years (figures already
    ``excluded`` are not compared again)."""
    out = []
    numbers = rows[value].astype("Float64")
    groups = [c for c in keys if c != spec.period]
    typical = numbers.groupby([rows[k] for k in keys], dropna=False).transform("median")
    own = numbers.groupby([rows["old_la_code"], *[rows[k] for k in groups]], dropna=False)
    own_typical = own.transform("median")
    headline = pd.Series(spec.headline is not None, index=rows.index)
    if spec.headline_values and value not in spec.headline_values:
        headline[:] = False
    for column, allowed in (spec.headline or {}).items():
        headline &= rows[column].isin(allowed)
    zeros = (
        headline
        & numbers.eq(0).fillna(False)
        & typical.ge(LARGE).fillna(False)
        & own_typical.ge(LARGE).fillna(False)
    )
    plausible = pd.Series(False, index=rows.index)
    for column, allowed in spec.zero_plausible.items():
        plausible |= rows[column].isin(allowed)
    zero = zeros & ~plausible  # condemned: a zero no council could have
    for hit, action in ((zero, EXCLUDED), (zeros & plausible, FLAGGED)):
        out.append(
            _findings(
                rows[hit],
                spec,
                table,
                value,
                "zero_where_others_report",
                "anomaly",
                "0 where the council usually reports "
                + own_typical[hit].round().astype("Int64").astype("string")
                + " and councils typically "
                + typical[hit].round().astype("Int64").astype("string"),
                action,
            )
        )
    life = councils.set_index("old_la_code")[["first_year", "last_year"]]
    census = _census(spec, rows[spec.period])
    first = rows["old_la_code"].map(life["first_year"])
    last = rows["old_la_code"].map(life["last_year"])
    outside = (census.lt(first) | census.gt(last)).fillna(False) & numbers.notna() & spec.life
    out.append(
        _findings(
            rows[outside],
            spec,
            table,
            value,
            "outside_council_life",
            "anomaly",
            "a figure for a council that did not exist then (DfE published it "
            + first[outside].astype("Int64").astype("string")
            + " to "
            + last[outside].astype("Int64").astype("string")
            + ")",
            EXCLUDED,
        )
    )
    alive = ~(census.lt(first) | census.gt(last)).fillna(False)
    blank = (rows[flag].eq("blank").fillna(False) if flag in rows else numbers.isna()) & alive
    share = numbers.notna().groupby([rows[k] for k in keys], dropna=False).transform("mean")
    missing = blank & share.ge(REPORTING_SHARE)
    out.append(
        _findings(
            rows[missing],
            spec,
            table,
            value,
            "missing_where_others_report",
            "anomaly",
            "no figure, where "
            + (share[missing] * 100).round().astype("Int64").astype("string")
            + "% of councils report one",
            FLAGGED,
        )
    )
    if headline.any():
        kept = numbers.mask(rows.index.isin(list(excluded)) | zero)
        ordered = rows[headline].assign(_v=kept, _c=census).sort_values("_c")
        before = ordered.groupby(["old_la_code", *groups], dropna=False)["_v"].shift(1)
        gap = ordered["_c"] - ordered.groupby(["old_la_code", *groups], dropna=False)["_c"].shift(1)
        big = ordered["_v"].ge(LARGE) & before.ge(LARGE) & gap.eq(1)
        ratio = ordered["_v"] / before
        jump = (big & (ratio.gt(spec.jump) | ratio.lt(1 / spec.jump))).fillna(False)
        after = ordered.groupby(["old_la_code", *groups], dropna=False)["_v"].shift(-1)
        back = after / ordered["_v"]
        # Down by half and back up (or up and back down) the next year: for a stock the series
        # itself shows the middle figure wrong.
        undone = (
            jump
            & spec.stock
            & ((ratio.lt(1) & back.gt(spec.jump)) | (ratio.gt(1) & back.lt(1 / spec.jump))).fillna(
                False
            )
        )
        words = (
            ratio.gt(1).map({True: "up from ", False: "down from "}).astype("string")
            + before.round().astype("Int64").astype("string")
            + " the year before"
        )
        for hit, action, more in (
            (jump & ~undone, FLAGGED, ""),
            (undone, EXCLUDED, " and back to "),
        ):
            text = words[hit] + (
                more + after[hit].round().astype("Int64").astype("string") + " the year after"
                if more
                else ""
            )
            out.append(
                _findings(
                    ordered[hit], spec, table, value, "implausible_jump", "anomaly", text, action
                )
            )
    return out


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
