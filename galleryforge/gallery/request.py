"""What to build: the request (runs, trials, themes, renderings, formats) and the jobs a plan
splits it into (light module: no table or plotting library imported)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from galleryforge.gallery.formats import HTML_FORMAT, PLOTLY_IMAGE_FORMATS, STATIC_FORMATS
from galleryforge.renderings.registry import get_rendering


@dataclass(frozen=True)
class GalleryRequest:
    runs: Path
    out: Path
    trials: tuple[str, ...] = ("all",)
    """Trial names, ``all`` for every trial in ``runs``, and ``toy`` for the toy run."""
    themes: tuple[str, ...] = ("paper",)
    """Theme names or theme files; ``all`` for every built-in theme."""
    renderings: tuple[str, ...] = ()
    """Ids or aliases; empty for every rendering that applies."""
    formats: tuple[str, ...] | None = None
    """None: each theme's default formats (+ html for interactive renderings)."""
    jobs: int = 1
    theme_search: tuple[Path, ...] = ()
    latent: tuple[int, int] | None = None
    """(layer, latent) for the renderings of one latent (``feature-card``); None: their default."""


@dataclass(frozen=True)
class Job:
    """One rendering for one trial under one theme, saved in ``formats``."""

    runs: Path
    out: Path
    trial: str
    theme: str
    rendering: str
    formats: tuple[str, ...]
    theme_search: tuple[Path, ...] = ()
    latent: tuple[int, int] | None = None
    """Set for a rendering of one latent asked for by ``--latent``: named in its file name."""

    @property
    def folder(self) -> Path:
        return self.out / self.trial / Path(self.theme).stem

    @property
    def stem(self) -> str:
        if self.latent is None:
            return self.rendering
        return f"{self.rendering}-L{self.latent[0]}-{self.latent[1]}"

    def path(self, fmt: str) -> Path:
        return self.folder / f"{self.stem}.{fmt}"

    @property
    def label(self) -> str:
        """``trial/theme/rendering``, as progress reports name the job."""
        return f"{self.trial}/{Path(self.theme).stem}/{self.stem}"

    @property
    def output_formats(self) -> tuple[str, ...]:
        """The formats the job writes, in the order of its manifest entries: matplotlib's, then
        the html page and the plotly images, these two only for renderings with an interactive
        version."""
        static = [f for f in self.formats if f in STATIC_FORMATS]
        if get_rendering(self.rendering).interactive is None:
            return tuple(static)
        html = [f for f in self.formats if f == HTML_FORMAT]
        return (*static, *html, *(f for f in self.formats if f in PLOTLY_IMAGE_FORMATS))
