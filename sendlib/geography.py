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

from sendlib.errors import UnknownCouncilError

AREA_COLUMNS = ["level", "area_code", "old_la_code", "area_name", "region_code", "region_name"]
"""Columns naming an area in every tidy table.

``level`` is ``national``, ``region``, ``inner_outer_london`` or ``council``; ``area_code`` the
9-character ONS-style code as DfE published it (E92000001 for England, E12... for regions,
E13000001/E13000002 for Inner/Outer London); ``old_la_code`` DfE's 3-digit council number
(missing above council level); ``region_name`` the council's region (``London`` for boroughs).
"""

LONDON_SUBREGIONS = {
    "London (Inner)": ("E13000001", "Inner London"),
    "London (Outer)": ("E13000002", "Outer London"),
}
"""DfE's GOReg label -> (ONS statistical code, name) of the Inner/Outer London aggregate."""


def normalise_name(name: str) -> str:
    """A council name reduced to compare spellings: case, punctuation, '&', 'City of'.

    >>> normalise_name("Kingston upon Hull, City of") == normalise_name("Kingston Upon Hull")
    True
    >>> normalise_name("St. Helens") == normalise_name("St Helens")
    True
    """
    text = name.casefold().replace("&", " and ")
    text = re.sub(r",\s*(city|county) of$", "", text)
    text = re.sub(r"^(city|county) of\s+", "", text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = re.sub(r"\b(council|borough|royal|the)\b", " ", text)
    return " ".join(text.split())


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


def find_council(query: str | int, councils: pd.DataFrame) -> pd.Series:
    """The row of ``councils`` (see :func:`council_index`) that ``query`` names.

    Accepts a name in any published spelling, the 3-digit code or any 9-character code. When
    a name belongs to an old and a current council (Dorset county 835, Dorset council 838), the
    current one is returned. Raises :class:`UnknownCouncilError` with the closest names.
    """
    text = str(query).strip()
    if re.fullmatch(r"\d{3}", text):
        hit = councils[councils["old_la_code"].eq(text)]
    elif re.fullmatch(r"[EeWw]\d{8}", text):
        hit = councils[councils["codes"].str.split("|").map(lambda cs: text.upper() in cs)]
    else:
        wanted = normalise_name(text)
        hit = councils[
            councils["names"]
            .str.split("|")
            .map(lambda ns: wanted in {normalise_name(n) for n in ns})
        ]
    if len(hit):
        return hit.sort_values(["current", "last_year"]).iloc[-1]
    choices = {normalise_name(n): n for ns in councils["names"] for n in ns.split("|")}
    close = difflib.get_close_matches(normalise_name(text), list(choices), n=3, cutoff=0.6)
    if not close:  # fall back to a match on the start of a word ("kingston" -> both Kingstons)
        close = [k for k in choices if k.startswith(normalise_name(text)[:5])][:3]
    raise UnknownCouncilError(text, [choices[c] for c in close])


def council_history(
    query: str | int, councils: pd.DataFrame, caseload: pd.DataFrame, changes: pd.DataFrame
) -> pd.DataFrame:
    """Which codes and names a council had over time, and what it came from or became.

    Returns one row per (council, code, name) with ``relation`` (``this council``,
    ``predecessor`` or ``successor``), ``old_la_code``, ``area_code``, ``area_name``,
    ``first_year`` and ``last_year`` (January censuses published under that code and name),
    and ``change`` (what happened, from the table of LA changes).
    """
    council = find_council(query, councils)
    code = council["old_la_code"]
    before = changes[changes["after_old_la_code"].eq(code) & changes["before_old_la_code"].ne(code)]
    after = changes[changes["before_old_la_code"].eq(code) & changes["after_old_la_code"].ne(code)]
    same = changes[changes["before_old_la_code"].eq(code) & changes["after_old_la_code"].eq(code)]
    related = [
        (
            "this council",
            code,
            "; ".join(same["change_type"] + " " + same["effective_date"]) or pd.NA,
        )
    ]
    related += [
        ("predecessor", r.before_old_la_code, f"{r.change_type} {r.effective_date}")
        for r in before.itertuples()
    ]
    related += [
        ("successor", r.after_old_la_code, f"{r.change_type} {r.effective_date}")
        for r in after.itertuples()
    ]
    rows = []
    councils_caseload = caseload[caseload["level"].eq("council")]
    for relation, old_code, change in related:
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
    query: str | int, neighbours: pd.DataFrame, councils: pd.DataFrame, model: str = "2025"
) -> pd.DataFrame:
    """A council's 10 statistical neighbours in DfE's ``model`` ("2025" or "2021").

    Returns a new frame: ``rank`` (1 = closest), ``old_la_code``, ``area_code`` (as in the
    SEN2 tables, for joining), ``area_name``, ``closeness``.
    """
    council = find_council(query, councils)
    rows = neighbours[
        neighbours["model"].eq(str(model)) & neighbours["old_la_code"].eq(council["old_la_code"])
    ]
    if rows.empty:
        raise UnknownCouncilError(
            f"{council['area_name']} in the {model} statistical neighbour model",
            [f"model {m}" for m in sorted(neighbours["model"].unique()) if m != str(model)],
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
