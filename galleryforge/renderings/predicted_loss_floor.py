"""predicted-loss-floor: the KD model's predicted loss against dictionary width d_S, per layer.

Each layer's curve (``kd.predicted_loss_floor``) reaches the layer's measured MSE at its d*_S and
stays flat for wider dictionaries. To the left of d*_S it follows a normalised power law
loss/floor = (d*_S/d_S)^p: p is fitted to the toy experiment's sweep (each (α, F) curve
normalised by its loss at d*_S and by d*_S, ``kd.fit_power_law_shape``) when the run has a toy run,
else the default p = 1. The shape used is written on the axes and in the alt text. Lines are
coloured by depth; a dotted line marks the width the SAEs were trained at.

When the trial belongs to a width family (``width_family``), each layer's measured final held-out
MSE at every member width is drawn over its curve (diamonds, joined by a thin line), and the text
says how far the measured knee sits from d*_S. Without one, the flat part is an assumption, and the
alt text says so.

gids: ``layer-line`` (Line2D per layer), ``d-star`` (one marker per layer at (d*_S, MSE)),
``measured`` (Line2D per layer, x = member widths, y = their MSE), ``trained-width`` (vertical line
at F), ``shape-note`` (the axes title naming the shape and, with a family, the knee).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge import kd
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.layer_colors import (
    layer_colorbar,
    layer_colors,
    layer_hex,
    layer_line_width,
)
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.registry import register
from galleryforge.width_family import (
    by_layer,
    family_finding,
    family_table,
    knee_note,
    layer_knees,
)

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


def shape_exponent(ctx: RenderContext) -> tuple[float, str]:
    """(p, where it came from): the toy sweep's fitted exponent, or 1 without a toy run.

    Fitted to the ``tied`` read-out (the one-matrix autoencoder closest to an SAE), each curve's
    seed-mean loss divided by its loss at d*_S, at the widths below d*_S.
    """
    if ctx.toy is None or "tied" not in set(ctx.toy.summary["decoder"]):
        return 1.0, "default"
    sweep = ctx.toy.sweep[ctx.toy.sweep["decoder"] == "tied"]
    curves = sweep.groupby(["alpha", "features", "width"], as_index=False)["loss"].mean()
    relative_width, relative_loss = [], []
    for _, curve in curves.groupby(["alpha", "features"]):
        star = float(kd.toy_d_star(curve["alpha"].iloc[0], curve["features"].iloc[0]))
        widths, losses = curve["width"].to_numpy(float), curve["loss"].to_numpy(float)
        at_star = np.exp(np.interp(np.log(star), np.log(widths), np.log(losses)))
        relative_width += list(widths / star)
        relative_loss += list(losses / at_star)
    return kd.fit_power_law_shape(relative_width, relative_loss), "toy-fitted"


def shape_text(ctx: RenderContext, plain: bool = False) -> str:
    p, source = shape_exponent(ctx)
    law = f"loss ∝ d_S^-{p:.2f}" if plain else rf"loss $\propto d_S^{{-{p:.2f}}}$"
    where = "fitted to the toy run" if source == "toy-fitted" else "default, no toy run"
    return f"left of d*_S: {law} ({where})" if plain else rf"left of $d^*_S$: {law} ({where})"


def measured(ctx: RenderContext) -> pd.DataFrame | None:
    """The width family's final rows (layer, width, mse, ...), or None without a family."""
    members = ctx.family
    return family_table(members) if len(members) >= 2 else None


def widths(ctx: RenderContext) -> np.ndarray:
    final, family = ctx.trial.final, measured(ctx)
    low = float(final["d_star"].min()) / 8
    high = max(float(final["d_star"].max()) * 4, float(final["width"].max()) * 1.5)
    if family is not None:
        low = min(low, float(family["width"].min()) / 1.5)
        high = max(high, float(family["width"].max()) * 1.5)
    return np.geomspace(max(low, 1.0), high, 200)


def note(ctx: RenderContext, plain: bool = False) -> str:
    """The axes title: the shape, and the measured knee when a family was trained."""
    family = measured(ctx)
    if family is None:
        return shape_text(ctx, plain)
    knee = knee_note(ctx.trial, layer_knees(family))
    return f"{shape_text(ctx, plain)}\n{knee if plain else knee.replace('d*_S', '$d^*_S$')}"


def layer_points(ctx: RenderContext) -> list[tuple[int, float, float]]:
    """(layer, d*_S, measured MSE) per layer at the final checkpoint, in layer order."""
    final = ctx.trial.final
    columns = (final["layer"].to_numpy(), final["d_star"].to_numpy(), final["mse"].to_numpy())
    return [(int(a), float(b), float(c)) for a, b, c in zip(*columns, strict=True)]


def describe(ctx: RenderContext) -> str:
    final, family = ctx.trial.final, measured(ctx)
    if family is None:
        evidence = (
            "No width family was trained, so the flat part is an assumption, not a measurement."
        )
    else:
        widths = ", ".join(f"{int(w):,}" for w in sorted(family["width"].unique()))
        evidence = (
            f"Measured final held-out MSE of the width family at F = {widths} is drawn over "
            f"each line. {family_finding(ctx.trial, ctx.family)}"
        )
    return (
        f"Predicted reconstruction loss against dictionary width d_S for trial "
        f"{ctx.trial.trial}'s {ctx.trial.n_layers} layers (log-log, one line per layer coloured "
        f"by depth). Each line reaches its layer's measured MSE ({final['mse'].min():.3g} to "
        f"{final['mse'].max():.3g}) at its predicted width d*_S ({final['d_star'].min():,.0f} to "
        f"{final['d_star'].max():,.0f}, mean {ctx.trial.kd.d_star:,.0f}) and stays flat beyond; "
        f"{shape_text(ctx, plain=True)}. The SAEs were trained at width "
        f"{int(final['width'].max()):,}. {evidence}"
    )


def interactive(ctx: RenderContext) -> go.Figure:
    xs, shape = widths(ctx), kd.power_law_shape(shape_exponent(ctx)[0])
    fig = ctx.plotly_figure()
    colours = layer_hex(ctx, ctx.trial.layer_ids)
    for (layer, star, mse), colour in zip(layer_points(ctx), colours, strict=True):
        ys = kd.predicted_loss_floor(xs, star, mse, shape)
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            name=f"layer {layer}",
            line={"color": colour},
            legendgroup=str(layer),
            hovertemplate=f"layer {layer}<br>d_S "
            "%{x:,.0f}: predicted loss %{y:.4g}<extra></extra>",
        )
        fig.add_scatter(
            x=[star],
            y=[mse],
            mode="markers",
            showlegend=False,
            legendgroup=str(layer),
            marker={"color": colour, "size": 9},
            hovertemplate=f"layer {layer}: d*_S {star:,.0f}, MSE {mse:.4g}<extra></extra>",
        )
    family = measured(ctx)
    if family is not None:
        for (layer, rows), colour in zip(by_layer(family), colours, strict=True):
            fig.add_scatter(
                x=rows["width"],
                y=rows["mse"],
                mode="lines+markers",
                showlegend=False,
                legendgroup=str(layer),
                line={"color": colour, "width": 1},
                marker={"color": colour, "symbol": "diamond-open", "size": 9},
                hovertemplate=f"layer {layer}: measured at F %{{x:,}}, MSE %{{y:.4g}}"
                "<extra></extra>",
            )
    fig.update_xaxes(type="log", title_text="dictionary width d_S")
    fig.update_yaxes(type="log", title_text="loss (lines: predicted; diamonds: measured)")
    title = note(ctx, plain=True).replace("\n", "; ")
    fig.update_layout(title=f"Trial {ctx.trial.trial}: predicted loss floor vs width ({title})")
    return fig


@register(
    "predicted-loss-floor",
    title="Predicted loss floor vs width",
    describe=describe,
    interactive=interactive,
    uses=("family",),
)
def draw(ctx: RenderContext) -> Figure:
    final, layers, xs = ctx.trial.final, list(ctx.trial.layer_ids), widths(ctx)
    shape = kd.power_law_shape(shape_exponent(ctx)[0])
    cmap, norm = layer_colors(ctx, layers)
    fig, ax = ctx.figure()
    width = layer_line_width(ctx, len(layers))
    for layer, star, mse in layer_points(ctx):
        colour = cmap(norm(layer))
        ax.plot(
            xs,
            kd.predicted_loss_floor(xs, star, mse, shape),
            color=colour,
            linewidth=width,
            gid="layer-line",
        )
        ax.plot(
            [star],
            [mse],
            "o",
            color=colour,
            markeredgecolor=ctx.theme.colors.panel,
            markeredgewidth=0.5,
            zorder=3,
            gid="d-star",
        )
    family = measured(ctx)
    if family is not None:
        for layer, rows in by_layer(family):
            colour = cmap(norm(layer))
            ax.plot(
                rows["width"].to_numpy(np.float64),
                rows["mse"].to_numpy(np.float64),
                marker="D",
                markersize=4,
                linewidth=0.6,
                color=colour,
                markerfacecolor="none",
                zorder=3,
                gid="measured",
            )
    ax.axvline(
        float(final["width"].max()),
        color=ctx.theme.colors.reference,
        linestyle=":",
        gid="trained-width",
    )
    ax.annotate(
        "trained width F",
        (float(final["width"].max()), 1),
        xycoords=("data", "axes fraction"),
        xytext=(-3, -3),
        textcoords="offset points",
        ha="right",
        va="top",
        color=ctx.theme.colors.muted,
        fontsize=ctx.theme.font.annotation_size,
    )
    ax.set(xscale="log", yscale="log")
    log_ticks(ax, "x")
    log_ticks(ax, "y", max_labels=5)
    title = ax.set_title(
        note(ctx),
        loc="left",
        color=ctx.theme.colors.muted,
        fontsize=ctx.theme.font.label_size,
        fontweight="normal",
    )
    title.set_gid("shape-note")
    ax.set_xlabel(r"Dictionary width $d_S$ (dots: $d^*_S$)")
    ax.set_ylabel(
        "Predicted loss" if family is None else "Loss (lines: predicted; diamonds: measured)"
    )
    layer_colorbar(ctx, fig, ax, layers)
    ctx.title(fig, f"Trial {ctx.trial.trial}: predicted loss floor vs width")
    return fig
