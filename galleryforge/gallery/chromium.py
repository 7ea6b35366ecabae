"""Static images of plotly figures through kaleido, one headless Chromium for a whole batch.

Starting a browser costs about 2 s; an export through a browser that is already open costs a
small fraction of that, so the gallery opens one ``PlotlyImageExporter`` and sends every figure
through it. MathJax is off so nothing reaches the network.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from galleryforge.errors import GalleryforgeError

if TYPE_CHECKING:
    import plotly.graph_objects as go

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "plotly images need Chromium: install it (Debian/Ubuntu: sudo apt-get install chromium) or "
    "set GALLERYFORGE_CHROMIUM to its path; png/svg/pdf/html outputs do not need it"
)


def find_chromium() -> Path | None:
    """GALLERYFORGE_CHROMIUM, else the first Chromium-like browser on PATH, else None."""
    explicit = os.environ.get("GALLERYFORGE_CHROMIUM")
    if explicit:
        return Path(explicit) if Path(explicit).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


class PlotlyImageExporter:
    """``with PlotlyImageExporter() as export: png = export(fig, "png", scale=2)``."""

    def __init__(self, timeout_s: float = 60) -> None:
        self.timeout_s = timeout_s
        self._open = False

    def __enter__(self) -> PlotlyImageExporter:
        import kaleido

        browser = find_chromium()
        if browser is None:
            raise GalleryforgeError(INSTALL_HINT)
        os.environ["BROWSER_PATH"] = str(browser)  # choreographer's way of naming the browser
        try:
            kaleido.start_sync_server(
                n=1, timeout=self.timeout_s, mathjax=False, silence_warnings=True
            )
        except Exception as error:  # choreographer raises several types when launch fails
            raise GalleryforgeError(f"could not start Chromium at {browser}: {error}") from error
        self._open = True
        return self

    def __call__(self, fig: go.Figure, fmt: str, scale: float = 1.0) -> bytes:
        import kaleido

        opts: dict[str, Any] = {
            "format": fmt,
            "width": fig.layout.width,
            "height": fig.layout.height,
            "scale": scale,
        }
        data: bytes = kaleido.calc_fig_sync(fig, opts=opts)
        return data

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        import kaleido

        if self._open:
            kaleido.stop_sync_server(silence_warnings=True)
            self._open = False
