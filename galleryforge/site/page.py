"""A page of the site: where it is written, its template, what its head says and what its template
is given; and an entry of the navigation bar."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from galleryforge.site.views import FigureView


@dataclass(frozen=True)
class NavLink:
    title: str
    path: str
    section: str


@dataclass(frozen=True)
class Page:
    path: str
    """Relative to the site root, e.g. ``figures/B/premium-heatmap.html``."""
    template: str
    title: str
    description: str
    section: str
    """The nav entry to highlight."""
    card: FigureView | None
    context: Mapping[str, Any] = field(default_factory=dict)
