"""The ``sendlib`` command: build the processed data, look up councils, build meeting packs.

Run ``sendlib --help`` or ``sendlib COMMAND --help``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from sendlib.errors import SendlibError


def _data_build(args: argparse.Namespace) -> int:
    from sendlib import tables

    def step(message: str) -> None:
        if not args.quiet:
            print(f"sendlib data build: {message}", file=sys.stderr)

    manifest = tables.build(force=args.force, step=step)
    if not args.quiet:
        for name, table in manifest["tables"].items():
            print(f"  {name:<24} {table['rows']:>7,} rows")
        print(
            "  the data check's findings are in the findings table: `sendlib data check` lists them"
        )
    return 0


def _data_update(args: argparse.Namespace) -> int:
    from sendlib.pipeline import data_update

    def step(message: str) -> None:
        if not args.quiet:
            print(f"sendlib data update: {message}", file=sys.stderr)

    done = data_update.update(args.source, step=step)
    if done.new:
        print(
            f"data/raw/{done.path.parent.name}/{done.path.name}: the January "
            f"{done.reporting_year} census, from {done.source} (sha256 {done.sha256[:12]}...); "
            "recorded in data/raw/README.md; tables rebuilt. Build packs again with "
            "`sendlib pack ... --update`."
        )
    else:
        print(f"already up to date: {done.path.name} is DfE's release as published")
    return 0


def _data_check(args: argparse.Namespace) -> int:
    import pandas as pd

    from sendlib import tables
    from sendlib.outputs import writable, written_whole

    target = writable(args.csv, "the findings (--csv)") if args.csv else None
    built = tables.build_tables(step=lambda _: None)  # raises DataQualityError on errors
    findings = built["findings"]
    if target is not None:
        with written_whole(target, "the findings (--csv)") as part:
            findings.to_csv(part, index=False)
    counts = findings.groupby(["severity", "check", "action"]).size()
    print(f"sendlib data check: {len(findings)} finding(s) in the published files")
    for (severity, check, action), n in counts.items():
        print(f"  {severity:<8} {check:<28} {n:>4}  ({action})")
    shown = findings if args.all else findings[findings["action"].ne("flagged")]
    if len(shown):
        print("\nFigures excluded:" if not args.all else "\nEvery finding:")
        with pd.option_context("display.max_rows", None, "display.width", 200):
            columns = ["file", "measure", "period", "area_name", "value", "found"]
            print(shown[columns].to_string(index=False))
    return 0


def _data_status(args: argparse.Namespace) -> int:
    """Whether the tables match data/raw (exit 0) or not (1), and whether data/raw holds the
    newest release DfE has published (said, with the command that brings it in)."""
    from datetime import date

    from sendlib import config, tables
    from sendlib.ingest.release_files import releases_in
    from sendlib.publications import census_published_by

    reason = tables.stale_reason()
    print(
        f"processed tables in {config.processed_dir()}: "
        + ("up to date with data/raw/" if reason is None else f"stale ({reason})")
    )
    try:
        found = releases_in(config.RAW_DIR / config.EHCP_DIR)
        held = max(r.reporting_year for r in found)
    except (SendlibError, ValueError) as exc:
        print(f"data/raw/{config.EHCP_DIR}: {str(exc).splitlines()[0]}")
        return 1
    print(
        f"data/raw/{config.EHCP_DIR}: "
        + "; ".join(
            f"{r.name} (reporting year {r.reporting_year}, {r.layout} layout)" for r in found
        )
    )
    published = census_published_by(date.today())
    if published > held:
        print(
            f"data/raw/ holds DfE's EHCP releases to January {held}; DfE published the January "
            f"{published} census in June {published}: run `sendlib data update` to bring it in"
        )
    else:
        print(f"data/raw/ holds DfE's newest EHCP release (January {held} census)")
    return 0 if reason is None else 1


def _council(args: argparse.Namespace) -> int:
    import sendlib
    from sendlib.geography import comparison_region

    council = sendlib.find_council(args.council)
    print(
        f"{council['area_name']} (DfE {council['old_la_code']}, {council['area_code']}), "
        f"{comparison_region(council)[0]}"
    )
    print(sendlib.council_history(args.council).to_string(index=False))
    print(f"\nStatistical neighbours ({args.model} model):")
    try:
        print(sendlib.statistical_neighbours(args.council, model=args.model).to_string(index=False))
    except sendlib.errors.NotAvailableError as exc:
        print(f"  none: {exc}")
    print("\nStatements and EHC plans at each January:")
    table = sendlib.ehcp_caseload(args.council)[["year", "area_name", "ehcps", "ehcps_flag"]]
    print(table.to_string(index=False))
    return 0


def _pack(args: argparse.Namespace) -> int:
    from sendlib import config, tables
    from sendlib.pipeline import packs

    tables.build()
    if args.all_councils:
        definition = args.definition or config.PACKS_DIR / "all-councils.toml"
        councils = [c.strip() for c in args.councils.split(",")] if args.councils else None
        outcome = packs.build_all_councils(definition, councils=councils, progress=not args.quiet)
        print(
            f"built {len(outcome['built'])}, already up to date {len(outcome['skipped'])}, "
            f"failed {len(outcome['failed'])}"
        )
        for failure in outcome["failed"]:
            print(f"  FAILED {failure}", file=sys.stderr)
        return 1 if outcome["failed"] else 0
    if args.definition is None:
        print("sendlib pack: name a pack definition, or use --all-councils", file=sys.stderr)
        return 2
    if str(args.definition) == "new":
        return _new_pack(args)
    # Several definitions are built oldest meeting first, so each pack's "Since the last
    # meeting" finds the one before it. Every definition is read (and checked) first.
    chosen = sorted(
        (packs.read_pack(path) for path in [args.definition, *args.new_meeting]),
        key=lambda p: (p.slug, p.meeting_date),
    )
    if args.pdf:
        from sendlib.pipeline import pdf

        pdf.find_chromium()  # say before building, not after, when there is no browser
    for pack in chosen:
        target = packs.pack_folder(pack)
        if args.update and not args.force and target.exists():
            reason = packs.stale_reason(pack)
            if reason is None:
                print(f"up to date: {target}/index.html (every input and page as recorded)")
                if args.pdf:
                    print(f"PDF written to {packs.pack_pdf(pack)}")
                continue
            print(f"rebuilding {target}: {reason}", file=sys.stderr)
        target = packs.build_pack(
            pack,
            force=args.force,
            update=args.update,
            progress=not args.quiet,
            workers=args.workers,
        )
        print(f"pack written to {target}/index.html")
        if args.pdf:
            print(f"PDF written to {packs.pack_pdf(pack)}")
    return 0


def _local_check(args: argparse.Namespace) -> int:
    from sendlib import config
    from sendlib.measures.areas import find_council
    from sendlib.pipeline import council_check
    from sendlib.pipeline.definitions import slugify

    name = str(find_council(args.council)["area_name"])
    folder = Path(args.folder) if args.folder else council_check.council_folder(name)
    rules = Path(args.rules) if args.rules else config.PACKS_DIR / slugify(name) / "kpi_rules.csv"
    if args.quarter and args.year:
        year, quarter = args.year.replace("/", "-"), args.quarter.upper()
    else:
        latest_year, latest_quarter = council_check.latest_period(folder)
        year, quarter = args.year or latest_year, (args.quarter or latest_quarter).upper()
        print(
            f"checking {quarter} {year}: the latest quarter's files in {folder} "
            "(name --quarter and --year for another)"
        )
    problems = council_check.check_council_files(folder, rules, quarter=quarter, year=year)
    if not problems:
        print(f"{name}, {quarter} {year}: every file in {folder} can be used; no problem found")
        return 0
    print(f"{name}, {quarter} {year}: {len(problems)} problem(s) in {folder}:")
    for problem in problems:
        print("  - " + str(problem).replace("\n", "\n    "))
    return 1


def _new_pack(args: argparse.Namespace) -> int:
    from datetime import date

    from sendlib.pipeline import meetings

    if str(args.definition) != "new" or len(args.new_meeting) != 2:
        print(
            "sendlib pack: to write a new meeting's definition, say "
            "`sendlib pack new COUNCIL MEETING_DATE` (e.g. sendlib pack new Kent 2025-07-10); "
            f"found: {' '.join([str(args.definition), *args.new_meeting])}",
            file=sys.stderr,
        )
        return 2
    council, day = args.new_meeting
    try:
        meeting = date.fromisoformat(day)
    except ValueError:
        print(
            f"sendlib pack new: the meeting date must be YYYY-MM-DD, e.g. 2025-07-10; found {day!r}",
            file=sys.stderr,
        )
        return 2
    written = meetings.new_pack(council, meeting, local_files=args.local_files)
    print(f"wrote {written.path}")
    for note in written.notes:
        print(f"  - {note}")
    print(f"build it with: sendlib pack {written.path}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line, for ``--help`` and for tests."""
    top = argparse.ArgumentParser(
        prog="sendlib", description="SEND statistics and board packs for English councils."
    )
    commands = top.add_subparsers(dest="command", required=True)
    _data_commands(commands)
    _council_command(commands)
    _pack_command(commands)
    _local_commands(commands)
    return top


def _data_commands(commands) -> None:
    """``sendlib data build | check | update | status``."""
    data = commands.add_parser("data", help="build or check the processed tables")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    build = data_commands.add_parser(
        "build", help="build data/processed/ from data/raw/ (only if an input changed)"
    )
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.add_argument("--quiet", action="store_true", help="print nothing on success")
    build.set_defaults(run=_data_build)
    check = data_commands.add_parser(
        "check",
        help="test the published files against themselves; list what is excluded and flagged",
        description="Test DfE's published files against themselves (councils against their "
        "region and England, duplicates, negatives, zeros and gaps where others report, "
        "implausible jumps). Errors stop the build (exit 2); anomalies are listed: excluded "
        "figures are left out of every sum, mean and forecast, with the reason. "
        "`sendlib data build` runs the same check.",
    )
    check.add_argument("--all", action="store_true", help="list flagged findings too")
    check.add_argument("--csv", type=Path, help="write every finding to this CSV file")
    check.set_defaults(run=_data_check)
    fetch = data_commands.add_parser(
        "update",
        help="fetch DfE's newest EHCP release, check it, swap it into data/raw/, rebuild",
        description="Fetch the newest 'Education, health and care plans' release from "
        "explore-education-statistics (or take --source), check it (a whole zip of that "
        "publication, in a layout sendlib reads, whose tables pass the data check), swap it "
        "into data/raw/dfe-ehcp/ with its source, date and sha256 in data/raw/README.md, and "
        "rebuild the tables. Offline or on any error it says so and changes nothing. "
        "SENDLIB_EES_SERVICE sets the service's address.",
    )
    fetch.add_argument(
        "--source",
        metavar="PATH_OR_URL",
        help="a release zip downloaded by hand, or its address, instead of asking the service",
    )
    fetch.add_argument("--quiet", action="store_true", help="print only the outcome")
    fetch.set_defaults(run=_data_update)
    status = data_commands.add_parser(
        "status", help="say whether the tables are up to date (exit 1 when stale)"
    )
    status.set_defaults(run=_data_status)


def _council_command(commands) -> None:
    """``sendlib council COUNCIL``."""
    council = commands.add_parser(
        "council", help="a council's codes, history, neighbours and caseload"
    )
    council.add_argument("council", help="name, 3-digit DfE code or 9-character ONS code")
    council.add_argument(
        "--model",
        default="2025",
        choices=["2025", "2021"],
        help="statistical neighbour model (default 2025)",
    )
    council.set_defaults(run=_council)


def _pack_command(commands) -> None:
    """``sendlib pack DEFINITION...`` and ``sendlib pack new COUNCIL MEETING_DATE``."""
    pack = commands.add_parser(
        "pack",
        help="build a board meeting's pack of HTML reports",
        description="Build a board meeting's pack: every report of the definition, run in "
        "parallel, rendered to self-contained HTML in reports/<council>/<meeting-date>/.",
    )
    pack.add_argument(
        "definition",
        type=Path,
        nargs="?",
        help="pack definition, e.g. packs/kingston-upon-thames/2021-12-16.toml",
    )
    pack.add_argument(
        "new_meeting",
        nargs="*",
        metavar="COUNCIL MEETING_DATE",
        help="more definitions, built oldest meeting first; or, after `new`: write "
        "packs/<council>/<MEETING_DATE>.toml for a new meeting, with the data the board would "
        "have had then (`sendlib pack new Kent 2025-07-10`); an existing definition is never "
        "overwritten",
    )
    pack.add_argument(
        "--local-files",
        action="store_true",
        help="with `new`: start data/raw/local/<council>/ and its KPI rules from the template "
        "for a council that has none (then its KPI and finance reports are in the pack)",
    )
    pack.add_argument(
        "--force",
        action="store_true",
        help="rebuild an existing pack (the old one is kept as a dated backup)",
    )
    pack.add_argument(
        "--update",
        action="store_true",
        help="rebuild an existing pack only if an input changed (the old one is kept)",
    )
    pack.add_argument(
        "--workers", type=int, default=None, help="reports run at once (default: one per core)"
    )
    pack.add_argument(
        "--all-councils",
        action="store_true",
        help="build the public-data pack (packs/all-councils.toml, or DEFINITION) for every "
        "council; resumable: packs already up to date are skipped",
    )
    pack.add_argument("--councils", help="with --all-councils: only these, comma-separated")
    pack.add_argument(
        "--pdf",
        action="store_true",
        help="also write the pack as one PDF (<meeting-date>.pdf in its folder: the index, then "
        "each report, a bookmark each, A4 with page numbers) through headless Chromium",
    )
    pack.add_argument("--quiet", action="store_true", help="no progress bar")
    pack.set_defaults(run=_pack)


def _local_commands(commands) -> None:
    """``sendlib local check COUNCIL``."""
    local = commands.add_parser("local", help="check a council's own KPI and finance files")
    local_commands = local.add_subparsers(dest="local_command", required=True)
    local_check = local_commands.add_parser(
        "check",
        help="read a quarter's files and list every problem at once",
        description="Read every file of a council's folder (data/raw/local/<council>/) that a "
        "quarter's KPI and finance reports need, with its KPI rules (packs/<council>/"
        "kpi_rules.csv), and list every problem at once: the file, the row or column, what "
        "was expected and found, and the fix. Exit 0 when there is none, 1 otherwise. "
        "`sendlib pack` runs the same check before it builds anything.",
    )
    local_check.add_argument("council", help="name, 3-digit DfE code or 9-character ONS code")
    local_check.add_argument("--quarter", help="Q1-Q4 (default: the latest quarter's files)")
    local_check.add_argument("--year", help="financial year, e.g. 2021-22 (default: latest)")
    local_check.add_argument(
        "--folder", help="the council's folder (default data/raw/local/<council>)"
    )
    local_check.add_argument(
        "--rules", help="the KPI rules (default packs/<council>/kpi_rules.csv)"
    )
    local_check.set_defaults(run=_local_check)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sendlib`` console command."""
    import signal

    args = parser().parse_args(argv)

    def terminate(signum, frame):  # SIGTERM: clean up as after Ctrl-C, then stop
        raise KeyboardInterrupt

    if hasattr(signal, "SIGTERM"):
        with contextlib.suppress(ValueError):  # not in the main thread (tests)
            signal.signal(signal.SIGTERM, terminate)
    try:
        return args.run(args)
    except SendlibError as exc:
        print(f"sendlib: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a fault no step foresaw (a disk, a network share, permissions)
        doing = " ".join(
            str(part)
            for part in (args.command, getattr(args, f"{args.command}_command", None))
            if part
        )
        where = f" ({exc.filename})" if exc.filename else ""
        print(
            f"sendlib {doing}: stopped by the system: {exc.strerror or exc}{where}. Outputs are "
            "written whole or not at all, so nothing half-written was kept; fix the cause and "
            "run the command again.",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(
            "sendlib: interrupted; nothing half-built was kept, and earlier packs are untouched",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
