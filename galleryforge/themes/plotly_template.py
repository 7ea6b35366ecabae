"""Turn a theme into a registered plotly template, so interactive figures match the static ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from galleryforge.themes.mpl import colormap
from galleryforge.themes.theme import Theme

if TYPE_CHECKING:
    import plotly.graph_objects as go

PIXELS_PER_INCH = 96  # CSS pixels: plotly sizes are in CSS px


def colorscale(theme: Theme, kind: str = "sequential", steps: int = 11) -> list[list[Any]]:
    """The theme's colormap sampled into a plotly colorscale."""
    from matplotlib.colors import to_hex

    cmap = colormap(theme, kind)
    return [[i / (steps - 1), to_hex(cmap(i / (steps - 1)))] for i in range(steps)]


def template_name(theme: Theme) -> str:
    return f"galleryforge-{theme.name}"


def plotly_template(theme: Theme) -> go.layout.Template:
    """A plotly Template with the theme's fonts, colours, palette and colorscales."""
    import plotly.graph_objects as go

    c, f = theme.colors, theme.font
    axis = {
        "gridcolor": c.grid,
        "linecolor": c.axes,
        "zerolinecolor": c.grid,
        "tickcolor": c.axes,
        "tickfont": {"size": f.tick_size * 1.33, "color": c.text},
        "title": {"font": {"size": f.label_size * 1.33, "color": c.text}},
        "showgrid": theme.lines.grid,
    }
    layout = go.Layout(
        font={
            "family": ", ".join([*f.family, "sans-serif"]),
            "size": f.size * 1.33,
            "color": c.text,
        },
        title={
            "font": {"size": f.title_size * 1.33, "color": c.text},
            "x": 0.01,
            "xanchor": "left",
        },
        paper_bgcolor=c.background,
        plot_bgcolor=c.panel,
        colorway=list(theme.palette.categorical),
        colorscale={
            "sequential": colorscale(theme, "sequential"),
            "diverging": colorscale(theme, "diverging"),
        },
        xaxis=axis,
        yaxis=axis,
        legend={"font": {"color": c.text}},
        hoverlabel={"font": {"family": ", ".join(f.family)}},
        width=round(theme.figsize()[0] * PIXELS_PER_INCH),
        height=round(theme.figsize()[1] * PIXELS_PER_INCH),
    )
    return go.layout.Template(layout=layout)


def register_template(theme: Theme) -> str:
    """Register the theme's template with plotly.io and return its name."""
    import plotly.io as pio

    name = template_name(theme)
    pio.templates[name] = plotly_template(theme)
    return name
