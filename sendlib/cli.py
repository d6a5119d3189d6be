"""The ``sendlib`` command: build the processed data, look up councils, build meeting packs.

Run ``sendlib --help`` or ``sendlib COMMAND --help``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sendlib.errors import SendlibError


def _data_build(args: argparse.Namespace) -> int:
    from sendlib import processed

    def step(message: str) -> None:
        if not args.quiet:
            print(f"sendlib data build: {message}", file=sys.stderr)

    manifest = processed.build(force=args.force, step=step)
    if not args.quiet:
        for name, table in manifest["tables"].items():
            print(f"  {name:<24} {table['rows']:>7,} rows")
    return 0


def _data_status(args: argparse.Namespace) -> int:
    from sendlib import config, processed

    reason = processed.stale_reason()
    print(
        f"processed tables in {config.processed_dir()}: "
        + ("up to date" if reason is None else f"stale ({reason})")
    )
    return 0 if reason is None else 1


def _council(args: argparse.Namespace) -> int:
    import sendlib

    council = sendlib.find_council(args.council)
    print(
        f"{council['area_name']} (DfE {council['old_la_code']}, {council['area_code']}), "
        f"{council['subregion'] if council['subregion'] else council['region_name']}"
    )
    print(sendlib.council_history(args.council).to_string(index=False))
    print(f"\nStatistical neighbours ({args.model} model):")
    print(sendlib.statistical_neighbours(args.council, model=args.model).to_string(index=False))
    print("\nStatements and EHC plans at each January:")
    table = sendlib.ehcp_caseload(args.council)[["year", "area_name", "ehcps", "ehcps_flag"]]
    print(table.to_string(index=False))
    return 0


def _pack(args: argparse.Namespace) -> int:
    from sendlib import config, packs, processed

    processed.build()
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
    pack = packs.read_pack(args.definition)
    target = packs.pack_folder(pack)
    if args.update and not args.force and target.exists() and packs.is_current(pack):
        print(f"up to date: {target}/index.html")
        return 0
    target = packs.build_pack(
        pack, force=args.force, update=args.update, progress=not args.quiet, workers=args.workers
    )
    print(f"pack written to {target}/index.html")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line, for ``--help`` and for tests."""
    top = argparse.ArgumentParser(
        prog="sendlib", description="SEND statistics and board packs for English councils."
    )
    commands = top.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="build or check the processed tables")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    build = data_commands.add_parser(
        "build", help="build data/processed/ from data/raw/ (only if an input changed)"
    )
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.add_argument("--quiet", action="store_true", help="print nothing on success")
    build.set_defaults(run=_data_build)
    status = data_commands.add_parser(
        "status", help="say whether the tables are up to date (exit 1 when stale)"
    )
    status.set_defaults(run=_data_status)

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
    pack.add_argument("--quiet", action="store_true", help="no progress bar")
    pack.set_defaults(run=_pack)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sendlib`` console command."""
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except SendlibError as exc:
        print(f"sendlib: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "sendlib: interrupted; nothing half-built was kept, and earlier packs are untouched",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
