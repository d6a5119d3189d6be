"""Speed of building the default meeting pack, measured side by side in one run.

    python benchmarks/pack_speed.py [--repeat N]

Three timings of the same reports:
  1. `sendlib pack` machinery (read and check the definition, run the notebooks in parallel,
     render with sendlib's page, index and manifest), from a fresh reports folder;
  2. the naive loop: for each report, the `papermill` command line, then
     `jupyter nbconvert --to html --no-input`, one after the other;
  3. the `sendlib pack` machinery on a pack of the same number of empty notebooks: starting
     and warming the pool's kernels (each imports sendlib and reads its tables, about 2.5 s,
     overlapped with earlier reports), kernel start-up and rendering, without the reports' work.
Goals: (2)/(1) at least 3; (1)/(3) at most 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sendlib import config, tables
from sendlib.pipeline import packs

DEFAULT = config.PACKS_DIR / "kingston-upon-thames" / "2021-12-16.toml"
BIN = Path(sys.executable).parent


def sendlib_pack(folder: Path) -> float:
    started = time.perf_counter()
    packs.build_pack(packs.read_pack(DEFAULT), reports_dir=folder, progress=False)
    return time.perf_counter() - started


def naive_loop(folder: Path) -> float:
    pack = packs.read_pack(DEFAULT)
    started = time.perf_counter()
    for report in pack.reports:
        executed = folder / f"{report.notebook}.ipynb"
        arguments = []
        for name, value in pack.parameters(report).items():
            if isinstance(value, list | dict):  # scenarios, goals: papermill's -y takes YAML
                arguments += ["-y", json.dumps({name: value})]
            else:
                arguments += ["-p", name, str(value)]
        subprocess.run(
            [
                BIN / "papermill",
                str(report.path),
                str(executed),
                *arguments,
                "--cwd",
                str(config.NOTEBOOKS_DIR),
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started


def empty_pack(folder: Path) -> float:
    """The same machinery and number of reports, each an empty notebook."""
    pack = packs.read_pack(DEFAULT)
    notebooks = folder / "notebooks"
    notebooks.mkdir()
    for report in pack.reports:
        source = "\n".join(f"{name} = None  # {name}" for name in pack.parameters(report))
        packs.write_notebook(notebooks / f"{report.notebook}.ipynb", source)
    original = config.NOTEBOOKS_DIR
    config.NOTEBOOKS_DIR = notebooks
    try:
        started = time.perf_counter()
        packs.build_pack(pack, reports_dir=folder / "reports", progress=False)
        return time.perf_counter() - started
    finally:
        config.NOTEBOOKS_DIR = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median kept)")
    args = parser.parse_args()
    tables.build()
    runs: dict[str, list[float]] = {"pack": [], "naive": [], "empty": []}
    for _ in range(args.repeat):
        for name, measure in [("pack", sendlib_pack), ("naive", naive_loop), ("empty", empty_pack)]:
            with tempfile.TemporaryDirectory() as folder:
                runs[name].append(measure(Path(folder)))
    pack, naive, empty = (statistics.median(runs[k]) for k in ("pack", "naive", "empty"))
    reports = len(packs.read_pack(DEFAULT).reports)
    print(f"default pack ({reports} reports) on {os.cpu_count()} cores, median of {args.repeat}:")
    print(f"  sendlib pack:                         {pack:6.2f} s")
    print(f"  naive papermill + nbconvert loop:     {naive:6.2f} s")
    print(f"  sendlib pack of {reports} empty notebooks:     {empty:6.2f} s")
    print(f"  naive / sendlib pack:                 {naive / pack:6.2f}x  (goal >= 3x)")
    print(f"  sendlib pack / empty pack:            {pack / empty:6.2f}x  (goal <= 1.5x)")


if __name__ == "__main__":
    main()
