"""A latent's top contexts as rows of monospaced tokens, each shaded by the latent's activation.

Opacity = activation / the latent's max activation (``latents.shade``; unshaded where it did not
fire), the example token in bold, a row cut to the tokens around it that fit. Tokens are drawn as
plain text (no mathtext), so ``$`` and markup show as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.colors import to_rgba

from galleryforge.latents import display_tokens, shade

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from galleryforge.renderings.context import RenderContext

# Room for one character, in ems: DejaVu Sans Mono advances 0.602 em, and a raster canvas rounds
# each glyph's advance to whole pixels, up to half a pixel (0.04 em at 9 pt and 100 dpi) more;
# at 0.602 em a long token's last letters ran under the next token.
MONO_EM = 0.642
ROW_EMS = 2.1  # line pitch of the context rows, in ems


def draw_contexts(
    ctx: RenderContext,
    fig: Figure,
    ax: Axes,
    top: pd.DataFrame,
    max_activation: float,
    share: float,
) -> None:
    """One row per example of ``top`` (as many as fit ``ax``): its tokens around the example
    token, each shaded by its activation, and the example's activation at the row's end.

    ``share`` is the fraction of the figure's width ``ax`` spans (it sets how many characters a
    row holds). gids: ``context-token``, ``example-activation``.
    """
    from matplotlib.transforms import offset_copy

    ax.set_axis_off()
    size = ctx.theme.font.size
    width_pt, height_pt = (x * 72 for x in fig.get_size_inches())
    budget = int(width_pt * share * 0.92 / (size * MONO_EM)) - 7  # 7: the value column
    rows = max(1, min(len(top), int(height_pt * 0.72 / (size * ROW_EMS))))
    accent = to_rgba(ctx.theme.colors.accent)
    background = np.array(to_rgba(ctx.theme.colors.background))
    shown = top.head(rows)
    columns = zip(
        shown["tokens"].tolist(),
        shown["token_activations"].tolist(),
        shown["focus"].tolist(),
        shown["activation"].tolist(),
        strict=True,
    )
    for index, (words, values, focus, activation) in enumerate(columns):
        y = 1 - (index + 0.5) / rows
        tokens = display_tokens([str(t) for t in words])
        start, stop = fitting(tokens, int(focus), budget)
        advance = 0.0
        for position in range(start, stop):
            alpha = shade(float(values[position]), max_activation)
            blended = alpha * np.array(accent) + (1 - alpha) * background
            place = offset_copy(ax.transAxes, fig, x=advance, y=0, units="points")
            text = ax.text(
                0,
                y,
                tokens[position],
                transform=place,
                va="center",
                ha="left",
                fontfamily="monospace",
                fontsize=size,
                fontweight="bold" if position == focus else "normal",
                color=ctx.ink_on((blended[0], blended[1], blended[2], blended[3])),
                parse_math=False,
                bbox={"boxstyle": "square,pad=0.12", "facecolor": accent, "alpha": alpha, "lw": 0}
                if alpha > 0
                else None,
            )
            text.set_gid("context-token")
            advance += len(tokens[position]) * size * MONO_EM
        value = ax.text(
            1,
            y,
            f"{float(activation):.3g}",
            transform=ax.transAxes,
            ha="right",
            va="center",
            fontsize=ctx.theme.font.tick_size,
            color=ctx.theme.colors.muted,
        )
        value.set_gid("example-activation")


def fitting(tokens: list[str], focus: int, budget: int) -> tuple[int, int]:
    """[start, stop) of the tokens around ``focus`` that fit ``budget`` characters, about three
    quarters of them before it (what led up to the activation matters most)."""
    start, stop = focus, focus + 1
    used = len(tokens[focus])
    while True:
        before = start > 0 and used + len(tokens[start - 1]) <= budget
        after = stop < len(tokens) and used + len(tokens[stop]) <= budget
        if before and (not after or (focus - start) < 3 * (stop - focus)):
            start -= 1
            used += len(tokens[start])
        elif after:
            used += len(tokens[stop])
            stop += 1
        else:
            return start, stop
