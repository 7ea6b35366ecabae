"""Social cards: exact-size PNGs (LinkedIn, Open Graph, square) of a trial's figures.

``cards`` plans and writes the cards; ``frame`` lays out the headline band around a framed figure.
"""

from galleryforge.social.cards import (
    SIZES,
    CardRequest,
    card_style,
    card_theme,
    draw_card,
    write_card,
)

__all__ = ["SIZES", "CardRequest", "card_style", "card_theme", "draw_card", "write_card"]
