"""Numbers as a board page shows them: one place, so a missing or impossible value can never
print as "£infm" or "nan%".

>>> pounds_m(32_201_000), pounds_m(-215_000, 3), pounds_m(float("inf")), pounds_m(None)
('£32.2m', '-£0.215m', '–', '–')
"""

from __future__ import annotations

import math
from datetime import date

MISSING = "–"
"""What a page shows for a figure that is missing or not finite (an en dash)."""


def finite(value: object) -> float | None:
    """``value`` as a float, or None when it is missing, not a number or infinite.

    >>> finite("3"), finite(float("nan")), finite(None), finite(float("-inf"))
    (3.0, None, None, None)
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def long_date(day: date) -> str:
    """A date as GOV.UK writes it, on every operating system (``%-d`` is not portable).

    >>> long_date(date(2021, 12, 6))
    '6 December 2021'
    """
    return f"{day.day} {day:%B %Y}"


def pounds_m(value: object, digits: int = 1) -> str:
    """Pounds as £ million, the sign before the £ ("-£0.2m"), or an en dash."""
    number = finite(value)
    if number is None:
        return MISSING
    sign = "-" if number < 0 else ""
    return f"{sign}£{abs(number) / 1e6:,.{digits}f}m"


def pounds_k(value: object) -> str:
    """Pounds as £ thousand, GOV.UK style: the sign before the £ ("-£31k"), or an en dash.

    >>> pounds_k(-31_000), pounds_k(159_400), pounds_k(None)
    ('-£31k', '£159k', '–')
    """
    number = finite(value)
    if number is None:
        return MISSING
    sign = "-" if round(number / 1e3) < 0 else ""
    return f"{sign}£{abs(number) / 1e3:,.0f}k"


def count(value: object) -> str:
    """A count or an axis value with thousands separated ("20,000"), decimals only where the
    value has them ("2.5"), never in scientific notation; an en dash when missing.

    >>> count(20000), count(2.5), count(2021.0), count(float("nan"))
    ('20,000', '2.5', '2,021', '–')
    """
    number = finite(value)
    if number is None:
        return MISSING
    if float(number).is_integer():
        return f"{number:,.0f}"
    return f"{number:,.10g}" if abs(number) < 1e6 else f"{number:,.0f}"
