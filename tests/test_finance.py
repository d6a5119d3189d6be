"""The council's published arithmetic reproduced from its own files, to the £0.001m."""

from __future__ import annotations

import pandas as pd
import pytest

from sendlib import config
from sendlib.errors import DataFileError
from sendlib.ingest import council_files as local_sources
from sendlib.ingest.council_quarter import CouncilQuarter
from sendlib.ingest.kpi_rules import read_rules
from sendlib.measures import finance, kpis

KINGSTON = config.RAW_DIR / "local" / "kingston-upon-thames"
RULES = config.PACKS_DIR / "kingston-upon-thames" / "kpi_rules.csv"


@pytest.fixture(scope="module")
def model() -> pd.DataFrame:
    return local_sources.read_hnb_model(local_sources.find_file(KINGSTON, "hnb_financial_model"))


def millions(value: float) -> float:
    return round(value / 1e6, 3)


def computed(model: pd.DataFrame, check: str, column: str) -> float:
    """What sendlib computed for one of the model's checks (see finance.hnb_checks)."""
    checks = finance.hnb_checks(model)
    row = checks[checks["check"].str.startswith(check) & checks["column"].eq(column)]
    return float(row["computed"].iloc[0])


def test_total_budget(model):
    assert millions(computed(model, "Total budget", "model")) == 26.359  # published


def test_spend_after_savings_in_the_model_and_at_q3(model):
    assert millions(computed(model, "Spend after savings", "model")) == 31.791  # published
    # 33.049 - 0.849 = 32.200: the published 32.201 is within the £0.001m rounding.
    assert abs(computed(model, "Spend after savings", "actual") - 32_201_000) <= 1_000


def test_net_hnb_deficit_at_q3(model):
    assert millions(computed(model, "Net HNB deficit", "actual")) == 5.848  # published


def test_every_check_of_the_model_agrees(model):
    checks = finance.hnb_checks(model)
    assert checks["agrees"].all(), checks[~checks["agrees"]]


def test_a_wrong_total_is_caught(model):
    broken = model.copy()
    broken.loc[broken["kind"].eq("total_budget"), "model"] = 26_000_000.0
    checks = finance.hnb_checks(broken)
    assert not checks.loc[
        checks["check"].str.startswith("Total budget") & checks["column"].eq("model"), "agrees"
    ].iloc[0]


def test_net_plans_increase_year_to_date():
    table = local_sources.read_wide(
        local_sources.find_file(KINGSTON, "plans_issued_ceased"), "KPI", "count"
    )
    plans = finance.net_plans(table)
    assert (plans["issued"], plans["ceased"], plans["net"]) == (83, 42, 41)  # published
    assert plans["agrees"]


def test_partner_contributions_total_at_q3():
    table = local_sources.read_wide(
        local_sources.find_file(KINGSTON, "partner_contributions"), "Partner", "gbp"
    )
    wide = table.assign(quarter=table["column"].str.extract(r"(Q[1-4])")[0]).pivot_table(
        index="label", columns="quarter", values="value", aggfunc="first", sort=False
    )
    assert finance.partners_total(wide, "Q3") == (226_000, 226_000, True)  # published +£226k


def test_savings_achieved_against_target(model):
    saved = finance.savings(model)
    assert round(saved["target"].sum()) == 1_261_000  # the dashboard's savings target
    assert round(saved["achieved"].sum()) == 849_000


def test_waterfall_ends_at_the_net_deficit(model):
    steps = finance.waterfall(model)
    assert steps.iloc[-1]["end"] == pytest.approx(5_848_000)
    assert abs(steps.iloc[-3]["end"] - steps.iloc[-4]["end"]) <= finance.TOLERANCE


def test_deficit_stays_under_the_safety_valve_ceiling():
    sv = local_sources.read_wide(local_sources.find_file(KINGSTON, "safety_valve_kpis"), "KPI")
    history = local_sources.read_deficit_history(
        local_sources.find_file(KINGSTON, "dsg_deficit_history")
    )
    trajectory = finance.deficit_trajectory(sv, history, financial_year="2021/22")
    latest = trajectory.iloc[-1]
    assert (latest["deficit"], latest["ceiling"]) == (28_363_000, 28_607_000)
    assert trajectory["when"].iloc[0].startswith("2017/18")


def test_costs():
    assert round(finance.average_cost_per_plan(32_200_451, 1_512)) == 21_297
    assert round(finance.average_top_up(10_245_000, 644)) == 15_908  # README: £15,908
    with pytest.raises(ValueError):
        finance.average_cost_per_plan(1, 0)


def test_public_top_up_spend_and_independent_share():
    table = finance.specialist_spend_benchmark("Kingston upon Thames", sn_model="2021")
    mine = table[table["role"].eq("council")].set_index("sector")
    assert mine.loc["Independent or non-maintained", "spend"] == 9_777_350  # published
    assert mine.loc["State", "spend"] == 6_051_707  # published
    assert round(mine.loc["Total", "independent_share"], 1) == round(
        9_777_350 / (9_777_350 + 6_051_707) * 100, 1
    )


def test_dsg_deficit_percentages_as_published():
    table = finance.dsg_deficit_benchmark("Kingston upon Thames")
    mine = table[table["role"].eq("council")].set_index("financial_year")["deficit_pct"]
    england = table[table["role"].eq("england")].set_index("financial_year")["deficit_pct"]
    assert list(mine) == [13.69, 8.38, 6.23] and list(england) == [1.08, 1.69, 2.26]


# --- KPIs and RAG --------------------------------------------------------------------------------

RAG_CASES = [
    # actual, target, direction, amber %, expected
    (100, 100, "lower", 5, "G"),
    (104, 100, "lower", 5, "A"),
    (106, 100, "lower", 5, "R"),
    (96, 100, "higher", 5, "A"),
    (90, 100, "higher", 5, "R"),
    (110, 100, "higher", 5, "G"),
    (-35, -54, "lower", 5, "R"),
    (100, 100, "", 5, None),
    (None, 100, "lower", 5, None),
    (1, 0, "lower", 5, "R"),
    (103, 100, "lower", 2, "R"),
]


@pytest.mark.parametrize(("actual", "target", "direction", "amber", "expected"), RAG_CASES)
def test_rag_rule(actual, target, direction, amber, expected):
    assert kpis.rag(actual, target, direction, amber) == expected


def test_kingston_dashboard_marks_where_the_rule_and_officers_differ():
    table = local_sources.read_kpi_dashboard(local_sources.find_file(KINGSTON, "kpi_dashboard"))
    board = kpis.dashboard(table, read_rules(RULES), "Q3").set_index("ref")
    # Actual EHCPs: 1,512 at Q3 against a pro rata target of 1,429 + (1,496 - 1,429) x 9/12.
    assert board.loc["1", "quarter_target"] == pytest.approx(1479.25)
    assert (board.loc["1", "rag"], board.loc["1", "reported_rag"]) == ("A", "G")
    assert board.loc["1", "differs"]
    assert board.loc["14", "rag"] == "G"  # deficit under the Safety Valve maximum
    assert pd.isna(board.loc["8", "rag"])  # no direction set: not rated
    assert not board.loc["8", "differs"]


def test_a_kpi_without_a_rule_is_named():
    table = local_sources.read_kpi_dashboard(local_sources.find_file(KINGSTON, "kpi_dashboard"))
    rules = read_rules(RULES)
    with pytest.raises(DataFileError, match="no row for ref 38"):
        kpis.dashboard(table, rules[rules["ref"].ne("38")], "Q3")


def test_a_bad_rule_is_refused(tmp_path):
    path = tmp_path / "kpi_rules.csv"
    path.write_text("ref,direction,kind\n1,down,stock\n")
    with pytest.raises(DataFileError, match="row 2, column 'direction'"):
        read_rules(path)


def test_comments_are_escaped_in_the_dashboard(tmp_path):
    from sendlib.present import kpi_report

    folder = tmp_path / "council"
    folder.mkdir()
    text = (KINGSTON / "kpi_dashboard_2021-22_q3.tsv").read_text()
    (folder / "kpi_dashboard_2021-22_q3.tsv").write_text(
        text.replace("actual @ Nov, Target pro rata", "<script>alert(1)</script>", 1)
    )
    html = kpi_report.kpi_dashboard_section(
        "Kingston upon Thames", files=CouncilQuarter(folder, "Q3", rules_file=RULES)
    ).data
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_cost_section_uses_the_published_figures():
    import re

    from sendlib.present import finance_report

    html = finance_report.costs_section(
        "Kingston upon Thames", files=CouncilQuarter(KINGSTON, "Q3", rules_file=RULES)
    ).data
    text = re.sub(r"<[^>]+>", " ", html)
    # £32,201,000 / 1,512 plans = £21,297; 83 plans added since the baseline of 1,429.
    assert "£21,297 a plan" in text and "The 83 plans added" in text
    assert "£1,767,647" in text  # 83 x £32,201,000 / 1,512
    assert "Independent school, under 16" in text and "£34,208" in text


# --- ratings never built on a guess ----------------------------------------------------------


def test_a_missing_baseline_is_not_rated_and_says_why(tmp_path):
    header = (
        "Ref\tKey Performance Indicator\tTarget Derivation\tBaseline 20/21\tTarget 21/22\tQ1\tRAG"
    )
    row = "1\tPlans\tPro rata\tn/a\t1,496\t1,450\tG"
    path = tmp_path / "kpi_dashboard_2021-22_q1.tsv"
    path.write_text(f"{header}\n{row}\n")
    rules = pd.DataFrame(
        {"ref": ["1"], "direction": ["lower"], "kind": ["stock"], "amber_pct": [5.0]}
    )
    board = kpis.dashboard(local_sources.read_kpi_dashboard(path), rules, "Q1")
    assert board["rag"].isna().all() and pd.isna(board["quarter_target"].iloc[0])
    assert "no baseline" in board["not_rated_because"].iloc[0]


@pytest.mark.parametrize(
    ("text", "value"), [("1%", 1.0), ("2.5", 2.5), ("", 5.0), (" 10 % ", 10.0)]
)
def test_the_amber_band_reads_as_typed(tmp_path, text, value):
    path = tmp_path / "rules.csv"
    path.write_text(f'ref,direction,kind,amber_pct\n1,lower,stock,"{text}"\n')
    assert read_rules(path)["amber_pct"].iloc[0] == value


@pytest.mark.parametrize("text", ["five", "-1", "150%"])
def test_an_amber_band_sendlib_cannot_read_is_refused(tmp_path, text):
    path = tmp_path / "rules.csv"
    path.write_text(f"ref,direction,kind,amber_pct\n1,lower,stock,{text}\n")
    with pytest.raises(DataFileError, match="row 2, column 'amber_pct'"):
        read_rules(path)


def test_the_deficit_at_an_earlier_quarter_ends_at_that_quarter():
    sv = local_sources.read_wide(KINGSTON / "safety_valve_deficit_and_ehcp_kpis_2021-22.tsv", "KPI")
    history = local_sources.read_deficit_history(KINGSTON / "dsg_deficit_history.tsv")
    q2 = finance.deficit_trajectory(sv, history, financial_year="2021/22", quarter="Q2")
    assert q2["when"].iloc[-1] == "2021/22 Q2" and q2["deficit"].iloc[-1] == 28_260_000


def test_a_quarter_missing_from_a_yearly_file_names_the_file():
    path = KINGSTON / "partner_contributions_2021-22.tsv"
    table = local_sources.read_wide(path, "Partner", "gbp")
    local_sources.require_quarter(table, "Q3", path)
    with pytest.raises(DataFileError, match="partner_contributions_2021-22.tsv: no Q4 column"):
        local_sources.require_quarter(table, "Q4", path)


def _model_without(tmp_path, keep):
    import shutil

    folder = tmp_path / "council"
    shutil.copytree(config.RAW_DIR / "local" / "kingston-upon-thames", folder)
    model = folder / "hnb_financial_model_2021-22_q3.tsv"
    lines = model.read_text(encoding="utf-8-sig").splitlines()
    model.write_text("\n".join([lines[0], *filter(keep, lines[1:])]) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "keep",
    [lambda line: False, lambda line: "after savings" not in line.lower()],
    ids=["a blank model (the template)", "a model without its spend after savings"],
)
def test_a_cost_per_plan_from_an_unfinished_model_is_a_data_file_error_naming_it(keep, tmp_path):
    from sendlib.errors import DataFileError

    folder = _model_without(tmp_path, keep)
    with pytest.raises(DataFileError) as error:
        finance.council_cost_per_plan(
            CouncilQuarter(folder, "Q3", rules_file="packs/kingston-upon-thames/kpi_rules.csv")
        )
    assert "hnb_financial_model_2021-22_q3.tsv" in str(error.value)
    assert "spend after savings" in str(error.value)


def test_public_spend_for_a_year_not_yet_published_says_which_year_it_shows():
    """A pack for 2025/26 (as `pack new` writes it) compares the latest published year, and
    says so; a council created since has no figure, with the reason (found building
    Cumberland's pack for 10 December 2025)."""
    import re

    from sendlib.present import finance_report

    page = finance_report.public_finance_section(
        "Cumberland", sn_model="2025", financial_year="2025-26"
    ).data
    text = re.sub(r"<[^>]+>", " ", page).replace("&#x27;", "'")
    assert "published to 2021/22: the spend below is for 2021/22" in text
    assert "not 2025/26" in text
    assert "no specialist spend can be given for Cumberland in 2021/22" in text
    assert "£nan" not in text
    early = finance_report.public_finance_section(
        "Kent", sn_model="2025", financial_year="2016/17"
    ).data
    assert "begin after 2016/17" in early
