"""Every page of the default pack, opened in headless Chromium with the network off.

Fails on any console error, any request to another host, any horizontal scroll at phone
width (375 px), and any WCAG 2.1 A/AA violation found by axe-core. Saves a phone and a
desktop screenshot of each page (to reports/_screenshots/, or $SENDLIB_SCREENSHOTS).
`make test` installs Debian's chromium first (`make browser`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sendlib import config

pytestmark = [pytest.mark.slow, pytest.mark.browser]  # drives headless Chromium

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def pack(default_pack) -> Path:
    return default_pack


@pytest.fixture(scope="module")
def county(kent_packs) -> Path:
    """A county's pack from public data: Kent's meeting of 10 July 2025, as `sendlib pack new`
    writes it (conftest)."""
    return kent_packs[2025]


COUNTY_PAGES = ["index.html", "ehcp_caseload.html", "ehcp_benchmarking.html", "forecast.html"]


@pytest.fixture(scope="session")  # once a run, however xdist orders the tests
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make browser` (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def pages(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.html"))


def visit(browser, path: Path, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "request",
        lambda r: (
            problems.append(f"request to another host: {r.url}")
            if not r.url.startswith(("file:", "data:", "about:"))
            else None
        ),
    )
    page.goto(path.as_uri(), wait_until="load")
    return context, page, problems


PAGES = [
    "index.html",
    "ehcp_caseload.html",
    "ehcp_benchmarking.html",
    "forecast.html",
    "kpi_dashboard.html",
    "high_needs_finance.html",
]
"""Every page of the default pack."""
COUNCIL_PAGE = "../index.html"
"""The council's landing page, beside its packs."""


def test_the_default_pack_has_its_reports(pack):
    assert set(PAGES) <= {p.name for p in pages(pack)}
    assert (pack / COUNCIL_PAGE).is_file()


@pytest.mark.parametrize("name", [*PAGES, COUNCIL_PAGE])
def test_page_in_a_browser_offline(browser, pack, name):
    from axe_playwright_python.sync_playwright import Axe

    shots = Path(os.environ.get("SENDLIB_SCREENSHOTS", config.reports_dir() / "_screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    path = pack / name
    context, page, problems = visit(browser, path, 375, 812)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} scrolls sideways at phone width: {widths}"
    shot = name.replace("../", "council-").removesuffix(".html")
    page.screenshot(path=shots / f"{shot}-phone.png", full_page=False)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()
    context.close()
    context, page, more = visit(browser, path, 1280, 900)
    page.screenshot(path=shots / f"{shot}-desktop.png", full_page=False)
    context.close()
    assert problems + more == []


def test_images_have_text_alternatives(pack):
    for path in pages(pack):
        text = path.read_text()
        assert text.count("<img") == text.count('alt="') - text.count('alt=""')


@pytest.mark.parametrize(
    "name",
    ["ehcp_caseload.html", "ehcp_benchmarking.html", "high_needs_finance.html", "index.html"],
)
def test_folded_parts_are_closed_on_screen_and_open_on_paper(browser, pack, name):
    """Sources, and the tables that give a chart's figures, are one line each on screen and
    print in full."""
    context, page, problems = visit(browser, pack / name, 1280, 900)
    folds = page.locator("details")
    assert folds.count() >= 1
    insides = [folds.nth(i).locator("summary ~ *").first for i in range(folds.count())]
    assert not any(inside.is_visible() for inside in insides)  # one line on screen
    page.emulate_media(media="print")
    assert all(inside.is_visible() for inside in insides)  # every table and file on paper
    context.close()
    assert problems == []


def test_the_kpi_dashboard_is_one_card_per_kpi_on_a_phone(browser, pack):
    """At 375 px each KPI is a card (its name, the quarter's target and actual, both ratings
    in words, the comment) that fits the screen; at 1280 px the same rows are a table."""
    context, page, problems = visit(browser, pack / "kpi_dashboard.html", 375, 812)
    cards = page.locator("table.sendlib-cards tbody tr")
    assert cards.count() >= 38
    first = cards.first
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert first.locator("td.sendlib-card-title").inner_text() == "Actual EHCPs"
    shown = [td.get_attribute("data-label") for td in first.locator("td").all() if td.is_visible()]
    assert shown == ["KPI", "Target at Q3", "Q3 actual", "Reported", "By the rule", "Comment"]
    assert "Green" in first.inner_text() and "Amber (differs)" in first.inner_text()
    head = page.locator("table.sendlib-cards thead").first.bounding_box()
    assert head["height"] <= 1  # the headings are for screen readers: each card labels its lines
    context.close()
    context, page, more = visit(browser, pack / "kpi_dashboard.html", 1280, 900)
    row = page.locator("table.sendlib-cards tbody tr").first
    assert row.locator("td").count() == row.locator("td:visible").count()  # all columns
    align = page.locator("table.sendlib-cards td.sendlib-text").first.evaluate(
        "e => getComputedStyle(e).textAlign"
    )
    assert align == "left"  # names and comments read left to right
    context.close()
    assert problems + more == []


def test_the_exceptions_come_first(pack):
    import re

    page = (pack / "kpi_dashboard.html").read_text(encoding="utf-8")
    tables = re.findall(r"<table.*?</table>", page, re.S)
    assert "Exceptions first" in tables[0]
    rows = re.findall(r"<tr>(.*?)</tr>", tables[0], re.S)[1:]
    assert rows and all(("rag-red" in r) or ("(differs)" in r) for r in rows)
    later = [r for t in tables[1:] for r in re.findall(r"<tr>(.*?)</tr>", t, re.S)[1:]]
    exceptions = [r for r in later if "rag-red" in r or "(differs)" in r]
    assert len(exceptions) == len(rows)
    assert "1,479.25" not in page and "<td" in page  # a pro rata target in whole plans


OVERFLOW = """() => {
  const found = [];
  for (const e of document.querySelectorAll('body *')) {
    let box = e, scrolls = false;
    while (box) {
      const x = getComputedStyle(box).overflowX;
      if (x === 'auto' || x === 'scroll') { scrolls = true; break; }
      box = box.parentElement;
    }
    const style = getComputedStyle(e);
    if (scrolls || style.display === 'none' || style.position === 'absolute') continue;
    if (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
      found.push(`${e.tagName}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}`);
  }
  const cues = [...document.querySelectorAll('.sendlib-scroll')]
    .filter(b => b.scrollWidth > b.clientWidth + 1)
    .filter(b => !getComputedStyle(b).backgroundImage.includes('gradient'))
    .map(b => `no scroll cue: ${b.getAttribute('aria-label')}`);
  return found.concat(cues);
}"""


WRAPPED_FIGURES = """() => {
  // A table cell holding a figure (a count, £, %, a change, a range or a rank) whose text the
  // browser laid out on more than one line.
  const figure = /^[+\\-−–]?£?\\d[\\d,]*(\\.\\d+)?(%|pp|k|m|bn)?( (to|of|–) [+\\-−–]?£?\\d[\\d,]*(\\.\\d+)?(%|pp|k|m|bn)?)?$/;
  const found = [];
  for (const td of document.querySelectorAll('main td')) {
    const text = td.innerText.trim();
    if (!figure.test(text) || td.getClientRects().length === 0) continue;
    const range = document.createRange();
    range.selectNodeContents(td);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (lines.size > 1) found.push(`"${text}" wraps over ${lines.size} lines`);
  }
  return found;
}"""

CHARTS = """() => {
  // Each chart as the browser shows it (the phone's or the desktop's version): the smallest
  // text in CSS px as rendered, and the colour of each role's line or bar (by its SVG id).
  const out = [];
  for (const img of document.querySelectorAll('figure.sendlib-figure img')) {
    const data = (img.currentSrc || img.src).split(',')[1];
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    const doc = new DOMParser().parseFromString(new TextDecoder().decode(bytes), 'image/svg+xml');
    const box = doc.documentElement.getAttribute('viewBox').trim().split(/\\s+/).map(Number);
    const scale = img.getBoundingClientRect().width / box[2];
    const sizes = [...doc.querySelectorAll('text')].map(t => {
      const m = /font-size:\\s*([\\d.]+)px/.exec(t.getAttribute('style') || '');
      return m ? parseFloat(m[1]) * scale : NaN;
    });
    const roles = [...doc.querySelectorAll('[id^="sendlib-role-"]')].map(g => {
      const shape = g.matches('path, rect') ? g : g.querySelector('path, rect');
      const style = (shape && shape.getAttribute('style')) || '';
      const stroke = /stroke:\\s*(#[0-9a-fA-F]{6})/.exec(style);
      const fill = /fill:\\s*(#[0-9a-fA-F]{6})/.exec(style);
      return [g.id.replace('sendlib-role-', ''), ((stroke || fill) || [null, 'none'])[1]];
    });
    out.push({chart: img.alt.slice(0, 70), texts: sizes.length,
              smallest: Math.min(...sizes), unsized: sizes.filter(Number.isNaN).length, roles});
  }
  return out;
}"""


@pytest.mark.parametrize("width", [375, 1280])
def test_every_page_reads_at_each_width(browser, pack, county, width):
    """Every page of the default pack and of a county's pack, at a phone's and a desktop's
    width: nothing overflows its box unless it scrolls with a cue, no figure in a table wraps,
    no chart text under 11 px as rendered, and each role (the council, its neighbours, its region, England) drawn in
    one colour on every page, a different colour for each role."""
    found, colours, charts = [], {}, 0
    for folder, names in ((pack, [*PAGES, COUNCIL_PAGE]), (county, [*COUNTY_PAGES, COUNCIL_PAGE])):
        for name in names:
            where = f"{folder.parent.name}/{folder.name}/{name} at {width} px"
            context, page, problems = visit(browser, folder / name, width, 900)
            found += [f"{where}: {p}" for p in page.evaluate(OVERFLOW) + problems]
            found += [f"{where}: {p}" for p in page.evaluate(WRAPPED_FIGURES)]
            for chart in page.evaluate(CHARTS):
                charts += 1
                if chart["texts"] == 0 or chart["unsized"]:
                    found.append(f"{where}: {chart['chart']}: text of unknown size")
                elif chart["smallest"] < 11:
                    found.append(
                        f"{where}: {chart['chart']}: text {chart['smallest']:.1f} px (under 11)"
                    )
                for role, colour in chart["roles"]:
                    colours.setdefault(role, {}).setdefault(colour.lower(), []).append(where)
            context.close()
    assert charts >= 15 and {"council", "neighbours", "region", "england"} <= set(colours)
    for role, seen in colours.items():
        if len(seen) > 1:
            found.append(f"{role} drawn in {len(seen)} colours: {sorted(seen)}")
        pages_with = {where for places in seen.values() for where in places}
        assert len(pages_with) >= 2, f"{role} is drawn on one page only: nothing to compare"
    firsts = [next(iter(seen)) for seen in colours.values()]
    assert len(set(firsts)) == len(firsts), f"two roles share a colour: {colours.keys()}"
    assert found == []


@pytest.mark.parametrize("name", [*COUNTY_PAGES, COUNCIL_PAGE])
def test_a_countys_pack_passes_axe_at_both_widths(browser, county, name):
    from axe_playwright_python.sync_playwright import Axe

    for width in (375, 1280):
        context, page, problems = visit(browser, county / name, width, 900)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        assert results.violations_count == 0, results.generate_report()
        context.close()
        assert problems == []
