"""Charts draw whatever text a council's file holds, and never print an impossible figure."""

from __future__ import annotations

import io

import pandas as pd

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
