"""The EHCP benchmarking report (notebooks/ehcp_benchmarking): one function per section.

Every function takes the report's parameters (council, last January census, statistical
neighbour model) and returns HTML: a chart, a compact table and a one-line reading, plus a
note of anything left out and why. The numbers come from :mod:`sendlib.measures`; nothing
here computes a measure of its own.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from sendlib.measures import benchmarks
from sendlib.periods import BASE_YEAR
from sendlib.present import charts
from sendlib.present import html as reports
from sendlib.present.common import latest_year, left_out_note, source_line
from sendlib.present.html import number, signed


def summary(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """The written summary at the top of the report, generated from the numbers."""
    bench = benchmarks.caseload_benchmark(council, sn_model=sn_model, latest=latest_census)
    year = latest_year(bench, latest_census)
    one = benchmarks.growth(council, year - 1, year, sn_model=sn_model).set_index("role")
    name = one.loc["council", "comparator"]
    region = one.loc["region", "comparator"]
    pct = one.loc["council", "pct_change"]
    direction = "grew" if pd.notna(pct) and pct >= 0 else "fell"
    over_year = (
        f"Plans {direction} {signed(pct).lstrip('+-')} in the year"
        if pd.notna(pct)
        else f"No growth over the year can be given ({one.loc['council', 'left_out']})"
    )
    lines = [
        f"{name} maintained {number(one.loc['council', 'end'])} EHC plans in January {year}. "
        f"{over_year}, against "
        + (
            f"{signed(one.loc['neighbours', 'pct_change'])} for its statistical neighbours "
            "taken together"
            if pd.notna(one.loc["neighbours", "pct_change"])
            else "no figure for its statistical neighbours taken together "
            f"({one.loc['neighbours', 'left_out']})"
        )
        + f" ({signed(one.loc['neighbours', 'mean_pct_change'])} on average across the "
        f"10 councils), {signed(one.loc['region', 'pct_change'])} for {region} and "
        f"{signed(one.loc['england', 'pct_change'])} for England."
    ]
    first = int(bench["year"].min())
    base = BASE_YEAR if first <= BASE_YEAR < year else first
    span = benchmarks.growth(council, base, year, sn_model=sn_model).set_index("role")
    if pd.notna(span.loc["council", "pct_change"]):
        lines.append(
            f"Since January {base} plans grew {signed(span.loc['council', 'pct_change'], 0)} "
            f"({signed(span.loc['council', 'cagr'])} a year), against "
            f"{signed(span.loc['neighbours', 'pct_change'], 0)} for the neighbours and "
            f"{signed(span.loc['england', 'pct_change'], 0)} for England."
        )
    lines.append(_rate_line(council, bench, name, year, sn_model))
    lines += _timeliness_line(council, year, sn_model)
    return HTML("".join(reports.sentence(line).data for line in lines))


def _rate_line(council: str, bench: pd.DataFrame, name: str, year: int, sn_model: str) -> str:
    """The council's plans per 1,000 children and where that ranks it."""
    rates = benchmarks.council_rates(year)
    try:
        rank = benchmarks.ranking(council, rates, "rate", sn_model=sn_model)
    except ValueError:
        return f"No rate per 1,000 children can be given for {name} in January {year}."
    mine = bench[bench["year"].eq(year) & bench["role"].eq("council")]["rate_0_17"].iloc[0]
    return (
        f"That is {number(mine, 1)} plans per 1,000 children aged 0 to 17: "
        f"{_ordinal(rank['rank_neighbours'])} highest of the council and its "
        f"{rank['of_neighbours'] - 1} neighbours, and in the "
        f"{['highest', 'second', 'third', 'lowest'][rank['quartile'] - 1]} quarter of all "
        f"{rank['of_all']} councils."
    )


def _timeliness_line(council: str, year: int, sn_model: str) -> list[str]:
    """The share of new plans issued within 20 weeks in the latest calendar year, against
    England's (none where there is no figure)."""
    activity = benchmarks.activity_benchmark(council, sn_model=sn_model)
    act_year = latest_year(activity, year - 1)
    if act_year is None:
        return []
    a = activity[activity["year"].eq(act_year)].set_index(["measure", "role"])["value"]
    timely = ("pct_within_20_weeks_excl_exceptions", "council")
    if timely not in a.index or pd.isna(a[timely]):
        return []
    return [
        f"In {act_year}, {number(a[timely], 1, '%')} of new plans were issued within "
        f"20 weeks (excluding exceptions), against "
        f"{number(a[('pct_within_20_weeks_excl_exceptions', 'england')], 1, '%')} in England."
    ]


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th...

    >>> [_ordinal(n) for n in (1, 2, 3, 4, 11, 12, 21)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '21st']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def growth_section(
    council: str, *, latest_census: int, sn_model: str, base_year: int = BASE_YEAR
) -> HTML:
    """Plans indexed to ``base_year``: chart, table of growth, reading."""
    bench = benchmarks.caseload_benchmark(council, sn_model=sn_model, latest=latest_census)
    year = latest_year(bench, latest_census)
    name = bench.loc[bench["role"].eq("council"), "comparator"].iloc[0]
    base_year = _index_base(bench, year, base_year)
    bench = benchmarks.caseload_benchmark(
        council, sn_model=sn_model, latest=latest_census, base_year=base_year
    )
    shown = bench[bench["year"].ge(base_year)]
    one = benchmarks.growth(council, year - 1, year, sn_model=sn_model)
    span = benchmarks.growth(council, base_year, year, sn_model=sn_model)
    final = shown[shown["year"].eq(year)].set_index("comparator")["index"]
    title = (
        (
            f"{name}: plans {'grew' if final.get(name, 100) >= 100 else 'fell'} "
            f"{abs(final.get(name, 100) - 100):.0f}% since {base_year}, England "
            f"{final.get('England', 100) - 100:.0f}%"
        )
        if pd.notna(final.get(name))
        else (f"{name}: plans since {base_year}")
    )
    fig = charts.trend(
        shown.rename(columns={"comparator": "area_name"}),
        value="index",
        highlight=name,
        title=title,
        ylabel=f"Index (January {base_year} = 100)",
        source=source_line(sn_model) + " Groups are the sum of their councils.",
    )
    caption = "Statements and EHC plans; a group's figure is the sum of its councils"
    return reports.combine(
        reports.figure(fig),
        reports.sentence(_growth_reading(one, name, year)),
        reports.fold(
            f"Table: {caption}",
            reports.table(_growth_table(one, span, base_year, year), caption=caption),
            left_out_note(span, of=f"the mean of councils' own growth since {base_year}"),
            left_out_note(one, of="the mean of councils' own growth over the year"),
        ),
    )


def _index_base(bench: pd.DataFrame, year: int, base_year: int) -> int:
    """The January the growth chart is indexed to: ``base_year``; the first January for a
    census before it; a council's first January for a council created later (one whose first
    January is the census has no growth to index, and its comparators keep the base year)."""
    own = bench[bench["role"].eq("council") & bench["ehcps"].notna()]["year"]
    if year <= base_year:
        base_year = int(bench["year"].min())
    if len(own) and base_year < own.min() < year:
        base_year = int(own.min())
    return base_year


def _growth_table(one: pd.DataFrame, span: pd.DataFrame, base_year: int, year: int):
    """Plans at the base January, a year before and now, and the changes, by comparator."""
    return pd.DataFrame(
        {
            "": span["comparator"],
            f"January {base_year}": span["start"].map(number),
            f"January {year - 1}": one["start"].map(number),
            f"January {year}": one["end"].map(number),
            "Change on a year": one["pct_change"].map(signed),
            f"Change since {base_year}": span["pct_change"].map(signed),
            "A year, compound": span["cagr"].map(signed),
        }
    )


def _growth_reading(one: pd.DataFrame, name: str, year: int) -> str:
    """The council's growth over the year against England's, as a sentence."""
    by_role = one.set_index("role")["pct_change"]
    mine, england = by_role.get("council"), by_role.get("england")
    if pd.notna(mine) and pd.notna(england):
        return (
            f"Reading: {name}'s plans grew {'faster' if mine > england else 'more slowly'} "
            f"than England's in the year to January {year} ({signed(mine)} against "
            f"{signed(england)})."
        )
    return f"Reading: no growth can be given for {name} over the year to January {year}."


def _no_rates(census: int) -> HTML:
    return reports.note(
        f"No rates per head for January {census}: the data hold no ONS estimate of children "
        f"aged 0 to 17 for mid-{census - 1} (they begin with mid-2012)."
    )


def rates_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """Plans per 1,000 children aged 0 to 17 over time; the 0 to 25 rate where ONS allows."""
    bench = benchmarks.caseload_benchmark(council, sn_model=sn_model, latest=latest_census)
    name = bench.loc[bench["role"].eq("council"), "comparator"].iloc[0]
    shown = bench[bench["rate_0_17"].notna() | bench["role"].eq("council")]
    rated = shown[shown["rate_0_17"].notna() & shown["year"].le(latest_census)]
    if rated.empty or not rated["role"].eq("england").any():
        return _no_rates(latest_census)
    year = latest_year(rated, latest_census)
    latest = shown[shown["year"].eq(year)].set_index("comparator")
    fig = charts.trend(
        shown.rename(columns={"comparator": "area_name"}),
        value="rate_0_17",
        highlight=name,
        title=f"{name}: {number(latest.loc[name, 'rate_0_17'], 1)} plans per 1,000 children "
        f"in January {year}",
        ylabel="Plans per 1,000 aged 0 to 17",
        source=source_line(sn_model, population=True) + " Groups: rate of the summed group.",
    )
    with_25 = bench[bench["rate_0_25"].notna()]
    year_25 = latest_year(with_25, latest_census)
    table = pd.DataFrame(
        {
            "": latest.index,
            f"Per 1,000 aged 0-17, January {year}": latest["rate_0_17"].map(lambda v: number(v, 1)),
            "mean of councils' rates": latest["mean_rate_0_17"].map(lambda v: number(v, 1)),
        }
    )
    if year_25 is not None:
        at_25 = with_25[with_25["year"].eq(year_25)].set_index("comparator")
        table[f"Per 1,000 aged 0-25, January {year_25}"] = (
            table[""].map(at_25["rate_0_25"]).map(lambda v: number(v, 1))
        )
    note = reports.note(
        "Rates are plans at the January census per 1,000 residents in ONS's estimate for the "
        "June before. ONS estimates of the 0 to 25 population are in the data for mid-2011, "
        "mid-2022, mid-2023 and mid-2024 only, so the 0 to 25 rate is given for January 2012 "
        "and 2023 to 2025 and not estimated for other years; the mid-2024 estimate is from "
        "ONS's 2025 release, on its revised series, the earlier ones from its 2024 release."
        + "".join(
            f" {area}: {text}"
            for area, text in latest["population_note"].items()
            if isinstance(text, str) and text
        )
    )
    caption = (
        "Plans per 1,000 residents; groups are the rate of the summed group, with the mean of "
        "their councils' own rates"
    )
    mine, england = latest.loc[name, "rate_0_17"], latest.loc["England", "rate_0_17"]
    reading = (
        f"Reading: {name} has {'more' if mine > england else 'fewer'} plans per child "
        f"than England ({number(mine, 1)} against {number(england, 1)} per 1,000)."
        if pd.notna(mine)
        else f"Reading: no rate for {name} in January {year} "
        f"({latest.loc[name, 'population_note'] or 'no population estimate'}); England "
        f"{number(england, 1)} per 1,000."
    )
    return reports.combine(
        reports.figure(fig),
        reports.sentence(reading),
        reports.fold(f"Table: {caption}", reports.table(table, caption=caption), note),
    )


def _rank_parts(rank: dict, name: str, year: int) -> list[HTML]:
    """The council's rank among its neighbours and all councils: a table and a reading."""
    table = pd.DataFrame(
        {
            "": [
                "Among its neighbours (1 = most plans per child)",
                "Among all councils",
                "Quartile of all councils (1 = highest)",
            ],
            "Rank": [
                f"{rank['rank_neighbours']} of {rank['of_neighbours']}",
                f"{rank['rank_all']} of {rank['of_all']}",
                str(rank["quartile"]),
            ],
        }
    )
    return [
        reports.table(table, caption=f"Rank by plans per 1,000 children, January {year}"),
        reports.sentence(
            f"Reading: {name} ranks {_ordinal(rank['rank_neighbours'])} of "
            f"{rank['of_neighbours']} among its neighbours on plans per child."
        ),
    ]


def neighbours_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """The council among its neighbours: ranked bars of plans per 1,000 children."""
    rates = benchmarks.council_caseload()
    year = latest_year(rates[rates["population_0_17"].notna()], latest_census)
    if year is None:
        return _no_rates(latest_census)
    rates = benchmarks.council_rates(year)
    groups = benchmarks.comparators(council, sn_model)
    name = groups.council.name
    peers = rates[rates["old_la_code"].isin([*groups.council.members, *groups.neighbours.members])]
    missing = sorted(
        set(groups.neighbours.members) - set(peers.dropna(subset=["rate"])["old_la_code"])
    )
    bench = benchmarks.caseload_benchmark(council, sn_model=sn_model, latest=year)
    latest = bench[bench["year"].eq(year)].set_index("role")
    fig = charts.ranked_bars(
        peers,
        value="rate",
        highlight=name,
        title=f"{name} among its statistical neighbours, January {year}",
        xlabel="Plans per 1,000 aged 0 to 17",
        source=source_line(sn_model, population=True),
        references={
            latest.loc["region", "comparator"]: latest.loc["region", "rate_0_17"],
            "England": latest.loc["england", "rate_0_17"],
        },
        reference_roles={latest.loc["region", "comparator"]: "region", "England": "england"},
    )
    parts = [reports.figure(fig)]
    from sendlib.measures.areas import statistical_neighbours

    distant = reports.closeness_sentence(statistical_neighbours(council, model=sn_model))
    if distant:
        parts.append(reports.sentence(distant))
    try:
        rank = benchmarks.ranking(council, rates, "rate", sn_model=sn_model)
    except ValueError as error:
        parts.append(reports.note(str(error)))
    else:
        parts += _rank_parts(rank, name, year)
    if missing:
        from sendlib.measures.areas import councils

        names = councils().set_index("old_la_code")["area_name"]
        parts.append(
            reports.note(
                "Left out of the chart: "
                + ", ".join(names.get(c, c) for c in missing)
                + f" (no figure for January {year})."
            )
        )
    return reports.combine(*parts)


def shape_section(council: str, kind: str, *, latest_census: int, sn_model: str) -> HTML:
    """The caseload by age band, placement group or primary need, against comparators."""
    shares = benchmarks.caseload_shares(council, kind, sn_model=sn_model)
    year = latest_year(shares, latest_census)
    what = {"age": "age band", "placement": "placement", "need": "primary need"}[kind]
    if year is None:
        first = int(shares["year"].min())
        return reports.note(
            f"DfE publishes the caseload by {what} from January {first}; "
            f"nothing to show for January {latest_census}."
        )
    latest = shares[shares["year"].eq(year)]
    name = latest.loc[latest["role"].eq("council"), "comparator"].iloc[0]
    order = benchmarks.category_order(kind)
    fig = charts.stacked_shares(
        latest,
        category="category",
        share="share",
        title=f"EHC plans by {what}, January {year}",
        source=source_line(sn_model) + " Groups: share of the summed group.",
        order=order,
    )
    wide = reports.spread(latest, "category", "comparator", "share")
    wide = wide.reindex([c for c in order if c in wide.index])
    wide = wide.reindex(columns=list(dict.fromkeys(latest["comparator"])))
    gaps = (wide[name] - wide["Statistical neighbours"]).dropna()
    reading = ""
    if len(gaps):
        biggest = gaps.abs().idxmax()
        reading = (
            f"Reading: the largest difference from the neighbours is in "
            f"{biggest}: {number(wide.loc[biggest, name], 1, '%')} of "
            f"{name}'s plans against {number(wide.loc[biggest, 'Statistical neighbours'], 1, '%')}."
        )
    return reports.combine(
        reports.figure(fig),
        reports.sentence(reading) if reading else None,
        reports.grid(
            wide,
            what.capitalize(),
            lambda v: number(v, 1, "%"),
            f"Share of plans by {what}, January {year}",
            folded=True,
        ),
        left_out_note(latest, of="the shares"),
    )


from sendlib.present.activity_sections import (  # noqa: E402, F401 - the report's sections
    activity_section,
    timeliness_section,
)
