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
latest_census = 2025  # the last January census known: the forecast starts from it
sn_model = "2025"  # DfE statistical neighbour model the forecast borrows strength from
cost_per_plan = 0.0  # £ a year per plan (council's own); 0: from its files below, if any
local_dir = ""  # folder of the council's own files, for its cost per plan ("" for none)
rules_file = ""  # the council's KPI rules: which KPI counts the plans held
quarter = ""  # the quarter of the financial year whose spend and plans give the cost
financial_year = ""  # the financial year of the files; "" if the folder holds one year
ceiling = 0  # a limit on plans such as a Safety Valve EHCP ceiling; 0 for none
ceiling_year = 0  # the January census the ceiling applies to
scenarios = []  # named scenarios: tables of levers (plan_growth, independent_share, price_growth)
goals = []  # goal-seeks: tables of target (deficit, spend, plans), ceiling, year and lever
deficit_ceilings = {}  # Safety Valve maxima by financial year, {"2022/23": 30000000} (£)

# %%
from sendlib import council_quarter
from sendlib.present import data_notes, forecast_report, money_report
from sendlib.present import html as reports

reports.title_block(
    "Forecast of EHC plans and their cost", council, meeting_date, latest_census, board=board
)

# %% [markdown]
# How many plans will there be next January, and what will they cost? The forecast never
# comes without its interval.
#
# ## Plans forecast

# %%
forecast_report.forecast_section(
    council,
    latest_census=latest_census,
    sn_model=sn_model,
    ceiling=ceiling,
    ceiling_year=ceiling_year,
    meeting_date=meeting_date,
)

# %% [markdown]
# **What an 80% interval means.** If we made forecasts like this one year after year, the
# outcome would fall inside the 80% interval about four times in five, and outside it about
# once in five. The intervals here are not guesses: they come from the errors the same method
# made in past years for every council, and the next section checks how often they held.
#
# ## How the method did in past years

# %%
forecast_report.backtest_section(council, latest_census=latest_census, sn_model=sn_model)

# %% [markdown]
# ## Plans by placement

# %%
money_report.placement_section(council, latest_census=latest_census, sn_model=sn_model)

# %% [markdown]
# ## What the plans will cost, by placement
# Each placement's plans at what a plan there costs a year; with the council's files, where
# that leaves the High Needs Block and the DSG deficit, under the council's scenarios.

# %%
files = council_quarter(local_dir, quarter, year=financial_year, rules_file=rules_file)
money_report.money_section(
    council,
    latest_census=latest_census,
    sn_model=sn_model,
    files=files,
    scenarios=scenarios,
    goals=goals,
    ceilings=deficit_ceilings,
)

# %% [markdown]
# ## All plans at one average cost
# A check on the placement model: every plan at the council's average cost per plan.

# %%
forecast_report.cost_section(
    council,
    latest_census=latest_census,
    sn_model=sn_model,
    cost_per_plan=cost_per_plan,
    files=files,
)

# %% [markdown]
# ## Method
# The forecast takes the council's growth over the last three years and moves it halfway
# toward the growth of its ten statistical neighbours, then lets that growth fade by a fifth
# each year ahead. In a backtest over every council and every January from 2015 this did
# better than carrying last year's or the last three years' growth forward. It knows nothing
# of the council's own plans or policies: read it as where present trends lead.

# %% [markdown]
# ## Data check

# %%
data_notes.data_check_section(
    council, report="forecast", latest_census=latest_census, sn_model=sn_model
)

# %% [markdown]
# ## Sources

# %%
reports.sources()
