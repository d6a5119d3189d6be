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
rules_file = "packs/kingston-upon-thames/kpi_rules.csv"  # the KPI rules: which KPI is what
financial_year = "2021-22"  # the financial year of the files; "" if the folder holds one year
sn_model = "2025"  # DfE statistical neighbour model for the public comparisons
public_year = "2021/22"  # financial year of the public spend comparison
latest_census = 2021  # the last January census known: funding per plan runs to its year

# %%
from sendlib import council_quarter
from sendlib.present import data_notes, finance_report, money_report
from sendlib.present import html as reports

files = council_quarter(local_dir, quarter, year=financial_year, rules_file=rules_file)

reports.title_block(
    "High Needs Block and DSG",
    council,
    meeting_date,
    data=f"the council's {quarter} returns",
    board=board,
)

# %% [markdown]
# Where the High Needs Block stands against the financial model, what the savings achieved,
# the cumulative DSG deficit against the Safety Valve agreement, and how the council's spend
# compares with similar councils in DfE's published figures.
#
# ## Summary

# %%
finance_report.summary(council, files=files)

# %% [markdown]
# ## High Needs Block position

# %%
finance_report.hnb_section(council, files=files)

# %% [markdown]
# ## From spend to deficit, and savings

# %%
finance_report.waterfall_section(council, files=files)

# %% [markdown]
# ## What plans and placements cost

# %%
finance_report.costs_section(council, files=files)

# %% [markdown]
# ## DSG deficit and the Safety Valve

# %%
finance_report.deficit_section(council, files=files)

# %% [markdown]
# ## Partner contributions

# %%
finance_report.partners_section(council, files=files)

# %% [markdown]
# ## Against other councils

# %%
finance_report.public_finance_section(council, sn_model=sn_model, financial_year=public_year)

# %% [markdown]
# ## Unit costs by placement

# %%
money_report.unit_costs_section(council, sn_model=sn_model, financial_year=public_year, files=files)

# %% [markdown]
# ## Funding beside plans
# Has the High Needs Block kept pace with the plans it pays for?

# %%
money_report.funding_section(council, sn_model=sn_model, latest_census=latest_census)

# %% [markdown]
# ## Data check

# %%
data_notes.data_check_section(council, report="finance", sn_model=sn_model)

# %% [markdown]
# ## Sources

# %%
reports.local_sources(files)
