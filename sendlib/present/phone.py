"""A chart redrawn for a phone: narrower, larger text, titles and the source wrapped, the
legend in one column under the chart, crowded labels left out (:func:`phone_version`)."""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

PHONE_WIDTH = 4.6
"""The width (inches) a chart is redrawn at for a phone (with the 0.1 inch padding a tight
save adds each side)."""
PHONE_TEXT = 12.0
"""The smallest text (points) of a phone chart: drawn 4.6 inches wide and shown about 343 px
wide, a point is about a pixel, so no text is under 11 px."""


def phone_version(fig: Figure) -> Figure:
    """The same chart redrawn for a phone: narrower, every text at least
    :data:`PHONE_TEXT` points, long titles and the source line wrapped to the width. A copy:
    ``fig`` is not changed."""
    import pickle

    from matplotlib.ticker import MaxNLocator

    phone = pickle.loads(pickle.dumps(fig))
    width, height = fig.get_size_inches()
    names = [
        " ".join(t.get_text().split("\n"))
        for ax in fig.axes
        for t in ax.get_yticklabels()
        if not t.get_text().replace(",", "").replace(".", "").lstrip("-£").isdigit()
    ]
    lines = max((len(textwrap.wrap(n, width=18)) for n in names), default=1)
    rows = len(names) * lines / 0.8  # the axes take about 80% of the height
    # a bar per category: as tall as its wrapped names, at the phone's text size
    phone.set_size_inches(PHONE_WIDTH, max(height * 0.95, 3.6, 0.24 * rows + 1.6))
    characters = int((PHONE_WIDTH - 0.3) * 72 / (PHONE_TEXT * 0.62))  # a line of text
    for text in phone.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text")):
        size = text.get_fontsize()
        text.set_fontsize(max(size, PHONE_TEXT))
    for ax in phone.axes:
        for loc in ("left", "center"):
            title = ax.get_title(loc=loc)
            if title:
                joined = " ".join(title.split("\n"))
                bold = int(characters * 0.62 / 0.7)  # titles are bold, and larger
                ax.set_title("\n".join(textwrap.wrap(joined, width=bold)), loc=loc)
        names = [" ".join(t.get_text().split("\n")) for t in ax.get_yticklabels()]
        if any(len(name) > 18 for name in names):  # long category names, wrapped narrower
            ax.set_yticks(
                ax.get_yticks(), ["\n".join(textwrap.wrap(n, width=18)) or n for n in names]
            )
        _one_column_legend(ax)
    for text in phone.texts:  # the source line, under the chart
        joined = " ".join(text.get_text().split("\n"))
        text.set_text("\n".join(textwrap.wrap(joined, width=characters)) or joined)
    _fit_width(phone, PHONE_WIDTH - 0.2)
    for ax in phone.axes:  # fewer ticks on a narrow axis: one per 0.8 inch
        locator = ax.xaxis.get_major_locator()
        if isinstance(locator, MaxNLocator):
            inches = ax.get_position().width * PHONE_WIDTH
            locator.set_params(nbins=max(2, int(inches / 0.8)))
    _drop_crowded_labels(phone)
    _upright_crowded_ticks(phone)
    _source_last(phone)
    return phone


def _upright_crowded_ticks(fig: Figure) -> None:
    """Tick labels that would run into each other on a narrow axis are shortened where they
    are financial years ("2021/22" -> "21/22"), else turned upright; a legend under the
    axes moves down below them."""
    import re

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def crowded(ax) -> bool:
        renderer = FigureCanvasAgg(fig).get_renderer()
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        return any(a.x1 > b.x0 for a, b in zip(boxes, boxes[1:], strict=False))

    for ax in fig.axes:
        if not crowded(ax):
            continue
        labels = [t.get_text() for t in ax.get_xticklabels()]
        if labels and all(re.fullmatch(r"\d{4}/\d{2}", t) for t in labels if t):
            ax.set_xticks(ax.get_xticks(), [t[2:] for t in labels])
        if crowded(ax):
            for label in ax.get_xticklabels():
                label.set_rotation(90)
            _legend_below_ticks(ax)


def _legend_below_ticks(ax) -> None:
    """A legend under the axes put just below its (upright) tick labels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    legend = ax.get_legend()
    if legend is None:
        return
    renderer = FigureCanvasAgg(ax.figure).get_renderer()
    ticks = ax.xaxis.get_tightbbox(renderer)
    axes = ax.get_window_extent(renderer)
    if legend.get_window_extent(renderer).y1 > axes.y0 or ticks is None:
        return
    bottom = (ticks.y0 - axes.y0) / axes.height - 0.03
    legend.set_bbox_to_anchor((0, bottom), transform=ax.transAxes)


def _source_last(fig: Figure) -> None:
    """Put the source line under everything the axes draw (a legend under a phone's chart
    is taller than the desktop's)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in fig.axes) if fig.axes else 0.0
    height = fig.get_size_inches()[1] * fig.dpi
    for text in fig.texts:
        x, y = text.get_position()
        text.set_position((x, min(y, lowest / height - 0.03)))


def _one_column_legend(ax) -> None:
    """A legend in one column (a phone is narrow): kept inside the axes where it was, or
    put under them where it was under them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    legend = ax.get_legend()
    if legend is None:
        return
    renderer = FigureCanvasAgg(ax.figure).get_renderer()
    below = legend.get_window_extent(renderer).y1 <= ax.get_window_extent(renderer).y0
    beside = legend.get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1
    if beside:  # a legend beside the chart goes under it: the chart takes the width back
        pos = ax.get_position()
        ax.set_position([pos.x0, pos.y0, max(pos.width, 0.95 - pos.x0), pos.height])
    handles = legend.legend_handles
    labels = ["\n".join(textwrap.wrap(t.get_text(), width=24)) for t in legend.get_texts()]
    size = max(legend.get_texts()[0].get_fontsize(), PHONE_TEXT) if labels else PHONE_TEXT
    # Under the axes on a phone, wherever it was: inside, it would cover a narrow chart.
    drop = -0.2 if below else -0.12
    title = legend.get_title().get_text()
    ax.legend(
        handles,
        labels,
        ncols=1,
        title=title or None,
        title_fontsize=size,
        fontsize=size,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(0, drop),
    )


def _drop_crowded_labels(fig: Figure) -> None:
    """On a phone, a value label inside a chart that would run over another is left out (the
    bar still shows it, and the table and the text alternative give every value)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    for ax in fig.axes:
        kept = []
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            if any(box.overlaps(other) for other in kept):
                text.set_visible(False)
            else:
                kept.append(box)


def _fit_width(fig: Figure, width: float) -> None:
    """Narrow the axes until everything the figure draws (labels at line ends, long tick
    labels) fits within ``width`` inches, so the saved chart is not wider and its text not
    scaled down."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    for _ in range(4):
        box = fig.get_tightbbox(canvas.get_renderer())
        left, right = max(0.0, -box.x0), max(0.0, box.x1 - width)
        if left + right < 0.02:
            return
        for ax in fig.axes:
            pos = ax.get_position()
            x0 = pos.x0 + (left + 0.02) / width
            x1 = pos.x1 - (right + 0.02) / width
            if x1 - x0 < 0.15:  # keep a usable plot; the rest is drawn smaller
                return
            ax.set_position([x0, pos.y0, x1 - x0, pos.height])
