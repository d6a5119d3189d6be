"""Council look-ups for analysts: find a council, its history, its statistical neighbours.

>>> import sendlib
>>> sendlib.statistical_neighbours("Kingston upon Thames")["area_name"].tolist()[:3]
['Sutton', 'Merton', 'Hertfordshire']
>>> sendlib.find_council("Kingston upon Tames")
Traceback (most recent call last):
...
sendlib.errors.UnknownCouncilError: No council called 'Kingston upon Tames'. Did you mean: Kingston upon Thames; Kingston upon Hull, City of; Richmond upon Thames? (Name a council by its name, its 3-digit DfE code or its 9-character ONS code.)
"""

from __future__ import annotations

import pandas as pd

from sendlib import geography, tables
from sendlib.tables import Tables


def councils(data: Tables | None = None) -> pd.DataFrame:
    """Every council DfE has published, one row each (see :func:`geography.council_index`)."""
    return (data or tables.current()).councils


def find_council(council: str | int, data: Tables | None = None) -> pd.Series:
    """The council a name or code refers to, as a row of :func:`councils`.

    >>> find_council("E09000021")["area_name"]
    'Kingston upon Thames'
    """
    data = data or tables.current()
    return geography.find_council(council, data.councils, data.areas)


def statistical_neighbours(
    council: str | int, model: str = "2025", data: Tables | None = None
) -> pd.DataFrame:
    """The council's 10 statistical neighbours in DfE's ``model`` ("2025", or "2021" for
    boards before the 2025 update).

    Columns: ``rank`` (1 = closest), ``old_la_code``, ``area_code`` (as in the caseload
    tables), ``area_name``, ``closeness`` (Extremely close ... Not close).

    >>> statistical_neighbours(314, model="2021")["area_name"].tolist()[:3]
    ['Barnet', 'Sutton', 'Merton']
    """
    data = data or tables.current()
    return geography.statistical_neighbours(
        council, data.statistical_neighbours, data.councils, data.areas, model=model
    )


def council_history(council: str | int, data: Tables | None = None) -> pd.DataFrame:
    """The codes and names a council had, and the councils it came from or became.

    >>> council_history("Cumberland")[["relation", "old_la_code", "area_name"]].values.tolist()
    [['predecessor', '909', 'Cumbria'], ['this council', '942', 'Cumberland']]
    """
    data = data or tables.current()
    return geography.council_history(
        council, data.councils, data.caseload, data.la_changes, data.areas
    )
