"""Periods, each conversion written once: financial years, their quarters, and the January
census inside a financial year.

A **financial year** runs from April to March; DfE, councils and their file names write it
"2021-22" or "2021/22" (and spreadsheets "21/22" or "2021/2022"). Its **quarters** are Q1
(April to June) to Q4 (January to March). The January **census** inside it is the January of
its second calendar year (financial year 2021-22 holds January 2022).

>>> fy = FinancialYear.parse("Target 21/22")
>>> fy, fy.dashed, fy.slashed, fy.census_year
(FinancialYear(start=2021), '2021-22', '2021/22', 2022)
>>> Quarter.of(date(2022, 1, 15))
Quarter(year=FinancialYear(start=2021), number=4)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
"""The quarters of a financial year (Q1 = April to June)."""
QUARTER_MONTHS = {name: 3 * n for n, name in enumerate(QUARTERS, start=1)}
"""Months of the financial year covered at each quarter's end (Q3: 9)."""

BASE_YEAR = 2015
"""The January census growth is indexed to (= 100) unless a page says otherwise."""

_FINANCIAL_YEAR = re.compile(r"(20)?(\d{2})\s*[/-]\s*(20)?(\d{2})")


@dataclass(frozen=True, order=True)
class FinancialYear:
    """The financial year starting in April of ``start``.

    >>> FinancialYear(1999).dashed, FinancialYear(2021).months_before(date(2021, 12, 31))
    ('1999-00', 9)
    """

    start: int

    @classmethod
    def parse(cls, text: str | int | FinancialYear) -> FinancialYear:
        """A financial year written any usual way ("2021-22", "2021/22", "Target 21/22",
        "2021/2022"); a ``ValueError`` when ``text`` names none.

        >>> FinancialYear.parse("2021/2022").start
        2021
        """
        if isinstance(text, FinancialYear):
            return text
        match = _FINANCIAL_YEAR.search(str(text))
        if not match or (int(match[4]) - int(match[2])) % 100 != 1:
            raise ValueError(f"{text!r} names no financial year such as 2021/22")
        return cls(2000 + int(match[2]))

    @classmethod
    def of(cls, day: date) -> FinancialYear:
        """The financial year ``day`` falls in (April to March)."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def dashed(self) -> str:
        """As file names and DfE's tables write it: ``2021-22``."""
        return f"{self.start}-{(self.start + 1) % 100:02d}"

    @property
    def slashed(self) -> str:
        """As councils' returns write it: ``2021/22``."""
        return f"{self.start}/{(self.start + 1) % 100:02d}"

    @property
    def short(self) -> str:
        """As spreadsheets' headers write it: ``21/22``."""
        return self.slashed[2:]

    @property
    def census_year(self) -> int:
        """The January census inside this financial year (2021-22 -> 2022)."""
        return self.start + 1

    def months_before(self, day: date) -> int:
        """Whole months of this year up to the end of ``day``'s month (December: 9)."""
        return (day.year - self.start) * 12 + day.month - 3


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter ``number`` (1 = April to June) of financial ``year``.

    >>> q = Quarter.parse("2021-22", "Q3")
    >>> q.name, q.label, q.end, q.months
    ('Q3', '2021/22 Q3', datetime.date(2021, 12, 31), 9)
    """

    year: FinancialYear
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"a quarter is Q1 to Q4; got Q{self.number}")

    @classmethod
    def parse(cls, year: str | FinancialYear, quarter: str | int) -> Quarter:
        """``quarter`` written "Q3", "q3" or 3 of ``year`` written any usual way."""
        text = str(quarter).strip().upper().removeprefix("Q")
        if not text.isdigit():
            raise ValueError(f"{quarter!r} is not a quarter such as Q3")
        return cls(FinancialYear.parse(year), int(text))

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter ``day`` falls in."""
        return cls(FinancialYear.of(day), (day.month - 4) % 12 // 3 + 1)

    @property
    def name(self) -> str:
        """``Q3``."""
        return f"Q{self.number}"

    @property
    def label(self) -> str:
        """``2021/22 Q3``, as returns head their columns."""
        return f"{self.year.slashed} {self.name}"

    @property
    def months(self) -> int:
        """Months of the financial year by the quarter's end (Q1: 3 ... Q4: 12)."""
        return 3 * self.number

    @property
    def end(self) -> date:
        """The quarter's last day."""
        month = self.months + 3
        year = self.year.start + (month - 1) // 12
        month = (month - 1) % 12 + 1
        first_of_next = date(year + month // 12, month % 12 + 1, 1)
        return first_of_next - timedelta(days=1)
