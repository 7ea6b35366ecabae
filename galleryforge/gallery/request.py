"""What to build: which runs, trials, themes, renderings and formats (light module)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
