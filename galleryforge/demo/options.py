"""What the demo is asked to do, and how it reports progress."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class DemoOptions:
    runs: Path = Path("runs")
    build: Path = Path("build")
    quick: bool = False
    """A first look: the reduced toy grid, a short training run, only the site's figures."""
    fresh: bool = False
    """Ignore and replace what earlier demo runs left."""
    jobs: int = 1
    device: str = "auto"
    renderings: tuple[str, ...] = ()
    """Limit the gallery and the site to these rendering ids (empty: every rendering)."""

    @property
    def gallery(self) -> Path:
        return self.build / "gallery"

    @property
    def site(self) -> Path:
        return self.build / "site"


class DemoProgress(Protocol):
    """What the demo reports; the CLI draws progress bars from it."""

    def start(self, step: str, total: int, unit: str) -> None: ...

    def advance(self, completed: int | None = None, label: str = "") -> None:
        """Move the current step on by one, or to ``completed``."""

    def note(self, message: str) -> None: ...
