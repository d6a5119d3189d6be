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
meeting_date = "2025-07-10"  # date of the board meeting (YYYY-MM-DD)
latest_census = 2025  # last January census to show (the data as it stood at the meeting)
sn_model = "2025"  # DfE statistical neighbour model: "2025" or "2021"

# %%
from sendlib.present import benchmarking_report, data_notes
from sendlib.present import html as reports

reports.title_block(
    "EHCP growth and benchmarking", council, meeting_date, latest_census, board=board
)

# %% [markdown]
# Is our growth in plans normal? This report compares the council with the mean of its 10
# statistical neighbours, its region (Inner or Outer London for a London borough) and England.
# A group's count is the sum of its councils; its rates are the rate of the summed group, and
# the tables also give the mean of the councils' own rates, as DfE's benchmarking tools do.
#
# ## Summary

# %%
benchmarking_report.summary(council, latest_census=latest_census, sn_model=sn_model)

# %% [markdown]
# ## Growth in plans

# %%
benchmarking_report.growth_section(council, latest_census=latest_census, sn_model=sn_model)

# %% [markdown]
# ## Plans per 1,000 children

# %%
benchmarking_report.rates_section(council, latest_census=latest_census, sn_model=sn_model)

# %% [markdown]
# ## Against statistical neighbours

# %%
benchmarking_report.neighbours_section(council, latest_census=latest_census, sn_model=sn_model)

# %% [markdown]
# ## Ages

# %%
benchmarking_report.shape_section(council, "age", latest_census=latest_census, sn_model=sn_model)

# %% [markdown]
# ## Placements

# %%
benchmarking_report.shape_section(
    council, "placement", latest_census=latest_census, sn_model=sn_model
)

# %% [markdown]
# ## Primary need

# %%
benchmarking_report.shape_section(council, "need", latest_census=latest_census, sn_model=sn_model)

# %% [markdown]
# ## Requests, assessments and new plans

# %%
benchmarking_report.activity_section(council, latest_census=latest_census, sn_model=sn_model)

# %% [markdown]
# ## Plans issued within 20 weeks

# %%
benchmarking_report.timeliness_section(council, latest_census=latest_census, sn_model=sn_model)

# %% [markdown]
# ## Data check

# %%
data_notes.data_check_section(
    council, report="benchmarking", latest_census=latest_census, sn_model=sn_model
)

# %% [markdown]
# ## Sources

# %%
reports.sources()
