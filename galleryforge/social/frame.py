"""The frame of a social card: a headline and the trial's key numbers beside a figure panel.

Wide cards (LinkedIn, Open Graph) put the text in a left column; square cards in a top band.
Sizes come from the theme: the headline at 1.2× its title size, the numbers at 1.25× its title
size, their labels at its tick size, so a card shrunk to a phone's width stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from galleryforge.labels import metric_label
from galleryforge.numbers import format_metric, format_tokens
from galleryforge.study import trial_facts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables
    from galleryforge.themes.theme import Theme

# Key numbers: the trial's KD means over layers (``TrialTables.kd``), in this order.
KEY_NUMBERS = ("l0", "alpha", "d_star", "mse")
WIDE = 1.4
"""Cards wider than this (width / height) get a side column; others a top band."""
COLUMN_FRACTION = 0.3
BAND_FRACTION = 0.26


@dataclass(frozen=True)
class Frame:
    pixels: tuple[int, int]
    """The whole card, (width, height)."""
    side: bool
    """Text in a left column (wide cards) rather than a top band."""
    text_px: int
    """Width of the column, or height of the band."""

    @property
    def panel_size(self) -> tuple[int, int]:
        width, height = self.pixels
        return (width - self.text_px, height) if self.side else (width, height - self.text_px)

    @property
    def panel_origin(self) -> tuple[int, int]:
        """Pixels from the card's bottom-left corner to the panel's."""
        return (self.text_px, 0) if self.side else (0, 0)


def frame_for(pixels: tuple[int, int]) -> Frame:
    width, height = pixels
    side = width / height > WIDE
    text_px = round(width * COLUMN_FRACTION) if side else round(height * BAND_FRACTION)
    return Frame(pixels, side, text_px)


def key_numbers(trial: TrialTables) -> list[tuple[str, str]]:
    """(label, value text) for the card: each a mean over layers of the final checkpoint."""
    means = trial.kd
    return [
        (f"mean {metric_label(metric, math=True)}", format_metric(metric, getattr(means, metric)))
        for metric in KEY_NUMBERS
    ]


def headline(trial: TrialTables) -> tuple[str, list[str]]:
    """(title, facts): the trial and its model, then its depth and width, and training tokens.

    Read from the run's records (``galleryforge.study``): a pip-packaged model is named by the
    Hub id of the model it holds, and a model the run does not record is left out.
    """
    facts = trial_facts(trial)
    model = facts.model_name
    title = f"Trial {trial.trial}" + (f" · {model}" if model else "")
    tokens = f"{format_tokens(facts.tokens)} tokens"
    return title, [f"{facts.layers} layers · F = {facts.width_text}", tokens]


def draw_frame(fig: Figure, frame: Frame, trial: TrialTables, theme: Theme) -> None:
    """Write the headline and key numbers into the text area of ``fig``."""
    width, height = frame.pixels
    colors, font = theme.colors, theme.font

    def text(x_px: float, y_px: float, content: str, gid: str, **style: object) -> None:
        """Text whose top-left corner is ``(x_px, y_px)`` pixels from the card's top-left."""
        fig.text(x_px / width, 1 - y_px / height, content, ha="left", va="top", gid=gid, **style)  # type: ignore[arg-type]

    title, facts = headline(trial)
    margin = 28
    if frame.side:
        # Column: "Trial B", then model and facts one per line, then the numbers stacked.
        lines = [*title.split(" · ")[1:], *facts]
        head, subtitle, subtitle_y = f"Trial {trial.trial}", "\n".join(lines), margin + 62
        subtitle_style = {"fontsize": font.tick_size, "linespacing": 1.3}
        first = margin + 70 + 30 * len(lines)
        slot = (height - margin - first) / len(KEY_NUMBERS)
        spots = [(float(margin), first + i * slot) for i in range(len(KEY_NUMBERS))]
    else:
        # Band: the title line, the facts line, then the numbers side by side.
        head, subtitle, subtitle_y = title, " · ".join(facts), margin + 60
        subtitle_style = {"fontsize": font.label_size}
        slot = (width - 2 * margin) / len(KEY_NUMBERS)
        spots = [(margin + i * slot, margin + 130.0) for i in range(len(KEY_NUMBERS))]
    text(
        margin,
        margin,
        head,
        "card-headline",
        color=colors.text,
        fontsize=font.title_size * 1.2,
        weight="bold",
    )
    text(margin, subtitle_y, subtitle, "card-subtitle", color=colors.muted, **subtitle_style)
    for (label, value), (x, y) in zip(key_numbers(trial), spots, strict=True):
        text(
            x,
            y,
            value,
            "card-number",
            color=colors.accent,
            fontsize=font.title_size * 1.25,
            weight="bold",
        )
        text(x, y + 52, label, "card-number-label", color=colors.muted, fontsize=font.tick_size)
