"""``sendlib.explore()``: pick areas, a measure and comparators in JupyterLab and see the chart
and the table change; export them to Excel with one click (ipywidgets).

>>> ex = explore(["Camden"], measure="rate_0_17")
>>> sorted(set(ex.table["line"]))
['Camden', 'Camden: statistical neighbours', 'England', 'Inner London']
>>> ex.measure.value = "new_plans"
>>> ex.table["measure"].iloc[0]
'new_plans'
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sendlib.errors import SendlibError
from sendlib.measures import benchmarks
from sendlib.measures.areas import councils
from sendlib.outputs import exports_dir
from sendlib.registry import ACTIVITY_MEASURES, MEASURES

CASELOAD = {name: MEASURES[name].label for name in ("ehcps", "rate_0_17", "index")}
"""The caseload measures explore offers; the activity measures follow (:mod:`sendlib.registry`)."""
COMPARATORS = {
    "neighbours": "Statistical neighbours",
    "region": "Region (Inner or Outer London)",
    "england": "England",
}


class Explorer:
    """The widgets of :func:`explore` and what they show: ``areas``, ``measure``,
    ``comparators`` (ipywidgets), ``table`` (the tidy table of the chart: ``year``, ``line``,
    ``role``, ``measure``, ``value``), ``figure`` and ``message``; ``export()`` writes the
    table to a workbook. In a notebook the explorer displays as its widgets."""

    def __init__(
        self,
        areas: list[str],
        measure: str,
        comparators: tuple[str, ...],
        sn_model: str,
        export_dir: str | Path,
    ) -> None:
        import ipywidgets as widgets

        names = sorted(councils()["area_name"])
        self.sn_model = sn_model
        self.export_dir = Path(export_dir)
        options = [(label, name) for name, label in CASELOAD.items()]
        options += [(MEASURES[name].label, name) for name in ACTIVITY_MEASURES]
        self.areas = widgets.SelectMultiple(
            options=names, value=tuple(areas), description="Councils", rows=8
        )
        self.measure = widgets.Dropdown(options=options, value=measure, description="Measure")
        self.comparators = widgets.SelectMultiple(
            options=[(label, role) for role, label in COMPARATORS.items()],
            value=tuple(comparators),
            description="Compare with",
        )
        self.button = widgets.Button(description="Export to Excel", icon="download")
        self.status = widgets.HTML()
        self.output = widgets.Output()
        self.figure = None
        self.table = pd.DataFrame()
        self.message = ""
        for control in (self.areas, self.measure, self.comparators):
            control.observe(lambda _change: self.update(), names="value")
        self.button.on_click(lambda _button: self.export())
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.areas, widgets.VBox([self.measure, self.comparators])]),
                widgets.HBox([self.button, self.status]),
                self.output,
            ]
        )
        self.update()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def build_table(self) -> pd.DataFrame:
        """The tidy table the chart draws, for the chosen councils, measure and comparators."""
        measure = self.measure.value
        parts = []
        for council in self.areas.value:
            if measure in CASELOAD:
                rows = benchmarks.caseload_benchmark(council, sn_model=self.sn_model)
                rows = rows.assign(measure=measure, value=rows[measure])
            else:
                rows = benchmarks.activity_benchmark(council, sn_model=self.sn_model)
                rows = rows[rows["measure"].eq(measure)]
            rows = rows[rows["role"].isin(["council", *self.comparators.value])]
            line = rows["comparator"].where(
                rows["role"].ne("neighbours"), f"{council}: statistical neighbours"
            )
            parts.append(rows.assign(line=line)[["year", "line", "role", "measure", "value"]])
        if not parts:
            return pd.DataFrame(columns=["year", "line", "role", "measure", "value"])
        table = pd.concat(parts, ignore_index=True).drop_duplicates(["year", "line"])
        return table.astype({"value": "Float64"}).reset_index(drop=True)

    def update(self) -> None:
        """Rebuild the table and the chart from the widgets, and show them."""
        from IPython.display import display

        from sendlib.present.plot import plot

        try:
            self.table = self.build_table()
            if self.table.empty:
                raise SendlibError("pick at least one council")
            self.figure = plot(
                self.table.drop(columns="measure").rename(columns={"line": "area_name"}),
                measure="value",
                title=self.measure.label,
            )
            self.message = ""
        except SendlibError as error:
            self.figure, self.message = None, str(error)
        if not _in_a_kernel():
            return  # a script or a test: the table, figure and message are the result
        self.output.clear_output(wait=True)
        with self.output:
            if self.message:
                print(self.message)
            else:
                display(self.figure)
                wide = self.table.pivot_table(
                    index="year", columns="line", values="value", aggfunc="first", sort=False
                )
                display(wide.round(1))

    def export(self) -> Path:
        """Write the table (and the measure's definition) to a workbook in ``export_dir``."""
        from sendlib.present.workbook import to_excel

        slug = "-".join(a.lower().replace(" ", "-") for a in self.areas.value)[:60]
        path = self.export_dir / f"explore-{slug}-{self.measure.value}.xlsx"
        to_excel({self.measure.label[:31]: self.table}, path)
        self.status.value = f"Saved <code>{path}</code>"
        return path


def _in_a_kernel() -> bool:
    """Whether this runs in a Jupyter kernel (where widgets show), not a plain interpreter."""
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def explore(
    areas: list[str] | str = ("Kingston upon Thames",),
    *,
    measure: str = "ehcps",
    comparators: tuple[str, ...] = ("neighbours", "region", "england"),
    sn_model: str = "2025",
    export_dir: str | Path | None = None,
) -> Explorer:
    """An explorer of councils' benchmarks for JupyterLab: choose councils, a measure
    (caseload, rate, index or any activity measure) and comparators; the chart and table
    follow; "Export to Excel" saves the table (to ``export_dir``, default
    ``reports/exports``)."""
    from sendlib.measures.areas import find_council

    chosen = [areas] if isinstance(areas, str) else list(areas)
    # Councils by their names as the list shows them; a region or England is refused with
    # the reason (they are the comparators), never a widget error.
    chosen = [find_council(area)["area_name"] for area in chosen]
    return Explorer(
        chosen,
        measure,
        tuple(comparators),
        sn_model,
        export_dir or exports_dir(),
    )
