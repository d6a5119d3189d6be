"""Speed of the data layer, measured side by side in one run (no timed assertions in tests).

    python benchmarks/data_load.py [--repeat N]

Times, on this machine:
  1. ``sendlib data build`` from cold (a fresh process, empty processed folder),
  2. a warm ``sendlib.ehcp_caseload()`` (tables built; includes the staleness check),
  3. the baseline: ``pandas.read_csv`` of the same CSVs straight from the release zips,
and prints the ratios. Aims: the cold build under 5 s; a warm load at least 20x faster than
re-reading the CSVs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

import pandas as pd

import sendlib
from sendlib import config, tables


def read_csvs_from_zips() -> int:
    rows = 0
    for release, members in [
        (config.EHCP_RELEASE_2022, ["data/sen2_age_caseload.csv"]),
        (config.EHCP_RELEASE_2025, ["data/caseload.csv"]),
    ]:
        with zipfile.ZipFile(config.RAW_DIR / release) as archive:
            for member in members:
                with archive.open(member) as handle:
                    rows += len(pd.read_csv(handle, dtype=str, keep_default_na=False))
    return rows


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def cold_build() -> float:
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "SENDLIB_PROCESSED_DIR": out}
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sendlib.cli", "data", "build", "--quiet"], check=True, env=env
        )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each timing (best kept)")
    args = parser.parse_args()

    tables.build()
    sendlib.ehcp_caseload()  # warm the file cache and imports
    build = statistics.median(cold_build() for _ in range(max(1, args.repeat // 2)))
    warm = best(sendlib.ehcp_caseload, args.repeat)
    csv = best(read_csvs_from_zips, args.repeat)
    print(f"cold build (fresh process, `sendlib data build`): {build:6.2f} s   (aim < 5 s)")
    print(f"warm sendlib.ehcp_caseload():                     {warm * 1000:6.1f} ms")
    print(f"pandas.read_csv of the same CSVs from the zips:   {csv * 1000:6.1f} ms")
    print(f"ratio, re-reading CSVs / warm load:               {csv / warm:6.1f}x  (aim >= 20x)")


if __name__ == "__main__":
    main()
