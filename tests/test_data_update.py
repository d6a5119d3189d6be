"""`sendlib data update` against a server on the loopback address that answers as DfE's
explore-education-statistics content API does, failures included: data/raw and data/processed
change only when the release is whole, of this publication, readable and passes the data check."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import zipfile
from pathlib import Path

import pytest

from sendlib import cli, config, tables
from sendlib.errors import DataFileError
from sendlib.pipeline import data_update

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow

SHIPPED = config.RAW_DIR / config.EHCP_RELEASE_2025
LATEST = "/api/publications/education-health-and-care-plans/releases/latest"


class Service(http.server.BaseHTTPRequestHandler):
    """The two routes sendlib uses; ``mode`` (on the server) picks a failure to answer with."""

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        mode = self.server.mode
        if self.path == LATEST:
            if mode == "404":
                return self.send_error(404, "Not Found")
            body = json.dumps(
                {"id": "rv-2025", "title": "Reporting year 2025", "published": "2025-06-26T09:30"}
            ).encode()
            return self._send(body, "application/json")
        if self.path == "/api/releases/rv-2025/files":
            data = self.server.zip_bytes
            if mode == "truncated":
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 3])
                self.wfile.flush()
                self.close_connection = True
                return None
            return self._send(data, "application/zip")
        return self.send_error(404, "Not Found")

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def service(monkeypatch):
    """A loopback server (stopped after the test); set ``.mode`` and ``.zip_bytes``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Service)
    server.mode, server.zip_bytes = "ok", SHIPPED.read_bytes()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SENDLIB_EES_SERVICE", f"http://127.0.0.1:{server.server_port}")
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def raw_without_2025(raw_copy) -> Path:
    """data/raw as it was before DfE's 2025 release: the update must bring it in."""
    (raw_copy / config.EHCP_RELEASE_2025).unlink()
    return raw_copy


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_latest_release_from_the_service_is_checked_swapped_in_and_built(
    service, raw_without_2025, tmp_path
):
    out = tmp_path / "processed"
    done = data_update.update(raw_dir=raw_without_2025, processed_dir=out)
    target = raw_without_2025 / config.EHCP_RELEASE_2025
    assert done.new and done.path == target and done.reporting_year == 2025
    assert target.read_bytes() == SHIPPED.read_bytes()
    readme = (raw_without_2025 / "README.md").read_text()
    assert f"{service.server_address[1]}/api/releases/rv-2025/files" in readme
    assert done.sha256 in readme and "2025-06-26" in readme
    assert tables.stale_reason(raw_without_2025, out) is None
    caseload = tables.load("caseload", raw_dir=raw_without_2025, processed_dir=out)
    england = caseload[caseload["level"].eq("national")].set_index("year")["ehcps"]
    assert england[2025] == 638_745  # DfE's England total at January 2025
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]


def test_a_zip_downloaded_by_hand_is_taken_with_source(raw_without_2025, tmp_path):
    done = data_update.update(
        str(SHIPPED), raw_dir=raw_without_2025, processed_dir=tmp_path / "processed"
    )
    assert done.new and done.source == str(SHIPPED.resolve())
    assert (raw_without_2025 / config.EHCP_RELEASE_2025).read_bytes() == SHIPPED.read_bytes()
    again = data_update.update(
        str(SHIPPED), raw_dir=raw_without_2025, processed_dir=tmp_path / "processed"
    )
    assert not again.new


def another_publication() -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "data-guidance/data-guidance.txt",
            "Special educational needs in England\nReporting year 2025\n",
        )
        archive.writestr("data/sen_phase_type.csv", "time_period,pupils\n202425,1\n")
    return buffer.getvalue()


FAILURES = {
    "the service answers 404": ("404", None, data_update.UpdateError, "answered 404"),
    "a truncated download": ("truncated", None, data_update.UpdateError, "nothing was changed"),
    "a zip of another publication": (
        "ok",
        another_publication(),
        DataFileError,
        "another publication",
    ),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_failure_changes_nothing(case, service, raw_without_2025, tmp_path):
    mode, payload, error, words = FAILURES[case]
    service.mode = mode
    if payload is not None:
        service.zip_bytes = payload
    out = tmp_path / "processed"
    before_raw = snapshot(raw_without_2025)
    with pytest.raises(error) as raised:
        data_update.update(raw_dir=raw_without_2025, processed_dir=out)
    assert words in str(raised.value)
    assert snapshot(raw_without_2025) == before_raw
    assert not out.exists() or not list(out.glob("*.parquet"))


def test_offline_it_says_so_and_changes_nothing(monkeypatch, raw_copy, tmp_path):
    import socket

    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("SENDLIB_EES_SERVICE", f"http://127.0.0.1:{port}")
    before = snapshot(raw_copy)
    with pytest.raises(data_update.UpdateError, match="could not reach"):
        data_update.update(raw_dir=raw_copy, processed_dir=tmp_path / "processed")
    assert snapshot(raw_copy) == before


def test_the_command_line_says_what_failed_without_a_traceback(
    service, raw_copy, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(config, "RAW_DIR", raw_copy)
    monkeypatch.setenv("SENDLIB_PROCESSED_DIR", str(tmp_path / "processed"))
    service.mode = "404"
    before = snapshot(raw_copy)
    assert cli.main(["data", "update", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "answered 404" in err and "nothing was changed" in err and "Traceback" not in err
    assert snapshot(raw_copy) == before
    service.mode = "ok"
    assert cli.main(["data", "update", "--quiet"]) == 0  # the 2025 release is already there
    assert "already up to date" in capsys.readouterr().out
