"""The EHCP caseload: statements plus EHC plans at each January census, 2010 to the latest.

>>> import sendlib
>>> kingston = sendlib.ehcp_caseload("Kingston upon Thames")
>>> kingston.set_index("year").loc[[2019, 2025], "ehcps"].tolist()
[1161, 1958]

Two releases are read: the 2022 release (January 2010-2022, statements and EHC plans counted
apart) and the 2025 release (January 2019-2025). Where they overlap (2019-2022) they agree
exactly (a test checks it) and the newer release is used.
"""

from __future__ import annotations

import pandas as pd

from sendlib import geography, tables
from sendlib.errors import ArgumentError
from sendlib.measures import arithmetic
from sendlib.measures.arguments import area_list, each_council
from sendlib.vocab import AREA_COLUMNS

LEVELS = ("national", "region", "inner_outer_london", "council")


def find_area(area: str | int | list, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` for ``area``: a council (name or code), a region, Inner London,
    Outer London or England (name or code), or a list of them (their rows in that order), as
    :func:`sendlib.geography.find_area` resolves each: one area or an error (:class:`AmbiguousAreaError` for a name of two areas,
    :class:`UnknownAreaError` with the closest names when nothing matches)."""
    areas = tables.load("areas")
    parts = []
    for one in area_list(area):
        found = geography.find_area(one, areas)
        if found["level"] == "council":
            parts.append(table[table["old_la_code"].eq(found["old_la_code"])])
        else:
            parts.append(
                table[table["level"].eq(found["level"]) & table["area_code"].eq(found["area_code"])]
            )
    return parts[0] if len(parts) == 1 else pd.concat(parts)


BOUNDARIES = ("as published", "consistent")


def ehcp_caseload(
    area: str | int | list | None = None,
    *,
    level: str | None = None,
    boundaries: str = "as published",
) -> pd.DataFrame:
    """Statements plus EHC plans at each January census, one row per (year, area).

    ``area`` picks one area: a council (any spelling of its name, its 3-digit or 9-character
    code), a region, ``Inner London``, ``Outer London`` or ``England``, or a list of them
    (``["Kent", "Medway"]``: each area's rows in turn); ``level`` picks every area of a level
    (``national``, ``region``, ``inner_outer_london``, ``council``).

    Columns: ``year`` (January census, int), ``level``, ``area_code``, ``old_la_code``,
    ``area_name``, ``region_code``, ``region_name``, ``ehcps`` (statements + EHC plans, nullable
    integer), ``ehcps_flag`` (why a figure is missing: see :mod:`sendlib.ingest.cells`),
    ``statements`` and ``ehc_plans`` (the two kinds apart; statements ended in 2018, flagged
    ``z`` after), each with a ``_flag``, and ``release`` (the DfE release the row comes from).

    Councils that merged or split are kept as published: Bournemouth, Poole and Dorset county
    (835) end in January 2019 and BCP and Dorset council (838) start in January 2020;
    Northamptonshire ends in 2021, North and West Northamptonshire start in 2022; Cumbria ends
    in 2023, Cumberland and Westmorland and Furness start in 2024. See
    :func:`sendlib.council_history`. With ``boundaries="consistent"`` each such group is one
    unbroken series instead (:func:`consistent_caseload`), named for what it joins; a council
    of the group gives the whole group's series.

    >>> england = ehcp_caseload("England")
    >>> int(england.loc[england["year"].eq(2017), "ehcps"].iloc[0])
    287290
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    if boundaries not in BOUNDARIES:
        raise ArgumentError(
            f"boundaries must be one of {', '.join(BOUNDARIES)}; got {boundaries!r}"
        )
    table = tables.load("caseload")
    if boundaries == "consistent":
        joins = _joins()
        if area is not None:
            # A council of a joined group stands for the group.
            codes = [
                geography.find_area(a, tables.load("areas")).get("old_la_code")
                for a in area_list(area)
            ]
            joined = joins[joins["old_la_code"].isin([c for c in codes if isinstance(c, str)])]
            table = consistent_caseload(table, joins)
            picked = [
                table[
                    table["old_la_code"].eq(joins.loc[joins["old_la_code"].eq(c), "join"].iloc[0])
                ]
                if isinstance(c, str) and c in set(joined["old_la_code"])
                else find_area(a, table)
                for a, c in zip(area_list(area), codes, strict=True)
            ]
            table = pd.concat(picked)
        else:
            table = consistent_caseload(table, joins)
    elif area is not None:
        table = find_area(area, table)
    if level is not None:
        table = table[table["level"].eq(level)]
    return table.reset_index(drop=True)


def joins() -> pd.DataFrame:
    """The groups of councils joined for consistent boundaries
    (:func:`sendlib.geography.consistent_areas`)."""
    return _joins()


def _joins() -> pd.DataFrame:
    return geography.consistent_areas(tables.load("la_changes"), tables.load("councils"))


def consistent_caseload(
    table: pd.DataFrame,
    joins: pd.DataFrame,
    counts: tuple[str, ...] = ("statements", "ehc_plans", "ehcps"),
) -> pd.DataFrame:
    """The caseload ``table`` with each group of ``joins`` (:func:`sendlib.geography.consistent_areas`)
    as one series: its councils' rows replaced by one row a year, the sum of the councils
    before the change up to its first January and of those after from then on, named
    ``join_name``; ``old_la_code`` is the group's (``join``) and ``joined_from`` names the
    councils summed that year. A sum is missing, with the reason, when any member's figure
    is. Other rows are unchanged (``joined_from`` empty). ``counts`` are the columns summed
    (populations too, for rates).

    >>> t = ehcp_caseload("Dorset", boundaries="consistent").set_index("year")
    >>> t.loc[[2019, 2020], ["ehcps", "joined_from"]].values.tolist()
    [[4283, 'Bournemouth + Poole + Dorset (county council)'], [4982, 'Bournemouth, Christchurch and Poole + Dorset (unitary council)']]
    """
    members = set(joins["old_la_code"])
    kept = table[~table["old_la_code"].isin(members)].assign(joined_from="")
    parts = [kept]
    for group, rows in joins.groupby("join", sort=False):
        first = int(rows["first_year_after"].iloc[0])
        names = rows.set_index("old_la_code")["area_name"]
        out = []
        for year in sorted(set(table["year"])):
            side = rows[rows["side"].eq("before" if year < first else "after")]
            found = table[table["year"].eq(year) & table["old_la_code"].isin(side["old_la_code"])]
            if found.empty:
                continue
            row = {
                "year": year,
                "level": "council",
                "area_code": pd.NA,
                "old_la_code": group,
                "area_name": rows["join_name"].iloc[0],
                "region_code": found["region_code"].iloc[0],
                "region_name": found["region_name"].iloc[0],
                "release": found["release"].iloc[-1],
                "joined_from": " + ".join(side["area_name"]),
                **({"subregion": found["subregion"].iloc[0]} if "subregion" in found else {}),
            }
            absent = set(side["old_la_code"]) - set(found["old_la_code"])
            for column in counts:
                values = found[column]
                missing = [names[c] for c in found.loc[values.isna(), "old_la_code"]]
                missing += [names[c] for c in sorted(absent)]
                row[column] = pd.NA if missing else int(values.sum())
                row[f"{column}_flag"] = (
                    "; ".join(f"{m}: no figure" for m in missing) if missing else pd.NA
                )
            out.append(row)
        parts.append(pd.DataFrame(out))
    joined = pd.concat(parts, ignore_index=True)
    for column in counts:
        joined[column] = joined[column].astype(table[column].dtype)
    return joined[[*table.columns, "joined_from"]].sort_values(["year"], kind="stable")


def caseload_by_age(area: str | int | None = None) -> pd.DataFrame:
    """Statements + EHC plans by age band at each January: 2010-2022 (2022 release) and
    2024-2025 (2025 release); neither release gives ages for January 2023. Before 2015 the
    20 to 25 band did not exist (statements ended at 19).

    Columns: ``year``, :data:`~sendlib.vocab.AREA_COLUMNS`, ``age_band`` (Under 5, 5 to 10,
    11 to 15, 16 to 19, 20 to 25), ``ehcps``, ``ehcps_flag``, ``release``.
    """
    table = tables.load("caseload_by_age")
    return (find_area(area, table) if area is not None else table).reset_index(drop=True)


def caseload_by_placement(area: str | int | None = None) -> pd.DataFrame:
    """EHC plans by type of placement at each January (2019 onwards, the 2025 release).

    Columns: ``year``, :data:`~sendlib.vocab.AREA_COLUMNS`, ``placement`` (DfE's column),
    ``placement_label``, ``placement_group`` (see :data:`sendlib.vocab.PLACEMENTS`),
    ``ehcps``, ``ehcps_flag``, ``release``.
    """
    table = tables.load("caseload_by_placement")
    return (find_area(area, table) if area is not None else table).reset_index(drop=True)


def caseload_by_need(area: str | int | None = None) -> pd.DataFrame:
    """EHC plans by primary need at the latest January (the 2025 release).

    Columns: ``year``, :data:`~sendlib.vocab.AREA_COLUMNS`, ``primary_need``, ``ehcps``,
    ``ehcps_flag``, ``release``.
    """
    table = tables.load("caseload_by_need")
    return (find_area(area, table) if area is not None else table).reset_index(drop=True)


def ehcp_activity(area: str | int | None = None, measure: str | None = None) -> pd.DataFrame:
    """New and ceased plans, requests, assessments and 20-week timeliness, by calendar year.

    ``year`` is the calendar year the activity happened in (reported at the next January).
    Columns: ``year``, :data:`~sendlib.vocab.AREA_COLUMNS`, ``measure`` (see
    :data:`sendlib.ingest.releases.ACTIVITY_MEASURES`), ``unit`` (count or percent), ``value``,
    ``flag``, ``release``. Percentages are as DfE published them, so Inner and Outer London
    have counts only.
    """
    table = tables.load("ehcp_activity")
    if measure is not None:
        known = sorted(table["measure"].unique())
        if measure not in known:
            raise ValueError(f"unknown measure {measure!r}; the measures are {', '.join(known)}")
        table = table[table["measure"].eq(measure)]
    return (find_area(area, table) if area is not None else table).reset_index(drop=True)


__all__ = [
    "ehcp_caseload",
    "caseload_by_age",
    "caseload_by_placement",
    "caseload_by_need",
    "ehcp_activity",
    "find_area",
    "AREA_COLUMNS",
]


@each_council
def caseload_with_comparators(
    council: str | int, *, latest: int | None = None, base_year: int = 2015
) -> pd.DataFrame:
    """The council's caseload beside its region and England, counted and indexed.

    One row per (year, area) up to the January census ``latest`` (all years if ``None``):
    ``year``, ``role``, ``area_name``, ``ehcps``, ``ehcps_flag``, ``index`` (``base_year`` =
    100; missing where either figure is).

    >>> t = caseload_with_comparators("Kingston upon Thames", latest=2019, base_year=2017)
    >>> t[t["year"].eq(2019)][["role", "index"]].round(1).values.tolist()
    [['council', 121.2], ['region', 121.7], ['england', 123.2]]
    """
    from sendlib.measures.comparators import council_region_england

    table = tables.load("caseload")
    levels = {"region": ["region", "inner_outer_london"], "england": ["national"]}
    parts = []
    for group in council_region_england(council):
        if group.role == "council":
            rows = table[table["old_la_code"].eq(group.members[0])]
        else:
            rows = table[
                table["level"].isin(levels[group.role]) & table["area_name"].eq(group.name)
            ]
        parts.append(rows.assign(role=group.role))
    combined = pd.concat(parts, ignore_index=True)
    if latest is not None:
        combined = combined[combined["year"].le(latest)]
    base = combined[combined["year"].eq(base_year)].set_index("role")["ehcps"]
    index = arithmetic.index_to(combined["ehcps"], combined["role"].map(base))
    return combined.assign(index=index)[
        ["year", "role", "area_name", "ehcps", "ehcps_flag", "index"]
    ].sort_values(
        ["year", "role"],
        key=lambda s: s.map({"council": 0, "region": 1, "england": 2}) if s.name == "role" else s,
        ignore_index=True,
    )
