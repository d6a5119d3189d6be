"""The arithmetic every measure shares, defined once: a rate per head, an index, a change in
per cent, compound annual growth. Each works on numbers or on pandas Series alike, gives a
missing value (never an infinity or a zero) where the sum cannot be done, and refuses
nonsense arguments.

>>> rate_per(1_512, 33_950)  # plans per 1,000 children
44.5360824742268
>>> round(pct_change(1_161, 1_042), 2)  # Kingston's plans, January 2018 to 2019
11.42
>>> round(cagr(1_958, 1_161, 6), 2)
9.1
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendlib.errors import ArgumentError

PER_THOUSAND = 1_000


def _checked(value):
    """Missing where a Series is not finite; None for a scalar that is not a finite number."""
    if isinstance(value, pd.Series):
        numbers = value.astype("Float64")
        return numbers.mask(~np.isfinite(numbers.fillna(0).astype(float)))
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def _divide(numerator, denominator):
    """numerator / denominator, missing where the denominator is missing or not above zero."""
    top, bottom = _checked(numerator), _checked(denominator)
    if isinstance(top, pd.Series) or isinstance(bottom, pd.Series):
        top = top if isinstance(top, pd.Series) else pd.Series(top, dtype="Float64")
        bottom = bottom if isinstance(bottom, pd.Series) else pd.Series(bottom, dtype="Float64")
        if len(top) == 1 and len(bottom) > 1:
            top = pd.Series(top.iloc[0], index=bottom.index, dtype="Float64")
        if len(bottom) == 1 and len(top) > 1:
            bottom = pd.Series(bottom.iloc[0], index=top.index, dtype="Float64")
        return (top / bottom.where(bottom.gt(0))).astype("Float64")
    if top is None or bottom is None or bottom <= 0:
        return float("nan")
    return top / bottom


def rate_per(count, population, per: int = PER_THOUSAND):
    """``count`` per ``per`` of ``population`` (plans per 1,000 children by default).

    >>> rate_per(10, 0), rate_per(None, 100)
    (nan, nan)
    >>> rate_per(pd.Series([10, 20]), pd.Series([1000, 4000])).tolist()
    [10.0, 5.0]
    """
    if per <= 0:
        raise ArgumentError(f"per must be a positive number, got {per}")
    return _divide(count, population) * per


def share(part, whole):
    """``part`` as a percentage of ``whole``.

    >>> share(849, 1_261)
    67.32751784298176
    """
    return _divide(part, whole) * 100


def index_to(values, base):
    """``values`` as an index with ``base`` = 100.

    >>> index_to(pd.Series([100, 150]), 100).tolist()
    [100.0, 150.0]
    """
    return _divide(values, base) * 100


def pct_change(now, before):
    """The change from ``before`` to ``now``, in per cent of ``before``.

    >>> round(pct_change(90, 100), 9), pct_change(5, 0)
    (-10.0, nan)
    """
    return (_divide(now, before) - 1) * 100


def cagr(now, before, years: float):
    """Compound annual growth from ``before`` to ``now`` over ``years``, in per cent a year.

    >>> round(cagr(121, 100, 2), 6)
    10.0
    >>> cagr(121, 100, 0)
    Traceback (most recent call last):
    ...
    sendlib.errors.ArgumentError: years must be more than 0, got 0
    """
    if not years > 0:
        raise ArgumentError(f"years must be more than 0, got {years}")
    ratio = _divide(now, before)
    return (ratio ** (1 / years) - 1) * 100


def lait_rank(values: pd.Series, polarity: str = "neither") -> pd.Series:
    """Ranks as DfE's LAIT gives them: 1 the best (the lowest where low is good, else the
    highest), ties sharing the better rank, missing figures unranked.

    >>> lait_rank(pd.Series([3.0, 1.0, None, 3.0])).tolist()
    [1, 3, <NA>, 1]
    """
    ranks = values.astype("Float64").rank(ascending=polarity == "low is good", method="min")
    return ranks.astype("Int64")


def lait_quartile(rank: int, of: int) -> int:
    """The quartile of a rank among ``of`` councils, as LAIT bands them (1 = the first quarter).

    >>> [lait_quartile(r, 8) for r in range(1, 9)]
    [1, 1, 2, 2, 3, 3, 4, 4]
    """
    return min(4, 1 + (4 * (int(rank) - 1)) // int(of))


FEW_CASES = 20
"""Below this many cases a percentage moves 5 points or more with one case: it is shown with
its count and not compared as if it were a rate."""


def few_cases(n: object) -> bool:
    """Whether a percentage of ``n`` cases rests on too few to compare.

    >>> few_cases(2), few_cases(19), few_cases(20), few_cases(None)
    (True, True, False, False)
    """
    try:
        return n is not None and not pd.isna(n) and float(n) < FEW_CASES
    except (TypeError, ValueError):
        return False
