"""What an analyst may pass where sendlib takes a year or areas, and the clear error when it
is something else: years as 2019 or "2019", one area or a list of them.

>>> year("2019"), year(2019)
(2019, 2019)
>>> year("twenty nineteen", "start")
Traceback (most recent call last):
...
sendlib.errors.ArgumentError: start must be a year such as 2019 (a whole number, or text of one); got 'twenty nineteen'
>>> area_list(["Kent", "Medway"]), area_list("Kent")
(['Kent', 'Medway'], ['Kent'])
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Iterable

import pandas as pd

from sendlib.errors import ArgumentError
from sendlib.registry import describe, described

FIRST_YEAR, LAST_YEAR = 1990, 2100
"""Years outside these are taken for a slip (a month, a count), not a census year."""


def year(value: object, name: str = "year") -> int:
    """``value`` as a year: an int, a whole float or text of digits ("2019", " 2019 ")."""
    found = None
    if isinstance(value, bool):
        found = None
    elif isinstance(value, numbers.Integral):
        found = int(value)
    elif isinstance(value, numbers.Real) and float(value).is_integer():
        found = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        found = int(value.strip())
    if found is None:
        raise ArgumentError(
            f"{name} must be a year such as 2019 (a whole number, or text of one); got {value!r}"
        )
    if not FIRST_YEAR <= found <= LAST_YEAR:
        raise ArgumentError(f"{name} must be a year such as 2019; got {found}")
    return found


def area_list(areas: object, name: str = "area") -> list:
    """One area (a name or code) or several (a list, tuple, set or Series of them), as a list
    in the order given, each once."""
    if isinstance(areas, (str, numbers.Integral)) and not isinstance(areas, bool):
        return [areas]
    if isinstance(areas, Iterable) and not isinstance(areas, (bytes, dict)):
        given = list(areas)
        bad = [a for a in given if not isinstance(a, (str, numbers.Integral)) or a is True]
        bad += [a for a in given if isinstance(a, bool)]
        found = [] if bad else list(dict.fromkeys(given))
        if not found or bad:
            raise ArgumentError(
                f"{name} must be an area's name or code, or a list of them; got {areas!r}"
            )
        return found
    raise ArgumentError(f"{name} must be an area's name or code, or a list of them; got {areas!r}")


def each_council(function: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """Let a function of one council take a list of councils too: one table of every
    council's rows, in the order given, with a ``council`` column first naming whose they are.
    One council gives the function's own table, unchanged.

    >>> from sendlib.measures.benchmarks import growth
    >>> g = growth(["Kent", "Medway"], "2024", 2025)
    >>> g[g["role"].eq("council")][["council", "end"]].values.tolist()
    [['Kent', 20635], ['Medway', 3041]]
    """

    @functools.wraps(function)
    def wrapper(council, *args, **kwargs):
        if isinstance(council, (str, numbers.Integral)) and not isinstance(council, bool):
            return function(council, *args, **kwargs)
        from sendlib.measures.areas import find_council

        parts, seen = [], set()
        for one in area_list(council, "council"):
            found = find_council(one)
            if found["old_la_code"] in seen:  # "Kent" and 886 are one council: once
                continue
            seen.add(found["old_la_code"])
            part = function(one, *args, **kwargs)
            parts.append(part.assign(council=found["area_name"]))
        table = pd.concat(parts, ignore_index=True)
        table = table[["council", *(c for c in table.columns if c != "council")]]
        told = described(table)  # the councils' tables, one after another: areas by council
        if told is None:
            return table
        return describe(
            table, told["kind"], area="council", units=told["units"], category=told["category"]
        )

    return wrapper
