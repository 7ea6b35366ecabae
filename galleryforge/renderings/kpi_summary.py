"""kpi-summary: one card of a trial's headline numbers.

Mean α, mean L0, dead latents summed over layers, mean predicted width d*_S, mean MSE and the
size of the run (layers × width), big, with their names under them and a thin accent rule under
the trial's name. Means are over layers of the final checkpoint's per-layer values (kd.py). The
study's social/cover image and arXiv abstract page figure; the default card under ``social``.

A trial's name too wide for the card shrinks, then is shortened in the middle (the alt text has
it in full); the subtitle wraps.

gids: ``kpi-value`` (the numbers, in the order of ``kpis``), ``kpi-label`` (their names),
``kpi-trial`` (the trial's name), ``kpi-subtitle``, ``kpi-rule`` (the accent rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.numbers import format_metric, format_tokens
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.text_fit import (
    POINTS_PER_INCH,
    fit_size,
    shorten_to_width,
    text_width_pt,
    wrap_to_width,
)
from galleryforge.renderings.registry import register
from galleryforge.study import trial_facts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables

COLUMNS = 3


def kpis(trial: TrialTables) -> list[tuple[str, str]]:
    """(value text, label) for each headline number, in reading order."""
    kd, widths = trial.kd, sorted(int(w) for w in trial.final["width"].unique())
    width = format_metric("width", widths[0])
    if len(widths) > 1:
        width += f"–{format_metric('width', widths[-1])}"
    return [
        (format_metric("alpha", kd.alpha), r"mean sparsity $\alpha$"),
        (format_metric("l0", kd.l0), "mean L0 (active latents)"),
        (format_metric("dead", float(trial.final["dead"].sum())), "dead latents, all layers"),
        (format_metric("d_star", kd.d_star), r"mean predicted width $d^*_S$"),
        (format_metric("mse", kd.mse), "mean reconstruction MSE"),
        (f"{trial.n_layers} × {width}", "layers × dictionary width"),
    ]


def subject(trial: TrialTables) -> str:
    """What the SAEs were trained on, as the run records it (the model by its Hub name)."""
    model = trial_facts(trial).model_name
    return f"Sparse autoencoders on {model}" if model else "Sparse autoencoders"


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    numbers = "; ".join(
        f"{label.replace('$', '').replace(chr(92), '')}: {value}" for value, label in kpis(trial)
    )
    return (
        f"Summary card for trial {trial.trial} (final checkpoint, "
        f"{format_tokens(trial.checkpoints[-1])} tokens, means over layers): {numbers}."
    )


@register(
    "kpi-summary",
    title="Headline numbers (social card)",
    aliases=("SAE_KPI_Summary",),
    describe=describe,
)
def draw(ctx: RenderContext) -> Figure:
    from matplotlib.lines import Line2D

    trial, theme = ctx.trial, ctx.theme
    font, colors = theme.font, theme.colors
    fig, ax = ctx.figure()
    ax.set_axis_off()
    width_pt, height_pt = (x * POINTS_PER_INCH for x in fig.get_size_inches())
    pad = 1.4 * font.title_size
    y = height_pt - pad  # a cursor from the top, in points

    def place(x: float, text: str, size: float, **kw: object) -> None:
        fig.text(x / width_pt, y / height_pt, text, fontsize=size, va="top", **kw)  # type: ignore[arg-type]

    line_pt = width_pt - 2 * pad
    # A long trial name shrinks to the width of the card, down to the title size, and is then
    # shortened in the middle (the alt text names the trial in full).
    name = f"Trial {trial.trial}"
    heading = fit_size(name, font.title_size * 1.3, line_pt, "bold", smallest=font.title_size)
    name = shorten_to_width(name, heading, line_pt, "bold")
    place(pad, name, heading, weight="bold", color=colors.text, gid="kpi-trial")
    y -= heading * 1.4
    subtitle = wrap_to_width(
        f"{subject(trial)} · final checkpoint, "
        f"{format_tokens(trial.checkpoints[-1])} tokens · means over layers",
        line_pt,
        font.label_size,
    )
    place(pad, subtitle, font.label_size, color=colors.muted, gid="kpi-subtitle")
    y -= font.label_size * (0.8 + 1.2 * (subtitle.count("\n") + 1))
    rule = Line2D(
        [pad / width_pt, 1 - pad / width_pt],
        [y / height_pt] * 2,
        color=colors.accent,
        linewidth=theme.lines.spine_width * 1.5,
        transform=fig.transFigure,
        gid="kpi-rule",
    )
    fig.add_artist(rule)
    items = kpis(trial)
    rows = -(-len(items) // COLUMNS)
    space = y - pad / 2
    column_pt = (width_pt - 2 * pad) / COLUMNS
    # Numbers as big as the theme's title allows, shrunk until the widest fits its column and
    # the rows of numbers with their labels fill at most three quarters of the space left.
    size = min(2.4 * font.title_size, (0.75 * space / rows - 1.3 * font.label_size) / 1.25)
    widest = max(text_width_pt(value, 10.0, "bold") / 10.0 for value, _ in items)
    size = min(size, 0.9 * column_pt / widest)
    block = size * 1.25 + 1.3 * font.label_size
    gap = (space - rows * block) / (rows + 1)
    rule_y = y
    for index, (value, label) in enumerate(items):
        row, col = divmod(index, COLUMNS)
        x = pad + col * column_pt
        y = rule_y - gap - row * (block + gap)
        place(x, value, size, weight="bold", color=colors.text, gid="kpi-value")
        y -= size * 1.25
        place(x, label, font.label_size, color=colors.muted, gid="kpi-label")
    return fig
