"""A council's own files for one quarter, as one object: found once, each read once.

Reports, the board summary and the analyst make a :class:`CouncilQuarter` at the edge (a
notebook's first cell, a pack's build) and pass it down; measures and pages read its
attributes and never look a file up by name themselves.

>>> files = CouncilQuarter("data/raw/local/kingston-upon-thames", "Q3",
...                        rules_file="packs/kingston-upon-thames/kpi_rules.csv")
>>> files.kpi_dashboard["kpi"].iloc[0], files.financial_year, files.path("kpi_dashboard").name
('Actual EHCPs', '2021/22', 'kpi_dashboard_2021-22_q3.tsv')
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from sendlib.errors import DataFileError
from sendlib.ingest import council_files
from sendlib.ingest.checksums import sha256
from sendlib.ingest.kpi_rules import read_rules
from sendlib.periods import FinancialYear


class CouncilQuarter:
    """The council's files in ``folder`` for ``quarter`` of financial ``year`` ("2021-22";
    blank: the one year the folder holds), with its KPI rules (``rules_file``) and, where a
    pack definition names one, its KPI dashboard (``kpi_file``).

    Each table is read on first use and kept; a missing or unreadable file raises the
    :class:`~sendlib.errors.DataFileError` of its reader when it is first asked for, so a
    report that does not need a file never fails for it.
    """

    def __init__(
        self,
        folder: str | Path,
        quarter: str,
        *,
        year: str = "",
        rules_file: str | Path = "",
        kpi_file: str = "",
    ) -> None:
        self.given = str(folder)
        self.quarter = quarter
        self.year = year
        self.rules_file = rules_file
        self.kpi_file = kpi_file
        self._paths: dict[str, Path] = {}

    def __repr__(self) -> str:
        return f"CouncilQuarter({self.given!r}, {self.quarter!r}, year={self.year!r})"

    @cached_property
    def folder(self) -> Path:
        """The council's folder (a :class:`DataFileError` when there is none)."""
        return council_files.local_folder(self.given)

    def paths(self, names: tuple[str, ...] = council_files.PERIOD_FILES) -> dict[str, Path]:
        """The file of each of ``names`` for the quarter; every one missing is named at once
        (:func:`sendlib.ingest.council_files.period_files`)."""
        wanted = tuple(n for n in names if n not in self._paths)
        if wanted:
            chosen = {"kpi_dashboard": self.kpi_file} if self.kpi_file else None
            self._paths.update(
                council_files.period_files(
                    self.given,
                    quarter=self.quarter,
                    year=self.year or None,
                    names=wanted,
                    chosen=chosen,
                )
            )
        return {name: self._paths[name] for name in names}

    def path(self, name: str) -> Path:
        """The file of one of the quarter's files."""
        return self.paths((name,))[name]

    @cached_property
    def kpi_dashboard(self) -> pd.DataFrame:
        """:func:`~sendlib.ingest.council_files.read_kpi_dashboard` of the quarter's file."""
        return council_files.read_kpi_dashboard(self.path("kpi_dashboard"))

    @cached_property
    def hnb_model(self) -> pd.DataFrame:
        """:func:`~sendlib.ingest.council_files.read_hnb_model` of the quarter's model."""
        return council_files.read_hnb_model(self.path("hnb_financial_model"))

    @cached_property
    def safety_valve(self) -> pd.DataFrame:
        """The Safety Valve return by KPI (it must hold the quarter)."""
        path = self.path("safety_valve_kpis")
        table = council_files.read_wide(path, "KPI")
        council_files.require_quarter(table, self.quarter, path)
        return table

    @cached_property
    def plans_issued_ceased(self) -> pd.DataFrame:
        """Plans issued and ceased by quarter (counts)."""
        return council_files.read_wide(self.path("plans_issued_ceased"), "KPI", "count")

    @cached_property
    def partner_contributions(self) -> pd.DataFrame:
        """Partners' contributions by quarter (£; it must hold the quarter)."""
        path = self.path("partner_contributions")
        table = council_files.read_wide(path, "Partner", "gbp")
        council_files.require_quarter(table, self.quarter, path)
        return table

    @cached_property
    def deficit_history(self) -> pd.DataFrame:
        """:func:`~sendlib.ingest.council_files.read_deficit_history`."""
        return council_files.read_deficit_history(self.path("dsg_deficit_history"))

    @cached_property
    def rules(self) -> pd.DataFrame:
        """The council's KPI rules (:func:`~sendlib.ingest.kpi_rules.read_rules`)."""
        return read_rules(self.rules_file)

    @property
    def safety_valve_year(self) -> str:
        """The financial year of the Safety Valve return, from its file name ("2021/22")."""
        return council_files.financial_year(self.path("safety_valve_kpis").stem)

    @property
    def financial_year(self) -> str:
        """The financial year of the KPI dashboard ("2021/22"; "" when it has no rows)."""
        table = self.kpi_dashboard
        return str(table["financial_year"].iloc[0]) if len(table) else ""

    @property
    def dashboard_quarter(self) -> str | None:
        """The quarter the KPI dashboard's file is named for (a later file may be read)."""
        return council_files.file_period(self.path("kpi_dashboard"))["quarter"]

    @cached_property
    def last_year_dashboard(self) -> pd.DataFrame | None:
        """The same quarter's KPI dashboard a year before, or ``None`` where the folder has
        none (see :attr:`last_year_missing`)."""
        try:
            earlier = council_files.find_file(
                self.given, "kpi_dashboard", quarter=self.quarter, year=self.last_year
            )
        except DataFileError:
            return None
        return council_files.read_kpi_dashboard(earlier)

    @property
    def last_year(self) -> str:
        """The financial year before the dashboard's, as file names write it ("2020-21")."""
        return FinancialYear(FinancialYear.parse(self.financial_year).start - 1).dashed

    @cached_property
    def hashes(self) -> dict[str, str]:
        """The sha256 of each of the folder's files, by name, sorted."""
        return {
            p.name: sha256(p)
            for p in sorted(self.folder.iterdir())
            if p.is_file() and p.suffix in council_files.SUFFIXES
        }


def council_quarter(
    folder: str | Path,
    quarter: str,
    *,
    year: str = "",
    rules_file: str | Path = "",
    kpi_file: str = "",
) -> CouncilQuarter | None:
    """The council's files for a report's parameters, or ``None`` where a report names no
    folder or quarter (a pack without the council's own files).

    >>> council_quarter("", "") is None
    True
    """
    if not str(folder) or not quarter:
        return None
    return CouncilQuarter(folder, quarter, year=year, rules_file=rules_file, kpi_file=kpi_file)
