"""High Needs funding: ESFA's allocations read to the pound, reproduced by the council's own
papers, and set against plans for the council, its neighbours, region and England."""

from __future__ import annotations

import pandas as pd
import pytest

from sendlib import config, tables
from sendlib.errors import DataFileError
from sendlib.ingest import dsg_allocations
from sendlib.measures import funding
from sendlib.measures.caseload import ehcp_caseload

ALLOCATIONS = config.RAW_DIR / config.DSG_ALLOCATIONS
FINAL_2023_24 = config.RAW_DIR / config.DSG_ALLOCATIONS_2023_24


def allocation(code: str | None, year: str) -> float:
    table = tables.current().hnb_funding
    rows = table[table["financial_year"].eq(year)]
    rows = (
        rows[rows["level"].eq("national")] if code is None else rows[rows["old_la_code"].eq(code)]
    )
    return float(rows["hnb_allocation"].iloc[0])


def test_kingstons_own_papers_give_esfas_allocation():
    # Kingston's KPI dashboard, "HNB DSG allocation": baseline £23,268,514 (2020/21) and
    # £25,689,881 at Q3 2021/22 (ESFA publishes £25,689,882: the council's figure is £1 less)
    assert allocation("314", "2020/21") == 23_268_514
    assert allocation("314", "2021/22") == pytest.approx(25_689_881, abs=1)


def test_england_is_the_sum_of_its_councils_and_esfas_total():
    table = tables.current().hnb_funding
    for year, part in table.groupby("financial_year"):
        councils = part.loc[part["level"].eq("council"), "hnb_allocation"].sum()
        assert councils == pytest.approx(allocation(None, year), abs=1)
    assert allocation(None, "2021/22") == 7_906_348_577  # ESFA, 2021 to 2022 allocations
    assert allocation(None, "2023/24") == 9_952_172_126  # ESFA's July 2024 update


def test_2019_20_in_millions_is_read_as_pounds():
    assert allocation("314", "2019/20") == pytest.approx(23_286_831.26, abs=0.01)


def test_per_plan_is_funding_over_the_plans_at_the_january_inside_the_year():
    table = funding.hnb_funding_benchmark("Kingston upon Thames", sn_model="2021")
    row = table[table["role"].eq("council") & table["financial_year"].eq("2022/23")].iloc[0]
    plans = ehcp_caseload("Kingston upon Thames").set_index("year").loc[2023, "ehcps"]
    assert row["plans"] == plans
    assert row["per_plan"] == pytest.approx(allocation("314", "2022/23") / plans)


def test_councils_without_a_high_needs_block_are_named_not_dropped():
    table = funding.hnb_funding_benchmark("Camden")
    england = table[table["role"].eq("england")]
    assert england["left_out"].str.contains("City of London").all()
    assert england["left_out"].str.contains("Isles of Scilly").all()
    inner = table[table["role"].eq("region")]
    assert inner["left_out"].str.contains("City of London: no High Needs Block").all()
    assert england["funding"].tolist() == pytest.approx(
        [allocation(None, y) for y in england["financial_year"]]
    )


def test_a_merged_council_starts_with_its_first_year():
    table = funding.hnb_funding_benchmark("North Northamptonshire")
    own = table[table["role"].eq("council")].set_index("financial_year")
    assert pd.isna(own.loc["2020/21", "per_plan"])
    assert "not a council then" in own.loc["2020/21", "left_out"]
    assert own.loc["2021/22", "per_plan_index"] == 100


def test_pace_compares_funding_and_plans_growth():
    table = funding.hnb_funding_benchmark("Kent")
    pace = funding.funding_pace(table).set_index("comparator")
    own = table[table["role"].eq("council")]
    first, last = own.iloc[0], own.iloc[-1]
    assert pace.loc["Kent", "funding_growth_pct"] == pytest.approx(
        (last["funding"] / first["funding"] - 1) * 100
    )
    assert pace.loc["Kent", "per_plan_change_pct"] == pytest.approx(
        (last["per_plan"] / first["per_plan"] - 1) * 100
    )


def edited(tmp_path, *replacements: tuple[str, str]):
    """A copy of ESFA's summary workbook with its content.xml edited (an .ods is a zip)."""
    import zipfile

    path = tmp_path / "dsg.ods"
    with zipfile.ZipFile(ALLOCATIONS) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "content.xml":
                text = data.decode()
                for old, new in replacements:
                    assert old in text, old
                    text = text.replace(old, new, 1)
                data = text.encode()
            target.writestr(item, data)
    return path


def cell(value: int) -> str:
    return f'office:value-type="float" office:value="{value}" table:style-name="ce23"><text:p>{value:,}</text:p>'


def test_a_changed_workbook_is_refused_with_every_problem(tmp_path):
    # Kingston's and Kent's 2020/21 High Needs Block, typed over as text
    path = edited(
        tmp_path,
        (cell(23268514), 'office:value-type="string"><text:p>tbc</text:p>'),
        (cell(222918942), 'office:value-type="string"><text:p>n/a</text:p>'),
    )
    with pytest.raises(DataFileError) as caught:
        dsg_allocations.read_hnb_allocations(path, FINAL_2023_24)
    text = str(caught.value)
    assert "2 problem(s) in ESFA's DSG workbook" in text
    assert "Allocations_2021" in text and "'tbc'" in text and "'n/a'" in text


def test_a_missing_sheet_or_a_file_that_is_no_spreadsheet_is_named(tmp_path):
    path = edited(tmp_path, ('table:name="Allocations_1920"', 'table:name="Sheet1"'))
    with pytest.raises(DataFileError, match="no sheet Allocations_1920"):
        dsg_allocations.read_hnb_allocations(path, FINAL_2023_24)
    other = tmp_path / "other.ods"
    other.write_text("not a zip")
    with pytest.raises(DataFileError, match="not an OpenDocument spreadsheet"):
        dsg_allocations.read_hnb_allocations(other, FINAL_2023_24)
