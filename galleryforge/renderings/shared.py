"""Pieces several renderings share: metric matrices, value formats, legible ticks, heatmaps."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from galleryforge.labels import metric_label
from galleryforge.numbers import format_metric

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap, Normalize
    from matplotlib.image import AxesImage

    from galleryforge.renderings.context import RenderContext
    from galleryforge.tables import TrialTables

POINTS_PER_INCH = 72.0
# The per-layer metrics the heatmap family shows first, when the table has them.
HEADLINE_METRICS = ("l0", "alpha", "g_alpha", "d_star", "mse", "fvu", "dead", "alive_frac")


def layer_label(layer: int) -> str:
    return f"L{layer}"


def metric_matrix(
    trial: TrialTables, metrics: Sequence[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Final-checkpoint values, rows = layers (in order), columns = ``metrics``.

    ``metrics`` defaults to every metric the table holds except the bookkeeping ones
    (``l1_coef``), so tables with extra metric columns show them too.
    """
    chosen = list(metrics) if metrics is not None else default_metrics(trial)
    return trial.final[chosen].to_numpy(dtype=np.float64), chosen


def default_metrics(trial: TrialTables) -> list[str]:
    return [m for m in trial.metrics if m not in ("l1_coef", "loss", "l1")]


def headline_metrics(trial: TrialTables) -> list[str]:
    return [m for m in HEADLINE_METRICS if m in trial.metrics]


def relative_within_columns(matrix: np.ndarray) -> np.ndarray:
    """Min–max scale each column to [0, 1]; a constant column sits at 0.5."""
    low = matrix.min(axis=0, keepdims=True)
    span = matrix.max(axis=0, keepdims=True) - low
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = (matrix - low) / span
    return np.where(span > 0, scaled, 0.5)


def label_step(count: int, length_in: float, font_pt: float, spacing: float = 1.35) -> int:
    """Show every k-th of ``count`` labels so labels of ``font_pt`` fit in ``length_in``."""
    needed = count * font_pt * spacing / POINTS_PER_INCH
    return max(1, math.ceil(needed / max(length_in, 1e-6)))


def rows_aspect(ctx: RenderContext, rows: int, base: float | None = None) -> float:
    """A height/width ratio tall enough that ``rows`` rows of annotation text stay legible."""
    width, _ = ctx.theme.figsize()
    row_in = ctx.theme.font.annotation_size * 1.9 / POINTS_PER_INCH
    needed = (rows * row_in + 1.2) / width
    return max(base or ctx.theme.figure.aspect, min(needed, 2.2))


def set_layer_ticks(ax: Axes, layers: Sequence[int], axis: str = "y") -> None:
    """Layer labels on a heatmap axis, thinned so neighbouring labels never overlap."""
    size = _figure_inches(ax)
    bbox = ax.get_position()
    length = bbox.height * size[1] if axis == "y" else bbox.width * size[0]
    font = ax.yaxis.get_ticklabels()[0].get_fontsize() if ax.yaxis.get_ticklabels() else 8
    step = label_step(len(layers), length, float(font))
    positions = list(range(0, len(layers), step))
    labels = [layer_label(layers[i]) for i in positions]
    if axis == "y":
        ax.set_yticks(positions, labels)
    else:
        ax.set_xticks(positions, labels)


def annotated_heatmap(
    ctx: RenderContext,
    ax: Axes,
    shade: np.ndarray,
    values: np.ndarray,
    layers: Sequence[int],
    metrics: Sequence[str],
    *,
    cmap: Colormap,
    annotate: bool = True,
    interpolation: str = "nearest",
) -> AxesImage:
    """Rows = layers, columns = metrics, colour = ``shade``, text = the real values.

    The image carries ``gid="heatmap"`` and its array is ``shade`` (tests read both). Values are
    written in each cell only when a cell is tall and wide enough for the text.
    """
    image = ax.imshow(
        shade, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto", interpolation=interpolation
    )
    image.set_gid("heatmap")
    ax.set_xticks(range(len(metrics)), [metric_label(m, math=True) for m in metrics])
    ax.tick_params(axis="x", labelrotation=0 if len(metrics) <= 6 else 35, length=0)
    ax.tick_params(axis="y", length=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("center" if len(metrics) <= 6 else "right")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    set_layer_ticks(ax, layers)
    if annotate and _cells_fit_text(ctx, ax, len(layers), len(metrics)):
        for row in range(shade.shape[0]):
            for col in range(shade.shape[1]):
                colour = ctx.ink_on(cmap(float(shade[row, col])))
                ax.text(
                    col,
                    row,
                    format_metric(metrics[col], float(values[row, col])),
                    ha="center",
                    va="center",
                    color=colour,
                    fontsize=ctx.theme.font.annotation_size,
                    gid="cell-value",
                )
    return image


def _cells_fit_text(ctx: RenderContext, ax: Axes, rows: int, cols: int) -> bool:
    width_in, height_in = _figure_inches(ax)
    bbox = ax.get_position()
    cell_h = bbox.height * height_in / rows * POINTS_PER_INCH
    cell_w = bbox.width * width_in / cols * POINTS_PER_INCH
    font = ctx.theme.font.annotation_size
    return cell_h >= font * 1.25 and cell_w >= font * 4.2


def _figure_inches(ax: Axes) -> tuple[float, float]:
    fig = ax.get_figure(root=True)
    assert fig is not None
    width, height = fig.get_size_inches()
    return float(width), float(height)


def colorbar(ctx: RenderContext, image: Any, ax: Axes, label: str) -> None:
    fig = ax.get_figure()
    assert fig is not None
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    bar.set_label(label)
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=ctx.theme.font.tick_size)


# ------------------------------------------------- lines per layer, panels, tokens, the toy run


def layer_colors(ctx: RenderContext, layers: Sequence[int]) -> tuple[Colormap, Normalize]:
    """One colour per layer from the theme's sequential map, for lines coloured by depth.

    The map's faintest end is trimmed (the light end on light canvases, the dark end on dark
    ones) so every layer's line stands out from the panel. Map ``layer`` through ``norm`` first.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap

    low, high = (0.25, 1.0) if ctx.theme.is_dark else (0.0, 0.85)
    base = ctx.cmap("sequential")
    steps = np.linspace(low, high, max(len(layers), 2))[: len(layers)]
    cmap = ListedColormap([base(float(s)) for s in steps], name="layers")
    edges = [*(layer - 0.5 for layer in layers), layers[-1] + 0.5]
    return cmap, BoundaryNorm(edges, len(layers))


def layer_hex(ctx: RenderContext, layers: Sequence[int]) -> list[str]:
    """The colours of ``layer_colors`` as hex strings (for plotly)."""
    from matplotlib.colors import to_hex

    cmap, norm = layer_colors(ctx, layers)
    return [to_hex(cmap(norm(layer))) for layer in layers]


def layer_colorbar(ctx: RenderContext, fig: Any, axes: Any, layers: Sequence[int]) -> None:
    """A discrete colourbar keyed to layers, in place of one legend entry per line."""
    from matplotlib.cm import ScalarMappable

    cmap, norm = layer_colors(ctx, layers)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=axes, fraction=0.04, pad=0.02)
    bar.set_label("Layer")
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=ctx.theme.font.tick_size, length=0)
    height_in = fig.get_size_inches()[1] * 0.75
    step = label_step(len(layers), height_in, ctx.theme.font.tick_size, spacing=1.6)
    bar.set_ticks(
        [float(layer) for layer in layers[::step]], labels=[str(x) for x in layers[::step]]
    )
    bar.minorticks_off()


def panel_grid(
    count: int, figsize: tuple[float, float], panel_aspect: float = 0.7
) -> tuple[int, int]:
    """(rows, columns) for ``count`` panels whose height/width is closest to ``panel_aspect``."""
    width, height = figsize

    def misfit(cols: int) -> float:
        rows = math.ceil(count / cols)
        empty = rows * cols - count
        return abs(math.log((height / rows) / (width / cols) / panel_aspect)) + 0.25 * empty

    cols = min(range(1, count + 1), key=misfit)
    return math.ceil(count / cols), cols


def toy_comparison(summary: pd.DataFrame) -> pd.DataFrame:
    """The toy summary with d*_S from ``kd.toy_d_star`` and the measured / predicted floor ratio."""
    from galleryforge import kd

    out = summary.sort_values(["alpha", "features"]).reset_index(drop=True).copy()
    out["d_star"] = kd.toy_d_star(out["alpha"], out["features"])
    out["ratio"] = out["floor_width"] / out["d_star"]
    return out


def split_constant(trial: TrialTables, metrics: Sequence[str]) -> tuple[list[str], list[str]]:
    """(metrics that vary across layers, metrics constant across layers) at the final checkpoint.

    A constant metric has no relative shade and no correlation with anything; renderings that draw
    only relative values leave it out and say so in their alt text.
    """
    final = trial.final
    varying = [m for m in metrics if final[m].nunique() > 1]
    return varying, [m for m in metrics if m not in varying]


def log_ticks(ax: Axes, axis: str = "y", max_labels: int = 6) -> None:
    """Log-scale ticks at 1-2-5 (or 1-3, or decades), as many as fit; minor ticks unlabelled.

    Call after the data is drawn. Values from 1 to 99,999 read as plain numbers (10, 200, 5,000);
    others as m×10^e.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    low, high = sorted(ax.get_ylim() if axis == "y" else ax.get_xlim())
    decades = math.log10(high / low) if low > 0 else 1.0
    subs: tuple[float, ...] = (1.0,)
    for candidate in ((1.0, 2.0, 5.0), (1.0, 3.0)):
        if decades * len(candidate) <= max_labels:
            subs = candidate
            break
    target.set_major_locator(LogLocator(subs=subs, numticks=max_labels + 1))
    target.set_major_formatter(FuncFormatter(lambda value, _pos: _log_label(value)))
    target.set_minor_formatter(NullFormatter())


def _log_label(value: float) -> str:
    if 1 <= value < 1e5:
        return f"{value:,.0f}"
    exponent = math.floor(math.log10(value))
    mantissa = round(value / 10**exponent)
    head = "" if mantissa == 1 else rf"{mantissa}\times"
    return rf"${head}10^{{{exponent}}}$"


def plotly_subplots(
    ctx: RenderContext, rows: int, cols: int, aspect: float | None = None, **kwargs: Any
) -> Any:
    """``make_subplots`` on the theme's template and size (what ``ctx.plotly_figure`` sets)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=rows, cols=cols, **kwargs)
    fig.update_layout(ctx.plotly_figure(aspect).layout)
    return fig


def text_width_pt(text: str, size: float, weight: str = "normal") -> float:
    """The drawn width of ``text`` at ``size`` points in the current rcParams font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _, _ = text_to_path.get_text_width_height_descent(
        text, FontProperties(size=size, weight=weight), ismath="$" in text
    )
    return float(width)


def fit_metric_labels(ax: Axes, metrics: Sequence[str], width_in: float | None = None) -> None:
    """Metric names along x, one per column: level if they fit, else wrapped, else upright.

    Upright (90°) labels never overlap their neighbours, whereas slanted ones overlap as boxes.
    ``width_in`` is the width the columns share (default: the axes' width before layout, which
    constrained layout only widens).
    """
    import textwrap

    labels = [metric_label(m, math=True) for m in metrics]
    ticks = ax.xaxis.get_ticklabels()
    font = float(ticks[0].get_fontsize()) if ticks else 8.0
    if width_in is None:
        width_in = ax.get_position().width * _figure_inches(ax)[0]
    column = width_in * POINTS_PER_INCH / max(len(labels), 1)

    def fits(candidates: list[str]) -> bool:
        lines = [line for label in candidates for line in label.split("\n")]
        return max(text_width_pt(line, font) for line in lines) * 1.15 < column

    wrapped = [label if "$" in label else textwrap.fill(label, 10) for label in labels]
    chosen = next((c for c in (labels, wrapped) if fits(c)), None)
    if chosen is None:  # upright: a label's box is as wide as its lines are tall
        lines = max(label.count("\n") + 1 for label in wrapped)
        chosen = wrapped if lines * 1.3 * font < column else labels
        ax.set_xticks(range(len(labels)), chosen)
        ax.tick_params(axis="x", labelrotation=90)
    else:
        ax.set_xticks(range(len(labels)), chosen)
        ax.tick_params(axis="x", labelrotation=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("center")


def layer_line_width(ctx: RenderContext, count: int) -> float:
    """The theme's line width, thinner when ``count`` lines (one per layer) share a panel."""
    return ctx.theme.lines.width * (1.0 if count <= 12 else 0.6)


def metric_names(metrics: Sequence[str]) -> str:
    """Display names joined for a sentence: 'L0, α, Alive frac' (no trailing full stop)."""
    return ", ".join(metric_label(m) for m in metrics).rstrip(".")


def interactive_layer_heatmap(
    ctx: RenderContext,
    metrics: Sequence[str],
    title: str,
    *,
    aspect: float | None = None,
    **trace: Any,
) -> Any:
    """The plotly version of a layers × metrics heatmap: relative shade, exact values on hover.

    ``trace`` overrides the Heatmap's settings (colorscale, gaps, smoothing, colour bar).
    """
    import plotly.graph_objects as go

    trial = ctx.trial
    values, chosen = metric_matrix(trial, metrics)
    settings: dict[str, Any] = {
        "z": relative_within_columns(values),
        "x": [metric_label(m) for m in chosen],
        "y": [layer_label(layer) for layer in trial.layer_ids],
        "customdata": values,
        "colorscale": ctx.plotly_colorscale(),
        "zmin": 0,
        "zmax": 1,
        "hovertemplate": "%{y} · %{x}: %{customdata:.4g}<extra></extra>",
        "colorbar": {
            "title": {"text": "relative<br>within metric"},
            "tickvals": [0, 1],
            "ticktext": ["lowest", "highest"],
        },
    }
    settings.update(trace)
    fig = ctx.plotly_figure(aspect=aspect)
    fig.add_trace(go.Heatmap(**settings))
    fig.update_yaxes(autorange="reversed", title="Layer", showgrid=False)
    fig.update_xaxes(showgrid=False, tickangle=-35 if len(chosen) > 6 else 0)
    fig.update_layout(title=title)
    return fig
