# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
council = "Kingston upon Thames"  # council name, 3-digit or 9-character code
board = ""  # the board, as the pack definition names it (its title)
meeting_date = "2021-12-16"  # date of the board meeting (YYYY-MM-DD)
quarter = "Q3"  # the quarter of the financial year reported: Q1, Q2, Q3 or Q4
local_dir = "data/raw/local/kingston-upon-thames"  # folder of the council's own files
rules_file = "packs/kingston-upon-thames/kpi_rules.csv"  # the KPI rules: direction and kind
financial_year = "2021-22"  # the financial year of the files; "" if the folder holds one year
kpi_file = ""  # a dashboard file named outright; "": the one named for the year and quarter

# %%
from sendlib import council_quarter
from sendlib.present import html as reports
from sendlib.present import kpi_report

files = council_quarter(
    local_dir, quarter, year=financial_year, rules_file=rules_file, kpi_file=kpi_file
)

reports.title_block(
    "Demand and finance dashboard",
    council,
    meeting_date,
    data=f"the council's {quarter} returns",
    board=board,
)

# %% [markdown]
# Each KPI against its target, with two ratings side by side: the one officers reported, and
# the one sendlib's stated rule gives. Where they differ the table says so, in words as well as
# colour, so the board can ask why a judgement departs from the rule.
#
# ## Dashboard

# %%
kpi_report.kpi_dashboard_section(council, files=files)

# %% [markdown]
# ## Sources

# %%
reports.local_sources(files)
