"""sendlib: SEND statistics, benchmarking and board packs for English local authorities.

Two lines give an analyst the EHCP caseload of any council, region or England since 2010:

>>> import sendlib
>>> sendlib.ehcp_caseload("Kingston upon Thames").tail(1)[["year", "area_name", "ehcps"]]
    year             area_name  ehcps
15  2025  Kingston upon Thames   1958
"""

from sendlib.errors import DataFileError, SendlibError, UnknownCouncilError
from sendlib.ingest.council_quarter import CouncilQuarter, council_quarter
from sendlib.measures.areas import council_history, councils, find_council, statistical_neighbours
from sendlib.measures.caseload import (
    caseload_by_age,
    caseload_by_need,
    caseload_by_placement,
    ehcp_activity,
    ehcp_caseload,
)
from sendlib.measures.league import league
from sendlib.tables import sendlib_version


def to_excel(tables, path):
    """A workbook of ``tables`` an analyst can hand on (:func:`sendlib.present.workbook.to_excel`)."""
    from sendlib.present.workbook import to_excel as write

    return write(tables, path)


def explore(*args, **options):
    """Councils, a measure and comparators to pick in JupyterLab, with the chart and table
    following (:func:`sendlib.present.explore.explore`)."""
    from sendlib.present.explore import explore as widgets

    return widgets(*args, **options)


def plot(table, **options):
    """A chart of any table sendlib returns (:func:`sendlib.present.plot.plot`)."""
    from sendlib.present.plot import plot as draw

    return draw(table, **options)


__version__ = sendlib_version()

__all__ = [
    "ehcp_caseload",
    "caseload_by_age",
    "caseload_by_placement",
    "caseload_by_need",
    "ehcp_activity",
    "league",
    "measures",
    "plot",
    "explore",
    "to_excel",
    "statistical_neighbours",
    "council_history",
    "councils",
    "find_council",
    "DataFileError",
    "SendlibError",
    "UnknownCouncilError",
    "CouncilQuarter",
    "council_quarter",
]
