"""One theme drives matplotlib (rcParams) and plotly (a registered template) alike."""

from __future__ import annotations

import plotly.io as pio
import pytest
from matplotlib.colors import to_hex

from galleryforge.themes.mpl import colormap, rc_params
from galleryforge.themes.plotly_template import colorscale, register_template
from galleryforge.themes.theme import available_themes, load_theme


@pytest.mark.parametrize("name", sorted(available_themes()))
def test_matplotlib_and_plotly_share_colours_and_fonts(name: str) -> None:
    theme = load_theme(name)
    rc = rc_params(theme)
    template = pio.templates[register_template(theme)]
    layout = template.layout
    assert rc["figure.facecolor"] == layout.paper_bgcolor == theme.colors.background
    assert rc["axes.facecolor"] == layout.plot_bgcolor == theme.colors.panel
    assert rc["text.color"] == layout.font.color == theme.colors.text
    assert list(layout.colorway) == list(theme.palette.categorical)
    assert rc["axes.prop_cycle"].by_key()["color"] == list(theme.palette.categorical)
    assert rc["font.sans-serif"][0] == theme.font.family[0]
    assert layout.font.family.startswith(theme.font.family[0])
    sampled = colorscale(theme)
    cmap = colormap(theme)
    assert sampled[0][1] == to_hex(cmap(0.0)) and sampled[-1][1] == to_hex(cmap(1.0))
    assert rc["savefig.transparent"] is False


def test_paper_embeds_truetype_fonts() -> None:
    rc = rc_params(load_theme("paper"))
    assert rc["pdf.fonttype"] == 42
    assert rc["svg.fonttype"] == "path"
