"""Paths and settings, anchored at the project root.

Every path the suite reads or writes comes from here, so a notebook or a test never builds a
path by hand. ``SENDLIB_PROCESSED_DIR`` and ``SENDLIB_REPORTS_DIR`` in the environment move the
two rebuildable folders elsewhere (tests use this to keep the project's own folders untouched).

>>> (PROJECT_ROOT / "sendlib" / "config.py").exists()
True
>>> RAW_DIR.name
'raw'
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT: Path = Path(__file__).resolve().parent.parent
"""The folder holding ``sendlib/``, ``data/``, ``notebooks/`` and ``reports/``."""

DATA_DIR: Path = PROJECT_ROOT / "data"
RAW_DIR: Path = DATA_DIR / "raw"
"""Published inputs, committed byte for byte and never written to (see data/raw/README.md)."""

NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
PACKS_DIR: Path = PROJECT_ROOT / "packs"


def processed_dir() -> Path:
    """The folder of rebuildable tidy tables (``data/processed/`` unless overridden)."""
    return Path(os.environ.get("SENDLIB_PROCESSED_DIR", DATA_DIR / "processed"))


def reports_dir() -> Path:
    """The folder meeting packs are written to (``reports/`` unless overridden)."""
    return Path(os.environ.get("SENDLIB_REPORTS_DIR", PROJECT_ROOT / "reports"))


# The raw inputs the suite reads, relative to RAW_DIR.
EHCP_DIR = "dfe-ehcp"
"""DfE's "Education, health and care plans" release zips: every ``.zip`` here is read or refused
by name (see :mod:`sendlib.ingest.release_files`)."""
EHCP_RELEASE_2022 = "dfe-ehcp/education-health-and-care-plans_2022.zip"
EHCP_RELEASE_2025 = "dfe-ehcp/education-health-and-care-plans_2025.zip"
SN_MODEL_2025 = "statistical-neighbours/sn-model-2025-long.csv"
SN_LOOKUP_2025 = "statistical-neighbours/la-lookup-lait-2025.csv"
SN_MODEL_2021 = "statistical-neighbours/dfe-sn-groupings-april-2021.csv"
LA_CHANGES = "lookups/la-boundary-and-code-changes-2019-2025.csv"
POPULATION_0_17 = "population/dfe-ons-mye-children-0-17-la-2012-2024.csv"
POPULATION_0_25 = "population/ons-mye-england-la-single-year-age-0-25-2011-2022-2023.csv"
POPULATION_MID_2024 = "population/ons-mye24tablesew-persons-single-year.csv"
SPECIALIST_SPEND = "finance/inclusion-dashboard-specialist_spend_la.csv"
DSG_DEFICIT = "finance/inclusion-dashboard-dsg_deficit.csv"
DSG_ALLOCATIONS = "finance/dsg-allocation-summaries-2019-20-to-2023-24.ods"
DSG_ALLOCATIONS_2023_24 = "finance/dedicated-schools-grant_2024_07_20.ods"
HIGH_NEEDS_BENCHMARKING = "finance/high-needs-benchmarking-2021-22-extract.xlsx"
LOCAL_DIR = RAW_DIR / "local"
"""Councils' own files, one folder each (data/raw/local/<council>/)."""

RAW_INPUTS: tuple[str, ...] = (
    SN_MODEL_2025,
    SN_LOOKUP_2025,
    SN_MODEL_2021,
    LA_CHANGES,
    POPULATION_0_17,
    POPULATION_0_25,
    POPULATION_MID_2024,
    SPECIALIST_SPEND,
    DSG_DEFICIT,
    DSG_ALLOCATIONS,
    DSG_ALLOCATIONS_2023_24,
    HIGH_NEEDS_BENCHMARKING,
)
"""The raw files the processed tables are built from (relative to RAW_DIR), besides every
release zip in :data:`EHCP_DIR` (see :func:`raw_inputs`)."""


def raw_inputs(raw_dir: Path | None = None) -> tuple[str, ...]:
    """Every raw file the processed tables are built from, relative to ``raw_dir``: each zip in
    :data:`EHCP_DIR` (so a release dropped in makes the tables stale), then :data:`RAW_INPUTS`.

    >>> raw_inputs()[:2]
    ('dfe-ehcp/education-health-and-care-plans_2022.zip', 'dfe-ehcp/education-health-and-care-plans_2025.zip')
    """
    folder = Path(raw_dir or RAW_DIR) / EHCP_DIR
    zips = sorted(f"{EHCP_DIR}/{p.name}" for p in folder.glob("*.zip")) if folder.is_dir() else []
    return (*zips, *RAW_INPUTS)
