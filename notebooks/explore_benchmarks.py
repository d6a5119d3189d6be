# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exploring benchmarks: a worked tour
# Your first hour with sendlib: pick a council, compare it with its neighbours, region and
# England, chart it, and take the table away to Excel. Change `council` and run all cells.

# %% tags=["parameters"]
council = "Kingston upon Thames"  # any council: name, 3-digit or 9-character code
sn_model = "2025"  # DfE statistical neighbour model: "2025" or "2021"
export_dir = "../reports/exports"  # where the tables are saved

# %% [markdown]
# ## 1. Find the council
# A misspelt name fails with the closest real names; codes work too.

# %%
import sendlib
from sendlib.measures import benchmarks
from sendlib.present import charts
from sendlib.present import html as reports

sendlib.find_council(council)

# %% [markdown]
# ## 2. Its statistical neighbours and caseload

# %%
sendlib.statistical_neighbours(council, model=sn_model)

# %%
sendlib.ehcp_caseload(council).tail()

# %% [markdown]
# ## 3. Compare it
# Each row is one comparator in one January. `ehcps` of a group is the sum of its councils;
# `rate_0_17` is the rate of the summed group and `mean_rate_0_17` the mean of the councils'
# own rates. `left_out` names any council a figure leaves out.

# %%
table = benchmarks.caseload_benchmark(council, sn_model=sn_model)
table[table["year"].ge(2023)]

# %% [markdown]
# Growth between any two Januaries, with compound annual growth:

# %%
benchmarks.growth(council, 2019, 2025, sn_model=sn_model)

# %% [markdown]
# Your own comparator group, by name or code:

# %%
benchmarks.growth(council, 2024, 2025, custom={"My group": ["Merton", "Sutton", "Bromley"]})

# %% [markdown]
# ## 4. Chart it
# Chart functions return a matplotlib Figure in the suite's style.

# %%
charts.trend(
    table.rename(columns={"comparator": "area_name"}),
    value="rate_0_17",
    highlight=table["comparator"].iloc[0],
    title="Plans per 1,000 children aged 0 to 17",
    ylabel="per 1,000",
    source=reports.SOURCE_EHCP,
)

# %% [markdown]
# Placements, requests, assessments and timeliness work the same way:

# %%
benchmarks.caseload_shares(council, "placement", year=2025, sn_model=sn_model).head(8)

# %%
benchmarks.activity_benchmark(council, sn_model=sn_model).query("year == 2024").head(8)

# %% [markdown]
# ## 5. Take the table away

# %%
reports.export(table, export_dir, "caseload_benchmark")
