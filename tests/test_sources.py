"""Bad raw input fails with a message naming the file and column, and changes nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sendlib import config, tables
from sendlib.errors import DataFileError

RELEASE_2025 = config.EHCP_RELEASE_2025


def rewrite_member(zip_path: Path, member: str, edit) -> None:
    """Rewrite one CSV inside a copied release zip with ``edit(text) -> text``."""
    with zipfile.ZipFile(zip_path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    contents[member] = edit(contents[member].decode("utf-8-sig")).encode("utf-8-sig")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def drop_member(zip_path: Path, member: str) -> None:
    with zipfile.ZipFile(zip_path) as archive:
        contents = {n: archive.read(n) for n in archive.namelist() if n != member}
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def truncate(zip_path: Path) -> None:
    data = zip_path.read_bytes()
    zip_path.write_bytes(data[: len(data) // 2])


def corrupt(zip_path: Path) -> None:
    """Garble the compressed bytes of caseload.csv, keeping the zip's directory intact."""
    with zipfile.ZipFile(zip_path) as archive:
        info = archive.getinfo("data/caseload.csv")
    data = bytearray(zip_path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 1000
    for i in range(start, start + info.compress_size // 2, 97):
        data[i] ^= 0xFF
    zip_path.write_bytes(bytes(data))


def rename_column(zip_path: Path) -> None:
    rewrite_member(
        zip_path, "data/caseload.csv", lambda text: text.replace(",ehcplans,", ",ehcplan,", 1)
    )


def bad_value(zip_path: Path) -> None:
    def edit(text: str) -> str:
        lines = text.splitlines()
        fields = lines[5].split(",")
        fields[12] = "n/a"  # the ehcplans column of the 5th data row
        lines[5] = ",".join(fields)
        return "\n".join(lines) + "\n"

    rewrite_member(zip_path, "data/caseload.csv", edit)


CASES = {
    "truncated zip": (truncate, RELEASE_2025, ["truncated or corrupt"]),
    "corrupt zip": (corrupt, RELEASE_2025, ["truncated or corrupt"]),
    "missing member": (
        lambda p: drop_member(p, "data/caseload.csv"),
        RELEASE_2025,
        ["a layout sendlib does not know", "caseload.csv"],
    ),
    "renamed column": (rename_column, RELEASE_2025, ["column 'ehcplans'", "closest is 'ehcplan'"]),
    "non-numeric value": (
        bad_value,
        RELEASE_2025,
        ["caseload.csv", "row 6", "column 'ehcplans'", "'n/a'"],
    ),
    "missing file": (lambda p: p.unlink(), config.EHCP_RELEASE_2022, ["missing"]),
}


@pytest.fixture(scope="module")
def good_processed(tmp_path_factory) -> Path:
    """Processed tables built once from the real raw data, in a folder of the test's own."""
    out = tmp_path_factory.mktemp("processed")
    tables.build(processed_dir=out)
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.slow  # builds the tables or draws every chart
@pytest.mark.parametrize("case", CASES)
def test_bad_input_fails_clearly_and_leaves_processed_data_as_it_was(
    case, raw_copy, good_processed
):
    damage, file, expected = CASES[case]
    damage(raw_copy / file)
    before = snapshot(good_processed)
    with pytest.raises(DataFileError) as error:
        tables.build(force=True, raw_dir=raw_copy, processed_dir=good_processed)
    message = str(error.value)
    assert Path(file).name in message
    for words in expected:
        assert words in message
    assert "fix:" in message or "expected:" in message
    assert snapshot(good_processed) == before
    assert not [p for p in good_processed.iterdir() if p.name.startswith(".staging")]


@pytest.mark.slow  # builds the tables or draws every chart
def test_raw_files_are_never_written(raw_copy, tmp_path):
    from sendlib.tables import sha256

    before = {p: sha256(p) for p in raw_copy.rglob("*") if p.is_file()}
    tables.build(force=True, raw_dir=raw_copy, processed_dir=tmp_path / "out")
    assert {p: sha256(p) for p in raw_copy.rglob("*") if p.is_file()} == before


def test_the_zips_are_read_as_published_without_unzipping():
    # The committed raw folder holds the zips themselves, not extracted CSVs.
    assert not list(config.RAW_DIR.rglob("caseload.csv"))
    with zipfile.ZipFile(config.RAW_DIR / RELEASE_2025) as archive:
        assert archive.testzip() is None
