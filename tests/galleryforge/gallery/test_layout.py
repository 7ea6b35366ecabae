"""The layout check on figures built by hand: each finding against geometry worked out here."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from galleryforge.gallery.layout import TOLERANCE_PT, check_layout


def canvas(width: float = 4.0, height: float = 3.0) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def kinds(fig: Figure) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.kind, f.texts) for f in check_layout(fig, rendering="r", theme="t")]


def test_two_texts_on_top_of_each_other_overlap_and_apart_they_do_not() -> None:
    fig = canvas()
    fig.text(0.3, 0.5, "first label", fontsize=12)
    fig.text(0.35, 0.5, "second label", fontsize=12)  # 0.2 in = 14 pt right: inside "first"
    fig.text(0.3, 0.1, "alone", fontsize=12)
    (finding,) = check_layout(fig, rendering="trial-comparison", theme="paper")
    assert (finding.kind, finding.texts) == ("overlap", ("first label", "second label"))
    assert (finding.rendering, finding.theme) == ("trial-comparison", "paper")


def test_texts_that_only_touch_are_within_the_tolerance() -> None:
    fig = canvas()
    first = fig.text(0.1, 0.5, "left", fontsize=12)
    fig.draw_without_rendering()
    box = first.get_window_extent()
    # The second text starts a point (less than the tolerance) before the first one ends.
    start = (box.x1 - 1 * fig.dpi / 72) / fig.bbox.width
    fig.text(start, 0.5, "right", fontsize=12)
    assert TOLERANCE_PT > 1
    assert kinds(fig) == []


def test_rotated_tick_labels_are_measured_as_rotated_rectangles() -> None:
    fig = canvas(6, 3)
    ax = fig.add_axes((0.25, 0.45, 0.7, 0.5))
    ticks = np.arange(12)
    ax.set_xlim(-0.5, 11.5)
    ax.set_xticks(ticks, [f"metric name {i:02d}" for i in ticks], rotation=45, ha="right")
    ax.set_yticks([])
    fig.draw_without_rendering()
    boxes = [t.get_window_extent() for t in ax.get_xticklabels()]
    # Their upright boxes overlap their neighbours' by far more than the tolerance ...
    assert boxes[0].x1 - boxes[1].x0 > 10 * TOLERANCE_PT
    # ... but the slanted text itself does not touch: no finding.
    assert kinds(fig) == []
    # Laid flat, the same labels do overlap.
    ax.set_xticks(ticks, [f"metric name {i:02d}" for i in ticks], rotation=0, ha="center")
    assert "overlap" in {kind for kind, _ in kinds(fig)}


def test_tick_labels_matplotlib_does_not_draw_are_not_findings() -> None:
    fig = canvas()
    ax = fig.add_axes((0.2, 0.2, 0.7, 0.7))
    ax.set_xlim(0, 10)
    ax.set_xticks([0, 5, 10, 20, 20.05], ["0", "5", "10", "beyond", "beyond too"])
    ax.set_xlim(0, 10)  # 20 is outside the view: matplotlib leaves its labels out
    hidden = fig.text(0.2, 0.5, "hidden text")
    fig.text(0.2, 0.5, "shown text")
    hidden.set_visible(False)
    off = fig.add_axes((0.2, 0.2, 0.2, 0.2))
    off.set_xticks([0.5], ["on an axis turned off, over the other axes' labels"])
    off.set_axis_off()
    assert kinds(fig) == []


def test_a_text_past_the_right_edge_leaves_the_canvas() -> None:
    fig = canvas()
    fig.text(0.9, 0.5, "a long subtitle that runs on", fontsize=12)
    (finding,) = check_layout(fig)
    assert finding.kind == "off-canvas" and "right" in finding.detail
    assert "left" not in finding.detail


def test_a_legend_over_bars_covers_data_and_one_beside_them_does_not() -> None:
    fig = canvas()
    ax = fig.add_axes((0.1, 0.1, 0.6, 0.8))
    ax.bar(range(5), [5, 5, 5, 5, 5], label="share")
    ax.set_ylim(0, 6)
    legend = ax.legend(loc="center", title="trial")
    assert kinds(fig) == [("legend-covers-data", ("trial",))]
    legend.remove()
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), title="trial")
    assert kinds(fig) == []


def test_a_line_crossing_a_legend_counts_though_no_vertex_is_under_it() -> None:
    fig = canvas()
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.plot([0.5, 0.6], [0.1, 0.1], label="data", color="C0")
    ax.axhline(0.5, linestyle="--")  # runs from edge to edge, vertices at the axes' sides
    ax.legend(loc="center")
    (finding,) = check_layout(fig)
    assert finding.kind == "legend-covers-data" and finding.detail == "covers 1 line"
