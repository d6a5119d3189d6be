"""A meeting's key figures, and what changed between two meetings.

The board summary of a pack and its "Since the last meeting" are generated from these, never
typed. Each figure is computed by the measure its report uses (so the summary and the report
cannot disagree) and comes as one row of a tidy table:

``figure`` (``plans``, ``growth``, ``forecast``, ``ceiling_chance``, ``deficit``,
``spend_forecast``, ``deficit_forecast``, ``goal``, ``funding_per_plan``), ``label``,
``value``, ``unit`` (``plans``, ``percent``, ``GBP``), ``when`` (what the value is at, in words),
``low`` and ``high`` (an interval, or missing), ``compare_label`` and ``compare_value`` (what
the value is set against, in the same unit), ``report`` (the notebook that explains it),
``missing_because`` (why ``value`` is missing; empty when it is there).

A figure that cannot be computed is kept, with its reason: never dropped, never filled.

>>> row = plans_figure("Kingston upon Thames", latest_census=2021).iloc[0]
>>> row["when"], int(row["value"])
('January 2021', 1424)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from sendlib.errors import SendlibError

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter

COLUMNS = [
    "figure",
    "label",
    "value",
    "unit",
    "when",
    "low",
    "high",
    "compare_label",
    "compare_value",
    "report",
    "missing_because",
]
"""The columns of a key figures table, in order."""


def _row(figure: str, label: str, unit: str, report: str, **values: object) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(figure=figure, label=label, unit=unit, report=report, missing_because="")
    row.update(values)
    return row


def frame(rows: list[dict]) -> pd.DataFrame:
    """Key figures as a table of :data:`COLUMNS` (none: an empty table of them)."""
    out = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("value", "low", "high", "compare_value"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Float64")
    return out


def _missing(figure: str, label: str, unit: str, report: str, error: Exception) -> pd.DataFrame:
    return frame([_row(figure, label, unit, report, missing_because=str(error).splitlines()[0])])


def plans_figure(council: str | int, *, latest_census: int) -> pd.DataFrame:
    """The plans the council maintained at January ``latest_census``, against the January
    before (report ``ehcp_caseload``)."""
    from sendlib.measures.caseload import ehcp_caseload

    label = "EHC plans maintained"
    try:
        table = ehcp_caseload(council).set_index("year")["ehcps"]
        if latest_census not in table.index:
            raise SendlibError(f"no caseload figure for January {latest_census}")
        before = table.get(latest_census - 1)
        return frame(
            [
                _row(
                    "plans",
                    label,
                    "plans",
                    "ehcp_caseload",
                    value=table[latest_census],
                    when=f"January {latest_census}",
                    compare_label=f"January {latest_census - 1}",
                    compare_value=before,
                )
            ]
        )
    except SendlibError as error:
        return _missing("plans", label, "plans", "ehcp_caseload", error)


def growth_figure(council: str | int, *, latest_census: int, sn_model: str) -> pd.DataFrame:
    """The council's growth in plans over the year to January ``latest_census``, against its
    statistical neighbours taken together (report ``ehcp_benchmarking``)."""
    from sendlib.measures import benchmarks

    label = "Growth in plans over the year"
    try:
        growth = benchmarks.growth(
            council, latest_census - 1, latest_census, sn_model=sn_model
        ).set_index("role")
        return frame(
            [
                _row(
                    "growth",
                    label,
                    "percent",
                    "ehcp_benchmarking",
                    value=growth.loc["council", "pct_change"],
                    when=f"January {latest_census - 1} to January {latest_census}",
                    compare_label=f"its statistical neighbours together ({sn_model} model)",
                    compare_value=growth.loc["neighbours", "pct_change"],
                    # a growth that cannot be worked out says why (a council created since)
                    missing_because=str(growth.loc["council", "left_out"] or "")
                    if pd.isna(growth.loc["council", "pct_change"])
                    else "",
                )
            ]
        )
    except (SendlibError, ValueError, KeyError) as error:
        return _missing("growth", label, "percent", "ehcp_benchmarking", error)


def _flag_words(council: str | int, origin: int) -> str:
    """ "from a January 2025 caseload the data check flagged" where it did ("" otherwise)."""
    from sendlib.measures.provenance import origin_warning

    try:
        return (
            f"from a January {origin} caseload the data check flagged"
            if origin_warning(council, origin)
            else ""
        )
    except SendlibError:
        return ""


def forecast_figures(
    council: str | int,
    *,
    latest_census: int,
    sn_model: str,
    ceiling: float = 0,
    ceiling_year: int = 0,
) -> pd.DataFrame:
    """The plans forecast for the January after ``latest_census`` with its 80% interval and,
    with a ceiling, the chance of more plans than it allows (report ``forecast``)."""
    from sendlib.measures import forecasting

    flagged = _flag_words(council, latest_census)
    label = f"Plans forecast ({flagged})" if flagged else "Plans forecast"
    rows = []
    try:
        table = forecasting.forecast(council, origin=latest_census, sn_model=sn_model)
        first = table.iloc[0]
        rows.append(
            _row(
                "forecast",
                label,
                "plans",
                "forecast",
                value=first["point"],
                low=first["lower_80"],
                high=first["upper_80"],
                when=f"January {int(first['year'])}",
                missing_because=str(first["note"] or ""),
            )
        )
    except SendlibError as error:
        rows.append(_row("forecast", label, "plans", "forecast", missing_because=str(error)))
    if ceiling and ceiling_year:
        chance = "Chance of more plans than the ceiling"
        try:
            value = forecasting.probability_above(
                council, ceiling_year, ceiling, origin=latest_census, sn_model=sn_model
            )
            rows.append(
                _row(
                    "ceiling_chance",
                    chance,
                    "percent",
                    "forecast",
                    value=value * 100,
                    when=f"January {ceiling_year}",
                    compare_label="the ceiling",
                    compare_value=ceiling,
                )
            )
        except SendlibError as error:
            rows.append(
                _row("ceiling_chance", chance, "percent", "forecast", missing_because=str(error))
            )
    return frame(rows)


def money_figures(
    council: str | int,
    *,
    latest_census: int,
    sn_model: str,
    files: CouncilQuarter | None = None,
    goals: list | tuple = (),
    ceilings: dict | None = None,
) -> pd.DataFrame:
    """The spend on plans forecast for the first financial year ahead with its 80% interval,
    the cumulative DSG deficit forecast at the end of it (with the council's files) and the
    first goal-seek's answer (report ``forecast``; :mod:`sendlib.measures.costs`)."""
    from sendlib.measures import costs
    from sendlib.measures import goals as seeking

    flagged = _flag_words(council, latest_census)
    label = "Spend on plans forecast (placements with a unit cost" + (
        f"; {flagged})" if flagged else ")"
    )
    try:
        m = costs.model(
            council, files=files, origin=latest_census, ceilings=ceilings or None, sn_model=sn_model
        )
        table = costs.evaluate(m)
    except SendlibError as error:
        return _missing("spend_forecast", label, "GBP", "forecast", error)
    spend = table[table["line"].eq(costs.SPEND_ON_PLANS)].iloc[0]
    rows = [
        _row(
            "spend_forecast",
            label,
            "GBP",
            "forecast",
            value=spend["point"],
            low=spend["lower_80"],
            high=spend["upper_80"],
            when=spend["financial_year"],
        )
    ]
    deficit = (
        table[table["line"].eq(costs.DEFICIT) & table["census_year"].gt(m.base.year.census_year)]
        if m.base
        else None
    )
    if deficit is not None and len(deficit):
        first = deficit.iloc[0]
        rows.append(
            _row(
                "deficit_forecast",
                "Cumulative DSG deficit forecast",
                "GBP",
                "forecast",
                value=first["point"],
                low=first["lower_80"],
                high=first["upper_80"],
                when=f"the end of {first['financial_year']}",
                compare_label="the ceiling" if pd.notna(first["ceiling"]) else None,
                compare_value=first["ceiling"],
            )
        )
    for goal in list(goals)[:1]:
        try:
            answer = seeking.pack_goal(m, goal).iloc[0]
            rows.append(
                _row(
                    "goal",
                    answer["sentence"],
                    "percent",
                    "forecast",
                    value=answer["chance_inside"] * 100,
                    when=str(answer["year"]),
                )
            )
        except SendlibError as error:
            rows.append(
                _row("goal", "Goal-seek", "percent", "forecast", missing_because=str(error))
            )
    return frame(rows)


def funding_figure(council: str | int, *, sn_model: str, latest_census: int) -> pd.DataFrame:
    """The High Needs Block allocation per plan in the latest financial year whose January
    census is in the pack, against England's (report ``high_needs_finance``)."""
    from sendlib.measures import funding

    label = "High Needs Block funding per plan"
    try:
        table = funding.hnb_funding_benchmark(council, sn_model=sn_model)
    except SendlibError as error:
        return _missing("funding_per_plan", label, "GBP", "high_needs_finance", error)
    table = funding.known_by(table, latest_census)
    table = table[table["per_plan"].notna()]
    own = table[table["role"].eq("council")]
    if own.empty:
        found = {
            "missing_because": f"ESFA's allocations here begin in 2019/20, whose January "
            f"census is after January {latest_census}"
        }
    else:
        last = own.iloc[-1]
        when = table["financial_year"].eq(last["financial_year"])
        england = table.loc[table["role"].eq("england") & when, "per_plan"]
        found = {
            "value": last["per_plan"],
            "when": str(last["financial_year"]),
            "compare_label": "England",
            "compare_value": england.iloc[0] if len(england) else None,
        }
    return frame([_row("funding_per_plan", label, "GBP", "high_needs_finance", **found)])


def deficit_figure(files: CouncilQuarter) -> pd.DataFrame:
    """The cumulative DSG deficit before Safety Valve funding at the quarter of ``files``,
    against the agreed maximum, from the council's Safety Valve return (report
    ``high_needs_finance``)."""
    from sendlib.measures import finance

    label, quarter = "Cumulative DSG deficit", files.quarter
    try:
        latest = finance.council_deficit(files).iloc[-1]
        year = str(latest["when"]).split()[0]
        return frame(
            [
                _row(
                    "deficit",
                    label,
                    "GBP",
                    "high_needs_finance",
                    value=latest["deficit"],
                    when=f"{quarter} {year}",
                    compare_label="the Safety Valve maximum",
                    compare_value=latest["ceiling"],
                )
            ]
        )
    except SendlibError as error:
        return _missing("deficit", label, "GBP", "high_needs_finance", error)


def kpi_ratings(board: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """Each KPI's ratings at ``quarter`` (``board``: :func:`sendlib.measures.kpis.dashboard`):
    ``ref``, ``kpi``, ``quarter``, ``actual``, ``unit``, ``reported_rag``, ``rag`` (R, A, G or
    missing: not rated)."""
    columns = ["ref", "kpi", "actual", "unit", "reported_rag", "rag"]
    out = board[columns].assign(quarter=quarter)
    return out[["ref", "kpi", "quarter", "actual", "unit", "reported_rag", "rag"]].reset_index(
        drop=True
    )


def records(table: pd.DataFrame) -> list[dict]:
    """A table as JSON-ready rows: missing values as None, whole numbers kept exact.

    >>> records(pd.DataFrame({"a": [1.0, None], "b": ["x", pd.NA]}))
    [{'a': 1.0, 'b': 'x'}, {'a': None, 'b': None}]
    """
    rows = []
    for row in table.astype(object).to_dict("records"):
        clean = {}
        for key, value in row.items():
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                clean[key] = None
            elif hasattr(value, "item"):
                clean[key] = value.item()
            else:
                clean[key] = value
        rows.append(clean)
    return rows


DATED = ("forecast", "ceiling_chance", "spend_forecast", "deficit_forecast", "goal")
"""Figures about one future January: two meetings' figures are compared only for the same one."""


def figure_changes(before: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Each key figure then and now: ``figure``, ``label``, ``unit``, ``report``, ``when_before``,
    ``value_before``, ``low_before``, ``high_before``, ``when_now``, ``value_now``, ``low_now``,
    ``high_now``, ``change`` (now less then, in the figure's unit; percentage points for a
    percentage) and ``missing_because`` (why a change cannot be given). Figures of either
    meeting are all kept, in the order of ``now`` then any only ``before`` had.

    >>> b = pd.DataFrame([{"figure": "plans", "label": "Plans", "unit": "plans",
    ...     "value": 1424.0, "when": "January 2021"}])
    >>> n = b.assign(value=1550.0, when="January 2022")
    >>> figure_changes(b, n)[["value_before", "value_now", "change"]].iloc[0].tolist()
    [1424.0, 1550.0, 126.0]
    """
    keep = ["figure", "label", "unit", "report", "when", "value", "low", "high", "missing_because"]
    before = before.reindex(columns=keep).set_index("figure")
    now = now.reindex(columns=keep).set_index("figure")
    order = list(now.index) + [f for f in before.index if f not in now.index]
    rows = []
    for figure in order:
        b = before.loc[figure] if figure in before.index else None
        n = now.loc[figure] if figure in now.index else None
        first = n if n is not None else b

        def get(side, column):
            if side is None:
                return None
            value = side[column]
            return None if value is None or pd.isna(value) else value

        why = ""
        if b is None:
            why = "not in the last meeting's pack"
        elif n is None:
            why = "not in this meeting's pack"
        elif get(b, "value") is None:
            why = f"last meeting: {get(b, 'missing_because') or 'no figure'}"
        elif get(n, "value") is None:
            why = f"this meeting: {get(n, 'missing_because') or 'no figure'}"
        elif figure in DATED and get(b, "when") != get(n, "when"):
            why = f"not comparable: {get(b, 'when')} then, {get(n, 'when')} now"
        change = None if why else float(get(n, "value")) - float(get(b, "value"))
        rows.append(
            {
                "figure": figure,
                "label": first["label"],
                "unit": first["unit"],
                "report": get(first, "report"),
                "when_before": get(b, "when"),
                "value_before": get(b, "value"),
                "low_before": get(b, "low"),
                "high_before": get(b, "high"),
                "when_now": get(n, "when"),
                "value_now": get(n, "value"),
                "low_now": get(n, "low"),
                "high_now": get(n, "high"),
                "change": change,
                "missing_because": why,
            }
        )
    out = pd.DataFrame(rows)
    for column in [c for c in out.columns if c.startswith(("value", "low", "high", "change"))]:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Float64")
    return out


def rating_changes(before: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """KPIs whose rating moved between two meetings (tables of :func:`kpi_ratings`), matched
    by ``ref`` and name: ``ref``, ``kpi``, ``quarter_before``, ``rag_before``, ``quarter_now``,
    ``rag_now``, ``reported_before``, ``reported_now``, ``moved`` (``rule``, ``reported`` or
    ``both``). A KPI in one meeting only is listed with ``moved`` = ``new`` or ``gone``.

    >>> b = pd.DataFrame({"ref": ["1", "2"], "kpi": ["A", "B"], "quarter": "Q2",
    ...     "rag": ["G", "A"], "reported_rag": ["G", "G"]})
    >>> rating_changes(b, b.assign(quarter="Q3", rag=["G", "R"]))[["ref", "rag_before", "rag_now"]].values.tolist()
    [['2', 'A', 'R']]
    """
    keys = ["ref", "kpi"]
    cols = [*keys, "quarter", "rag", "reported_rag"]
    joined = before.reindex(columns=cols).merge(
        now.reindex(columns=cols),
        on=keys,
        how="outer",
        suffixes=("_before", "_now"),
        indicator="side",
    )

    rows = []
    for row in joined.itertuples(index=False):
        moved = _moved(row)
        if moved is None:
            continue
        rows.append(
            {
                "ref": row.ref,
                "kpi": row.kpi,
                "quarter_before": row.quarter_before,
                "rag_before": row.rag_before,
                "quarter_now": row.quarter_now,
                "rag_now": row.rag_now,
                "reported_before": row.reported_rag_before,
                "reported_now": row.reported_rag_now,
                "moved": moved,
            }
        )
    order: dict = {}
    for ref in [*now["ref"], *before["ref"]]:  # the dashboard's own order
        order.setdefault(ref, len(order))
    rows.sort(key=lambda r: order.get(r["ref"], len(order)))
    return pd.DataFrame(rows, columns=RATING_CHANGE_COLUMNS)


RATING_CHANGE_COLUMNS = [
    "ref",
    "kpi",
    "quarter_before",
    "rag_before",
    "quarter_now",
    "rag_now",
    "reported_before",
    "reported_now",
    "moved",
]
"""The columns of :func:`rating_changes`."""


def _moved(row) -> str | None:
    """How a KPI's rating moved: ``gone``, ``new``, ``rule``, ``reported``, ``both``, or
    ``None`` when it did not (a rating not reported, or not shown, at one meeting is not a
    move)."""
    if row.side == "left_only":
        return "gone"
    if row.side == "right_only":
        return "new"
    rule = not ((pd.isna(row.rag_before) and pd.isna(row.rag_now)) or row.rag_before == row.rag_now)
    reported = (
        pd.notna(row.reported_rag_before)
        and pd.notna(row.reported_rag_now)
        and row.reported_rag_before != row.reported_rag_now
    )
    if not (rule or reported):
        return None
    return "both" if rule and reported else "rule" if rule else "reported"
