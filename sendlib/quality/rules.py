"""The checks that compare a figure with others: councils against DfE's published totals, and
a council's figure against its region's, the year before and what other councils report."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendlib.quality.findings import (
    EXCLUDED,
    FLAGGED,
    LARGE,
    REPORTING_SHARE,
    STOPPED,
    Spec,
    _census,
    _findings,
)


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
        out += _sums_against_totals(table, joined, totals, same, spec, value, [*keys, *on], level)
    return out


def _sums_against_totals(table, joined, totals, same, spec, value, by_columns, level) -> list:
    """Where every council has a figure, they should add up to the published total: each
    total they do not add up to, flagged (a region where a council's figure equals the total
    is already excluded)."""
    by = [joined[k] for k in by_columns]
    grouped = joined.groupby(by, dropna=False)
    figures = joined[value].astype("Float64")
    gap = figures.isna().groupby(by, dropna=False).any()
    sums = figures.groupby(by, dropna=False).sum().astype(float).mask(gap)
    total = grouped["_total"].first()
    differs = sums.notna() & total.notna() & (sums - total.astype(float)).abs().gt(0.5)
    if level == "region":
        differs &= ~same.groupby(by, dropna=False).any()
    out = []
    for key in differs[differs].index:
        key = key if isinstance(key, tuple) else (key,)
        where = dict(zip(by_columns, key, strict=True))
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
    ``excluded`` are not compared again): zeros where others report, figures outside a
    council's life, gaps where others report, implausible jumps."""
    numbers = rows[value].astype("Float64")
    groups = [c for c in keys if c != spec.period]
    headline = pd.Series(spec.headline is not None, index=rows.index)
    if spec.headline_values and value not in spec.headline_values:
        headline[:] = False
    for column, allowed in (spec.headline or {}).items():
        headline &= rows[column].isin(allowed)
    out, zero = _zeros(table, rows, spec, value, numbers, keys, groups, headline)
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
    out.append(_missing_where_others_report(table, rows, spec, value, flag, numbers, keys, alive))
    if headline.any():
        kept = numbers.mask(rows.index.isin(list(excluded)) | zero)
        out += _jumps(table, rows[headline], spec, value, kept, census, groups)
    return out


def _zeros(table, rows, spec, value, numbers, keys, groups, headline) -> tuple[list, pd.Series]:
    """Zeros where the council usually reports 50 or more and councils typically do: the
    findings, and which rows are excluded (a zero no council could have; a plausible zero, no
    request refused in a year, is only flagged)."""
    typical = numbers.groupby([rows[k] for k in keys], dropna=False).transform("median")
    own = numbers.groupby([rows["old_la_code"], *[rows[k] for k in groups]], dropna=False)
    own_typical = own.transform("median")
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
    out = [
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
        for hit, action in ((zero, EXCLUDED), (zeros & plausible, FLAGGED))
    ]
    return out, zero


def _missing_where_others_report(table, rows, spec, value, flag, numbers, keys, alive):
    """An empty cell of a council that existed, where 90% of councils report (flagged)."""
    blank = (rows[flag].eq("blank").fillna(False) if flag in rows else numbers.isna()) & alive
    share = numbers.notna().groupby([rows[k] for k in keys], dropna=False).transform("mean")
    missing = blank & share.ge(REPORTING_SHARE)
    return _findings(
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


def _jumps(table, rows, spec, value, kept, census, groups) -> list:
    """A headline figure ``spec.jump`` times (or 1/jump of) the year before, both 50 or more:
    flagged; for a stock, excluded where the next year undoes it (down by half and back up,
    or up and back down: the series itself shows the middle figure wrong)."""
    ordered = rows.assign(_v=kept, _c=census).sort_values("_c")
    by_council = ordered.groupby(["old_la_code", *groups], dropna=False)
    before = by_council["_v"].shift(1)
    gap = ordered["_c"] - by_council["_c"].shift(1)
    big = ordered["_v"].ge(LARGE) & before.ge(LARGE) & gap.eq(1)
    ratio = ordered["_v"] / before
    jump = (big & (ratio.gt(spec.jump) | ratio.lt(1 / spec.jump))).fillna(False)
    after = by_council["_v"].shift(-1)
    back = after / ordered["_v"]
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
    out = []
    for hit, action, more in ((jump & ~undone, FLAGGED, ""), (undone, EXCLUDED, " and back to ")):
        text = words[hit] + (
            more + after[hit].round().astype("Int64").astype("string") + " the year after"
            if more
            else ""
        )
        out.append(
            _findings(ordered[hit], spec, table, value, "implausible_jump", "anomaly", text, action)
        )
    return out
