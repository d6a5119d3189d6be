"""Speed of one benchmarking report, and a run of the report for every council.

    python benchmarks/report_speed.py            # one report, against an empty notebook
    python benchmarks/report_speed.py --all      # every current council (about 10 minutes)

Measured side by side in one run: the EHCP benchmarking report for Kingston upon Thames
through the same machinery as a pack (papermill, then nbconvert and sendlib's page), and an
empty notebook through that machinery (kernel start-up and rendering alone), each in a plain
kernel and in a warm kernel from the pool packs use (sendlib.pipeline.kernels.KernelPool: started
ahead and warmed, so its start-up is not counted, as in a pack where it overlaps earlier
reports). Aim: one report under 10 s. ``--all`` runs the report for every council in the latest
data, in warm kernels as a pack does, and reports any that fail (the test suite runs a sample in
CI).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from sendlib import config, tables
from sendlib.pipeline import kernels, packs

REPORT = config.NOTEBOOKS_DIR / "ehcp_benchmarking.ipynb"


def empty_notebook(folder: Path) -> Path:
    return packs.write_notebook(folder / "empty.ipynb", "council = ''  # council")


def timed(notebook: Path, council: str, out: Path, pool: kernels.KernelPool | None) -> float:
    """Seconds to run and render ``notebook``: in a plain kernel, or in a warm one of ``pool``."""
    if pool is None:
        return packs.render_report(notebook, {"council": council}, out)
    with pool.kernel() as kernel:
        return packs.render_report(notebook, {"council": council}, out, kernel=kernel)


def one(council: str, folder: str, pool: kernels.KernelPool) -> tuple[str, float, str]:
    """The benchmarking report for ``council`` in a warm kernel (run in a worker thread)."""
    try:
        out = Path(folder) / f"{packs.slugify(council)}.html"
        return council, timed(REPORT, council, out, pool), ""
    except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure
        return council, float("nan"), f"{type(exc).__name__}: {exc}"
    finally:
        kernels.close_thread_loop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="run every council")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tables.build()
    runs = 2 * args.repeat
    with (
        tempfile.TemporaryDirectory() as folder,
        kernels.KernelPool(runs, config.NOTEBOOKS_DIR, ahead=1) as warm,
    ):
        out = Path(folder)
        empty = empty_notebook(out)
        packs.render_report(empty, {"council": "x"}, out / "warm.html")  # warm caches
        timings = {}
        for name, pool in [("plain", None), ("warm", warm)]:
            for label, notebook, council in [
                ("empty", empty, "x"),
                ("report", REPORT, "Kingston upon Thames"),
            ]:
                timings[name, label] = statistics.median(
                    timed(notebook, council, out / "r.html", pool) for _ in range(args.repeat)
                )
        for name in ("plain", "warm"):
            b, r = timings[name, "empty"], timings[name, "report"]
            print(
                f"{name} kernel: empty notebook {b:5.2f} s; benchmarking report, Kingston {r:5.2f} s"
            )
            print(f"  start-up and rendering are {b / r:4.0%} of the report (aim: report < 10 s)")
        print(
            f"warm kernels make the report {timings['plain', 'report'] / timings['warm', 'report']:.2f}x faster"
        )
        if not args.all:
            return
        councils = tables.load("councils")
        names = list(councils.loc[councils["current"], "area_name"])
        started, failures, times = time.perf_counter(), [], []
        with (
            kernels.KernelPool(len(names), config.NOTEBOOKS_DIR, ahead=args.workers) as every,
            ThreadPoolExecutor(args.workers) as run,
        ):
            jobs = [run.submit(one, name, folder, every) for name in names]
            for done, job in enumerate(as_completed(jobs), 1):
                council, seconds, error = job.result()
                if error:
                    failures.append((council, error))
                else:
                    times.append(seconds)
                print(f"\r{done}/{len(names)} councils", end="", file=sys.stderr)
        print(file=sys.stderr)
        print(
            f"every council: {len(names)} reports in {time.perf_counter() - started:.0f} s "
            f"with {args.workers} workers; median {statistics.median(times):.1f} s each; "
            f"{len(failures)} failed"
        )
        for council, error in failures:
            print(f"  FAILED {council}: {error}")
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
