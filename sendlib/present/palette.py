"""The one palette of sendlib: every chart, the page template and the chart style read their
colours here, so the council is the same blue, and each comparator the same colour, in every
report (Okabe-Ito, colour-blind safe, after the Government Analysis Function's afcharts).

>>> COUNCIL, COMPARATORS[0]
('#0072B2', '#E69F00')
"""

from __future__ import annotations

COUNCIL = "#0072B2"
"""The council: the same blue on every chart and in the page's accent."""

COMPARATORS = ["#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
"""Comparators, in the order reports list them (statistical neighbours, region, England...)."""

CATEGORIES = [
    "#0072B2",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#E69F00",
    "#CC79A7",
    "#999999",
    "#F0E442",
    "#000000",
    "#882255",
    "#44AA99",
    "#117733",
    "#DDCC77",
]
"""Categories of a breakdown (age bands, placement groups, needs), in their order."""

CYCLE = [COUNCIL, "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
"""matplotlib's colour cycle in the house style: the council's colour first."""
