"""One PDF of a meeting's pack, for councils' committee systems: the index first, then each
report, a bookmark per page, A4 with page numbers (the pages' print stylesheet).

Each page is printed by headless Chromium (``--print-to-pdf``), found on the PATH as
``chromium``, ``chromium-browser``, ``google-chrome`` or ``msedge`` (or named by
``SENDLIB_CHROMIUM``); without one, :class:`~sendlib.pipeline.definitions.PackError` says how
to install it. The pages are joined with pypdf, bookmarked, and stamped with the meeting's
date rather than the clock's, so the same pack gives the same PDF, byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from sendlib.pipeline.definitions import PackError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome", "msedge")
"""The names a Chromium-based browser goes by on Linux, macOS and Windows."""


def find_chromium() -> str:
    """The path of a Chromium-based browser, or :class:`PackError` saying how to get one."""
    named = os.environ.get("SENDLIB_CHROMIUM")
    if named:
        if Path(named).exists() or shutil.which(named):
            return shutil.which(named) or named
        raise PackError(f"SENDLIB_CHROMIUM names {named!r}, which does not exist")
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise PackError(
        "--pdf needs a Chromium-based browser to print the pages, and none was found (looked "
        f"for {', '.join(BROWSERS)} on the PATH). Install one (Debian/Ubuntu: `apt-get "
        "install chromium`; Windows and macOS: Chrome or Edge), or set SENDLIB_CHROMIUM to its "
        "path. The HTML pack was built; only the PDF is missing."
    )


def print_page(browser: str, page: Path, out: Path) -> None:
    """Print one HTML page to ``out`` with headless Chromium (no header or footer of its own:
    the page's print stylesheet numbers the pages)."""
    with tempfile.TemporaryDirectory(prefix="sendlib-chromium-") as profile:
        result = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={out}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    if result.returncode != 0 or not out.exists():
        raise PackError(
            f"{browser} could not print {page.name} to PDF (exit {result.returncode}): "
            f"{(result.stderr or '').strip()[-300:]}"
        )


def write_pack_pdf(
    folder: Path, pages: list[tuple[str, str]], *, title: str, meeting: date, out: Path
) -> Path:
    """Print ``pages`` (file name, bookmark title) of the pack in ``folder`` and join them
    into ``out``, one bookmark per page; written whole (to a temporary name, then moved).
    Returns ``out``."""
    from pypdf import PdfReader, PdfWriter

    browser = find_chromium()
    writer = PdfWriter()
    with tempfile.TemporaryDirectory(prefix="sendlib-pdf-") as work:
        for number, (name, bookmark) in enumerate(pages):
            printed = Path(work) / f"{number:02d}.pdf"
            print_page(browser, folder / name, printed)
            first = len(writer.pages)
            for page in PdfReader(printed).pages:
                writer.add_page(page)
            writer.add_outline_item(title=bookmark, page_number=first)
        stamp = f"D:{meeting:%Y%m%d}000000Z"
        writer.add_metadata(
            {
                "/Title": title,
                "/Producer": "sendlib",
                "/Creator": "sendlib",
                "/CreationDate": stamp,
                "/ModDate": stamp,
            }
        )
        partial = out.with_name(f".{out.name}.partial")
        with open(partial, "wb") as handle:
            writer.write(handle)
        os.replace(partial, out)
    return out
