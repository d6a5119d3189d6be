"""The measures: each defined once (caseload, benchmarks, league tables, forecasts, finance,
KPIs), on the tables of :mod:`sendlib.tables`; what each measure is (label, unit, polarity,
source) is in :mod:`sendlib.registry`.

``sendlib.measures.table()`` lists the measures a league table ranks.
"""


def table():
    """The measures a league table ranks, with their definition, unit, polarity and source
    (:func:`sendlib.registry.measures_table`).

    >>> import sendlib
    >>> "rate_0_17" in set(sendlib.measures.table()["measure"])
    True
    """
    from sendlib.registry import measures_table

    return measures_table(ranked_only=True)
