"""DfE's own footnotes that qualify a council's figures, as findings of the data check.

Each release's data guidance footnotes its files: "Cambridgeshire and North East Lincolnshire
were not able to return placements for significant numbers of plans for 2025", "Figures for
2023/24 include the total number of EHC plans for Hackney and Peterborough ... do not sum to the
totals", "For the 2024 calendar year, Dorset and City of London have classed all new plans as
having permitted exceptions". A footnote that names a council becomes a finding (check
``dfe_footnote``, flagged, never excluded: DfE published the figure knowing) for that council,
the table its file feeds and each year the footnote names, so the reports show it beside the
figures it touches. The councils are found by name, not from a list of known footnotes, so the
next release's footnotes are read the same way.

>>> import pandas as pd
>>> councils = pd.DataFrame({"old_la_code": ["873", "812", "826"],
...     "area_name": ["Cambridgeshire", "North East Lincolnshire", "Leicester"]})
>>> notes = [("caseload.csv", "Cambridgeshire and North East Lincolnshire were not able to "
...           "return placements for significant numbers of plans for 2025.")]
>>> footnote_findings(notes, councils, "2025")[["table", "period", "area_name"]]
                   table period               area_name
0  caseload_by_placement   2025          Cambridgeshire
1  caseload_by_placement   2025  North East Lincolnshire
"""

from __future__ import annotations

import re

import pandas as pd

from sendlib.quality import FINDING_COLUMNS, FLAGGED

FILE_TABLES = {
    "caseload.csv": "caseload_releases",
    "sen_needs_all_plans.csv": "caseload_by_need",
    "sen_needs_caseload.csv": "caseload_by_need",
    "newplans.csv": "ehcp_activity",
    "requests.csv": "ehcp_activity",
    "assessments.csv": "ehcp_activity",
    "timeliness_20_week.csv": "ehcp_activity",
    "ceased_plans.csv": "ehcp_activity",
}
"""The data files sendlib reads and the table each feeds (footnotes to other files, such as
annual reviews, touch nothing sendlib shows)."""

_ACADEMIC = re.compile(r"(?<!\d)(20\d\d)/(\d\d)(?!\d)")
_YEAR = re.compile(r"(?<![\d/])(20\d\d)(?![\d/])")


def _periods(text: str, release: str) -> list[str]:
    """The years a footnote is about: "2023/24" is January 2024; a plain year is itself."""
    years = {str(int(start) + 1) for start, _ in _ACADEMIC.findall(text)}
    years |= set(_YEAR.findall(_ACADEMIC.sub(" ", text)))
    return sorted(years) or [release]


def footnote_findings(
    notes: list[tuple[str, str]], councils: pd.DataFrame, release: str
) -> pd.DataFrame:
    """Findings (:data:`sendlib.quality.FINDING_COLUMNS`) for the councils each footnote of
    ``notes`` (``(file, footnote)``, see :func:`sendlib.ingest.release_files.footnotes`) names.

    ``councils`` has ``old_la_code`` and ``area_name``; ``release`` is the reporting year.
    """
    names = councils[["old_la_code", "area_name"]].drop_duplicates("area_name")
    # Longest names first, each blanked out once found: "North East Lincolnshire" is not also
    # "Lincolnshire".
    patterns = {
        name: re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.I)
        for name in sorted(names["area_name"], key=len, reverse=True)
    }
    code = dict(zip(names["area_name"], names["old_la_code"], strict=True))
    rows = []
    for member, text in notes:
        table = FILE_TABLES.get(member)
        if table is None:
            continue
        if table == "caseload_releases" and "placement" in text.lower():
            table = "caseload_by_placement"
        at, rest = {}, text
        for name, pattern in patterns.items():
            if match := pattern.search(rest):
                at[name] = match.start()
                rest = pattern.sub(lambda m: " " * len(m.group()), rest)
        named = sorted(at, key=at.__getitem__)  # in the footnote's order
        for name in named:
            for period in _periods(text, release):
                rows.append(
                    {
                        "severity": "anomaly",
                        "check": "dfe_footnote",
                        "table": table,
                        "file": f"dfe-ehcp/education-health-and-care-plans_{release}.zip:"
                        f"data/{member}",
                        "measure": member.removesuffix(".csv"),
                        "period": period,
                        "old_la_code": code[name],
                        "area_name": name,
                        "value": pd.NA,
                        "found": f'DfE\'s footnote to {member}: "{text}"',
                        "action": FLAGGED,
                    }
                )
    out = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    return out.astype({"value": "Float64"})
