"""Which DfE "Education, health and care plans" releases are in ``data/raw/dfe-ehcp/``.

Every ``.zip`` in that folder is a release sendlib must read or refuse by name; none is ignored.
:func:`identify` opens one and says what it is (:class:`ReleaseFile`): the publication (from its
data guidance, whose first line is the publication's title), its reporting year (from the data
guidance, "Reporting year 2026" or "2022 Reporting year"), and its **layout**:

===========  ===========================================================================
``2022``     ``sen2_age_caseload.csv`` with ``Total_st``, ``Total_ehc``, ``Total_all`` (read:
             January 2010-2022)
``2023``     ``sen2_*`` files in long form (``num_caseload`` by ``ehcp_or_statement``), the
             2023 and 2024 releases: recognised, not read (every figure they hold is in the
             2025 and 2026 releases, which are)
``2025``     ``caseload.csv``, ``newplans.csv``... with ``special_academy_free`` (read)
``2026``     the same files with ``special_academy`` and ``special_free_school`` split,
             ``sen_needs_caseload.csv`` for ``sen_needs_all_plans.csv``, new topic names
             (read)
===========  ===========================================================================

:func:`releases_in` identifies every zip of the folder and refuses, naming the file and why, one
that is not a release of this publication, a layout sendlib cannot read, a name whose year
disagrees with the data guidance, or a second copy of a release already there.

>>> from sendlib import config
>>> found = releases_in(config.RAW_DIR / "dfe-ehcp")
>>> [(r.name, r.layout, r.reporting_year) for r in found]
[('education-health-and-care-plans_2022.zip', '2022', 2022), ('education-health-and-care-plans_2025.zip', '2025', 2025)]
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from sendlib.errors import DataFileError
from sendlib.ingest.checksums import sha256

PUBLICATION = "Education, health and care plans"
"""The title DfE's data guidance opens with, for the release sendlib reads."""

GUIDANCE = "data-guidance/data-guidance.txt"
READABLE_LAYOUTS = ("2022", "2025", "2026")
"""Layouts sendlib reads; ``2023`` is recognised and refused with the reason."""

_YEAR = re.compile(r"(?:Reporting year\s+(\d{4}))|(?:(\d{4})\s+Reporting year)", re.IGNORECASE)
_NAME_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


@dataclass(frozen=True)
class ReleaseFile:
    """One release zip: its path, layout (see the module), reporting year and sha256.

    The reporting year is the January census the release runs to (2026: January 2026).
    """

    path: Path
    layout: str
    reporting_year: int
    sha256: str

    @property
    def name(self) -> str:
        """The zip's file name."""
        return self.path.name

    @property
    def relative(self) -> str:
        """The path as ``data/raw`` names it (``dfe-ehcp/<file>``)."""
        return f"{self.path.parent.name}/{self.path.name}"


def _refuse(path: Path, problem: str, *, expected: str, found: str, hint: str) -> DataFileError:
    return DataFileError(str(path), problem, expected=expected, found=found, hint=hint)


_REMOVE = (
    "remove the file from data/raw/dfe-ehcp/ (or move it elsewhere), or replace it with the "
    "release zip as downloaded from explore-education-statistics; `sendlib data update` "
    "fetches and checks it for you"
)


def _header(archive: zipfile.ZipFile, member: str) -> list[str]:
    with archive.open(member) as handle:
        first = handle.readline().decode("utf-8-sig").strip()
    return [column.strip().strip('"') for column in first.split(",")]


SIGNS = (
    ("data/caseload.csv", "special_free_school", "2026"),
    ("data/caseload.csv", "special_academy_free", "2025"),
    ("data/sen2_age_caseload.csv", "Total_all", "2022"),
    ("data/sen2_age_caseload.csv", "num_caseload", "2023"),
)
"""How each layout is known: (member, a column of its header, layout), first match wins."""


def _layout(archive: zipfile.ZipFile, names: list[str]) -> str | None:
    headers: dict[str, list[str]] = {}
    for member, column, layout in SIGNS:
        if member in names:
            header = headers.setdefault(member, _header(archive, member))
            if column in header:
                return layout
    return None


def _open_release(path: Path, whole: bool) -> tuple[str, str | None, list[str]]:
    """The zip's data guidance (its start), its layout and its members; a
    :class:`DataFileError` for a zip that cannot be read or has no data guidance."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            broken = archive.testzip() if whole else None
            if broken is not None:
                raise zipfile.BadZipFile(f"member {broken} fails its CRC check")
            if GUIDANCE not in names:
                raise _refuse(
                    path,
                    "not a DfE release: it has no data guidance",
                    expected=f"a zip with {GUIDANCE} and data/*.csv",
                    found=", ".join(names[:6]) or "an empty zip",
                    hint=_REMOVE,
                )
            with archive.open(GUIDANCE) as handle:
                guidance = handle.read(4000).decode("utf-8-sig", errors="replace")
            layout = _layout(archive, names)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _refuse(
            path,
            "the zip is truncated or corrupt",
            expected="a readable zip archive",
            found=f"{type(exc).__name__}: {exc}",
            hint="download it again (an interrupted download leaves a truncated zip); " + _REMOVE,
        ) from exc
    return guidance, layout, names


def identify(path: Path | str, *, whole: bool = False) -> ReleaseFile:
    """What the zip at ``path`` is (see the module); raises :class:`DataFileError` naming the
    file when it is not a readable release of DfE's "Education, health and care plans".

    ``whole`` also checks every member's CRC (a download being brought in); a build need not,
    as every member it reads is checked as it is read."""
    path = Path(path)
    guidance, layout, names = _open_release(path, whole)
    title = guidance.strip().splitlines()[0].strip() if guidance.strip() else ""
    if title.casefold() != PUBLICATION.casefold():
        raise _refuse(
            path,
            "a release of another publication",
            expected=f'DfE\'s "{PUBLICATION}" (its data guidance opens with that title)',
            found=repr(title[:80]),
            hint=_REMOVE,
        )
    match = _YEAR.search(guidance)
    if match is None:
        raise _refuse(
            path,
            "the data guidance names no reporting year",
            expected='"Reporting year 2026" (or "2022 Reporting year") near its start',
            found=repr(guidance[:120]),
            hint=_REMOVE,
        )
    year = int(match.group(1) or match.group(2))
    _require_readable(path, year, layout, names)
    return ReleaseFile(path=path, layout=layout, reporting_year=year, sha256=sha256(path))


def _require_readable(path: Path, year: int, layout: str | None, names: list[str]) -> None:
    """A name that agrees with the contents, and a layout sendlib reads."""
    named = _NAME_YEAR.findall(path.stem) if path.suffix == ".zip" else []
    if named and int(named[-1]) != year:
        raise _refuse(
            path,
            "its name and its contents disagree",
            expected=f"a file named for its reporting year ({year})",
            found=f"{path.name}: its data guidance says reporting year {year}",
            hint=f"rename it education-health-and-care-plans_{year}.zip if it is the "
            f"{year} release; " + _REMOVE,
        )
    if layout is None:
        raise _refuse(
            path,
            "a layout sendlib does not know",
            expected="caseload.csv (2025 or 2026 layout) or sen2_age_caseload.csv (2022)",
            found=", ".join(n for n in names if n.endswith(".csv"))[:300],
            hint="report it at the project's issues with the release's data guidance; " + _REMOVE,
        )
    if layout not in READABLE_LAYOUTS:
        raise _refuse(
            path,
            f"the {year} release is in the 2023-2024 layout, which sendlib does not read",
            expected="the 2022, 2025 or 2026 layout",
            found="sen2_* files in long form (num_caseload by ehcp_or_statement)",
            hint="every figure of the 2023 and 2024 releases is also in the 2025 and 2026 "
            "releases, which sendlib reads; " + _REMOVE,
        )


def releases_in(folder: Path | str) -> list[ReleaseFile]:
    """Every release zip in ``folder``, identified, oldest reporting year first.

    Raises :class:`DataFileError` for the first zip that cannot be read, naming it and why,
    and for a second copy of a release (the same bytes, or the same reporting year twice).
    """
    folder = Path(folder)
    found: list[ReleaseFile] = []
    for path in sorted(folder.glob("*.zip")):
        release = identify(path)
        for other in found:
            if other.sha256 == release.sha256 or other.reporting_year == release.reporting_year:
                raise _refuse(
                    path,
                    "a second copy of a release already in the folder",
                    expected="one file per reporting year",
                    found=f"{path.name} is the {release.reporting_year} release, as is "
                    f"{other.name}",
                    hint="keep one of the two",
                )
        found.append(release)
    return sorted(found, key=lambda r: r.reporting_year)


def newest(releases: list[ReleaseFile], layouts: tuple[str, ...]) -> ReleaseFile | None:
    """The release of the latest reporting year among those in ``layouts`` (or ``None``)."""
    chosen = [r for r in releases if r.layout in layouts]
    return chosen[-1] if chosen else None


_FILENAME = re.compile(r"^Filename:\s*(\S+)\s*$")
_FOOTNOTE = re.compile(r"^(\d+)\.\s+(.*\S)\s*$")


def footnotes(path: Path | str) -> list[tuple[str, str]]:
    """DfE's footnotes to each data file of a release, from its data guidance: a list of
    ``(file, footnote)`` in the guidance's order (``("caseload.csv", "Cambridgeshire and North
    East Lincolnshire were not able to return placements ...")``).

    >>> from sendlib import config
    >>> notes = footnotes(config.RAW_DIR / config.EHCP_RELEASE_2025)
    >>> [text[:40] for file, text in notes if file == "timeliness_20_week.csv"]
    ['For the 2024 calendar year, Dorset and C']
    """
    with zipfile.ZipFile(path) as archive:
        text = archive.read(GUIDANCE).decode("utf-8-sig", errors="replace")
    found: list[tuple[str, str]] = []
    member, in_notes = "", False
    for line in text.splitlines():
        stripped = line.strip()
        if match := _FILENAME.match(stripped):
            member, in_notes = match.group(1), False
        elif stripped == "Footnotes:":
            in_notes = bool(member)
        elif in_notes and (match := _FOOTNOTE.match(stripped)):
            found.append((member, " ".join(match.group(2).split())))
        elif in_notes and stripped:
            in_notes = False  # the next section's title
    return found
