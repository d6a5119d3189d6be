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
from sendlib.measures import benchmarks, costs, forecasting, placements

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
# `sendlib.plot` draws any table sendlib returns, in the house style: each comparator in its
# one colour, the council highlighted. `measure=` picks the value.

# %%
sendlib.plot(table, measure="rate_0_17")

# %% [markdown]
# Placements, requests, assessments and timeliness work the same way:

# %%
activity = benchmarks.activity_benchmark(council, sn_model=sn_model)
sendlib.plot(activity, measure="pct_within_20_weeks_excl_exceptions")

# %%
sendlib.plot(benchmarks.caseload_shares(council, "placement", sn_model=sn_model))

# %% [markdown]
# ## 5. Where does it stand among all councils?
# A league table: every council's value, rank and quartile (DfE LAIT's convention, by the
# measure's polarity), its neighbours' mean, its region (London for a London borough) and
# England, and the reason where a figure is missing. `sendlib.measures.table()` lists what can be
# ranked.

# %%
sendlib.measures.table()[["measure", "label", "unit", "polarity"]]

# %%
league = sendlib.league("rate_0_17", 2025, sn_model=sn_model)
league[league["area_name"].eq(sendlib.find_council(council)["area_name"])]

# %%
sendlib.plot(league, highlight=sendlib.find_council(council)["area_name"])

# %% [markdown]
# ## 6. Several areas, and councils that merged
# Any function that takes an area takes a list. Merged councils break a series as published;
# `boundaries="consistent"` joins them where the sum is exact, and says what it joined.

# %%
sendlib.plot(sendlib.ehcp_caseload(["Kent", "Medway", "South East"]))

# %%
sendlib.ehcp_caseload("North Northamptonshire", boundaries="consistent").tail(6)[
    ["year", "area_name", "ehcps", "joined_from"]
]

# %% [markdown]
# ## 7. A forecast, with its uncertainty

# %%
sendlib.plot(forecasting.forecast(council), highlight=sendlib.find_council(council)["area_name"])

# %% [markdown]
# ## 8. The money: plans by placement, their cost, and what would keep spend inside a limit
# Plans in each placement group (they add up to the forecast above), what they cost at each
# group's unit cost (the `source` column says where each comes from), and the smallest change
# in one lever that keeps next year's spend on plans 5% below the forecast.

# %%
by_placement = placements.placement_forecast(council)
by_placement[by_placement["horizon"].eq(1)]

# %%
money = costs.cost_forecast(council)
spend = money[money["line"].eq("Spend on plans")]
costs.goal_seek(
    council,
    target="spend",
    ceiling=0.95 * spend["point"].iloc[1],
    year=spend["financial_year"].iloc[1],
    lever="plan_growth",
)[["status", "value", "chance_inside", "sentence"]]

# %% [markdown]
# ## 9. Take the tables away
# One workbook: a named sheet per table, headers frozen, numbers formatted, and a Notes sheet
# with the sources, the data date and every missing-value reason.

# %%
sendlib.to_excel(
    {"Benchmark": table, "Activity": activity, "League": league},
    f"{export_dir}/caseload_benchmark.xlsx",
)

# %% [markdown]
# ## 10. Explore
# Pick councils, a measure and comparators; the chart and table follow; export with a click.

# %%
sendlib.explore([council], sn_model=sn_model, export_dir=export_dir)
