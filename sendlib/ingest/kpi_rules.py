"""A council's KPI rules file (``packs/<council>/kpi_rules.csv``): how each KPI is rated.

Read here, in ingest, like every file; the rating itself is :mod:`sendlib.measures.kpis`.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from sendlib import config
from sendlib.errors import DataFileError, DataFileErrors
from sendlib.ingest.spreadsheets import read_text
from sendlib.vocab import AMBER_PCT, PLACEMENT_GROUPS


def read_rules(path: Path | str) -> pd.DataFrame:
    """A council's KPI rules: ``ref``, ``direction`` (lower/higher/blank), ``kind``
    (stock/flow/level), ``amber_pct``, ``note``, and what the finance report reads a KPI as:
    ``role`` (``plans``: the plans held, for the cost per plan; ``placement cost``: an average
    placement cost, shown by its ``label``; blank: neither), and for a placement cost
    optionally the ``placement_group`` it is the cost of (one of
    :data:`~sendlib.vocab.PLACEMENT_GROUPS`, for the unit costs of the money model) and the
    DfE ``placement`` codes it covers (separated by ``;``, to weight two costs of one group by
    the plans in each). Names of KPIs are the council's own, so the library never looks a KPI
    up by its name."""
    path = Path(path)
    if not path.is_absolute():
        path = config.PROJECT_ROOT / path
    rules = _read_csv(path)
    for column in ("ref", "direction", "kind"):
        if column not in rules:
            raise DataFileError(
                path.name,
                "a column is missing",
                column=column,
                expected="ref, direction, kind (amber_pct and note optional)",
            )
    for column in ("role", "label", "note", "placement_group", "placement"):
        if column not in rules:
            rules = rules.assign(**{column: ""})
    _require_one_rule_a_kpi(path, rules)
    _require_known_words(path, rules)
    _require_known_groups(path, rules)
    given = rules["amber_pct"] if "amber_pct" in rules else pd.Series("", index=rules.index)
    return rules.assign(amber_pct=[_amber(path, index, text) for index, text in given.items()])


def _read_csv(path: Path) -> pd.DataFrame:
    """The rules file as text cells; a :class:`DataFileError` when missing, empty or not CSV."""
    if not path.exists():
        raise DataFileError(
            str(path),
            "no KPI rules file",
            expected="packs/<council>/kpi_rules.csv",
            hint="copy data/raw/local/_template/kpi_rules.csv",
        )
    try:
        return pd.read_csv(
            io.StringIO(read_text(path)), dtype=str, keep_default_na=False, na_filter=False
        )
    except pd.errors.EmptyDataError as exc:
        raise DataFileError(
            str(path),
            "the KPI rules file is empty",
            expected="a header row ref,direction,kind,... and a row per KPI",
            hint="copy data/raw/local/_template/kpi_rules.csv",
        ) from exc
    except pd.errors.ParserError as exc:
        raise DataFileError(
            str(path), "the KPI rules file cannot be read as CSV", found=str(exc)
        ) from exc


def _require_one_rule_a_kpi(path: Path, rules: pd.DataFrame) -> None:
    """One rule per KPI: which of two would apply would be a guess."""
    refs = rules["ref"].str.strip()
    twice = refs[refs.ne("") & refs.duplicated(keep=False)]
    if not twice.empty:
        first = twice.iloc[0]
        raise DataFileError(
            str(path),
            f"KPI {first!r} has {int(twice.eq(first).sum())} rules",
            column="ref",
            row=int(twice.index[0]) + 2,
            expected="one rule per KPI",
            found="rows " + ", ".join(str(int(i) + 2) for i in twice.index[twice.eq(first)]),
            hint="keep one row for the KPI in the rules file (which rule applies would be a guess)",
        )


ALLOWED = {
    "direction": ("lower", "higher", ""),
    "kind": ("stock", "flow", "level"),
    "role": ("plans", "placement cost", ""),
}
"""The words each column of the rules may hold ("" is a blank cell)."""


def _require_known_words(path: Path, rules: pd.DataFrame) -> None:
    """Every direction, kind and role one of :data:`ALLOWED`."""
    for index, row in rules.iterrows():
        for column, values in ALLOWED.items():
            if row[column] not in values:
                raise DataFileError(
                    path.name,
                    f"an unknown {column}",
                    row=int(index) + 2,
                    column=column,
                    expected=", ".join(v or "blank" for v in values[:-1])
                    + f" or {values[-1] or 'blank'}",
                    found=repr(row[column]),
                )


def _require_known_groups(path: Path, rules: pd.DataFrame) -> None:
    """Every placement group named is one of DfE's, and only on a placement cost; every
    problem at once."""
    problems = []
    for index, row in rules.iterrows():
        group = row["placement_group"].strip()
        if group and group not in PLACEMENT_GROUPS:
            problems.append(
                DataFileError(
                    path.name,
                    "an unknown placement group",
                    row=int(index) + 2,
                    column="placement_group",
                    expected="blank or one of " + "; ".join(PLACEMENT_GROUPS),
                    found=repr(group),
                    hint="use the group's name exactly as listed",
                )
            )
        elif group and row["role"] != "placement cost":
            problems.append(
                DataFileError(
                    path.name,
                    "a placement group on a KPI that is not a placement cost",
                    row=int(index) + 2,
                    column="role",
                    expected="role 'placement cost' where placement_group is filled in",
                    found=repr(row["role"]),
                    hint="set the role, or clear the placement group",
                )
            )
    if problems:
        raise DataFileErrors(problems, "the KPI rules") if len(problems) > 1 else problems[0]


def _amber(path: Path, index, text) -> float:
    """A KPI's amber band, % of its target: "5", "5%" or blank (the default)."""
    cell = str(text).strip().removesuffix("%").strip()
    if cell == "":
        return AMBER_PCT
    try:
        value = float(cell)
    except ValueError:
        value = float("nan")
    if not (0 <= value <= 100):  # also false for nan
        raise DataFileError(
            path.name,
            "an amber band sendlib cannot read",
            row=int(index) + 2,
            column="amber_pct",
            expected="a percentage of the target from 0 to 100, such as 5 or 5% (blank: 5)",
            found=repr(text),
            hint="correct the cell in the rules file",
        )
    return value
