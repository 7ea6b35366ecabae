"""Output formats and how a matplotlib figure or plotly figure becomes bytes, reproducibly."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from galleryforge.errors import GalleryforgeError
from galleryforge.gallery import pdf_fonts

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

STATIC_FORMATS = ("png", "svg", "pdf")
"""Drawn by matplotlib from the same Figure."""
HTML_FORMAT = "html"
"""The interactive plotly version, with plotly.js loaded from a local file."""
PLOTLY_IMAGE_FORMATS = ("plotly.png", "plotly.svg", "plotly.pdf")
"""Static images of the interactive version, through kaleido and the system Chromium."""
ALL_FORMATS = (*STATIC_FORMATS, HTML_FORMAT, *PLOTLY_IMAGE_FORMATS)

# Fixed metadata so the same figure gives the same bytes (no dates, no random ids).
_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": "galleryforge"},
    "svg": {"Date": None, "Creator": "galleryforge"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "galleryforge"},
}


def parse_formats(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """``"png,svg"`` → ("png", "svg"); ``None`` → the theme default; unknown names raise."""
    if not text:
        return default
    names = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    for name in names:
        if name not in ALL_FORMATS:
            raise GalleryforgeError(
                f"unknown format {name!r} in --format; known: {', '.join(ALL_FORMATS)}"
            )
    return names


def figure_bytes(fig: Figure, fmt: str, dpi: float) -> bytes:
    """Save a matplotlib figure in ``fmt`` at the canvas's exact size."""
    if fmt == "pdf":
        pdf_fonts.install()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    return buffer.getvalue()


def html_bytes(fig: go.Figure, div_id: str, plotlyjs_src: str) -> bytes:
    """A standalone page that loads plotly.js from ``plotlyjs_src`` (a local relative path)."""
    html = fig.to_html(
        include_plotlyjs=plotlyjs_src,
        include_mathjax=False,
        full_html=True,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
    return html.encode("utf-8")


@lru_cache(maxsize=1)
def plotlyjs_bundle() -> bytes:
    """The plotly.js bundle shipped with the plotly package (no CDN); read once a process."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")
