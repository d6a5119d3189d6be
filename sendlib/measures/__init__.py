"""The measures: each defined once (caseload, benchmarks, league tables, forecasts, finance,
KPIs), on the tables of :mod:`sendlib.tables`.

The package is also callable: ``sendlib.measures()`` is :func:`sendlib.measures.league.measures`,
the table of every measure a league ranks, with its definition, unit, polarity and source.
"""

import sys
import types


class _MeasuresPackage(types.ModuleType):
    """This package, callable as ``sendlib.measures()`` (a module's class may be set so)."""

    def __call__(self):
        from sendlib.measures.league import measures

        return measures()


sys.modules[__name__].__class__ = _MeasuresPackage
