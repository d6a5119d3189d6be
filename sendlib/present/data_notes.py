"""The data check's findings that touch a report, for every report's "Data check" section
(see :mod:`sendlib.quality`)."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from sendlib.measures import benchmarks
from sendlib.present import html as reports
from sendlib.present.html import number

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
    from sendlib import quality
    from sendlib.errors import NotAvailableError
    from sendlib.measures.comparators import council_region_england
    from sendlib.measures.provenance import findings_touching

    try:
        groups = benchmarks.comparators(council, sn_model)
        codes = [*groups.council.members, *groups.neighbours.members]
    except NotAvailableError:  # a model that predates the council: it and its region only
        groups = council_region_england(council)
        codes = list(groups.council.members)
    areas = {groups.council.name, groups.region.name, "England"}
    rows = findings_touching(codes, areas, DATA_CHECK_TABLES[report], latest_census)
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
