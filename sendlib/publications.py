"""When DfE and ONS publish what sendlib reads, and what a pack is missing on its meeting date.

A board pack uses one January census, one statistical neighbour model and ONS's population
estimates. Each is replaced on a calendar:

* DfE's **"Education, health and care plans"** release each June gives the January census of the
  same year (26 June 2025 for January 2025; June 2026 for January 2026). sendlib counts a census
  as published from 1 July of its year (:data:`CENSUS_PUBLISHED_FROM`).
* DfE's **statistical neighbour model** changes rarely; the models sendlib holds and when they
  came out are in :data:`SN_MODEL_PUBLISHED`.
* ONS's **mid-year population estimates** for mid-Y come out each summer of Y+1 (mid-2023 on
  15 July 2024, mid-2024 on 30 July 2025); sendlib counts them as published from 1 August of
  Y+1 (:data:`POPULATION_PUBLISHED_FROM`).

:func:`currency` compares what a pack uses with what had been published by its meeting, and
says, in sentences a board member can read, what is newer and the command that brings it in.
Pure: the caller says what ``data/raw`` holds.

>>> census_published_by(date(2026, 10, 1)), census_published_by(date(2026, 6, 1))
(2026, 2025)
>>> c = currency(date(2026, 10, 1), census=2025, sn_model="2025", population=2024,
...              held_census=2025, held_population=2024)
>>> print(c.newer[0])
DfE published the January 2026 census (its "Education, health and care plans" release, June 2026) before this meeting; it is not in this pack, which uses January 2025. Run `sendlib data update`, then build the pack again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CENSUS_PUBLISHED_FROM = (7, 1)
"""(month, day) from which the January census of the same year counts as published: DfE
releases SEN2 in the second half of June (24 June 2021, 26 June 2025)."""

SN_MODEL_PUBLISHED = {"2021": date(2021, 5, 1), "2025": date(2025, 6, 1)}
"""When each statistical neighbour model sendlib holds counts as published: the first day of
the month after DfE's release (April 2021; May 2025)."""

POPULATION_PUBLISHED_FROM = (8, 1)
"""(month, day) of year Y+1 from which ONS's mid-Y estimates count as published (ONS releases
them each July: 15 July 2024 for mid-2023, 30 July 2025 for mid-2024)."""

UPDATE = "Run `sendlib data update`, then build the pack again."
"""What brings a newer release in (backticks mark the command: pages show it as code)."""
UPDATE_PLAIN = UPDATE.replace("`", "")
"""The same, for text that shows no code (a sentence of the board summary)."""


def census_published_by(day: date) -> int:
    """The latest January census DfE had published by ``day`` (see the module).

    >>> census_published_by(date(2025, 6, 30)), census_published_by(date(2025, 7, 1))
    (2024, 2025)
    """
    return day.year if (day.month, day.day) >= CENSUS_PUBLISHED_FROM else day.year - 1


def population_published_by(day: date) -> int:
    """The latest mid-year ONS had published estimates for by ``day``.

    >>> population_published_by(date(2025, 7, 31)), population_published_by(date(2025, 8, 1))
    (2023, 2024)
    """
    after = (day.month, day.day) >= POPULATION_PUBLISHED_FROM
    return day.year - 1 if after else day.year - 2


def sn_model_published_by(day: date) -> str | None:
    """The newest statistical neighbour model sendlib holds that was out by ``day`` (or None).

    >>> sn_model_published_by(date(2024, 1, 1)), sn_model_published_by(date(2025, 9, 1))
    ('2021', '2025')
    """
    known = [m for m, out in sorted(SN_MODEL_PUBLISHED.items(), key=lambda i: i[1]) if out <= day]
    return known[-1] if known else None


@dataclass(frozen=True)
class Currency:
    """How current a pack is: ``uses`` (one sentence) and ``newer`` (a sentence for each newer
    publication that was out by the meeting, with the command that brings it in; empty when
    the pack is as current as its meeting allowed)."""

    uses: str
    newer: tuple[str, ...]

    @property
    def current(self) -> bool:
        """Whether nothing newer had been published by the meeting."""
        return not self.newer


def currency(
    meeting: date,
    *,
    census: int,
    sn_model: str,
    population: int,
    held_census: int,
    held_population: int,
) -> Currency:
    """What a pack for ``meeting`` uses against what had been published by then.

    ``census`` and ``sn_model`` are the pack's; ``population`` is the mid-year of the newest
    ONS estimate its rates can use (mid-``census - 1``, or the newest held if older);
    ``held_census`` and ``held_population`` are the newest ``data/raw`` holds.
    """
    uses = (
        f'This pack uses the January {census} census (DfE, "Education, health and care '
        f"plans\", as the newest release in data/raw gives it), DfE's {sn_model} statistical "
        f"neighbour model and ONS's mid-{population} population estimates."
    )
    newer = []
    out = census_published_by(meeting)
    if out > census and out > held_census:
        newer.append(
            f'DfE published the January {out} census (its "Education, health and care plans" '
            f"release, June {out}) before this meeting; it is not in this pack, which uses "
            f"January {census}. {UPDATE}"
        )
    elif out > census:
        newer.append(
            f"DfE published the January {out} census before this meeting, and data/raw holds "
            f"it, but this pack uses January {census}: set latest_census = {out} in the pack "
            "definition and build the pack again."
        )
    model = sn_model_published_by(meeting)
    if model is not None and SN_MODEL_PUBLISHED[model] > SN_MODEL_PUBLISHED.get(sn_model, date.min):
        newer.append(
            f"DfE's {model} statistical neighbour model was out before this meeting; this pack "
            f'uses the {sn_model} model: set sn_model = "{model}" in the pack definition.'
        )
    estimates = population_published_by(meeting)
    if estimates >= census and estimates > held_population:
        newer.append(
            f"ONS's mid-{estimates} population estimates were due before this meeting (ONS "
            f"publishes each July) and are not in data/raw; rates use mid-{population}."
        )
    return Currency(uses=uses, newer=tuple(newer))
