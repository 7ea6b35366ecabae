"""The gallery manifest: every file with its rendering, theme, size, hash, alt text and finding."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleryforge.atomic import write_text

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    """Relative to the gallery folder, with forward slashes."""
    rendering: str
    title: str
    trial: str
    theme: str
    format: str
    width_px: int
    height_px: int
    bytes: int
    sha256: str
    alt: str
    finding: str | None = None
    """The sentence stating the measured result the figure shows (``Rendering.finding``), if any."""
    written: bool = field(default=True, compare=False)


def read_manifest(out: Path) -> list[dict[str, Any]]:
    path = out / MANIFEST_NAME
    if not path.exists():
        return []
    files: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8")).get("files", [])
    return files


def write_manifest(out: Path, entries: Sequence[ManifestEntry]) -> Path:
    """Merge ``entries`` into the manifest, dropping records of files that no longer exist."""
    by_path = {item["path"]: item for item in read_manifest(out) if (out / item["path"]).exists()}
    for entry in entries:
        record = dataclasses.asdict(entry)
        record.pop("written", None)
        by_path[record["path"]] = record
    files = [by_path[path] for path in sorted(by_path)]
    document = {"format": 1, "files": files}
    path = out / MANIFEST_NAME
    text = json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        write_text(path, text)
    return path
