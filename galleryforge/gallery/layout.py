"""The layout check: does a drawn matplotlib figure stay legible?

After the figure is laid out as saving it would be (constrained layout solved, ticks chosen),
every piece of text matplotlib actually draws is measured: titles, axis labels, tick labels,
annotations, legend texts and titles, values written in cells. Three kinds of finding:

- ``overlap``: two texts whose boxes overlap by more than ``TOLERANCE_PT`` in both directions.
  Rotated text is measured as the rotated rectangle it occupies (not the upright box around it),
  so tick labels drawn at 45° next to each other do not count as overlapping.
- ``off-canvas``: a text whose box reaches past an edge of the canvas by more than
  ``TOLERANCE_PT`` (an exported file would cut it).
- ``legend-covers-data``: a legend whose box covers drawn data by more than ``TOLERANCE_PT``: a
  line's path (reference lines included), a scatter point, a bar or other patch of an axes.

Which texts count is what matplotlib draws, recorded while it draws: tick labels it leaves out
(outside the view, hidden, on an axis turned off), empty texts and annotations whose point is
clipped are not findings. Interactive (plotly) figures are laid out by the reader's browser and
are not checked here.

``check_figures`` draws the figures of a gallery request, as ``galleryforge render`` would, and
checks each (``galleryforge check --figures``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox, BboxBase
    from numpy.typing import ArrayLike

    from galleryforge.gallery.request import GalleryRequest

TOLERANCE_PT = 1.5
"""How far boxes may overlap, or reach past the canvas, before it counts: 1.5 pt, about 2 px on
the 100-dpi canvas the check measures (a glyph's box holds some blank space around its ink)."""

Kind = Literal["overlap", "off-canvas", "legend-covers-data"]


@dataclass(frozen=True)
class LayoutFinding:
    rendering: str
    theme: str
    kind: Kind
    texts: tuple[str, ...]
    """The texts involved, each on one line (a legend: its title, else its first entry)."""
    detail: str
    """Where, in points: how much two texts overlap, which edge a text crosses, what a legend
    covers."""

    def __str__(self) -> str:
        quoted = " / ".join(repr(text) for text in self.texts)
        return f"{self.kind}: {quoted} ({self.detail})"


def check_layout(fig: Figure, *, rendering: str = "", theme: str = "") -> list[LayoutFinding]:
    """Lay ``fig`` out and return what keeps it from being legible (``rendering`` and ``theme``
    label the findings)."""
    renderer, texts = _lay_out(fig)
    tolerance = TOLERANCE_PT * fig.dpi / 72
    found: list[tuple[Kind, tuple[str, ...], str]] = []
    found += _overlaps(texts, renderer, tolerance, fig.dpi)
    found += _off_canvas(texts, renderer, fig.bbox, tolerance, fig.dpi)
    for legend in _legends(fig):
        covered = _covered_data(fig, legend, renderer, tolerance)
        if covered:
            found.append(("legend-covers-data", (_legend_name(legend),), f"covers {covered}"))
    return [LayoutFinding(rendering, theme, kind, texts, detail) for kind, texts, detail in found]


# --------------------------------------------------------------------------------- drawing


def _lay_out(fig: Figure) -> tuple[RendererBase, list[Text]]:
    """Draw ``fig`` on its own canvas with painting switched off, as saving lays it out, and
    return the renderer and the texts drawn, in drawing order."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    with _painting_off(renderer), _texts_drawn() as drawn:
        fig.draw(renderer)
    return renderer, list(drawn.values())


@contextmanager
def _painting_off(renderer: RendererBase) -> Iterator[None]:
    """Every ``draw_*`` of ``renderer`` does nothing for the block: layout and measuring run,
    no pixel is painted."""
    from matplotlib.backend_bases import RendererBase

    names = [name for name in dir(RendererBase) if name.startswith("draw_")]
    own = {name: vars(renderer)[name] for name in names if name in vars(renderer)}
    for name in names:
        setattr(renderer, name, _paint_nothing)
    try:
        yield
    finally:
        for name in names:
            if name in own:
                setattr(renderer, name, own[name])
            else:
                delattr(renderer, name)


def _paint_nothing(*args: object, **kwargs: object) -> None:
    return None


@contextmanager
def _texts_drawn() -> Iterator[dict[int, Text]]:
    """The texts matplotlib draws during the block, by id. Which texts a figure shows is decided in
    several places (ticks outside the view, axes turned off, clipped annotations), so it is
    recorded where every text is drawn rather than guessed from the artists."""
    from matplotlib.text import Text

    drawn: dict[int, Text] = {}
    original = Text.draw

    @functools.wraps(original)
    def draw(self: Text, renderer: RendererBase) -> None:
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.setdefault(id(self), self)

    Text.draw = draw  # type: ignore[method-assign,assignment]
    try:
        yield drawn
    finally:
        Text.draw = original  # type: ignore[method-assign]


# ---------------------------------------------------------------------------------- texts


def _one_line(text: Text) -> str:
    return " ".join(text.get_text().split())


def _rectangles(texts: Sequence[Text], renderer: RendererBase) -> list[np.ndarray]:
    """Each text's four corners in display units: the rotated rectangle of a rotated text."""
    corners = []
    for text in texts:
        box = text.get_window_extent(renderer)
        angle = text.get_rotation() % 180
        upright = box if angle == 0 else _upright_extent(text, renderer)
        half = _CORNERS * [upright.width / 2, upright.height / 2]
        theta = np.deg2rad(angle)
        turn = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
        # A rotated rectangle's centre is the centre of the upright box around it.
        corners.append(half @ turn.T + [(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
    return corners


_CORNERS = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])


def _upright_extent(text: Text, renderer: RendererBase) -> Bbox:
    """The box ``text`` would fill unrotated (matplotlib measures a text only as drawn)."""
    angle = text.get_rotation()
    text.set_rotation(0)
    try:
        return text.get_window_extent(renderer)
    finally:
        text.set_rotation(angle)


def _overlaps(
    texts: Sequence[Text], renderer: RendererBase, tolerance: float, dpi: float
) -> Iterator[tuple[Kind, tuple[str, ...], str]]:
    if len(texts) < 2:
        return
    corners = _rectangles(texts, renderer)
    low = np.array([c.min(axis=0) for c in corners])
    high = np.array([c.max(axis=0) for c in corners])
    # Upright boxes first, all pairs at once; only pairs that overlap there are looked at closely.
    wide = np.minimum(high[:, None, 0], high[None, :, 0]) - np.maximum(
        low[:, None, 0], low[None, :, 0]
    )
    tall = np.minimum(high[:, None, 1], high[None, :, 1]) - np.maximum(
        low[:, None, 1], low[None, :, 1]
    )
    candidates = np.argwhere(np.triu((wide > tolerance) & (tall > tolerance), k=1))
    for i, j in candidates:
        depth = _overlap_depth(corners[i], corners[j])
        if depth > tolerance:
            points = depth * 72 / dpi
            yield "overlap", (_one_line(texts[i]), _one_line(texts[j])), f"by {points:.1f} pt"


def _overlap_depth(a: np.ndarray, b: np.ndarray) -> float:
    """How deep two convex quadrilaterals overlap: the smallest overlap of their projections on
    the four edge normals (separating axes); 0 or less when they do not touch."""
    depth = np.inf
    for quad in (a, b):
        for k in range(2):
            edge = quad[k + 1] - quad[k]
            normal = np.array([-edge[1], edge[0]]) / np.hypot(*edge)
            pa, pb = a @ normal, b @ normal
            depth = min(depth, min(pa.max(), pb.max()) - max(pa.min(), pb.min()))
    return float(depth)


def _off_canvas(
    texts: Sequence[Text], renderer: RendererBase, canvas: BboxBase, tolerance: float, dpi: float
) -> Iterator[tuple[Kind, tuple[str, ...], str]]:
    for text in texts:
        box = text.get_window_extent(renderer)
        past = {
            "left": canvas.x0 - box.x0,
            "right": box.x1 - canvas.x1,
            "bottom": canvas.y0 - box.y0,
            "top": box.y1 - canvas.y1,
        }
        edges = [
            f"{edge} by {amount * 72 / dpi:.1f} pt"
            for edge, amount in past.items()
            if amount > tolerance
        ]
        if edges:
            yield "off-canvas", (_one_line(text),), "past the " + ", ".join(edges)


# -------------------------------------------------------------------------------- legends


def _legends(fig: Figure) -> list[Legend]:
    legends = [ax.get_legend() for ax in fig.axes]
    return [
        legend for legend in [*legends, *fig.legends] if legend is not None and legend.get_visible()
    ]


def _legend_name(legend: Legend) -> str:
    title = _one_line(legend.get_title())
    if title:
        return title
    labels = [_one_line(text) for text in legend.get_texts()]
    return labels[0] if labels else "legend"


def _covered_data(fig: Figure, legend: Legend, renderer: RendererBase, tolerance: float) -> str:
    """What of the figure's data ``legend`` covers, as words ('3 bars, 1 line'), or ''."""
    from matplotlib.transforms import Bbox

    box = legend.get_window_extent(renderer)
    box = Bbox.from_extents(
        box.x0 + tolerance, box.y0 + tolerance, box.x1 - tolerance, box.y1 - tolerance
    )
    counts = {"line": 0, "point": 0, "patch": 0}
    for ax in fig.axes:
        area = Bbox.intersection(box, ax.bbox)
        if area is None or area.width <= 0 or area.height <= 0:
            continue
        for kind, count in _data_in(ax, area).items():
            counts[kind] += count
    return ", ".join(
        f"{n} {kind}{'es' if kind == 'patch' and n > 1 else 's' if n > 1 else ''}"
        for kind, n in counts.items()
        if n
    )


def _data_in(ax: Axes, area: Bbox) -> dict[str, int]:
    """How many of ``ax``'s lines, scatter points and patches reach into ``area`` (display
    units, inside the axes)."""
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.transforms import Bbox

    counts = {"line": 0, "point": 0, "patch": 0}
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        path = line.get_transform().transform_path(line.get_path())
        drawn_line = line.get_linestyle() not in ("None", "none", "", " ")
        if drawn_line and path.intersects_bbox(area, filled=False):
            counts["line"] += 1
        elif line.get_marker() not in (None, "None", "none", "", " "):
            counts["point"] += int(_inside(path.vertices, area).sum())
    for collection in ax.collections:
        if not collection.get_visible():
            continue
        if isinstance(collection, PathCollection):
            offsets = collection.get_offset_transform().transform(collection.get_offsets())
            counts["point"] += int(_inside(offsets, area).sum())
        elif isinstance(collection, LineCollection):
            transform = collection.get_transform()
            counts["line"] += sum(
                transform.transform_path(path).intersects_bbox(area, filled=False)
                for path in collection.get_paths()
            )
    for patch in ax.patches:
        if patch.get_visible():
            extent = patch.get_window_extent()
            overlap = Bbox.intersection(extent, area)
            counts["patch"] += overlap is not None and overlap.width > 0 and overlap.height > 0
    return counts


def _inside(points: ArrayLike, area: Bbox) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return (
        (points[:, 0] >= area.x0)
        & (points[:, 0] <= area.x1)
        & (points[:, 1] >= area.y0)
        & (points[:, 1] <= area.y1)
    )


# ------------------------------------------------------------------------------- a gallery


@dataclass(frozen=True)
class FigureCheck:
    """What ``check_figures`` found: each drawn figure's gallery file with its findings."""

    figures: tuple[tuple[str, tuple[LayoutFinding, ...]], ...]
    """(file, findings) per figure, the file as the gallery names it (``<trial>/<theme>/
    <rendering>.png``, relative to the gallery folder), in plan order."""
    skipped: int
    """Renderings the runs cannot give what they need (as ``render`` skips them)."""

    @property
    def offenders(self) -> list[tuple[str, tuple[LayoutFinding, ...]]]:
        return [(path, found) for path, found in self.figures if found]


def check_figures(request: GalleryRequest) -> FigureCheck:
    """Draw every figure ``request`` asks for, as the gallery draws it, save nothing, and check
    each one's layout. Interactive (plotly) versions are not checked."""
    from galleryforge.gallery.build import plan_gallery
    from galleryforge.renderings.registry import get_rendering
    from galleryforge.themes.mpl import theme_style

    plan = plan_gallery(replace(request, formats=("png",)))
    figures = []
    for job in plan.jobs:
        rendering = get_rendering(job.rendering)
        ctx = plan.inputs.job_context(job)
        with theme_style(ctx.theme):
            fig = rendering.draw(ctx)
            found = check_layout(fig, rendering=job.rendering, theme=job.theme)
        path = job.path("png").relative_to(job.out).as_posix()
        figures.append((path, tuple(found)))
    return FigureCheck(tuple(figures), len(plan.skipped))
