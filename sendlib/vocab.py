"""The shared vocabularies of sendlib, in one place: the words and categories DfE publishes
(levels of geography, age bands, placement types and groups, primary needs), the area columns
every tidy table carries, Inner and Outer London, and how names are compared.

Every layer may use this module; it imports nothing of sendlib's.

>>> PLACEMENT_GROUPS[:2]
['Mainstream', 'Resourced provision or SEN unit']
"""

from __future__ import annotations

import enum
import re

LEVELS = {"National": "national", "Regional": "region", "Local authority": "council"}

AREA_COLUMNS = ["level", "area_code", "old_la_code", "area_name", "region_code", "region_name"]
"""Columns naming an area in every tidy table.

``level`` is ``national``, ``region``, ``inner_outer_london`` or ``council``; ``area_code`` the
9-character ONS-style code as DfE published it (E92000001 for England, E12... for regions,
E13000001/E13000002 for Inner/Outer London); ``old_la_code`` DfE's 3-digit council number
(missing above council level); ``region_name`` the council's region (``London`` for boroughs).
"""

LONDON_SUBREGIONS = {
    "London (Inner)": ("E13000001", "Inner London"),
    "London (Outer)": ("E13000002", "Outer London"),
}
"""DfE's GOReg label -> (ONS statistical code, name) of the Inner/Outer London aggregate."""


AGE_BANDS = ["Under 5", "5 to 10", "11 to 15", "16 to 19", "20 to 25"]
"""Age bands of the caseload, as DfE publishes them (age at the January census)."""

PLACEMENTS: dict[str, tuple[str, str]] = {
    "mainstream_la_maintained": ("Mainstream LA maintained school", "Mainstream"),
    "mainstream_academy": ("Mainstream academy", "Mainstream"),
    "mainstream_free_school": ("Mainstream free school", "Mainstream"),
    "mainstream_independent": ("Mainstream independent school", "Mainstream"),
    "mainstream_la_maintained_resourced_provision": (
        "LA maintained school - resourced provision",
        "Resourced provision or SEN unit",
    ),
    "mainstream_la_maintained_senunit": (
        "LA maintained school - SEN unit",
        "Resourced provision or SEN unit",
    ),
    "mainstream_academy_resourced_provision": (
        "Academy - resourced provision",
        "Resourced provision or SEN unit",
    ),
    "mainstream_academy_senunit": ("Academy - SEN unit", "Resourced provision or SEN unit"),
    "mainstream_free_school_resourced_provision": (
        "Free school - resourced provision",
        "Resourced provision or SEN unit",
    ),
    "mainstream_free_school_senunit": ("Free school - SEN unit", "Resourced provision or SEN unit"),
    "special_la_maintained": ("LA maintained special school", "Maintained special"),
    "special_academy_free": ("Special academy or free school", "Maintained special"),
    "special_independent": ("Independent special school", "Independent or non-maintained special"),
    "special_non_maintained": (
        "Non-maintained special school",
        "Independent or non-maintained special",
    ),
    "ap_pru_la_maintained": ("Pupil referral unit", "Alternative provision"),
    "ap_pru_academy": ("Alternative provision academy", "Alternative provision"),
    "ap_pru_free_school": ("Alternative provision free school", "Alternative provision"),
    "general_fe_tertiary_colleges": ("FE college or sixth form", "Further education"),
    "specialist_post_16_institutions": ("Specialist post-16 institution", "Further education"),
    "ukrlp_provider": ("UKRLP provider", "Further education"),
    "elective_home_education": ("Elective home education", "Other or not in education"),
    "other_arrangements_la": ("Other arrangements made by the LA", "Other or not in education"),
    "other_arrangements_parents": (
        "Other arrangements made by parents",
        "Other or not in education",
    ),
    "online_provider": ("Online provider", "Other or not in education"),
    "w_settings": ("Welsh school or establishment", "Other or not in education"),
    "other_schools": ("Other school type", "Other or not in education"),
    "other_placement_settings": ("Other type of placement", "Other or not in education"),
    "neet": ("Not in education, employment or training", "Other or not in education"),
    "neet_ntci": ("Not in education - notice to cease issued", "Other or not in education"),
    "neet_other": ("Not in education - other ages", "Other or not in education"),
    "neet_other_csa": ("Not in education - compulsory school age", "Other or not in education"),
    "nm_early_years": ("Non-maintained early years", "Other or not in education"),
    "await_prov_2022": ("Awaiting provision (to 2022)", "Other or not in education"),
    "perm_ex_2022": ("Permanently excluded (to 2022)", "Other or not in education"),
    "placement_unknown": ("Placement not recorded", "Other or not in education"),
}
"""Each placement column of the 2025 caseload file: (its label, its placement group).

The columns are the finest DfE publishes; together they add up to ``ehcplans`` (except where
the data guidance says a council could not return placements). The groups are the ones boards
compare: mainstream, resourced provision or SEN unit, maintained special, independent or
non-maintained special, alternative provision, further education, other or not in education.
"""

PLACEMENT_GROUPS = list(dict.fromkeys(group for _, group in PLACEMENTS.values()))


PRIMARY_NEEDS: dict[str, str] = {
    "number_asd": "Autistic spectrum disorder",
    "number_slcn": "Speech, language and communication needs",
    "number_semh": "Social, emotional and mental health",
    "number_mld": "Moderate learning difficulty",
    "number_sld": "Severe learning difficulty",
    "number_pmld": "Profound and multiple learning difficulty",
    "number_spld": "Specific learning difficulty",
    "number_pd": "Physical disability",
    "number_hi": "Hearing impairment",
    "number_vi": "Visual impairment",
    "number_msi": "Multi-sensory impairment",
    "number_ds": "Down syndrome",
    "number_oth": "Other difficulty or disability",
    "number_need_unknown": "Primary need not recorded",
}
"""Primary-need columns of the releases' files of plans by need and their names (Down syndrome
from the 2026 release: before it DfE counted it under "other difficulty or disability")."""


class Boundaries(enum.StrEnum):
    """How councils that merged or split are counted: ``AS_PUBLISHED`` (each council as DfE
    published it, so a series ends or begins at a reorganisation) or ``CONSISTENT`` (each
    group of joined councils one unbroken series). Equal to its text, so callers may pass
    "consistent".

    >>> Boundaries("consistent") is Boundaries.CONSISTENT, Boundaries.CONSISTENT == "consistent"
    (True, True)
    """

    AS_PUBLISHED = "as published"
    CONSISTENT = "consistent"


RAG_WORDS = {"R": "Red", "A": "Amber", "G": "Green", None: "Not rated"}
"""A RAG rating in words (a rating is never shown by colour alone)."""

AMBER_PCT = 5.0
"""The amber band of a KPI's rating, % of the target, where its rules leave it blank."""


def normalise_name(name: str) -> str:
    """A council name reduced to compare spellings loosely: case, punctuation, '&', 'City of'.

    >>> normalise_name("Kingston upon Hull, City of") == normalise_name("Kingston Upon Hull")
    True
    >>> normalise_name("St. Helens") == normalise_name("St Helens")
    True
    """
    text = name.casefold().replace("&", " and ")
    text = re.sub(r",\s*(city|county) of$", "", text)
    text = re.sub(r"^(city|county) of\s+", "", text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = re.sub(r"\b(council|borough|royal|the)\b", " ", text)
    return " ".join(text.split())


def strict_name(name: str) -> str:
    """A name reduced only as far as keeps areas apart: case, punctuation, '&', and DfE's
    inverted "X, City of" form. "City of London" keeps its "city of"; "London" has none.

    >>> strict_name("London, City of"), strict_name("City of London"), strict_name("London")
    ('city of london', 'city of london', 'london')
    """
    text = name.casefold().replace("&", " and ").strip()
    text = re.sub(r"^(.*?),\s*(city|county) of$", r"\2 of \1", text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


SUPPRESSION_CODES: dict[str, str] = {
    "x": "not available",
    "z": "not applicable",
    "c": "confidential (small number suppressed)",
    ":": "not available",
    "..": "not available",
    "low": "rounds to zero but is not zero",
    "u": "low reliability",
    "blank": "no figure published (empty cell)",
    "incomplete": "not every member of the group has a figure",
    "absent": "no row published; zero, as the other categories add up to the total",
    "condemned": "excluded: the published figure failed sendlib's data check (see the findings)",
    "no_hnb": "no High Needs Block allocation (ESFA publishes none for it)",
}
"""Every flag a sendlib table can carry, with the words a report shows for it."""


def describe_flag(flag: str | None) -> str:
    """The words for a flag, for a report's footnote.

    >>> describe_flag("c")
    'confidential (small number suppressed)'
    >>> describe_flag(None)
    ''
    """
    if flag is None or str(flag) in ("<NA>", "nan", "NaT", "None"):  # missing (NA, NaN)
        return ""
    return SUPPRESSION_CODES.get(str(flag).lower(), f"unknown flag {flag!r}")
