"""Running one report: papermill executes its notebook, nbconvert renders it without code,
and the page is wrapped in the suite's template (styles, contents, footer)."""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import markupsafe

from sendlib.pipeline.definitions import Pack, PackError
from sendlib.present import palette
from sendlib.present.formats import long_date
from sendlib.publications import census_published_by


def page(body: str, **info: object) -> str:
    """Wrap a report's HTML body in the suite's page: styles, contents, footer with sources.

    ``info`` fills the page: ``title``, ``report``, ``council``, ``meeting``, ``data_date``,
    ``generated``, ``pack_title``, and ``currency`` (a :class:`sendlib.publications.Currency`:
    what the page's data are, and a note at the top of what newer was out by the meeting). The page loads nothing from any other host.
    """
    import jinja2

    from sendlib import tables

    manifest = tables.manifest()
    headings = re.findall(r'<h2 id="([^"]+)">(.*?)<', body)
    toc = ""
    if len(headings) > 1:
        items = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in headings)
        toc = f'<nav class="sendlib-toc" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'
    body = body.replace("<!-- sendlib:toc -->", toc, 1)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(
            Path(__file__).resolve().parent.parent / "present" / "templates"
        ),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    environment.filters["code_spans"] = code_spans
    template = environment.get_template("page.html.j2")
    defaults = {
        "title": info.get("report", "Report"),
        "report": "Report",
        "council": "",
        "meeting": "",
        "data_date": "",
        "generated": "",
        "pack_title": "",
    }
    merged = {**defaults, **info}
    currency = merged.pop("currency", None)
    label = f"{merged['council']}: {merged['report']}" if merged["council"] else merged["report"]
    return template.render(
        **merged,
        # the running footer of a printed page (a CSS string: quotes and backslashes escaped)
        page_label=markupsafe.Markup(css_string(label)),
        body=markupsafe.Markup(body),
        version=manifest["sendlib_version"],
        council_colour=palette.COUNCIL,
        page=palette.PAGE,
        # a report lists its sources (and their checksums) once, in its Sources section
        sources_in_body='class="sendlib-sources"' in body,
        inputs=[(name, seen["sha256"]) for name, seen in manifest["inputs"].items()],
        currency_uses=currency.uses if currency else "",
        currency_newer=list(currency.newer) if currency else [],
    )


def code_spans(text: str) -> markupsafe.Markup:
    """Text with each `command` shown as code (the rest escaped).

    >>> str(code_spans("Run `sendlib data update` <now>."))
    'Run <code>sendlib data update</code> &lt;now&gt;.'
    """
    parts = str(text).split("`")
    return markupsafe.Markup(
        "".join(
            f"<code>{html.escape(part)}</code>" if i % 2 else html.escape(part, quote=False)
            for i, part in enumerate(parts)
        )
    )


def css_string(text: str) -> str:
    r"""Text for a CSS string in the page's <style> (no HTML escaping applies there).

    >>> print(css_string('Kent: "pack" </style>'))
    Kent: \"pack\" \3c /style>
    """
    text = " ".join(str(text).split())
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")


def write_notebook(path: Path, parameters: str, *cells: str) -> Path:
    """Write a small notebook: a ``parameters`` cell, then code ``cells``, on the python3
    kernel. For tests and benchmarks (an empty or a failing report)."""
    import nbformat

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
            *(nbformat.v4.new_code_cell(cell) for cell in cells),
        ]
    )
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


def render_report(
    notebook: Path,
    parameters: dict,
    html_path: Path,
    failed_dir: Path | None = None,
    info: dict | None = None,
    kernel=None,
) -> float:
    """Execute ``notebook`` with ``parameters`` and write its HTML page (no code) to
    ``html_path``; ``info`` fills the page's title and footer (see :func:`page`). ``kernel``
    is a started, warm kernel (a :class:`jupyter_client.KernelManager` from
    :class:`sendlib.pipeline.kernels.KernelPool`, running in the notebook's folder); without
    one papermill starts a plain kernel.

    Returns the run time in seconds. On failure the executed notebook, with its traceback, is
    kept in ``failed_dir`` and :class:`PackError` says which cell failed and why.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sendlib-run-") as work:
        executed = Path(work) / notebook.name
        _execute(notebook, executed, parameters, failed_dir, kernel)
        body = _page_body(executed, notebook.stem)
    title = re.search(r"<h1>(.*?)</h1>", body)
    details = {
        "report": html.unescape(title.group(1)) if title else notebook.stem,
        "council": str(parameters.get("council", "")),
        **(info or {}),
    }
    details.setdefault("title", f"{details['report']}: {details['council']}")
    if "latest_census" in parameters and "data_date" not in details:
        details["data_date"] = f"the January {parameters['latest_census']} census"
    partial = html_path.with_name(f".{html_path.name}.partial")
    partial.write_text(page(body, **details), encoding="utf-8")
    os.replace(partial, html_path)
    return time.perf_counter() - started


def _execute(notebook: Path, executed: Path, parameters: dict, failed_dir, kernel) -> None:
    """Run ``notebook`` with papermill into ``executed``; a :class:`PackError` naming the
    failing cell (the executed notebook kept in ``failed_dir``) or the kernel's fate."""
    import logging

    import papermill

    # papermill's client logs a dying kernel itself; sendlib says it once, naming the report.
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            progress_bar=False,
            kernel_name="python3",
            # The executed notebook is written once, at the end (or at the failing cell),
            # not after every cell: nobody reads it part-way, and each write re-validates it.
            request_save_on_cell_execute=False,
            # papermill's cwd changes the folder of the whole process, which threads share:
            # a pool's kernel was started in the notebook's folder, so it needs none.
            **({"km": kernel} if kernel is not None else {"cwd": str(notebook.parent)}),
        )
    except papermill.PapermillExecutionError as exc:
        kept = None
        if failed_dir is not None:
            failed_dir.mkdir(parents=True, exist_ok=True)
            kept = failed_dir / notebook.name
            shutil.copyfile(executed, kept)
        raise PackError(
            f"{notebook.name} failed in cell {exc.exec_count} "
            f"({(exc.source or '').strip().splitlines()[-1][:80] if exc.source else ''}): "
            f"{exc.ename}: {exc.evalue}"
            + (f"\n  the executed notebook is kept at {kept}" if kept else "")
        ) from exc
    except Exception as exc:  # the kernel died, timed out, or could not be reached
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        what = {
            DeadKernelError: "its kernel died (out of memory, or killed)",
            CellTimeoutError: "a cell ran too long and was stopped",
        }.get(type(exc), f"it could not run ({type(exc).__name__}: {exc})")
        raise PackError(
            f"{notebook.name}: {what}; nothing of it was kept. Build the pack again; if it "
            "fails again, run the notebook alone in JupyterLab to see where."
        ) from exc


def _page_body(executed: Path, report: str) -> str:
    """The executed notebook as the page's body: outputs only, no code.

    Code cells without output (parameters, imports) add nothing to a report, and the cell
    papermill injects gets a random id: they are left out so builds are identical. Warnings
    and anything else written to stderr are for the person building the pack (they can name
    server paths): they go to the terminal, never onto a board page."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    executed_notebook = nbformat.read(executed, as_version=4)
    for cell in executed_notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = "".join(output.get("text", "")).strip()
                print(f"sendlib pack: {report} wrote: {text}", file=sys.stderr)
            else:
                kept.append(output)
        cell["outputs"] = kept
    executed_notebook.cells = [
        cell for cell in executed_notebook.cells if cell.cell_type != "code" or cell.get("outputs")
    ]
    body, _ = exporter.from_notebook_node(executed_notebook)
    return body


def _index(pack: Pack, front: dict | None = None, currency=None) -> str:
    """The pack's front page: the meeting, the board summary and "Since the last meeting"
    (from ``front``, see :func:`sendlib.pipeline.packs._front`), and a link to each report."""
    from sendlib.present import board

    items = "".join(
        f'<li><a href="{html.escape(r.notebook)}.html">{html.escape(r.title)}</a></li>'
        for r in pack.reports
    )
    meeting = long_date(pack.meeting_date)
    opening = ""
    if front is not None:
        links = {r.notebook: (f"{r.notebook}.html", r.title) for r in pack.reports}
        earlier = front.get("earlier")
        opening = board.board_summary(front["key_figures"], front["kpi_ratings"], links)
        opening += board.since_last_meeting(
            {
                "data": front["data"],
                "key_figures": front["key_figures"],
                "kpi_ratings": front["kpi_ratings"],
            },
            earlier,
            council=pack.council_name,
            earlier_link=f"../{front['earlier_pack']}/index.html" if earlier else "",
            input_changes=front.get("input_changes"),
            outcomes=front.get("outcomes"),
        )
    body = (
        f'<div class="sendlib-title"><p class="sendlib-kicker">{html.escape(pack.council_name)}'
        f"</p><h1>{html.escape(pack.title)}, {meeting}</h1></div>"
        f"{opening}"
        f'<h2 id="reports">Reports in this pack</h2><ol class="sendlib-reports">{items}</ol>'
    )
    return page(
        body,
        title=f"{pack.council_name}: {pack.title}, {meeting}",
        report="Meeting pack",
        council=pack.council_name,
        meeting=f"the {pack.title} of {meeting}",
        data_date=pack.data_date,
        generated=long_date(pack.generated),
        currency=currency,
    )


def council_index(council: str, meetings: list[dict]) -> str:
    """A council's landing page: its meetings' packs, newest first, each with its board, date,
    data date and number of reports. ``meetings``: one dict per pack with ``folder``
    (``2025-07-10``), ``meeting_date`` (a date), ``board``, ``latest_census`` (or None) and
    ``reports`` (a count)."""
    items = []
    for meeting in sorted(meetings, key=lambda m: m["meeting_date"], reverse=True):
        when = long_date(meeting["meeting_date"])
        census = meeting.get("latest_census")
        data = f"data to the January {census} census" if census else "DfE's latest release"
        out = census_published_by(meeting["meeting_date"])
        if census and out > int(census):
            data += f" (DfE had published January {out} by then: not in this pack)"
        reports = meeting["reports"]
        items.append(
            f'<li><a href="{html.escape(meeting["folder"])}/index.html">'
            f"{html.escape(meeting['board'] or 'Meeting')}, {when}</a>: {data}; "
            f"{reports} report{'s' if reports != 1 else ''}</li>"
        )
    body = (
        f'<div class="sendlib-title"><p class="sendlib-kicker">{html.escape(council)}</p>'
        f"<h1>{html.escape(council)}: meeting packs</h1></div>"
        f'<h2 id="packs">Packs, newest first</h2><ol class="sendlib-reports">{"".join(items)}</ol>'
    )
    return page(body, title=f"{council}: meeting packs", report="Meeting packs", council=council)
