"""``sendlib data update``: bring DfE's newest "Education, health and care plans" release in.

The steps a careful analyst would take by hand, each checked:

1. **Find** the newest release: ask explore-education-statistics' content API for the
   publication's latest release (``GET {service}/api/publications/{slug}/releases/latest``: its
   ``id``, ``title`` and ``published`` date), whose files come as one zip
   (``GET {service}/api/releases/{id}/files``, the site's "Download all data" link). Or take the
   zip the user names (``--source``: a path, or a URL).
2. **Download** it into a hidden part-file beside the releases (nothing named ``*.zip`` until it
   is whole).
3. **Check** it: a whole zip of this publication in a layout sendlib reads
   (:func:`sendlib.ingest.release_files.identify`), then the tables built from it and every other
   raw input in a scratch folder, with the data check (a release that fails it is refused).
4. **Swap** it in: one atomic rename to ``data/raw/dfe-ehcp/education-health-and-care-plans_
   <year>.zip``, its source address, release date and sha256 recorded in ``data/raw/README.md``
   (written whole), then the tables rebuilt. Earlier releases are kept: the tables read each
   release's figures (``caseload_releases``), and the newest feeds the rest.

Offline, an error from the service, a truncated download, a zip of another publication or one
that fails the checks: it says so and changes nothing in ``data/raw`` or ``data/processed``.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sendlib import config, tables
from sendlib.errors import SendlibError
from sendlib.ingest import release_files
from sendlib.outputs import written_whole

SERVICE = "https://content.explore-education-statistics.service.gov.uk"
"""explore-education-statistics' content API (``SENDLIB_EES_SERVICE`` overrides it)."""
PUBLICATION_SLUG = "education-health-and-care-plans"
TIMEOUT = 60
"""Seconds to wait for the service to answer (each read)."""


class UpdateError(SendlibError):
    """The update could not be made; nothing in data/raw or data/processed changed."""


@dataclass(frozen=True)
class Updated:
    """What :func:`update` did: the release file now in data/raw (or already there)."""

    path: Path
    reporting_year: int
    sha256: str
    source: str
    published: str
    new: bool


def service() -> str:
    """The content API's address: ``SENDLIB_EES_SERVICE`` or :data:`SERVICE`."""
    return os.environ.get("SENDLIB_EES_SERVICE", SERVICE).rstrip("/")


def _open(url: str):
    request = urllib.request.Request(url, headers={"User-Agent": "sendlib data update"})
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT)  # noqa: S310 (http(s) only)
    except urllib.error.HTTPError as exc:
        exc.close()  # the error carries the open response
        raise UpdateError(
            f"the service answered {exc.code} {exc.reason} for {url}; nothing was changed. "
            "Try again later, or download the release zip from explore-education-statistics "
            "and run `sendlib data update --source PATH`."
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UpdateError(
            f"could not reach {url} ({reason}); nothing was changed. Check the connection, "
            "or run `sendlib data update --source PATH` with a release zip downloaded by hand."
        ) from exc


def latest_release(base: str | None = None) -> dict:
    """The publication's latest release as the content API describes it: ``id``, ``title``,
    ``published`` (ISO date), ``files`` (the address of its zip of every file)."""
    base = base or service()
    url = f"{base}/api/publications/{PUBLICATION_SLUG}/releases/latest"
    with _open(url) as response:
        try:
            found = json.loads(response.read().decode("utf-8"))
        except ValueError as exc:
            raise UpdateError(
                f"the service's answer for {url} is not the JSON it publishes; nothing was changed"
            ) from exc
    if not isinstance(found, dict) or not found.get("id"):
        raise UpdateError(f"the service's answer for {url} names no release; nothing was changed")
    return {
        "id": str(found["id"]),
        "title": str(found.get("title", "")),
        "published": str(found.get("published", ""))[:10],
        "files": f"{base}/api/releases/{found['id']}/files",
    }


def _download(url: str, target: Path, step: Callable[[str], None]) -> None:
    with _open(url) as response, open(target, "wb") as out:
        expected = response.headers.get("Content-Length")
        written = 0
        try:
            for block in iter(lambda: response.read(1 << 20), b""):
                out.write(block)
                written += len(block)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise UpdateError(
                f"the download from {url} broke off after {written:,} bytes ({exc}); nothing "
                "was changed. Try again."
            ) from exc
    if expected is not None and int(expected) != written:
        raise UpdateError(
            f"the download from {url} is truncated: {written:,} of {int(expected):,} bytes; "
            "nothing was changed. Try again."
        )
    step(f"downloaded {written / 1e6:.1f} MB")


def _scratch_build(raw: Path, incoming: Path, name: str, scratch: Path) -> None:
    """Build the tables from the raw inputs plus ``incoming`` (as ``name``) in ``scratch``."""
    trial = scratch / "raw"
    for relative in config.raw_inputs(raw):
        if Path(relative).name == name:
            continue
        (trial / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(raw / relative, trial / relative)
    (trial / config.EHCP_DIR).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(incoming, trial / config.EHCP_DIR / name)
    tables.build(force=True, raw_dir=trial, processed_dir=scratch / "processed")


def record(readme: Path, row: str) -> None:
    """Add ``row`` to the table of fetched releases at the end of data/raw's README (written
    whole: a new file renamed over the old)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    heading = "## Releases brought in by `sendlib data update`"
    if heading not in text:
        text = text.rstrip("\n") + (
            f"\n\n{heading}\n\n| file | source | published | fetched | sha256 |\n"
            "| --- | --- | --- | --- | --- |\n"
        )
    text = text.rstrip("\n") + "\n" + row + "\n"
    with written_whole(readme, "data/raw/README.md", raw=True) as part:
        part.write_text(text, encoding="utf-8")


def _swap_in(incoming: Path, target: Path, raw: Path, processed_dir, step) -> None:
    """Put the checked zip in place and rebuild the tables; a release of the same year (DfE
    revises releases) is kept until the tables are built, and put back if they are not."""
    previous = target.with_name(f"{target.name}.previous")
    if target.exists():
        os.replace(target, previous)
    os.replace(incoming, target)
    try:
        step("rebuilding the tables")
        tables.build(raw_dir=raw, processed_dir=processed_dir, step=step)
    except BaseException:
        if previous.exists():
            os.replace(previous, target)
        else:
            target.unlink(missing_ok=True)
        raise
    previous.unlink(missing_ok=True)


def update(
    source: str | None = None,
    *,
    raw_dir: Path | None = None,
    processed_dir: Path | None = None,
    step: Callable[[str], None] = lambda _: None,
) -> Updated:
    """Bring the newest release (or the zip at ``source``, a path or URL) into data/raw, checked,
    and rebuild the tables (see the module). Raises :class:`UpdateError` (or a
    :class:`sendlib.errors.DataFileError` naming what is wrong) having changed nothing."""
    raw = Path(raw_dir or config.RAW_DIR)
    folder = raw / config.EHCP_DIR
    published = ""
    if source is None:
        step("asking explore-education-statistics for the latest release")
        latest = latest_release()
        url, published = latest["files"], latest["published"]
        step(f"latest: {latest['title'] or latest['id']}, published {published or 'date unknown'}")
    else:
        url = source
    incoming = folder / f".incoming-{os.getpid()}.part"
    try:
        if source is not None and not source.startswith(("http://", "https://")):
            path = Path(source).expanduser()
            if not path.is_file():
                raise UpdateError(f"{path}: no such file; nothing was changed")
            step(f"copying {path}")
            shutil.copyfile(path, incoming)
            url = str(path.resolve())
        else:
            step(f"downloading {url}")
            _download(url, incoming, step)
        found = release_files.identify(incoming, whole=True)
        name = f"education-health-and-care-plans_{found.reporting_year}.zip"
        target = folder / name
        if target.exists() and tables.sha256(target) == found.sha256:
            step(f"{name} is already in data/raw/ (the same bytes): nothing to do")
            return Updated(target, found.reporting_year, found.sha256, url, published, False)
        step(f"checking the {found.reporting_year} release ({found.layout} layout): the tables")
        with tempfile.TemporaryDirectory(prefix="sendlib-update-") as scratch:
            _scratch_build(raw, incoming, name, Path(scratch))
        step(f"swapping {name} into data/raw/{config.EHCP_DIR}/")
        _swap_in(incoming, target, raw, processed_dir, step)
    finally:
        incoming.unlink(missing_ok=True)
    record(
        raw / "README.md",
        f"| `{config.EHCP_DIR}/{name}` | {url} | {published or 'see the release'} | "
        f"{date.today().isoformat()} | `{found.sha256}` |",
    )
    return Updated(target, found.reporting_year, found.sha256, url, published, True)
