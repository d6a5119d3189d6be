"""The sections of the EHCP benchmarking report, each one cell of the notebook.

Every function takes the report's parameters (council, last January census, statistical
neighbour model) and returns HTML: a chart, a compact table and a one-line reading, plus a
note of anything left out and why. The numbers come from :mod:`sendlib.measures.benchmarks`; nothing
here computes a measure of its own.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from sendlib.measures import benchmarks
from sendlib.present import charts
from sendlib.present import html as reports
from sendlib.present.formats import pounds_m
from sendlib.present.html import number, signed

SOURCE = (
    "Source: DfE, Education, health and care plans (SEN2), reporting years 2022 and 2025, "
    "January census; DfE statistical neighbour model {model}."
)
SOURCE_POPULATION = (
    " Population: ONS mid-year estimates (ages 0 to 17, 2025 revision; ages 0 "
    "to 25, mid-2022 and mid-2023), for the June before each January census."
)


def _source(sn_model: str, population: bool = False) -> str:
    return SOURCE.format(model=sn_model) + (SOURCE_POPULATION if population else "")


def _left_out(table: pd.DataFrame, of: str = "the figures") -> HTML | None:
    """A note naming the councils a table's figures leave out, and why."""
    notes = table.loc[table["left_out"].fillna("").ne(""), ["comparator", "left_out"]]
    notes = notes.drop_duplicates()
    if notes.empty:
        return None
    text = " ".join(f"{r.comparator}: {r.left_out}." for r in notes.itertuples())
    return reports.note(f"Left out of {of}, and why. {text}")


def _latest(table: pd.DataFrame, latest: int, column: str = "year") -> int | None:
    years = table.loc[table[column].le(latest), column]
    return int(years.max()) if len(years) else None


def summary(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """The written summary at the top of the report, generated from the numbers."""
    bench = benchmarks.caseload_benchmark(council, sn_model=sn_model, latest=latest_census)
    year = _latest(bench, latest_census)
    one = benchmarks.growth(council, year - 1, year, sn_model=sn_model).set_index("role")
    name = one.loc["council", "comparator"]
    region = one.loc["region", "comparator"]
    pct = one.loc["council", "pct_change"]
    direction = "grew" if pd.notna(pct) and pct >= 0 else "fell"
    lines = [
        f"{name} maintained {number(one.loc['council', 'end'])} EHC plans in January {year}. "
        f"Plans {direction} {signed(pct).lstrip('+-')} in the year, against "
        f"{signed(one.loc['neighbours', 'pct_change'])} for its statistical neighbours taken "
        f"together ({signed(one.loc['neighbours', 'mean_pct_change'])} on average across the "
        f"10 councils), {signed(one.loc['region', 'pct_change'])} for {region} and "
        f"{signed(one.loc['england', 'pct_change'])} for England."
    ]
    first = int(bench["year"].min())
    base = 2015 if first <= 2015 < year else first
    span = benchmarks.growth(council, base, year, sn_model=sn_model).set_index("role")
    if pd.notna(span.loc["council", "pct_change"]):
        lines.append(
            f"Since January {base} plans grew {signed(span.loc['council', 'pct_change'], 0)} "
            f"({signed(span.loc['council', 'cagr'])} a year), against "
            f"{signed(span.loc['neighbours', 'pct_change'], 0)} for the neighbours and "
            f"{signed(span.loc['england', 'pct_change'], 0)} for England."
        )
    rates = benchmarks.council_caseload()
    rates = rates[rates["year"].eq(year)].assign(
        rate=lambda t: t["ehcps"].astype("Float64") / t["population_0_17"] * 1000
    )
    try:
        rank = benchmarks.ranking(council, rates, "rate", sn_model=sn_model)
        mine = bench[bench["year"].eq(year) & bench["role"].eq("council")]["rate_0_17"].iloc[0]
        lines.append(
            f"That is {number(mine, 1)} plans per 1,000 children aged 0 to 17: "
            f"{_ordinal(rank['rank_neighbours'])} highest of the council and its "
            f"{rank['of_neighbours'] - 1} neighbours, and in the "
            f"{['highest', 'second', 'third', 'lowest'][rank['quartile'] - 1]} quarter of all "
            f"{rank['of_all']} councils."
        )
    except ValueError:
        lines.append(f"No rate per 1,000 children can be given for {name} in January {year}.")
    activity = benchmarks.activity_benchmark(council, sn_model=sn_model)
    act_year = _latest(activity, year - 1)
    if act_year is not None:
        a = activity[activity["year"].eq(act_year)].set_index(["measure", "role"])["value"]
        timely = ("pct_within_20_weeks_excl_exceptions", "council")
        if timely in a.index and pd.notna(a[timely]):
            lines.append(
                f"In {act_year}, {number(a[timely], 1, '%')} of new plans were issued within "
                f"20 weeks (excluding exceptions), against "
                f"{number(a[('pct_within_20_weeks_excl_exceptions', 'england')], 1, '%')} in "
                "England."
            )
    return HTML("".join(reports.sentence(line).data for line in lines))


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th...

    >>> [_ordinal(n) for n in (1, 2, 3, 4, 11, 12, 21)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '21st']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def growth_section(
    council: str, *, latest_census: int, sn_model: str, base_year: int = 2015
) -> HTML:
    """Plans indexed to ``base_year``: chart, table of growth, reading."""
    bench = benchmarks.caseload_benchmark(council, sn_model=sn_model, latest=latest_census)
    year = _latest(bench, latest_census)
    name = bench.loc[bench["role"].eq("council"), "comparator"].iloc[0]
    own = bench[bench["role"].eq("council") & bench["ehcps"].notna()]["year"]
    if len(own) and base_year < own.min():
        base_year = int(own.min())  # a council created later is indexed from its first year
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
        source=_source(sn_model) + " Groups are the sum of their councils.",
    )
    table = pd.DataFrame(
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
    mine, england = one.iloc[0]["pct_change"], one.iloc[3]["pct_change"]
    reading = (
        (
            f"Reading: {name}'s plans grew {'faster' if mine > england else 'more slowly'} "
            f"than England's in the year to January {year} ({signed(mine)} against "
            f"{signed(england)})."
        )
        if pd.notna(mine) and pd.notna(england)
        else (f"Reading: no growth can be given for {name} over the year to January {year}.")
    )
    return reports.combine(
        reports.figure(fig),
        reports.table(
            table, caption=("Statements and EHC plans; a group's figure is the sum of its councils")
        ),
        reports.sentence(reading),
        _left_out(span, of=f"the mean of councils' own growth since {base_year}"),
        _left_out(one, of="the mean of councils' own growth over the year"),
    )


def rates_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """Plans per 1,000 children aged 0 to 17 over time; the 0 to 25 rate where ONS allows."""
    bench = benchmarks.caseload_benchmark(council, sn_model=sn_model, latest=latest_census)
    name = bench.loc[bench["role"].eq("council"), "comparator"].iloc[0]
    shown = bench[bench["rate_0_17"].notna() | bench["role"].eq("council")]
    year = _latest(shown, latest_census)
    latest = shown[shown["year"].eq(year)].set_index("comparator")
    fig = charts.trend(
        shown.rename(columns={"comparator": "area_name"}),
        value="rate_0_17",
        highlight=name,
        title=f"{name}: {number(latest.loc[name, 'rate_0_17'], 1)} plans per 1,000 children "
        f"in January {year}",
        ylabel="Plans per 1,000 aged 0 to 17",
        source=_source(sn_model, population=True) + " Groups: rate of the summed group.",
    )
    with_25 = bench[bench["rate_0_25"].notna()]
    year_25 = _latest(with_25, latest_census)
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
        "mid-2022 and mid-2023 only, so the 0 to 25 rate is given for January 2012, 2023 and "
        "2024 and not estimated for other years."
        + "".join(
            f" {area}: {text}"
            for area, text in latest["population_note"].items()
            if isinstance(text, str) and text
        )
    )
    mine, england = latest.loc[name, "rate_0_17"], latest.loc["England", "rate_0_17"]
    reading = (
        f"Reading: {name} has {'more' if mine > england else 'fewer'} plans per child "
        f"than England ({number(mine, 1)} against {number(england, 1)} per 1,000)."
    )
    return reports.combine(
        reports.figure(fig),
        reports.table(
            table,
            caption=(
                "Plans per 1,000 residents; groups are the rate of the summed group, with the mean of "
                "their councils' own rates"
            ),
        ),
        reports.sentence(reading),
        note,
    )


def neighbours_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """The council among its neighbours: ranked bars of plans per 1,000 children."""
    rates = benchmarks.council_caseload()
    year = _latest(rates[rates["population_0_17"].notna()], latest_census)
    rates = rates[rates["year"].eq(year)].assign(
        rate=lambda t: t["ehcps"].astype("Float64") / t["population_0_17"] * 1000
    )
    groups = benchmarks.comparators(council, sn_model)
    name = groups[0].name
    peers = rates[rates["old_la_code"].isin([*groups[0].members, *groups[1].members])]
    missing = sorted(set(groups[1].members) - set(peers.dropna(subset=["rate"])["old_la_code"]))
    bench = benchmarks.caseload_benchmark(council, sn_model=sn_model, latest=year)
    latest = bench[bench["year"].eq(year)].set_index("role")
    fig = charts.ranked_bars(
        peers,
        value="rate",
        highlight=name,
        title=f"{name} among its statistical neighbours, January {year}",
        xlabel="Plans per 1,000 aged 0 to 17",
        source=_source(sn_model, population=True),
        references={
            latest.loc["region", "comparator"]: latest.loc["region", "rate_0_17"],
            "England": latest.loc["england", "rate_0_17"],
        },
    )
    parts = [reports.figure(fig)]
    try:
        rank = benchmarks.ranking(council, rates, "rate", sn_model=sn_model)
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
        parts += [
            reports.table(table, caption=f"Rank by plans per 1,000 children, January {year}"),
            reports.sentence(
                f"Reading: {name} ranks {_ordinal(rank['rank_neighbours'])} of "
                f"{rank['of_neighbours']} among its neighbours on plans per child."
            ),
        ]
    except ValueError as error:
        parts.append(reports.note(str(error)))
    if missing:
        names = benchmarks.tables.load("councils").set_index("old_la_code")["area_name"]
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
    year = _latest(shares, latest_census)
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
        source=_source(sn_model) + " Groups: share of the summed group.",
        order=order,
    )
    wide = latest.pivot_table(
        index="category",
        columns="comparator",
        values="share",
        aggfunc="first",
        sort=False,
        dropna=False,
    )
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
        reports.grid(
            wide,
            what.capitalize(),
            lambda v: number(v, 1, "%"),
            f"Share of plans by {what}, January {year}",
        ),
        reports.sentence(reading) if reading else None,
        _left_out(latest, of="the shares"),
    )


def activity_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """Requests, assessments and new plans in the latest calendar year: funnel and table."""
    activity = benchmarks.activity_benchmark(council, sn_model=sn_model)
    year = _latest(activity, latest_census - 1)
    if year is None:
        return reports.note("DfE publishes requests and assessments from 2019 onwards.")
    latest = activity[activity["year"].eq(year)]
    mine = latest[latest["role"].eq("council")].set_index("measure")["value"]
    name = latest.loc[latest["role"].eq("council"), "comparator"].iloc[0]
    parts = []
    if mine[["requests", "assessments", "new_plans"]].notna().all():
        stages = pd.DataFrame(
            {
                "stage": ["Requests", "Assessments", "New plans"],
                "value": mine[["requests", "assessments", "new_plans"]].values,
            }
        )
        parts.append(
            reports.figure(
                charts.funnel(
                    stages,
                    title=f"{name}: from request to plan, {year}",
                    source=_source(sn_model)
                    + " Calendar year; returned at the next January census.",
                )
            )
        )
    shown = [
        "requests",
        "pct_requests_refused",
        "assessments",
        "pct_assessments_plan_issued",
        "new_plans",
        "ceased_plans",
        "net_change",
    ]
    wide = latest.pivot_table(
        index="measure",
        columns="comparator",
        values="value",
        aggfunc="first",
        sort=False,
        dropna=False,
    ).reindex(shown)
    wide = wide.reindex(columns=list(dict.fromkeys(latest["comparator"])))
    units = dict(zip(latest["measure"], latest["unit"], strict=False))
    labels = dict(zip(latest["measure"], latest["label"], strict=False))
    table = wide.apply(
        lambda col: [
            number(v, 1, "%") if units.get(m) == "percent" else number(v) for m, v in col.items()
        ]
    )
    table.index = [labels.get(m, m) for m in table.index]
    table.index.name = f"Calendar year {year}"
    table.columns.name = None
    parts.append(
        reports.table(
            table.reset_index(),
            caption=(
                "Counts are sums over each group's councils; percentages are of the summed group"
            ),
        )
    )
    refused = latest[latest["measure"].eq("pct_requests_refused")].set_index("role")["value"]
    if pd.notna(refused.get("council")) and pd.notna(refused.get("england")):
        parts.append(
            reports.sentence(
                f"Reading: {name} refused {number(refused['council'], 1, '%')} of requests for an "
                f"assessment in {year}, against {number(refused['england'], 1, '%')} in England."
            )
        )
    if latest.loc[latest["measure"].eq("ceased_plans"), "value"].isna().all():
        parts.append(reports.note("DfE publishes ceased plans from 2022 onwards."))
    parts.append(
        _left_out(latest[latest["measure"].isin(["requests", "new_plans"])], of="the counts")
    )
    return reports.combine(*parts)


def timeliness_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """New plans issued within 20 weeks, excluding exceptions, each calendar year."""
    activity = benchmarks.activity_benchmark(council, sn_model=sn_model)
    measure = "pct_within_20_weeks_excl_exceptions"
    shown = activity[activity["measure"].eq(measure) & activity["year"].lt(latest_census)]
    if shown.empty:
        return reports.note("DfE publishes 20-week timeliness from 2019 onwards.")
    name = shown.loc[shown["role"].eq("council"), "comparator"].iloc[0]
    year = int(shown["year"].max())
    latest = shown[shown["year"].eq(year)].set_index("role")["value"]
    fig = charts.trend(
        shown.rename(columns={"comparator": "area_name"}),
        value="value",
        highlight=name,
        title=f"{name}: {number(latest.get('council'), 0, '%')} of new plans within 20 weeks "
        f"in {year}",
        ylabel="% within 20 weeks (excl. exceptions)",
        source=_source(sn_model) + " Groups: % of the summed group's plans.",
    )
    both = activity[
        activity["measure"].isin(["pct_within_20_weeks", measure]) & activity["year"].eq(year)
    ]
    wide = both.pivot_table(
        index="comparator",
        columns="measure",
        values="value",
        aggfunc="first",
        sort=False,
        dropna=False,
    )
    table = pd.DataFrame(
        {
            "": wide.index,
            "Including exceptions": wide["pct_within_20_weeks"].map(lambda v: number(v, 1, "%")),
            "Excluding exceptions": wide[measure].map(lambda v: number(v, 1, "%")),
        }
    )
    reading = (
        f"Reading: {name} issued {number(latest.get('council'), 1, '%')} of new plans "
        f"within the statutory 20 weeks in {year}, against "
        f"{number(latest.get('england'), 1, '%')} in England."
    )
    return reports.combine(
        reports.figure(fig),
        reports.table(table, caption=f"New EHC plans issued within 20 weeks, {year}"),
        reports.sentence(reading),
        _left_out(shown[shown["year"].eq(year)], of="the percentages"),
    )


# --- the forecast report ----------------------------------------------------------------------

SOURCE_FORECAST = (
    "Source: DfE, Education, health and care plans (SEN2), January census; "
    "sendlib forecast ({method}), intervals from its past errors."
)


def _council_caseload(council: str, first: int, last: int) -> pd.DataFrame:
    """The council's own caseload rows (:func:`sendlib.measures.caseload.ehcp_caseload`), Januaries
    ``first`` to ``last``."""
    from sendlib.measures.caseload import ehcp_caseload

    table = ehcp_caseload(council)
    return table[table["year"].between(first, last)]


def forecast_section(
    council: str, *, latest_census: int, sn_model: str, ceiling: float = 0, ceiling_year: int = 0
) -> HTML:
    """The forecast of plans 1 to 5 Januaries ahead, with its intervals, and the ceiling."""
    from sendlib.measures import forecasting

    table = forecasting.forecast(council, origin=latest_census, sn_model=sn_model)
    history = _council_caseload(council, 2015, latest_census)
    name = history["area_name"].iloc[-1]
    first = table.iloc[0]
    fig = charts.fan(
        history.rename(columns={"ehcps": "value"}),
        table,
        title=f"{name}: about {number(first['point'])} plans forecast for January "
        f"{int(first['year'])}",
        ylabel="Statements and EHC plans",
        ceiling=(ceiling_year, ceiling) if ceiling else None,
        source=SOURCE_FORECAST.format(method=first["method"]),
    )
    shown = pd.DataFrame(
        {
            "January": table["year"].astype(int),
            "Forecast": table["point"].map(number),
            "80% interval": [
                f"{number(lo)} to {number(hi)}"
                for lo, hi in zip(table["lower_80"], table["upper_80"], strict=True)
            ],
            "95% interval": [
                f"{number(lo)} to {number(hi)}"
                for lo, hi in zip(table["lower_95"], table["upper_95"], strict=True)
            ],
        }
    )
    parts = [
        reports.figure(fig),
        reports.table(
            shown,
            caption=(f"Plans forecast from January {latest_census}, with prediction intervals"),
        ),
        reports.sentence(
            f"Reading: in four years out of five, plans at January {int(first['year'])} "
            f"should fall between {number(first['lower_80'])} and "
            f"{number(first['upper_80'])}; the single best guess is {number(first['point'])}."
        ),
    ]
    if ceiling:
        chance = forecasting.probability_above(
            council, ceiling_year, ceiling, origin=latest_census, sn_model=sn_model
        )
        parts.append(
            reports.sentence(
                f"The chance of more than {number(ceiling)} plans at January {ceiling_year} (the "
                f"ceiling) is about {number(chance * 100)}%."
            )
        )
    return reports.combine(*parts)


def backtest_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """How the same method would have done for this council in past years, and overall."""
    from sendlib.measures import forecasting
    from sendlib.measures.areas import find_council

    code = find_council(council)["old_la_code"]
    past = forecasting.backtest(
        [forecasting.DEFAULT_METHOD], councils=[code], last_target=latest_census
    )
    past = past[past["horizon"].eq(1)].sort_values("year")
    overall = forecasting.score(
        forecasting.backtest([forecasting.DEFAULT_METHOD], last_target=latest_census)
    )
    by_horizon = overall.set_index("horizon")
    one = by_horizon.loc[1]
    further = "".join(
        f"; {words} years ahead, {number(by_horizon.loc[h, 'median_ape'], 1, '%')} and "
        f"{number(by_horizon.loc[h, 'coverage_80'], 0, '%')}"
        for h, words in ((2, "two"), (3, "three"))
        if h in by_horizon.index
    )
    if past.empty:
        return reports.note("This council's series is too short to show past forecasts.")
    inside = past["actual"].between(past["lower_80"], past["upper_80"])
    shown = pd.DataFrame(
        {
            "January": past["year"].astype(int),
            "Forecast a year before": past["point"].map(number),
            "80% interval": [
                f"{number(lo)} to {number(hi)}"
                for lo, hi in zip(past["lower_80"], past["upper_80"], strict=True)
            ],
            "Outcome": past["actual"].map(number),
            "Error": ((past["point"] / past["actual"] - 1) * 100).map(signed),
            "Inside the 80% interval": ["yes" if i else "no" for i in inside],
        }
    )
    return reports.combine(
        reports.table(shown, caption="The same method, a year ahead, in past years"),
        reports.sentence(
            f"Reading: a year ahead, the forecast was inside its 80% interval in "
            f"{int(inside.sum())} of {len(past)} years for this council. Across every council "
            f"(January 2015 to {latest_census}) its median error a year ahead was "
            f"{number(one['median_ape'], 1, '%')}, and outcomes fell inside the 80% interval "
            f"{number(one['coverage_80'], 0, '%')} of the time{further}."
        ),
    )


def cost_section(council: str, *, latest_census: int, sn_model: str, cost_per_plan: float) -> HTML:
    """What the forecast plans would cost, under growth and price scenarios."""
    from sendlib.measures import forecasting

    table = forecasting.forecast(council, origin=latest_census, sn_model=sn_model)
    costs = forecasting.cost_scenarios(table, cost_per_plan)
    central = costs[costs["price"].eq("central")].pivot_table(
        index="year", columns="growth", values="cost", aggfunc="first"
    )
    fan_table = table.assign(
        **{
            column: table[column]
            * cost_per_plan
            * (1 + forecasting.PRICE_SCENARIOS["central"]) ** table["horizon"]
            / 1e6
            for column in ["point", "lower_80", "upper_80", "lower_95", "upper_95"]
        }
    )
    now = _council_caseload(council, latest_census, latest_census)["ehcps"]
    history = pd.DataFrame(
        {"year": [latest_census], "value": [float(now.iloc[0]) * cost_per_plan / 1e6]}
    )
    fig = charts.fan(
        history,
        fan_table,
        title=f"Cost of plans, central price rise of "
        f"{forecasting.PRICE_SCENARIOS['central']:.0%} a year",
        ylabel="£ million a year",
        source=SOURCE_FORECAST.format(method=forecasting.DEFAULT_METHOD)
        + " Plans x cost per plan.",
        fmt="£{:,.1f}m",
    )
    shown = pd.DataFrame(
        {
            "January": central.index.astype(int),
            "Low growth": central["low"].map(lambda v: f"{pounds_m(v, 1)}"),
            "Central": central["central"].map(lambda v: f"{pounds_m(v, 1)}"),
            "High growth": central["high"].map(lambda v: f"{pounds_m(v, 1)}"),
        }
    )
    extremes = costs[costs["year"].eq(costs["year"].min())]
    low = extremes[extremes["growth"].eq("low") & extremes["price"].eq("low")]["cost"].iloc[0]
    high = extremes[extremes["growth"].eq("high") & extremes["price"].eq("high")]["cost"].iloc[0]
    return reports.combine(
        reports.figure(fig),
        reports.table(
            shown,
            caption=(
                f"Cost of plans a year at £{cost_per_plan:,.0f} a plan at January {latest_census}, "
                f"rising {forecasting.PRICE_SCENARIOS['central']:.0%} a year; growth scenarios are "
                "the 80% interval"
            ),
        ),
        reports.sentence(
            f"Reading: next year's plans cost between {pounds_m(low, 1)} (low growth, prices "
            f"rising {forecasting.PRICE_SCENARIOS['low']:.0%}) and {pounds_m(high, 1)} (high "
            f"growth, prices rising {forecasting.PRICE_SCENARIOS['high']:.0%})."
        ),
        reports.note(
            "The cost per plan is an input: the council's own spend divided by its "
            "plans. It is not estimated from public data."
        ),
    )


# --- the KPI dashboard and the High Needs Block ---------------------------------------------

SOURCE_LOCAL = "Source: {council}'s own figures ({files}), {quarter} {year}."


def kpi_dashboard_section(council: str, *, local_dir: str, rules_file: str, quarter: str) -> HTML:
    """The demand and finance dashboard: each KPI's figures and two RAG ratings."""
    from sendlib.ingest import council_files as local_sources
    from sendlib.measures import kpis

    path = local_sources.find_file(local_dir, "kpi_dashboard", quarter=quarter)
    table = local_sources.read_kpi_dashboard(path)
    board = kpis.dashboard(table, kpis.read_rules(rules_file), quarter)
    year = table["financial_year"].iloc[0]
    counts = board["rag"].value_counts()
    reported = board["reported_rag"].value_counts()
    differs = board[board["differs"]]
    parts = [
        reports.sentence(
            f"At {quarter} {year}, by sendlib's rules: {counts.get('G', 0)} Green, "
            f"{counts.get('A', 0)} Amber, {counts.get('R', 0)} Red and "
            f"{int(board['rag'].isna().sum())} not rated; as reported by officers: "
            f"{reported.get('G', 0)} Green, {reported.get('A', 0)} Amber, {reported.get('R', 0)} Red."
            f" The two differ on {len(differs)} KPIs, marked (differs) below."
        )
    ]
    for category, group in board.groupby(board["category"].str.title(), sort=False):
        shown = pd.DataFrame(
            {
                "Ref": group["ref"],
                "KPI": group["kpi"],
                "Baseline": [
                    reports.money(v, u)
                    for v, u in zip(group["baseline"], group["unit"], strict=True)
                ],
                f"Target {year}": [
                    reports.money(v, u) for v, u in zip(group["target"], group["unit"], strict=True)
                ],
                f"Target at {quarter}": [
                    reports.money(v, u)
                    for v, u in zip(group["quarter_target"], group["unit"], strict=True)
                ],
                f"{quarter} actual": [
                    reports.money(v, u) for v, u in zip(group["actual"], group["unit"], strict=True)
                ],
                "Reported": [reports.rag_label(r) for r in group["reported_rag"]],
                "By the rule": [
                    reports.rag_label(r, d, w)
                    for r, d, w in zip(
                        group["rag"], group["differs"], group["not_rated_because"], strict=True
                    )
                ],
                "Comment": group["comment"].fillna(""),
            }
        )
        parts.append(
            reports.rag_table(
                shown, ["Reported", "By the rule"], caption=f"{category}, {quarter} {year}"
            )
        )
    parts.append(
        reports.note(
            "The rule: Green if the actual is on the right side of the target for the quarter; "
            "Amber if on the wrong side by up to 5% of it; Red beyond. A year-to-date count is "
            "judged against the target for the months gone; a stock with a pro rata target "
            "against the baseline moved toward the target in proportion; anything else against "
            "the annual target. KPIs without a stated direction are not rated. Source: "
            f"{path.name}."
        )
    )
    return reports.combine(*parts)


def _finance_files(local_dir: str, quarter: str) -> dict:
    from sendlib.ingest import council_files as local_sources

    return {
        name: local_sources.find_file(local_dir, name, quarter=quarter)
        for name in local_sources.FILES
    }


def hnb_section(council: str, *, local_dir: str, quarter: str) -> HTML:
    """The High Needs Block position: model against actual, with the arithmetic checked."""
    from sendlib.ingest import council_files as local_sources
    from sendlib.measures import finance

    files = _finance_files(local_dir, quarter)
    model = local_sources.read_hnb_model(files["hnb_financial_model"])
    checks = finance.hnb_checks(model)
    shown = pd.DataFrame(
        {
            "": model["line"],
            "Financial model, £m": (model["model"] / 1e6).map(lambda v: f"{v:,.3f}"),
            f"{quarter} actual, £m": (model["actual"] / 1e6).map(lambda v: f"{v:,.3f}"),
            "Variance, £m": (model["variance"] / 1e6).map(lambda v: f"{v:+,.3f}"),
            "Reported": [reports.rag_label(r) for r in model["reported_rag"]],
        }
    )
    deficit = float(model.loc[model["kind"].eq("net_hnb_deficit"), "actual"].iloc[0])
    planned = float(model.loc[model["kind"].eq("net_hnb_deficit"), "model"].iloc[0])
    failing = checks[~checks["agrees"]]
    check_text = (
        "Every total in the model adds up (to the £0.001m the figures are given in)."
        if failing.empty
        else "These totals do not add up: "
        + "; ".join(
            f"{r.check} ({r.column}: stated {pounds_m(r.stated, 3)}, computed "
            f"{pounds_m(r.computed, 3)})"
            for r in failing.itertuples()
        )
    )
    return reports.combine(
        reports.rag_table(
            shown, ["Reported"], caption=(f"High Needs Block financial model and {quarter} actual")
        ),
        reports.sentence(
            f"Reading: the net High Needs Block deficit is {pounds_m(deficit, 3)} at {quarter}, "
            f"against {pounds_m(planned, 3)} in the financial model."
        ),
        reports.note(check_text + f" Source: {files['hnb_financial_model'].name}."),
    )


def waterfall_section(council: str, *, local_dir: str, quarter: str) -> HTML:
    """From spend before savings to the net HNB deficit, and savings against target."""
    from sendlib.ingest import council_files as local_sources
    from sendlib.measures import finance

    files = _finance_files(local_dir, quarter)
    model = local_sources.read_hnb_model(files["hnb_financial_model"])
    steps = finance.waterfall(model)
    saved = finance.savings(model)
    source = f"Source: {council}'s High Needs Block financial model, {quarter} actual."
    shown = pd.DataFrame(
        {
            "Savings line": saved["line"],
            "Target": saved["target"].map(reports.money),
            "Achieved": saved["achieved"].map(reports.money),
            "Shortfall": saved["shortfall"].map(reports.money),
            "Achieved, % of target": saved["achieved_pct"].map(lambda v: number(v, 0, "%")),
        }
    )
    total_target, total_achieved = saved["target"].sum(), saved["achieved"].sum()
    return reports.combine(
        reports.figure(
            charts.waterfall(
                steps, title=f"From spend to the net HNB deficit, {quarter}", source=source
            )
        ),
        reports.figure(
            charts.target_and_achieved(
                saved,
                title=f"Savings: £{total_achieved / 1e3:,.0f}k achieved of "
                f"£{total_target / 1e3:,.0f}k planned",
                source=source,
            )
        ),
        reports.table(shown, caption=f"Savings by line, {quarter}"),
        reports.sentence(
            f"Reading: savings so far are {total_achieved / total_target * 100:.0f}% of the "
            f"year's plan; the largest shortfall is in "
            f"{saved.loc[saved['shortfall'].idxmax(), 'line'].lower()}."
        ),
    )


def deficit_section(council: str, *, local_dir: str, quarter: str) -> HTML:
    """The cumulative DSG deficit against the Safety Valve ceiling, and plans issued."""
    from sendlib.ingest import council_files as local_sources
    from sendlib.measures import finance

    files = _finance_files(local_dir, quarter)
    sv = local_sources.read_wide(files["safety_valve_kpis"], "KPI")
    local_sources.require_quarter(sv, quarter, files["safety_valve_kpis"])
    history = local_sources.read_deficit_history(files["dsg_deficit_history"])
    trajectory = finance.deficit_trajectory(sv, history, quarter=quarter)
    plans = local_sources.read_wide(files["plans_issued_ceased"], "KPI", "count")
    wide = plans.pivot_table(
        index="label", columns="column", values="value", aggfunc="first", sort=False
    )
    latest = trajectory.iloc[-1]
    headroom = latest["ceiling"] - latest["deficit"]
    issued, ceased = wide.loc["Issued plans", "Total YTD"], wide.loc["Ceased plans", "Total YTD"]
    return reports.combine(
        reports.figure(
            charts.against_ceiling(
                trajectory,
                title="Cumulative DSG deficit before Safety Valve funding",
                source=f"Source: {council}'s DSG deficit history and Safety Valve returns.",
            )
        ),
        reports.sentence(
            f"Reading: at {quarter} the cumulative deficit before Safety Valve funding is "
            f"{pounds_m(latest['deficit'], 3)}, {pounds_m(headroom, 3)} "
            f"{'inside' if headroom >= 0 else 'over'} the agreed maximum of "
            f"{pounds_m(latest['ceiling'], 3)}."
        ),
        reports.grid(
            wide, "Plans", number, "Plans issued and ceased against the Safety Valve target"
        ),
        reports.sentence(
            f"Reading: {number(issued)} plans issued and {number(ceased)} ceased so far this "
            f"year, a net increase of {number(issued - ceased)} against a target of "
            f"{number(wide.loc['Net increase', 'SVA Target'])} for the year."
        ),
    )


def partners_section(council: str, *, local_dir: str, quarter: str) -> HTML:
    """Health and social care contributions against the previous year, by partner."""
    from sendlib.ingest import council_files as local_sources

    files = _finance_files(local_dir, quarter)
    table = local_sources.read_wide(files["partner_contributions"], "Partner", "gbp")
    local_sources.require_quarter(table, quarter, files["partner_contributions"])
    table = table.assign(quarter=table["column"].str.extract(r"(Q[1-4])")[0])
    wide = table.pivot_table(
        index="label", columns="quarter", values="value", aggfunc="first", sort=False
    )
    computed = wide.drop(index="Total", errors="ignore")[quarter].sum()
    stated = wide.loc["Total", quarter] if "Total" in wide.index else computed
    agree = abs(computed - stated) <= 1000
    return reports.combine(
        reports.grid(
            wide,
            "Partner",
            lambda v: f"{'+' if v > 0 else ''}{reports.money(v)}",
            "Increase in contributions relative to the previous year",
        ),
        reports.sentence(
            f"Reading: at {quarter} partners contribute {reports.money(stated)} more than a "
            f"year before"
            + (
                ""
                if agree
                else f" (the partners add up to {reports.money(computed)}, not the total)"
            )
            + "."
        ),
    )


def public_finance_section(council: str, *, sn_model: str, financial_year: str = "2021/22") -> HTML:
    """Specialist top-up spend per head and the DSG deficit against comparators."""
    from sendlib.measures import finance

    spend = finance.specialist_spend_benchmark(
        council, financial_year=financial_year, sn_model=sn_model
    )
    wide = spend.pivot_table(
        index="comparator",
        columns="sector",
        values="per_head",
        aggfunc="first",
        sort=False,
        dropna=False,
    )
    shown = pd.DataFrame(
        {
            "": wide.index,
            "State, £ a head": wide.get("State").map(lambda v: number(v)),
            "Independent or non-maintained, £ a head": wide.get(
                "Independent or non-maintained"
            ).map(lambda v: number(v)),
            "Total, £ a head": wide.get("Total").map(lambda v: number(v)),
        }
    )
    share = spend.drop_duplicates("comparator").set_index("comparator")["independent_share"]
    shown["Independent share"] = shown[""].map(share).map(lambda v: number(v, 0, "%"))
    deficit = finance.dsg_deficit_benchmark(council, sn_model=sn_model)
    dwide = deficit.pivot_table(
        index="comparator",
        columns="financial_year",
        values="mean_deficit_pct",
        aggfunc="first",
        sort=False,
    )
    mine = wide.loc[spend.loc[spend["role"].eq("council"), "comparator"].iloc[0]]
    england = wide.loc["England"]
    return reports.combine(
        reports.table(
            shown,
            caption=(
                f"Specialist top-up spend per head of population aged 2 to 18, {financial_year} "
                "(section 251 outturn; groups: spend of the summed group per head)"
            ),
        ),
        reports.sentence(
            f"Reading: {council} spent £{mine['Total']:,.0f} a head on specialist top-ups, "
            f"against £{england['Total']:,.0f} in England; "
            f"£{mine['Independent or non-maintained']:,.0f} of it in the independent and "
            "non-maintained sector."
        ),
        reports.grid(
            dwide,
            "Mean of councils' deficits",
            lambda v: number(v, 2, "%"),
            (
                "Cumulative DSG deficit as % of DSG income (positive = deficit; groups: mean of "
                "councils)"
            ),
        ),
        _left_out(spend[spend["sector"].eq("Total")], of="the spend per head"),
        reports.note(
            "Source: DfE, SEND and alternative provision dashboard (section 251 "
            "outturn; 2-18 population is ONS's projection, which DfE used)."
        ),
    )


PLACEMENT_COST_KPIS = {
    "Average placement cost < 16s": "All placements, under 16",
    "Average placement cost > 16s": "All placements, 16 and over",
    "Average cost of an independent < 16": "Independent school, under 16",
    "Average cost of an independent > 16": "Independent school or college, 16 and over",
    "Average cost of maintained / academy special school - in borough": "Maintained or academy special school, in borough",
    "Average cost of maintained / academy special school - out borough": "Maintained or academy special school, out of borough",
    "Average cost of in borough special school > 16": "In-borough special school, 16 and over",
    "Average cost of FE colleges > 16": "FE college, 16 and over",
    "Average cost of ISP > 16": "Independent specialist provider, 16 and over",
    "Average placement cost - alternative provision": "Alternative provision",
}
"""The dashboard's average placement costs, by the name the KPI has, and the name shown."""


def costs_section(council: str, *, local_dir: str, quarter: str) -> HTML:
    """Average cost per plan, the cost of this year's growth, and placement costs by type."""
    from sendlib.ingest import council_files as local_sources
    from sendlib.measures import finance

    files = _finance_files(local_dir, quarter)
    model = local_sources.read_hnb_model(files["hnb_financial_model"])
    kpis_table = local_sources.read_kpi_dashboard(files["kpi_dashboard"])
    spend = float(model.loc[model["kind"].eq("spend_after_savings"), "actual"].iloc[0])
    plans_rows = kpis_table[kpis_table["kpi"].str.fullmatch("Actual EHCPs", case=False)]
    if plans_rows.empty:
        return reports.note("The dashboard has no 'Actual EHCPs' KPI: no cost per plan.")
    plans = plans_rows.set_index("period")["value"]
    average = finance.average_cost_per_plan(spend, plans[quarter])
    growth = plans[quarter] - plans["baseline"]
    by_type = kpis_table[kpis_table["kpi"].isin(PLACEMENT_COST_KPIS)]
    wide = by_type.pivot_table(
        index="kpi", columns="period", values="value", aggfunc="first", sort=False
    )
    shown = pd.DataFrame(
        {
            "Placement": [PLACEMENT_COST_KPIS[k] for k in wide.index],
            "Baseline": wide["baseline"].map(reports.money).to_numpy(),
            "Target": wide["target"].map(reports.money).to_numpy(),
            quarter: wide[quarter].map(reports.money).to_numpy(),
            "Change on baseline": ((wide[quarter] / wide["baseline"] - 1) * 100)
            .map(signed)
            .to_numpy(),
        }
    )
    return reports.combine(
        reports.sentence(
            f"Reading: High Needs Block spend after savings of {reports.money(spend)} over "
            f"{number(plans[quarter])} plans is {reports.money(average)} a plan. The "
            f"{number(growth)} plans added since the baseline cost about "
            f"{reports.money(finance.cost_of_growth(growth, average))} a year at that average."
        ),
        reports.table(shown, caption=f"Average cost of a placement a year, by type, {quarter}"),
        reports.note(
            "Average cost per plan = HNB spend after savings / plans held; cost of "
            "growth = extra plans x average cost. Placement costs as the council "
            f"reports them in its dashboard ({files['kpi_dashboard'].name})."
        ),
    )


DATA_CHECK_TABLES = {
    "caseload": ["caseload_releases", "population"],
    "benchmarking": [
        "caseload_releases",
        "caseload_by_age_releases",
        "caseload_by_placement",
        "caseload_by_need",
        "ehcp_activity",
        "population",
    ],
    "forecast": ["caseload_releases"],
    "finance": ["specialist_spend"],
}
"""The processed tables each kind of report reads, for the findings it cites."""


def data_check_section(
    council: str, *, report: str, latest_census: int | None = None, sn_model: str = "2025"
) -> HTML:
    """The data check's findings that touch a report (see :mod:`sendlib.quality`): figures
    excluded anywhere in the tables it reads (every council counts in England's figures), and
    figures flagged for the council, its statistical neighbours, its region or England, up to
    ``latest_census``. ``report`` is a key of :data:`DATA_CHECK_TABLES`."""
    from sendlib import quality, tables

    findings = tables.load("findings")
    groups = benchmarks.comparators(council, sn_model)
    codes = [*groups[0].members, *groups[1].members]
    areas = {groups[0].name, groups[2].name, "England"}
    rows = findings[findings["table"].isin(DATA_CHECK_TABLES[report])]
    if latest_census is not None:
        year = rows["period"].str.slice(0, 4).astype(int)
        rows = rows[year.le(latest_census)]
    touches = rows["action"].eq(quality.EXCLUDED) | rows["old_la_code"].isin(codes)
    touches |= rows["old_la_code"].isna() & rows["area_name"].isin(areas)
    rows = rows[touches]
    if rows.empty:
        return reports.note(
            "The data check (sendlib data check) found nothing wrong in the published figures "
            "this report reads."
        )
    excluded = rows["action"].eq(quality.EXCLUDED)
    shown = pd.DataFrame(
        {
            "Area": rows["area_name"],
            "Figure": rows["measure"].str.replace("_", " "),
            "Period": rows["period"],
            "As published": rows["value"].map(lambda v: number(v)),
            "Found": rows["found"],
            "What sendlib does": rows["action"],
        }
    )
    summary = reports.note(
        f"The data check (sendlib data check) found {int(excluded.sum())} published figure(s) "
        f"this report's sums and means leave out as wrong, and {int((~excluded).sum())} "
        "flagged for a look; each is listed below, with the file it came from in the findings "
        "table."
    )
    details = reports.table(shown, caption="Data-quality findings touching this report")
    return HTML(
        summary.data
        + f"<details><summary>The {len(rows)} finding(s)</summary>{details.data}</details>"
    )
