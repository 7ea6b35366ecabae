"""What a gallery build reports (light: no plotting or table libraries imported)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from galleryforge.gallery.manifest import ManifestEntry


@dataclass(frozen=True)
class Skipped:
    trial: str
    rendering: str
    reason: str


@dataclass
class GalleryResult:
    entries: list[ManifestEntry] = field(default_factory=list)
    skipped: tuple[Skipped, ...] = ()
    written: int = 0
    unchanged: int = 0
    manifest: Path | None = None
    cached: bool = False
    """True when the whole request was answered from the cache without drawing anything."""
