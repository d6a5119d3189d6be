"""Councils, their codes over time, regions, Inner/Outer London and statistical neighbours.

A council is named by its name (any spelling DfE has used: "St Helens" or "St. Helens"), its
3-digit DfE code (``314``) or any 9-character code it has had (``E09000021``). Councils that
merged or split are separate councils here, as DfE publishes them: see :func:`council_history`.

Inner and Outer London follow the **statistical** definition that DfE and ONS use (ONS codes
E13000001 and E13000002), which differs from the administrative one: Haringey and Newham are
Inner London, Greenwich is Outer London. Membership is read from DfE's statistical neighbour
file (its GOReg column):

* Inner London (14): City of London, Camden, Hackney, Hammersmith and Fulham, Haringey,
  Islington, Kensington and Chelsea, Lambeth, Lewisham, Newham, Southwark, Tower Hamlets,
  Wandsworth, Westminster.
* Outer London (19): Barking and Dagenham, Barnet, Bexley, Brent, Bromley, Croydon, Ealing,
  Enfield, Greenwich, Harrow, Havering, Hillingdon, Hounslow, Kingston upon Thames, Merton,
  Redbridge, Richmond upon Thames, Sutton, Waltham Forest.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from sendlib.errors import (
    AmbiguousAreaError,
    NotACouncilError,
    NotAvailableError,
    UnknownAreaError,
    UnknownCouncilError,
)
from sendlib.vocab import (
    AREA_COLUMNS,
    LONDON_SUBREGIONS,
    normalise_name,
    strict_name,
)


def council_index(
    caseload: pd.DataFrame, sn_councils_2021: pd.DataFrame, sn_2025: pd.DataFrame
) -> pd.DataFrame:
    """One row per council DfE has published (by 3-digit code), for look-ups.

    Built from the caseload table (every council in any release) plus the statistical neighbour
    files (for the ONS codes they use and the Inner/Outer London split). Columns:
    ``old_la_code``, ``area_code`` (latest as DfE published it), ``area_name`` (latest),
    ``region_code``, ``region_name``, ``subregion`` (``Inner London``/``Outer London`` for
    boroughs, else missing), ``first_year``/``last_year`` (January censuses with data),
    ``current`` (in the latest census), ``codes`` and ``names`` (every code and name seen,
    ``|``-separated).
    """
    councils = caseload[caseload["level"].eq("council")]
    latest = councils.sort_values("year").groupby("old_la_code").tail(1).set_index("old_la_code")
    years = councils.groupby("old_la_code")["year"].agg(["min", "max"])
    sn_codes = sn_2025.groupby("old_la_code")["area_code"].first()
    codes = {k: set(g.dropna()) for k, g in councils.groupby("old_la_code")["area_code"]}
    names = {k: set(g.dropna()) for k, g in councils.groupby("old_la_code")["area_name"]}
    extra_names = sn_councils_2021.set_index("old_la_code")["area_name"]
    subregion = sn_councils_2021.set_index("old_la_code")["subregion"].map(
        lambda g: LONDON_SUBREGIONS.get(g, (None, None))[1]
    )
    index = pd.DataFrame(
        {
            "area_code": latest["area_code"],
            "area_name": latest["area_name"],
            "region_code": latest["region_code"],
            "region_name": latest["region_name"],
            "subregion": subregion.reindex(latest.index),
            "first_year": years["min"],
            "last_year": years["max"],
        }
    )
    index["current"] = index["last_year"].eq(councils["year"].max())
    index["codes"] = [
        "|".join(sorted(codes[c] | ({sn_codes[c]} if c in sn_codes.index else set())))
        for c in index.index
    ]
    index["names"] = [
        "|".join(sorted(names[c] | ({extra_names[c]} if c in extra_names.index else set())))
        for c in index.index
    ]
    index = index.reset_index().rename(columns={"index": "old_la_code"})
    return index.astype({"subregion": "string", "codes": "string", "names": "string"})


EVERYDAY_NAMES: dict[str, str] = {
    "hull": "810",
    "bcp": "839",
    "durham": "840",
    "brighton": "846",
    "southend": "882",
    "stoke": "861",
    "newcastle": "391",
    "bath": "800",
    "telford": "894",
    "windsor": "868",
    "redcar": "807",
    "stockton": "808",
    "barking": "301",
    "hammersmith": "205",
    "kensington": "207",
}
"""Short names people use every day for councils DfE names in full (-> 3-digit code).
Only names that mean one council: "Kingston" could be Kingston upon Thames or Kingston upon
Hull, so it is an error that suggests both."""

AREA_LEVELS = ("national", "region", "inner_outer_london", "council")


def area_index(caseload: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """Every area a name or code can mean, one row each: England, the regions, Inner and Outer
    London (from the caseload table) and every council (from :func:`council_index`).

    Columns: ``level``, ``area_code``, ``old_la_code`` (councils only), ``area_name``,
    ``current``, ``last_year``, ``codes`` and ``names`` (every code and spelling, ``|``).
    """
    above = caseload[caseload["level"].ne("council")].drop_duplicates(
        ["level", "area_code", "area_name"]
    )
    above = pd.DataFrame(
        {
            "level": above["level"],
            "area_code": above["area_code"],
            "old_la_code": pd.NA,
            "area_name": above["area_name"],
            "current": True,
            "last_year": int(caseload["year"].max()),
            "codes": above["area_code"],
            "names": above["area_name"],
        }
    )
    below = councils.assign(level="council")[above.columns]
    return pd.concat([above, below], ignore_index=True).astype(
        {
            "level": "string",
            "area_code": "string",
            "old_la_code": "string",
            "area_name": "string",
            "codes": "string",
            "names": "string",
        }
    )


def _describe(row: pd.Series) -> str:
    if row["level"] == "council":
        years = f", {row['first_year']}-{row['last_year']}" if not row["current"] else ""
        return f"{row['area_name']} (council {row['old_la_code']}{years})"
    kind = {"national": "country", "region": "region", "inner_outer_london": "part of London"}
    return f"{row['area_name']} ({kind[row['level']]} {row['area_code']})"


def _one(query: str, hits: pd.DataFrame) -> pd.Series | None:
    """The area ``hits`` mean, or None when empty; an error when they are different areas."""
    if hits.empty:
        return None
    # Two councils of one name (Dorset county 835, Dorset council 838): the current one, as
    # documented. Anything else (a region and a council) is ambiguous.
    if hits["level"].eq("council").all() and hits["current"].sum() == 1:
        return hits[hits["current"]].iloc[0]
    if len(hits) == 1:
        return hits.iloc[0]
    raise AmbiguousAreaError(str(query), [_describe(r) for _, r in hits.iterrows()])


def _spellings(areas: pd.DataFrame, reduce) -> pd.Series:
    return areas["names"].str.split("|").map(lambda ns: {reduce(n) for n in ns})


def find_area(query: str | int, areas: pd.DataFrame) -> pd.Series:
    """The one area of ``areas`` (see :func:`area_index`) that ``query`` names.

    Tried in turn, the first that matches wins: a code (3-digit DfE, 9-character ONS of any
    year); a name as published, ignoring case and punctuation ("London" is the region, "City
    of London" and "London, City of" the council); a looser spelling ("Kingston upon Hull",
    "Bristol"); an everyday short name (:data:`EVERYDAY_NAMES`: "Hull", "BCP"); the first
    words of exactly one area's name ("Brighton"). A name that fits two different areas at the
    same step raises :class:`AmbiguousAreaError` listing both; no match raises
    :class:`UnknownAreaError` with the closest names, whole-word matches first.
    """
    text = str(query).strip()
    if isinstance(query, bool) or not text:
        raise UnknownAreaError(repr(query), [])
    if re.fullmatch(r"\d{3}", text):
        found = _one(text, areas[areas["old_la_code"].eq(text)])
    elif re.fullmatch(r"[EeWw]\d{8}", text):
        found = _one(text, areas[areas["codes"].str.split("|").map(lambda cs: text.upper() in cs)])
    else:
        found = None
        for reduce in (strict_name, normalise_name):
            wanted = reduce(text)
            found = _one(text, areas[_spellings(areas, reduce).map(lambda ns, w=wanted: w in ns)])
            if found is not None:
                break
        if found is None and normalise_name(text) in EVERYDAY_NAMES:
            code = EVERYDAY_NAMES[normalise_name(text)]
            found = _one(text, areas[areas["old_la_code"].eq(code)])
        if found is None and len(normalise_name(text)) >= 4:
            wanted = normalise_name(text)
            starts = _spellings(areas, normalise_name).map(
                lambda ns: any(n == wanted or n.startswith(wanted + " ") for n in ns)
            )
            found = _one(text, areas[starts])
    if found is None:
        raise UnknownAreaError(text, suggest(text, areas))
    return found


def suggest(text: str, areas: pd.DataFrame, n: int = 3) -> list[str]:
    """The names of areas closest to ``text``: those with a word that starts as a word of the
    query does first ("Kingston" -> both Kingstons), then the closest spellings."""
    words = normalise_name(text).split()
    names = list(dict.fromkeys(areas["area_name"]))
    if not words:
        return []
    whole = [
        name
        for name in names
        if all(any(w.startswith(q) for w in normalise_name(name).split()) for q in words)
    ]
    loose = {normalise_name(n): n for ns in areas["names"] for n in ns.split("|")}
    close = difflib.get_close_matches(normalise_name(text), list(loose), n=n, cutoff=0.6)
    ordered = list(dict.fromkeys([*whole, *(loose[c] for c in close)]))
    current = {r.area_name: r.area_name for r in areas.itertuples()}
    return [current.get(name, name) for name in ordered][:n]


def find_council(query: str | int, councils: pd.DataFrame, areas: pd.DataFrame) -> pd.Series:
    """The row of ``councils`` (see :func:`council_index`) that ``query`` names.

    Accepts a name in any published spelling, an everyday short name, the 3-digit code or any
    9-character code (see :func:`find_area`). When a name belongs to an old and a current
    council (Dorset county 835, Dorset council 838), the current one is returned. A name of a
    region or of England raises :class:`NotACouncilError`; no match raises
    :class:`UnknownCouncilError` with the closest names.
    """
    try:
        found = find_area(query, areas)
    except UnknownAreaError as exc:
        if isinstance(exc, AmbiguousAreaError):
            raise
        councils_only = areas[areas["level"].eq("council")]
        raise UnknownCouncilError(exc.query, suggest(exc.query, councils_only)) from None
    if found["level"] != "council":
        raise NotACouncilError(str(query).strip(), found["area_name"], found["level"])
    return councils[councils["old_la_code"].eq(found["old_la_code"])].iloc[0]


def comparison_region(council: pd.Series) -> tuple[str, str]:
    """The region a council is compared with, and its level: Inner or Outer London for a
    London borough (``inner_outer_london``), else its region (``region``).

    >>> comparison_region(pd.Series({"subregion": pd.NA, "region_name": "South East"}))
    ('South East', 'region')
    >>> comparison_region(pd.Series({"subregion": "Outer London", "region_name": "London"}))
    ('Outer London', 'inner_outer_london')
    """
    if pd.notna(council["subregion"]) and council["subregion"]:
        return str(council["subregion"]), "inner_outer_london"
    return str(council["region_name"]), "region"


def _related(code: str, changes: pd.DataFrame) -> list[tuple]:
    """The council and the councils it came from or became: (relation, code, change)."""
    before = changes[changes["after_old_la_code"].eq(code) & changes["before_old_la_code"].ne(code)]
    after = changes[changes["before_old_la_code"].eq(code) & changes["after_old_la_code"].ne(code)]
    same = changes[changes["before_old_la_code"].eq(code) & changes["after_old_la_code"].eq(code)]
    return [
        (
            "this council",
            code,
            "; ".join(same["change_type"] + " " + same["effective_date"]) or pd.NA,
        ),
        *(
            ("predecessor", r.before_old_la_code, f"{r.change_type} {r.effective_date}")
            for r in before.itertuples()
        ),
        *(
            ("successor", r.after_old_la_code, f"{r.change_type} {r.effective_date}")
            for r in after.itertuples()
        ),
    ]


def council_history(
    query: str | int,
    councils: pd.DataFrame,
    caseload: pd.DataFrame,
    changes: pd.DataFrame,
    areas: pd.DataFrame,
) -> pd.DataFrame:
    """Which codes and names a council had over time, and what it came from or became.

    Returns one row per (council, code, name) with ``relation`` (``this council``,
    ``predecessor`` or ``successor``), ``old_la_code``, ``area_code``, ``area_name``,
    ``first_year`` and ``last_year`` (January censuses published under that code and name),
    and ``change`` (what happened, from the table of LA changes).
    """
    code = find_council(query, councils, areas)["old_la_code"]
    rows = []
    councils_caseload = caseload[caseload["level"].eq("council")]
    for relation, old_code, change in _related(code, changes):
        spans = (
            councils_caseload[councils_caseload["old_la_code"].eq(old_code)]
            .groupby(["area_code", "area_name"])["year"]
            .agg(["min", "max"])
            .reset_index()
        )
        for span in spans.itertuples():
            rows.append(
                {
                    "relation": relation,
                    "old_la_code": old_code,
                    "area_code": span.area_code,
                    "area_name": span.area_name,
                    "first_year": span.min,
                    "last_year": span.max,
                    "change": change,
                }
            )
    return (
        pd.DataFrame(rows)
        .sort_values(["relation", "first_year"], ignore_index=True)
        .astype(
            {
                "relation": "string",
                "old_la_code": "string",
                "area_code": "string",
                "area_name": "string",
                "change": "string",
            }
        )
    )


def statistical_neighbours(
    query: str | int,
    neighbours: pd.DataFrame,
    councils: pd.DataFrame,
    areas: pd.DataFrame,
    model: str = "2025",
) -> pd.DataFrame:
    """A council's 10 statistical neighbours in DfE's ``model`` ("2025" or "2021").

    Returns a new frame: ``rank`` (1 = closest), ``old_la_code``, ``area_code`` (as in the
    SEN2 tables, for joining), ``area_name``, ``closeness``.
    """
    council = find_council(query, councils, areas)
    models = sorted(neighbours["model"].unique())
    if str(model) not in models:
        raise NotAvailableError(
            f"DfE has no {model!r} statistical neighbour model in the data; the models are "
            f"{', '.join(models)}."
        )
    rows = neighbours[
        neighbours["model"].eq(str(model)) & neighbours["old_la_code"].eq(council["old_la_code"])
    ]
    if rows.empty:
        has = sorted(
            neighbours.loc[neighbours["old_la_code"].eq(council["old_la_code"]), "model"].unique()
        )
        years = f"{council['first_year']}-{council['last_year']}"
        raise NotAvailableError(
            f"{council['area_name']} (council {council['old_la_code']}, published {years}) is "
            f"not in DfE's {model} statistical neighbour model"
            + (
                f"; it is in the {' and '.join(has)} model, so pass sn_model={has[-1]!r}."
                if has
                else ", nor in any other model in the data."
            )
        )
    lookup = councils.set_index("old_la_code")
    result = pd.DataFrame(
        {
            "rank": rows["rank"].to_numpy(),
            "old_la_code": rows["neighbour_old_la_code"].to_numpy(),
            "area_code": lookup["area_code"].reindex(rows["neighbour_old_la_code"]).to_numpy(),
            "area_name": rows["neighbour_name"].to_numpy(),
            "closeness": rows["closeness"].to_numpy(),
        }
    )
    return result.sort_values("rank", ignore_index=True).astype(
        {
            "old_la_code": "string",
            "area_code": "string",
            "area_name": "string",
            "closeness": "string",
        }
    )


def add_inner_outer_london(
    table: pd.DataFrame, councils: pd.DataFrame, keys: list[str], values: dict[str, str]
) -> pd.DataFrame:
    """``table`` with Inner London and Outer London rows added, each the sum of its boroughs.

    ``keys`` are the columns that identify a row besides the area (``["year"]``,
    ``["year", "age_band"]``...); ``values`` maps each count column to its flag column. An
    aggregate is missing, flagged ``incomplete``, when any borough's figure is missing or a
    borough has no row; when every borough carries the same code (``z`` for statements after
    2018) the aggregate carries it too. Returns a new frame; ``table`` is not changed.
    """
    subregions = councils.loc[councils["subregion"].notna(), ["old_la_code", "subregion"]]
    expected = subregions.groupby("subregion").size()
    members = table[table["level"].eq("council")].merge(subregions, on="old_la_code")
    by = [*keys, "subregion"]
    grouped = members.groupby(by, dropna=False, sort=False)
    out = grouped.size().rename("n").reset_index()
    for value, flag in values.items():
        stats = grouped.agg(
            total=(value, "sum"),
            present=(value, "count"),
            codes=(flag, "nunique"),
            code=(flag, "first"),
        ).reset_index(drop=True)
        complete = stats["present"].eq(out["n"]) & out["n"].eq(out["subregion"].map(expected))
        all_coded = stats["present"].eq(0) & stats["codes"].eq(1)
        out[value] = stats["total"].astype(table[value].dtype).where(complete)
        out[flag] = (
            pd.Series(pd.NA, index=out.index, dtype="string")
            .mask(~complete, "incomplete")
            .mask(all_coded, stats["code"].astype("string"))
        )
    codes = {name: code for code, name in LONDON_SUBREGIONS.values()}
    out = out.assign(
        level="inner_outer_london",
        area_name=out["subregion"],
        area_code=out["subregion"].map(codes),
        old_la_code=pd.NA,
        region_code="E12000007",
        region_name="London",
    )
    out = out.drop(columns=["subregion", "n"]).astype(dict.fromkeys(AREA_COLUMNS, "string"))
    return pd.concat(
        [table, out[[c for c in table.columns if c in out.columns]]], ignore_index=True
    )


def consistent_areas(la_changes: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """The councils that must be joined for an unbroken series across reorganisations: each
    group of councils linked by a merger or split (a council that kept its code is not a
    break), with the councils before and after the change. A council whose boundary changed
    (``change_type`` reorganisation) on the day councils of its region merged gave them the
    area it lost, so they form one group and the join is exact: Christchurch moved from
    Dorset county to BCP in 2019, so Bournemouth + Poole + Dorset county, then BCP + Dorset.

    Returns one row per (join, council): ``join``, ``join_name``, ``old_la_code``,
    ``area_name``, ``side`` (before or after), ``first_year_after`` (the first January census
    of the councils after).

    >>> from sendlib import tables
    >>> joins = consistent_areas(tables.load("la_changes"), tables.load("councils"))
    >>> sorted(joins.loc[joins["old_la_code"].eq("940"), "join_name"])
    ['Northamptonshire (North Northamptonshire + West Northamptonshire from January 2022)']
    """
    changes = la_changes[la_changes["before_old_la_code"].ne(la_changes["after_old_la_code"])]
    parent: dict[str, str] = {}

    def root(code: str) -> str:
        while parent.setdefault(code, code) != code:
            code = parent[code]
        return code

    for row in changes.itertuples():
        parent[root(row.before_old_la_code)] = root(row.after_old_la_code)
    region = councils.set_index("old_la_code")["region_name"]
    mergers = changes[changes["change_type"].eq("merger")]
    for row in changes[changes["change_type"].eq("reorganisation")].itertuples():
        same_day = mergers[
            mergers["effective_date"].eq(row.effective_date)
            & mergers["after_old_la_code"].map(region).eq(region.get(row.before_old_la_code))
        ]
        for merged in same_day["after_old_la_code"]:
            parent[root(row.after_old_la_code)] = root(merged)
    rows = []
    for group in sorted({root(code) for code in parent}):
        members = changes[changes["before_old_la_code"].map(root).eq(group)]
        before = dict(zip(members["before_old_la_code"], members["before_la_name"], strict=True))
        after = dict(zip(members["after_old_la_code"], members["after_la_name"], strict=True))
        first = int(members["first_sen2_january_as_after"].iloc[0])
        name = f"{' + '.join(before.values())} ({' + '.join(after.values())} from January {first})"
        for side, names in (("before", before), ("after", after)):
            rows += [
                {
                    "join": group,
                    "join_name": name,
                    "old_la_code": code,
                    "area_name": area,
                    "side": side,
                    "first_year_after": first,
                }
                for code, area in names.items()
            ]
    return pd.DataFrame(rows)
