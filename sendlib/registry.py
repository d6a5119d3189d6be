"""Every measure once: what it is, its unit, polarity, numerator and denominator, how Excel
and a page format it, and its source. League tables, ``plot``, ``explore``, the workbook and
the pages all read it here; a new measure is a row here and its definition in
:mod:`sendlib.measures` (see CONTRIBUTING.md).

It also names what a result table is (:func:`describe`): each table a measure returns carries
its kind, the column that names its areas and the unit of each figure in
``DataFrame.attrs["sendlib"]`` (pandas keeps it through filtering, copying and sorting), so
``plot`` and the workbook are told what they draw and write instead of guessing from column
names.

>>> MEASURES["rate_0_17"].label, MEASURES["rate_0_17"].unit, UNITS["per 1,000"].excel
('Plans per 1,000 children aged 0 to 17', 'per 1,000', '#,##0.0')
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sendlib.periods import BASE_YEAR

# --- sources, as pages and tables cite them ---------------------------------------------

SEN2 = "DfE, Education, health and care plans (SEN2), reporting years 2022 and 2025"
SEN2_POPULATION = SEN2 + "; ONS mid-year population estimates (the June before the census)"
DSG_DASHBOARD = "DfE, SEND and alternative provision dashboard (DSG deficit)"
S251_DASHBOARD = "DfE, SEND and alternative provision dashboard (section 251 outturn)"
SOURCE_EHCP = (
    "Source: DfE, Education, health and care plans (SEN2), reporting years 2022 "
    "and 2025; January census. Statements + EHC plans."
)
SOURCE_BENCHMARKS = (
    "Source: DfE, Education, health and care plans (SEN2), {releases}, "
    "January census; DfE statistical neighbour model {model}."
)
SOURCE_POPULATION = (
    " Population: ONS mid-year estimates (ages 0 to 17, 2025 revision; ages 0 "
    "to 25, mid-2022 and mid-2023 as published in 2024, mid-2024 as published in 2025), for "
    "the June before each January census."
)
SOURCE_FORECAST = (
    "Source: DfE, Education, health and care plans (SEN2), January census; "
    "sendlib forecast ({method}), intervals from its past errors."
)
SOURCE_LOCAL = "Source: {council}'s own figures ({files}), {quarter} {year}."
SOURCE_PLOT = "Source: DfE, Education, health and care plans (SEN2); sendlib."


# --- units ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """How a unit's figures are written: ``excel`` (the cell's number format) and
    ``decimals`` (places a page shows)."""

    excel: str
    decimals: int


UNITS = {
    "count": Unit("#,##0", 0),
    "percent": Unit("#,##0.0", 1),
    "per 1,000": Unit("#,##0.0", 1),
    "index": Unit("#,##0.0", 1),
    "GBP": Unit("£#,##0", 0),
    "GBP per head": Unit("£#,##0", 0),
    "GBP per plan": Unit("£#,##0", 0),
    "share": Unit("0.0%", 1),
    "year": Unit("0", 0),
    "rank": Unit("0", 0),
}
"""Every unit a measure or a column of a result table has."""


# --- the measures --------------------------------------------------------------------------

POLARITIES = ("high is good", "low is good", "neither")


@dataclass(frozen=True)
class Measure:
    """A measure: its name (the column or ``measure`` value it has in tables), ``label``,
    ``definition``, ``unit`` (a key of :data:`UNITS`), ``polarity``, ``source``, ``period``
    (January census, calendar year or financial year), ``numerator`` and ``denominator``
    (the published counts a percentage is made of; ``None`` for a count) and ``ranked``
    (whether a league table ranks councils on it)."""

    name: str
    label: str
    definition: str
    unit: str
    polarity: str
    source: str
    period: str
    numerator: str | None = None
    denominator: str | None = None
    ranked: bool = True


def _activity(name, label, definition, numerator=None, denominator=None, polarity="neither"):
    unit = "count" if numerator is None else "percent"
    return Measure(
        name, label, definition, unit, polarity, SEN2, "calendar year", numerator, denominator
    )


_MEASURES = [
    Measure(
        "ehcps",
        "Statements and EHC plans",
        "Statements and EHC plans maintained at the January census (statements ended in 2018).",
        "count",
        "neither",
        SEN2,
        "January census",
    ),
    Measure(
        "rate_0_17",
        "Plans per 1,000 children aged 0 to 17",
        "Statements and EHC plans at the January census per 1,000 residents aged 0 to 17 "
        "in ONS's estimate for the June before.",
        "per 1,000",
        "neither",
        SEN2_POPULATION,
        "January census",
        "ehcps",
        "population_0_17",
    ),
    Measure(
        "growth",
        "Growth in plans on a year",
        "Change in statements and EHC plans since the January census a year before, as a "
        "percentage of that year's.",
        "percent",
        "neither",
        SEN2,
        "January census",
    ),
    # Activity: DfE's own counts; a percentage is numerator / denominator x 100 of them.
    _activity(
        "requests",
        "Requests for an EHC needs assessment",
        "Initial requests for an EHC needs assessment made in the calendar year.",
    ),
    _activity(
        "pct_requests_refused",
        "Requests refused (% of requests received)",
        "Requests for an assessment refused, as a percentage of requests decided, in the "
        "calendar year.",
        "requests_refused",
        "requests",
    ),
    _activity(
        "assessments",
        "EHC needs assessments completed",
        "EHC needs assessments completed in the calendar year.",
    ),
    _activity(
        "pct_assessments_plan_issued",
        "Assessments leading to a plan (%)",
        "Assessments completed that led to a plan, as a percentage of assessments completed.",
        "assessments_plan_issued",
        "assessments",
    ),
    _activity(
        "new_plans",
        "New EHC plans",
        "EHC plans issued for the first time in the calendar year.",
    ),
    _activity("ceased_plans", "EHC plans ceased", "EHC plans that ceased in the calendar year."),
    _activity(
        "net_change",
        "New plans less ceased plans",
        "New plans less ceased plans in the calendar year.",
    ),
    # Timeliness is a statutory duty (20 weeks), so high is good; for counts and the other
    # percentages neither is better in itself.
    _activity(
        "pct_within_20_weeks",
        "New plans issued within 20 weeks (%, including exceptions)",
        "New plans issued within the statutory 20 weeks, including those to which an exception "
        "applies, as a percentage of new plans.",
        "plans_issued_within_20_weeks",
        "plans_issued",
        "high is good",
    ),
    _activity(
        "pct_within_20_weeks_excl_exceptions",
        "New plans issued within 20 weeks (%, excluding exceptions)",
        "New plans issued within the statutory 20 weeks, leaving out those to which an "
        "exception applies, as a percentage of those plans.",
        "plans_issued_within_20_weeks_excl_exceptions",
        "plans_issued_excl_exceptions",
        "high is good",
    ),
    Measure(
        "dsg_deficit_pct",
        "Cumulative DSG deficit (% of DSG income)",
        "The cumulative Dedicated Schools Grant deficit at the end of the financial year "
        "as a percentage of the year's DSG income (positive is a deficit), as DfE "
        "publishes it; league year 2022 is the financial year 2021/22.",
        "percent",
        "low is good",
        DSG_DASHBOARD,
        "financial year",
    ),
    # Shown, not ranked.
    Measure(
        "index",
        f"Plans indexed to January {BASE_YEAR} (= 100)",
        "Statements and EHC plans as a percentage of the same area's at the base January "
        f"(January {BASE_YEAR} unless a page says otherwise).",
        "index",
        "neither",
        SEN2,
        "January census",
        ranked=False,
    ),
    Measure(
        "share",
        "Share of plans (%)",
        "Plans in a category (an age band, placement group or primary need) as a percentage "
        "of plans with a recorded category.",
        "percent",
        "neither",
        SEN2,
        "January census",
        ranked=False,
    ),
    Measure(
        "per_head",
        "Specialist top-up spend per head aged 2 to 18",
        "Section 251 outturn spend on specialist top-ups per resident aged 2 to 18 (ONS's "
        "projection, as DfE used it).",
        "GBP per head",
        "neither",
        S251_DASHBOARD,
        "financial year",
        "spend",
        "population_2_18",
        ranked=False,
    ),
]

MEASURES: dict[str, Measure] = {m.name: m for m in _MEASURES}
"""Every measure, by name."""

ACTIVITY_MEASURES = tuple(m.name for m in _MEASURES if m.period == "calendar year")
"""The activity measures (requests, assessments, new and ceased plans, timeliness), in the
order pages show them."""


def measures_table(ranked_only: bool = True) -> pd.DataFrame:
    """The measures as a table (``sendlib.measures()``): ``measure``, ``label``,
    ``definition``, ``unit``, ``polarity``, ``source``, ``period``; the ranked ones unless
    ``ranked_only`` is false."""
    rows = [m for m in _MEASURES if m.ranked or not ranked_only]
    return pd.DataFrame(
        [
            {
                "measure": m.name,
                "label": m.label,
                "definition": m.definition,
                "unit": m.unit,
                "polarity": m.polarity,
                "source": m.source,
                "period": m.period,
            }
            for m in rows
        ]
    )


# --- what a result table is -----------------------------------------------------------------

KINDS = ("caseload", "benchmark", "growth", "shares", "activity", "league", "forecast", "finance")
"""The kinds of result table: which chart ``plot`` draws and how the workbook writes it."""


def describe(
    frame: pd.DataFrame,
    kind: str,
    *,
    area: str | None = None,
    units: dict[str, str] | None = None,
    category: str | None = None,
) -> pd.DataFrame:
    """``frame`` (a new one) saying what it is: its ``kind`` (:data:`KINDS`), the column that
    names its areas (``area_name``, ``comparator``...), the unit of each figure column
    (:data:`UNITS`) and, for a breakdown, its category column.

    >>> t = describe(pd.DataFrame({"year": [2025], "ehcps": [1]}), "caseload",
    ...              area="area_name", units={"ehcps": "count"})
    >>> described(t[t["year"] > 2000])["units"]
    {'year': 'year', 'ehcps': 'count'}
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of table {kind!r}; the kinds are {', '.join(KINDS)}")
    found = {"year": "year"} if "year" in frame.columns else {}
    found |= {c: u for c, u in (units or {}).items() if c in frame.columns}
    out = frame.copy()
    out.attrs = {
        "sendlib": {"kind": kind, "area": area, "units": found, "category": category},
    }
    return out


def described(frame: pd.DataFrame) -> dict | None:
    """What :func:`describe` said of ``frame``, or ``None`` for a table sendlib did not make."""
    found = frame.attrs.get("sendlib") if isinstance(frame, pd.DataFrame) else None
    return found if isinstance(found, dict) and found.get("kind") in KINDS else None
