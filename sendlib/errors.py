"""The errors sendlib raises: each names the file, the place in it, what was expected and found.

>>> print(DataFileError("caseload.csv", "ehcplans column missing", column="ehcplans",
...                     expected="a column named 'ehcplans'", found="no such column",
...                     hint="check the release is the 2025 EHCP release"))
caseload.csv, column 'ehcplans': ehcplans column missing
  expected: a column named 'ehcplans'
  found:    no such column
  fix:      check the release is the 2025 EHCP release
"""

from __future__ import annotations


class SendlibError(Exception):
    """Base class of every error sendlib raises on purpose."""


class DataFileError(SendlibError):
    """An input file is missing, unreadable or not in the expected shape."""

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        column: str | None = None,
        row: int | None = None,
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file, self.problem, self.column, self.row = file, problem, column, row
        self.expected, self.found, self.hint = expected, found, hint
        where = [str(file)]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        lines = [f"{', '.join(where)}: {problem}"]
        if expected is not None:
            lines.append(f"  expected: {expected}")
        if found is not None:
            lines.append(f"  found:    {found}")
        if hint is not None:
            lines.append(f"  fix:      {hint}")
        super().__init__("\n".join(lines))


class DataFileErrors(DataFileError):
    """Several problems in one or more input files, every one listed (so a file is fixed in
    one pass, not one error at a time)."""

    def __init__(self, errors: list[DataFileError], what: str = "the council's files") -> None:
        self.errors = list(errors)
        first = self.errors[0]
        self.file, self.problem, self.column, self.row = (
            first.file,
            first.problem,
            first.column,
            first.row,
        )
        self.expected, self.found, self.hint = first.expected, first.found, first.hint
        lines = [f"{len(self.errors)} problem(s) in {what}:"]
        lines += [str(e).replace("\n", "\n    ") for e in self.errors]
        SendlibError.__init__(self, "\n  - ".join(lines))


class UnknownAreaError(SendlibError, LookupError):
    """A name or code that matches no area (council, region, Inner/Outer London, England),
    with the closest real ones."""

    what = "area"

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query, self.suggestions = query, suggestions
        msg = f"No {self.what} called {query!r}."
        if suggestions:
            msg += " Did you mean: " + "; ".join(suggestions) + "?"
        msg += (
            f" (Name {'an' if self.what[0] in 'aeiou' else 'a'} {self.what} by its name, its 3-digit DfE code or its 9-character ONS "
            "code.)"
        )
        LookupError.__init__(self, msg)


class UnknownCouncilError(UnknownAreaError):
    """A council name or code that matches no council, with the closest real ones."""

    what = "council"


class AmbiguousAreaError(UnknownAreaError):
    """A name that could mean two or more different areas (a region and a council, two
    councils of one name): each is listed, with the code that names it alone."""

    def __init__(self, query: str, candidates: list[str]) -> None:
        self.query, self.suggestions = query, candidates
        LookupError.__init__(
            self,
            f"{query!r} could mean more than one area: {'; '.join(candidates)}. Use the full "
            "name or the code of the one you mean.",
        )


class NotACouncilError(UnknownCouncilError):
    """A name or code of a region, Inner/Outer London or England where a council is needed."""

    def __init__(self, query: str, area_name: str, level: str) -> None:
        self.query, self.area_name, self.level, self.suggestions = query, area_name, level, []
        kind = {"national": "the country", "region": "a region"}.get(level, "part of London")
        hint = " (for the council, say 'City of London' or 201)" if area_name == "London" else ""
        LookupError.__init__(
            self,
            f"{query!r} is {area_name}, {kind}, not a council: this needs one council{hint}.",
        )


class NotAvailableError(SendlibError, LookupError):
    """A figure the published data does not hold (a council outside a neighbour model, too
    few years to forecast, a year not published), with the reason and what is available."""


class ArgumentError(SendlibError, ValueError):
    """An argument of the wrong kind (a year that is not a year, an area that is not a name or
    code), with what was expected and what was given."""


class OutputError(SendlibError, OSError):
    """sendlib could not write an output (disk full, a read-only folder, a path inside
    ``data/raw``); what was there before is unchanged."""


def write_problem(what: str, folder: object, exc: OSError) -> OutputError:
    """An :class:`OutputError` for an ``OSError`` met while writing ``what`` to ``folder``.

    >>> import errno
    >>> print(write_problem("the tables", "data/processed", OSError(errno.ENOSPC, "No space left on device")))
    cannot write the tables to data/processed: No space left on device (the disk is full: free some space and run the command again); what was there before is unchanged
    """
    import errno

    reason = exc.strerror or str(exc)
    fix = {
        errno.ENOSPC: "the disk is full: free some space and run the command again",
        errno.EROFS: "the folder is on a read-only disk: choose another (see sendlib.config)",
        errno.EACCES: "make the folder writable, or choose another (see sendlib.config)",
        errno.EPERM: "make the folder writable, or choose another (see sendlib.config)",
    }.get(exc.errno or 0, "check the folder and run the command again")
    return OutputError(
        f"cannot write {what} to {folder}: {reason} ({fix}); what was there before is unchanged"
    )
