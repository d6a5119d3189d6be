"""The front of a meeting's pack: the board summary and "Since the last meeting".

Both are HTML made from the key figures of :mod:`sendlib.measures.headlines` (never typed):
each figure with what it is set against and a link to the report that explains it, the KPIs
rated Red, and, against the council's last pack, new data, figures then and now, ratings
that moved and inputs that changed. Every text from data is escaped.
"""

from __future__ import annotations

import html

import pandas as pd

from sendlib.measures import headlines
from sendlib.present.formats import pounds_m
from sendlib.present.html import money, number, rag_table, signed
from sendlib.vocab import RAG_WORDS


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def value_text(value: object, unit: str, *, change: bool = False) -> str:
    """A key figure in words: plans with thousands, a percentage to one decimal, pounds.

    >>> value_text(1512.0, "plans"), value_text(5.814, "percent"), value_text(28363000.0, "GBP")
    ('1,512', '5.8%', '£28,363,000')
    >>> value_text(126.0, "plans", change=True), value_text(-1.2, "percent", change=True)
    ('+126', '-1.2 percentage points')
    """
    if _missing(value):
        return "–"
    if unit == "percent":
        return (
            f"{signed(value)} points".replace("% points", " percentage points")
            if change
            else number(value, 1, "%")
        )
    if unit == "GBP":
        text = money(value)
        return ("+" + text if value > 0 else text) if change else text
    return signed(value, 0, "") if change else number(value)


def _rating(code: object) -> str:
    return "not rated" if _missing(code) else RAG_WORDS.get(str(code), str(code))


def _change_on(value: float, other, against: str) -> str:
    """ ", up 110 (+8.4%) on January 2020 (1,314)" ("" without a figure to set it against)."""
    if _missing(other):
        return ""
    change = value - other
    if not change:
        return f", the same as {against}"
    pct = change / other * 100 if other else None
    word = "up" if change > 0 else "down"
    return f", {word} {number(abs(change))} ({signed(pct)}) on {against} ({number(other)})"


def _plans_text(row, label, value, when, against, other) -> str:
    return f"{label} at {when}: {value}" + _change_on(row["value"], other, against) + "."


def _growth_text(row, label, value, when, against, other) -> str:
    text = f"{label} ({when}): {signed(row['value'])}"
    if not _missing(other):
        text += f", against {signed(other)} for {against}"
    return text + "."


def _forecast_text(row, label, value, when, against, other) -> str:
    unit = row["unit"]
    show = (lambda v: pounds_m(v, 1)) if unit == "GBP" else (lambda v: value_text(v, unit))
    text = f"{label} for {when}: {show(row['value'])}"
    if not _missing(row["low"]) and not _missing(row["high"]):
        text += f" (80% interval {show(row['low'])} to {show(row['high'])})"
    elif row["missing_because"]:
        text += f" ({row['missing_because']})"
    if not _missing(other):
        text += f", against {show(other)} ({against})"
    return text + "."


def _chance_text(row, label, value, when, against, other) -> str:
    return (
        f"Chance of more than {number(other)} plans ({against}) at {when}: about "
        f"{number(row['value'])}%."
    )


def _deficit_text(row, label, value, when, against, other) -> str:
    text = f"{label} at {when}: {value}"
    if not _missing(other):
        room = other - row["value"]
        text += (
            f", {money(abs(room))} {'inside' if room >= 0 else 'over'} {against} ({money(other)})"
        )
    return text + "."


def _other_text(row, label, value, when, against, other) -> str:
    text = f"{label} at {when}: {value}"
    if not _missing(other):
        text += f", against {value_text(other, row['unit'])} ({against})"
    return text + "."


_SENTENCES = {
    "plans": _plans_text,
    "growth": _growth_text,
    "forecast": _forecast_text,
    "spend_forecast": _forecast_text,
    "deficit_forecast": _forecast_text,
    "ceiling_chance": _chance_text,
    "deficit": _deficit_text,
}


def figure_sentence(row: pd.Series) -> str:
    """One key figure with what it is set against, in words (plain text). A goal-seek's
    figure is its own sentence.

    >>> figure_sentence(pd.Series({"figure": "plans", "label": "EHC plans maintained",
    ...     "value": 1424.0, "unit": "plans", "when": "January 2021", "low": None, "high": None,
    ...     "compare_label": "January 2020", "compare_value": 1314.0, "missing_because": ""}))
    'EHC plans maintained at January 2021: 1,424, up 110 (+8.4%) on January 2020 (1,314).'
    """
    label, unit, when = row["label"], row["unit"], row["when"]
    if row["figure"] == "goal" and not row["missing_because"]:
        return str(label)
    if _missing(row["value"]):
        why = row["missing_because"] if not _missing(row["missing_because"]) else ""
        return f"{label}: not available" + (f" ({why})." if str(why).strip() else ".")
    write = _SENTENCES.get(row["figure"], _other_text)
    return write(
        row, label, value_text(row["value"], unit), when, row["compare_label"], row["compare_value"]
    )


def _reported(code: object) -> str:
    return "none reported" if _missing(code) else RAG_WORDS.get(str(code), str(code))


def _figure_line(row: pd.Series, links: dict[str, tuple[str, str]]) -> str:
    href, title = links.get(row["report"], ("", ""))
    link = f' <a href="{_esc(href)}">{_esc(title)}</a>' if href else ""
    return f"<li>{_esc(figure_sentence(row))}{link}</li>"


def board_summary(
    figures: pd.DataFrame, ratings: pd.DataFrame | None, links: dict[str, tuple[str, str]]
) -> str:
    """The one screen a member reads first: each key figure with its comparison and a link
    to the report that explains it (``links``: notebook -> (href, title)), then the KPIs
    rated Red by the rule or by officers."""
    items = "".join(_figure_line(row, links) for _, row in figures.iterrows())
    parts = ['<h2 id="summary">Board summary</h2>']
    if items:
        parts.append(f'<ul class="sendlib-key-figures">{items}</ul>')
    else:
        parts.append('<p class="sendlib-note">This pack has no report with a key figure.</p>')
    if ratings is not None:
        red = ratings[
            ratings["rag"].eq("R").fillna(False) | ratings["reported_rag"].eq("R").fillna(False)
        ]
        href, title = links.get("kpi_dashboard", ("", ""))
        link = f' <a href="{_esc(href)}">{_esc(title)}</a>' if href else ""
        quarter = ratings["quarter"].iloc[0] if len(ratings) else ""
        if red.empty:
            parts.append(
                f"<p>No KPI is Red at {_esc(quarter)}, by the rule or as reported.{link}</p>"
            )
        else:
            lines = "".join(
                f"<li>{_esc(r.kpi)} (ref {_esc(r.ref)}): {_esc(_rating(r.rag))} by the rule, "
                f"{_esc(_rating(r.reported_rag))} as reported</li>"
                for r in red.itertuples()
            )
            parts.append(
                f'<details class="sendlib-more"><summary>{len(red)} '
                f"KPI{'s are' if len(red) != 1 else ' is'} Red at {_esc(quarter)}, by the rule "
                f'or as reported</summary><ul class="sendlib-red">{lines}</ul></details>'
            )
            if link:
                parts.append(f"<p>Every KPI against its target, in the{link}.</p>")
    return "".join(parts)


def _table(
    head: list[str], rows: list[list[str]], caption: str, text: int = 1, words: tuple = ()
) -> str:
    """A table of plain text, its first ``text`` columns (and ``words``) words that wrap; on a
    phone each row is a card headed by the last of the first ``text``
    (:func:`sendlib.present.html.rag_table`)."""
    frame = pd.DataFrame(rows, columns=head)
    return rag_table(
        frame,
        [],
        caption,
        text_columns=(*head[:text], *words),
        cards=True,
        card_title=head[text - 1],
    ).data


def _last_forecast(
    before: pd.DataFrame, now: pd.DataFrame, outcomes: dict[str, float] | None = None
) -> str:
    """How the last meeting's forecast did, once the January it forecast has been counted: by
    this meeting's figure for that January, or ``outcomes`` (January -> plans counted, for a
    last meeting further back than a year)."""
    forecast = before[before["figure"].eq("forecast")]
    plans = now[now["figure"].eq("plans")]
    if forecast.empty:
        return ""
    f = forecast.iloc[0]
    counted = (outcomes or {}).get(str(f["when"]))
    if not plans.empty and plans.iloc[0]["when"] == f["when"]:
        counted = plans.iloc[0]["value"]
    if _missing(f["value"]) or counted is None or _missing(counted):
        return ""
    p = {"value": counted}
    text = (
        f"The last meeting's forecast for {f['when']} was {number(f['value'])}; the census "
        f"counted {number(p['value'])}"
    )
    if not _missing(f["low"]) and not _missing(f["high"]):
        inside = f["low"] <= p["value"] <= f["high"]
        text += (
            f", {'inside' if inside else 'outside'} its 80% interval ({number(f['low'])} to "
            f"{number(f['high'])})"
        )
    text += (
        ". That is the forecast the last meeting's pack gave, from the data it had; the "
        "forecast report's table of past forecasts makes them again with today's data and "
        "method, so its figure for the same January can differ"
    )
    return f"<p>{_esc(text)}.</p>"


def since_last_meeting(
    now: dict,
    earlier: dict | None,
    *,
    council: str,
    earlier_link: str = "",
    input_changes: dict[str, list[str]] | None = None,
    outcomes: dict[str, float] | None = None,
) -> str:
    """ "Since the last meeting": the earlier pack (``earlier``: its meeting date, data, key
    figures and KPI ratings as its manifest records them; None when there is none) against
    this one (``now``, the same keys), with ``input_changes``
    (:func:`sendlib.pipeline.board.input_changes`)."""
    from datetime import date

    from sendlib.present.formats import long_date

    parts = ['<h2 id="since">Since the last meeting</h2>']
    if earlier is None:
        parts.append(
            f"<p>No earlier pack of {_esc(council)} has been built, so there is nothing to "
            "compare with: this is the first meeting sendlib has a pack for. Build the last "
            "meeting's pack first (its definition in packs/) to see what changed.</p>"
        )
        return "".join(parts)
    when = long_date(date.fromisoformat(earlier["meeting_date"]))
    link = (
        f'<a href="{_esc(earlier_link)}">the pack of {_esc(when)}</a>'
        if earlier_link
        else _esc(when)
    )
    parts.append(f"<p>Compared with {link}.</p>")
    parts.append(_new_data(earlier.get("data", {}), now.get("data", {})))
    before = pd.DataFrame(earlier.get("key_figures") or [], columns=headlines.COLUMNS)
    parts.append(_figures_then_and_now(before, now["key_figures"]))
    parts.append(_last_forecast(before, now["key_figures"], outcomes))
    parts.append(_ratings_moved(earlier.get("kpi_ratings"), now.get("kpi_ratings")))
    if input_changes is not None:
        parts.append(_inputs_changed(input_changes))
    return "".join(parts)


def _new_data(before_data: dict, now_data: dict) -> str:
    """What data are new since the earlier pack: a census, a neighbour model, a quarter."""
    news = []
    b_census, n_census = before_data.get("latest_census"), now_data.get("latest_census")
    if b_census and n_census and n_census != b_census:
        news.append(f"DfE's January {n_census} census (the last meeting had January {b_census})")
    b_model, n_model = before_data.get("sn_model"), now_data.get("sn_model")
    if b_model and n_model and n_model != b_model:
        news.append(f"the {n_model} statistical neighbour model (was the {b_model} model)")
    b_q, n_q = before_data.get("quarter"), now_data.get("quarter")
    if (
        b_q
        and n_q
        and (b_q, before_data.get("financial_year")) != (n_q, now_data.get("financial_year"))
    ):
        year = now_data.get("financial_year", "")
        news.append(
            f"the council's {n_q} {str(year).replace('-', '/')} figures (the last meeting had {b_q})"
        )
    if news:
        return "<p>New since then: " + _esc("; ".join(news)) + ".</p>"
    return (
        "<p>No new data since then: the same January census"
        + (f" ({_esc(n_census)})" if n_census else "")
        + " and neighbour model.</p>"
    )


def _figures_then_and_now(before: pd.DataFrame, now: pd.DataFrame) -> str:
    """The key figures then and now, with the change or why there is none ("" with none)."""
    changes = headlines.figure_changes(before, now)
    rows = []
    for _, c in changes.iterrows():
        show = signed if c["figure"] == "growth" else (lambda v, u=c["unit"]: value_text(v, u))
        then = "–" if _missing(c["value_before"]) else show(c["value_before"])
        today = "–" if _missing(c["value_now"]) else show(c["value_now"])
        if not _missing(c["when_before"]):
            then += f" ({c['when_before']})"
        if not _missing(c["when_now"]):
            today += f" ({c['when_now']})"
        moved = c["missing_because"] or (
            "no change" if c["change"] == 0 else value_text(c["change"], c["unit"], change=True)
        )
        rows.append([c["label"], then, today, moved])
    if not rows:
        return ""
    return _table(
        ["Figure", "Last meeting", "This meeting", "Change"],
        rows,
        "Key figures then and now",
        # a figure with its period, and a change that may be a reason: words that wrap
        words=("Last meeting", "This meeting", "Change"),
    )


def _ratings_moved(b_ratings, n_ratings) -> str:
    """The KPIs whose rating changed between the packs, or why none can be compared."""
    if b_ratings is None or n_ratings is None:
        if n_ratings is not None or b_ratings is not None:
            return (
                "<p>KPI ratings cannot be compared: only one of the two packs has the KPI "
                "dashboard.</p>"
            )
        return ""
    moved = headlines.rating_changes(pd.DataFrame(b_ratings), n_ratings)
    if moved.empty:
        return "<p>No KPI's rating changed, by the rule or as reported.</p>"
    rows = [
        [
            f"{m.kpi} (ref {m.ref})",
            f"{_rating(m.rag_before)} → {_rating(m.rag_now)}",
            f"{_reported(m.reported_before)} → {_reported(m.reported_now)}",
        ]
        for m in moved.itertuples()
    ]
    q_before = moved["quarter_before"].dropna()
    q_now = moved["quarter_now"].dropna()
    span = f"{q_before.iloc[0] if len(q_before) else ''} to {q_now.iloc[0] if len(q_now) else ''}"
    return _table(
        ["KPI", "By the rule", "As reported"],
        rows,
        f"{len(moved)} KPIs whose rating changed, {span}",
    )


def _inputs_changed(input_changes: dict[str, list[str]]) -> str:
    """The input files (and sendlib's code) that changed since the earlier pack was built."""
    changed = [
        *(f"{name} (changed)" for name in input_changes["changed"]),
        *(f"{name} (read now, not then)" for name in input_changes["added"]),
        *(f"{name} (no longer read)" for name in input_changes["removed"]),
    ]
    code = len(input_changes["code"])
    if code:
        changed.append(f"sendlib's own code ({code} file{'s' if code != 1 else ''})")
    if not changed:
        return "<p>No input file changed since that pack was built.</p>"
    items = "".join(f"<li>{_esc(c)}</li>" for c in changed)
    return f'<p>Inputs that changed since that pack was built:</p><ul class="sendlib-inputs">{items}</ul>'
