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


class UnknownCouncilError(SendlibError, LookupError):
    """A council name or code that matches no council, with the closest real ones."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query, self.suggestions = query, suggestions
        msg = f"No council called {query!r}."
        if suggestions:
            msg += " Did you mean: " + "; ".join(suggestions) + "?"
        msg += " (Name a council by its name, its 3-digit DfE code or its 9-character ONS code.)"
        super().__init__(msg)
