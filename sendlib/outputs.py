"""Where sendlib may write: anywhere but ``data/raw``, which holds the published inputs.

Every writer asks :func:`writable` first, so no command, call or setting (``--csv``, a path
given to :func:`sendlib.to_excel`, ``SENDLIB_PROCESSED_DIR`` or ``SENDLIB_REPORTS_DIR``
pointing into ``data/raw``) can overwrite an input. Links are followed: a path that only looks
outside ``data/raw`` is judged by where it lands.

>>> from sendlib import config
>>> writable(config.PROJECT_ROOT / "reports" / "kent.xlsx", "a workbook").name
'kent.xlsx'
>>> writable(config.RAW_DIR / "local" / "kent.xlsx", "a workbook")
Traceback (most recent call last):
...
sendlib.errors.OutputError: a workbook would be written inside data/raw/ (.../data/raw/local/kent.xlsx), which holds the published inputs and is never written to: choose a path outside it
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sendlib import config
from sendlib.errors import OutputError, write_problem


def inside_raw(path: str | Path, raw_dir: Path | None = None) -> bool:
    """Whether ``path`` (links followed) lies in ``data/raw`` (or ``raw_dir``)."""
    raw = Path(raw_dir or config.RAW_DIR).resolve()
    target = Path(path).expanduser().resolve()
    return target == raw or raw in target.parents


def writable(path: str | Path, what: str) -> Path:
    """``path`` as given, or :class:`~sendlib.errors.OutputError` if it lies in data/raw."""
    if inside_raw(path):
        raise OutputError(
            f"{what} would be written inside data/raw/ ({Path(path).expanduser().resolve()}), "
            "which holds the published inputs and is never written to: choose a path outside it"
        )
    return Path(path)


@contextlib.contextmanager
def written_whole(path: str | Path, what: str, *, raw: bool = False) -> Iterator[Path]:
    """Write a file whole or not at all: yields a part-file beside ``path`` to write, renamed
    onto ``path`` when the block ends well and removed when it does not. The path is checked
    by :func:`writable` (``raw``: the one sanctioned writer of data/raw, ``data update``); an
    ``OSError`` (a full disk, a read-only folder) becomes an :class:`OutputError` naming the
    folder, with what was there before unchanged.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with written_whole(folder / "t.csv", "the table") as part:
    ...     _ = part.write_text("a\\n1\\n")
    >>> sorted(p.name for p in folder.iterdir())
    ['t.csv']
    """
    target = Path(path) if raw else writable(path, what)
    partial = target.with_name(f".{target.stem}.partial{target.suffix}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        yield partial
        os.replace(partial, target)
    except OSError as exc:
        raise write_problem(what, target.parent, exc) from exc
    finally:
        partial.unlink(missing_ok=True)


def exports_dir() -> Path:
    """Where an analyst's exports (workbooks, charts) go unless told: ``reports/exports/``
    (or under ``SENDLIB_REPORTS_DIR``)."""
    return config.reports_dir() / "exports"
