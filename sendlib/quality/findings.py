"""The findings table, the checks' constants and each published table's spec (what is a
value, a flag, a key), shared by the checks (:mod:`sendlib.quality`)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
