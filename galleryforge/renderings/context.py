"""What a rendering gets: the tables it draws, the theme, and helpers that apply the theme.

Renderings never read files and never choose colours, fonts or sizes: they take them from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from galleryforge.themes.theme import Theme

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

    from galleryforge.tables import ToyTables, TrialTables


@dataclass(frozen=True)
class RenderContext:
    tables: TrialTables | ToyTables
    theme: Theme
    trials: Mapping[str, TrialTables] = field(default_factory=dict)
    """By folder name: every trial of the run folder for a rendering that compares trials or
    draws a width family (``Rendering.reads_other_runs``), else the trial drawn alone."""
    toy: ToyTables | None = None
    """The toy run, when there is one (its fitted loss shape informs predicted floors)."""
    latent: tuple[int, int] | None = None
    """(layer, latent) for renderings of one latent (``feature-card``); None: their default."""

    @property
    def trial(self) -> TrialTables:
        from galleryforge.tables import TrialTables  # loaded already: the tables exist

        if not isinstance(self.tables, TrialTables):
            raise TypeError("this rendering needs a trial's tables")
        return self.tables

    @property
    def family(self) -> tuple[TrialTables, ...]:
        """The members of the trial's width family in the run folder (the trial among them),
        narrowest first; empty when it belongs to none."""
        from galleryforge.width_family import family_members

        return family_members(self.trial, self.trials)

    @property
    def toy_tables(self) -> ToyTables:
        from galleryforge.tables import ToyTables

        if isinstance(self.tables, ToyTables):
            return self.tables
        if self.toy is None:
            raise TypeError("this rendering needs the toy run's tables")
        return self.toy

    # ------------------------------------------------------------------------- matplotlib

    def figure(
        self,
        nrows: int = 1,
        ncols: int = 1,
        *,
        aspect: float | None = None,
        **subplot_kw: Any,
    ) -> tuple[Figure, Any]:
        """A themed figure with a grid of axes (``squeeze`` as in ``plt.subplots``).

        Uses constrained layout so labels never overlap the canvas edge, and the theme's exact
        size (fixed-size themes such as ``social`` ignore ``aspect``).
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=self.theme.figsize(aspect), layout="constrained")
        FigureCanvasAgg(fig)  # a real canvas, so text can be measured (no pyplot state involved)
        axes = fig.subplots(nrows, ncols, **subplot_kw)
        return fig, axes

    def cmap(self, kind: str = "sequential") -> Colormap:
        from galleryforge.themes.mpl import colormap

        return colormap(self.theme, kind)

    def ink_on(self, rgba: tuple[float, float, float, float]) -> str:
        from galleryforge.themes.mpl import ink_on

        return ink_on(self.theme, rgba)

    def title(self, ax: Axes | Figure, text: str) -> None:
        """A title on an axes or a whole figure, in the theme's title style, wrapped onto more
        lines where it is wider than the canvas (on a small canvas, such as a social card, a long
        trial name would otherwise run off its edges): a figure's title now, an axes' title
        (left-aligned) when it is drawn, at the canvas's right edge."""
        from matplotlib.figure import Figure

        from galleryforge.renderings.parts.text_fit import wrap_to_width

        if isinstance(ax, Figure):
            font = self.theme.font
            width = float(ax.get_size_inches()[0]) * 72 * 0.94
            ax.suptitle(wrap_to_width(text, width, font.title_size, font.weight_title))
        else:
            ax.set_title(text, loc="left", wrap=True)

    # ----------------------------------------------------------------------------- plotly

    def plotly_figure(self, aspect: float | None = None) -> go.Figure:
        """An empty plotly figure on the theme's registered template, at the theme's size."""
        import plotly.graph_objects as go

        from galleryforge.themes.plotly_template import PIXELS_PER_INCH, register_template

        width, height = self.theme.figsize(aspect)
        fig = go.Figure()
        fig.update_layout(
            template=register_template(self.theme),
            width=round(width * PIXELS_PER_INCH),
            height=round(height * PIXELS_PER_INCH),
            margin={"l": 60, "r": 30, "t": 60, "b": 50},
        )
        return fig

    def plotly_colorscale(self, kind: str = "sequential") -> list[list[Any]]:
        from galleryforge.themes.plotly_template import colorscale

        return colorscale(self.theme, kind)
