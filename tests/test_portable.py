"""sendlib's library runs where POSIX-only modules are missing (Windows), and its report kernels
need nothing the OS may lack."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from sendlib import config

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow

POSIX_ONLY = ["fcntl", "termios", "pwd", "grp", "resource", "posix_ipc"]


def test_the_library_runs_without_posix_only_modules(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        for name in {POSIX_ONLY!r}:
            sys.modules[name] = None  # import fails, as on Windows
        import os
        os.environ["SENDLIB_PROCESSED_DIR"] = {str(tmp_path / "processed")!r}
        import sendlib
        from sendlib import tables
        from sendlib.measures import benchmarks, finance, forecasting, kpis
        from sendlib.ingest import council_files
        from sendlib.present import benchmarking_report, charts, formats
        from sendlib.pipeline import definitions, kernels, packs
        tables.build()
        assert int(sendlib.ehcp_caseload("Kent").iloc[-1]["ehcps"]) > 0
        benchmarks.caseload_benchmark("Kent")
        forecasting.forecast("Kent")
        finance.specialist_spend_benchmark("Kent")
        folder = {str(config.RAW_DIR / "local" / "kingston-upon-thames")!r}
        council_files.read_kpi_dashboard(council_files.find_file(folder, "kpi_dashboard", quarter="Q3"))
        definitions.read_pack({str(config.PACKS_DIR / "kingston-upon-thames" / "2021-12-16.toml")!r})
        benchmarking_report.summary("Kent", latest_census=2025, sn_model="2025")
        import datetime
        assert formats.long_date(datetime.date(2021, 12, 6)) == "6 December 2021"
        print("ran")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ran")


def test_report_kernels_run_over_tcp_where_there_are_no_unix_sockets(tmp_path):
    import nbformat
    import papermill

    from sendlib.pipeline import kernels, packs

    notebook = packs.write_notebook(tmp_path / "n.ipynb", "x = 1", "print(x + 1)")
    with kernels.KernelPool(1, tmp_path, unix_sockets=False) as pool, pool.kernel() as kernel:
        assert kernel.transport == "tcp" and kernel.ip == "127.0.0.1"
        out = tmp_path / "out.ipynb"
        papermill.execute_notebook(
            str(notebook), str(out), parameters={"x": 2}, progress_bar=False, km=kernel
        )
    assert nbformat.read(out, as_version=4).cells[-1].outputs[0]["text"] == "3\n"
