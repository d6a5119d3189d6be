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
