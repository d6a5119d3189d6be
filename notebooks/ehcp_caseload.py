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
latest_census = 2025  # last January census to show (the data as it stood at the meeting)
sn_model = "2025"  # DfE statistical neighbour model: "2025" or "2021"

# %%
from sendlib.measures import caseload
from sendlib.present import charts, data_notes
from sendlib.present import html as reports

table = caseload.caseload_with_comparators(council, latest=latest_census)
reports.title_block("EHCP caseload", council, meeting_date, latest_census, board=board)

# %% [markdown]
# Statements and EHC plans maintained at each January census, for the council beside its
# region (Inner or Outer London for a London borough) and England.
#
# ## Summary

# %%
reports.sentence(reports.growth_sentence(table))

# %% [markdown]
# ## Growth since 2015
# Each line is indexed to its own January 2015 caseload (= 100), so areas of different size
# can be compared.

# %%
reports.figure(
    charts.trend(
        table,
        value="index",
        highlight=table["area_name"].iloc[0],
        title=reports.index_title(table),
        ylabel="Index (January 2015 = 100)",
        source=reports.SOURCE_EHCP,
    )
)

# %% [markdown]
# ## Statements and EHC plans at each January

# %%
reports.caseload_table(table)

# %% [markdown]
# ## Statistical neighbours
# The ten councils DfE's statistical neighbour model judges most similar to this one.

# %%
reports.neighbours_table(council, sn_model)

# %% [markdown]
# ## Data check

# %%
data_notes.data_check_section(
    council, report="caseload", latest_census=latest_census, sn_model=sn_model
)

# %% [markdown]
# ## Sources

# %%
reports.sources()
