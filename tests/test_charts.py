"""Charts draw whatever text a council's file holds, and never print an impossible figure."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from sendlib.ingest.council_quarter import CouncilQuarter
from sendlib.present import finance_charts, formats


def test_a_dollar_sign_in_a_label_draws_as_typed():
    steps = pd.DataFrame(
        {
            "step": ["Spend before savings", r"$\macro$ savings", "Net HNB deficit"],
            "amount": [30e6, -1e6, 29e6],
            "start": [0.0, 30e6, 0.0],
            "end": [30e6, 29e6, 29e6],
            "kind": ["total", "change", "total"],
        }
    )
    fig = finance_charts.waterfall(
        steps, title="Costs in $ and £", source="Source: $council$'s model"
    )
    fig.savefig(io.BytesIO(), format="svg")  # raised a mathtext ValueError before
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert any(r"\$\macro\$" in t for t in texts)


def test_money_in_millions_is_never_infinite_or_nan():
    assert formats.pounds_m(float("inf")) == formats.MISSING
    assert formats.pounds_m(float("nan")) == formats.MISSING
    assert formats.pounds_m(-31_000, 3) == "-£0.031m"


def test_each_role_has_one_colour_in_every_report():
    """The region and England lines are the same colour in the caseload report (council,
    region, England) as in the benchmarking report (council, neighbours, region, England),
    and the dashed reference lines of the neighbours chart match them."""
    from matplotlib.colors import to_hex

    from sendlib.measures import benchmarks
    from sendlib.measures.caseload import caseload_with_comparators
    from sendlib.present import charts, palette

    def colours(fig):
        return {line.get_label(): to_hex(line.get_color()) for line in fig.axes[0].lines}

    roles = {role: to_hex(colour) for role, colour in palette.ROLES.items()}

    council = "Kent"
    caseload = caseload_with_comparators(council, latest=2025)
    first = colours(
        charts.trend(caseload, value="index", highlight="Kent", title="t", ylabel="y", source="s")
    )
    bench = benchmarks.caseload_benchmark(council, sn_model="2025").rename(
        columns={"comparator": "area_name"}
    )
    second = colours(
        charts.trend(bench, value="ehcps", highlight="Kent", title="t", ylabel="y", source="s")
    )
    assert first["South East"] == second["South East"] == roles["region"]
    assert first["England"] == second["England"] == roles["england"]
    assert first["Kent"] == second["Kent"] == roles["council"]
    neighbours = [n for n in second if n not in first]
    assert [second[n] for n in neighbours] == [roles["neighbours"]]
    assert len(set(palette.ROLES.values())) == 4
    assert not set(palette.ROLES.values()) & set(palette.COMPARATORS)
    bars = charts.ranked_bars(
        pd.DataFrame({"area_name": ["Kent", "Essex"], "rate": [40.0, 35.0]}),
        value="rate",
        highlight="Kent",
        title="t",
        xlabel="x",
        source="s",
        references={"South East": 38.0, "England": 36.0},
        reference_roles={"South East": "region", "England": "england"},
    )
    dashed = [to_hex(line.get_color()) for line in bars.axes[0].lines]
    assert dashed == [roles["england"], roles["region"]]  # by value


def _drawn(fig):
    fig.canvas.draw()
    return fig


def test_year_axes_are_whole_years_and_counts_have_thousands():
    from sendlib.present import charts

    t = pd.DataFrame(
        {
            "year": [2019, 2020] * 2,
            "area_name": ["A", "A", "England", "England"],
            "value": [19_000.0, 20_500.0, 18_000.0, 21_000.0],
        }
    )
    fig = _drawn(charts.trend(t, value="value", highlight="A", title="t", ylabel="y", source="s"))
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    years = [t.get_text() for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
    assert years == ["2019", "2020"] and ax.xaxis.get_offset_text().get_text() == ""
    values = [tick.get_text() for tick in ax.get_yticklabels() if tick.get_text()]
    assert "20,000" in values and not any("e" in v or "+" in v for v in values)


def test_labels_are_wrapped_not_cut_and_pounds_are_signed_the_govuk_way():
    steps = pd.DataFrame(
        {
            "step": [
                "HNB expenditure before savings",
                "Increased places in Specialist Resource Provisions (SRP)",
                "Net HNB deficit",
            ],
            "amount": [33e6, -0.138e6, 32.9e6],
            "start": [0.0, 33e6, 0.0],
            "end": [33e6, 32.862e6, 32.9e6],
            "kind": ["total", "change", "total"],
        }
    )
    fig = _drawn(finance_charts.waterfall(steps, title="t", source="s"))
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert "Increased places in Specialist Resource Provisions (SRP)" in ticks
    saved = pd.DataFrame({"line": ["Post 16"], "target": [120_000.0], "achieved": [-31_000.0]})
    fig = finance_charts.target_and_achieved(saved, title="t", source="s")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "-£31k" in texts and "£-31k" not in texts


def test_a_legend_names_only_what_is_drawn():
    from sendlib.present import charts

    history = pd.DataFrame({"year": [2025], "value": [40.0]})  # one January: a point
    forecast = pd.DataFrame(
        {
            "year": [2026],
            "point": [42.0],
            "lower_80": [41.0],
            "upper_80": [43.0],
            "lower_95": [40.0],
            "upper_95": [44.0],
        }
    )
    fig = charts.fan(history, forecast, title="t", ylabel="£m", source="s")
    published = next(line for line in fig.axes[0].lines if line.get_label() == "Published")
    assert published.get_marker() not in (None, "None", "", " ")


def chart_texts(fig) -> list[tuple[str, object]]:
    """Every piece of text a figure draws (titles, labels, annotations, legend entries and
    the tick labels inside the axis limits), with its bounding box, once each."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    found = list(fig.texts)
    for ax in fig.axes:
        found += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.get_legend() is not None:
            found += list(ax.get_legend().get_texts())
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            found += [
                t.label1 for t in axis.get_major_ticks() if low - 1e-9 <= t.get_loc() <= high + 1e-9
            ]
    out, seen = [], set()
    for text in found:
        if id(text) in seen or not text.get_visible() or not text.get_text().strip():
            continue
        seen.add(id(text))
        box = text.get_window_extent(renderer)
        if box.width > 0:
            out.append((text.get_text(), box))
    return out


@pytest.fixture(scope="module")
def drawn_figures() -> list:
    """:func:`report_figures`, drawn once for the tests of this module."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return report_figures(monkeypatch)


def report_figures(monkeypatch) -> list:
    """Every chart of the default pack's reports (Kingston, January 2021, Q3 2021/22) and of
    a county's public reports (Kent, January 2025), as the reports draw them (kept, not
    embedded: the tests save each as they need it)."""
    from IPython.display import HTML

    from sendlib.present import benchmarking_report, finance_report, forecast_report
    from sendlib.present import html as reports

    figures = []

    def keep(fig, alt=None):
        figures.append(fig)
        return HTML("")

    monkeypatch.setattr(reports, "figure", keep)
    local = {"files": CouncilQuarter("data/raw/local/kingston-upon-thames", "Q3")}
    for council, census, model in [("Kingston upon Thames", 2021, "2021"), ("Kent", 2025, "2025")]:
        kw = {"latest_census": census, "sn_model": model}
        for section in (
            benchmarking_report.growth_section,
            benchmarking_report.rates_section,
            benchmarking_report.neighbours_section,
            benchmarking_report.activity_section,
            benchmarking_report.timeliness_section,
        ):
            section(council, **kw)
        for kind in ("age", "placement", "need"):
            benchmarking_report.shape_section(council, kind, **kw)
        forecast_report.forecast_section(council, ceiling=0, ceiling_year=0, **kw)
        forecast_report.cost_section(council, cost_per_plan=21_000.0, **kw)
    forecast_report.forecast_section(
        "Kingston upon Thames", latest_census=2021, sn_model="2021", ceiling=1537, ceiling_year=2022
    )
    finance_report.waterfall_section("Kingston upon Thames", **local)
    finance_report.deficit_section("Kingston upon Thames", **local)
    finance_report.public_finance_section("Kingston upon Thames", sn_model="2021")
    return figures


@pytest.mark.slow  # builds the tables or draws every chart
def test_no_text_of_any_report_chart_overlaps_another(drawn_figures):
    """Nor in its phone version."""
    import itertools

    from sendlib.present import charts

    figures = drawn_figures
    assert len(figures) >= 20
    problems = []
    for fig in [*figures, *(charts.phone_version(f) for f in figures)]:
        texts = chart_texts(fig)
        for (a, box_a), (b, box_b) in itertools.combinations(texts, 2):
            if box_a.overlaps(box_b):
                chart = getattr(fig, "alt_text", "")[:50]
                problems.append(f"{chart!r}: {a[:30]!r} over {b[:30]!r}")
    assert not problems, "\n".join(problems)


def test_time_is_spaced_by_time():
    """The deficit's history (September 2017, March 2020, March 2021) and the return's
    quarters (Q1-Q3 2021/22) sit at their dates, not evenly one step apart."""
    from sendlib.ingest import council_files
    from sendlib.measures import finance

    folder = "data/raw/local/kingston-upon-thames"
    sv = council_files.read_wide(council_files.find_file(folder, "safety_valve_kpis"), "KPI")
    history = council_files.read_deficit_history(
        council_files.find_file(folder, "dsg_deficit_history")
    )
    table = finance.deficit_trajectory(sv, history, financial_year="2021/22", quarter="Q3")
    fig = finance_charts.against_ceiling(table, title="t", source="s")
    x = pd.to_datetime(pd.Series(fig.axes[0].lines[0].get_xdata()))
    days = x.diff().dt.days.dropna().tolist()
    assert days[0] > 800 and days[-1] < 100  # Sept 2017 to March 2020; Q2 to Q3 2021


@pytest.mark.slow  # builds the tables or draws every chart
def test_a_phone_chart_has_no_text_under_11_px(drawn_figures):
    """Each chart's phone version, saved as the page embeds it and shown 343 px wide (a
    375 px phone less the page's margins), draws no text under 11 px."""
    import re

    from sendlib.present import charts
    from sendlib.present import html as reports

    figures = drawn_figures
    small = []
    for fig in figures:
        svg = reports._svg(charts.phone_version(fig))
        width = float(re.search(r'width="([\d.]+)pt"', svg).group(1))
        sizes = [float(x) for x in re.findall(r"font-size:\s*([\d.]+)px", svg)]
        if min(sizes) * 343 / width < 11:
            small.append(
                f"{getattr(fig, 'alt_text', '')[:50]!r}: {min(sizes) * 343 / width:.1f} px"
            )
    assert not small, "\n".join(small)


def test_reference_lines_are_named_in_the_legend_never_over_the_title(drawn_figures):
    """A ranked bar chart's region and England lines: named in its legend (which a phone puts
    under the chart), so no label over the axes can meet a title that wraps; every figure on
    the bars sits on white, so a dashed line never crosses it."""
    from sendlib.present import charts

    ranked = [
        f for f in drawn_figures if "among its statistical neighbours" in getattr(f, "alt_text", "")
    ]
    assert len(ranked) >= 2
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    for fig in [*ranked, *(charts.phone_version(f) for f in ranked)]:
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        ax = fig.axes[0]
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(t.startswith("England ") for t in legend)
        title = ax.title.get_window_extent(renderer)
        for text in ax.texts:
            assert not text.get_text().startswith("England")
            assert text.get_bbox_patch() is not None  # on white
            assert not text.get_window_extent(renderer).overlaps(title)
