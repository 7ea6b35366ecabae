"""Write the built site so that an unchanged rebuild touches nothing.

Each output file is compared by content hash with what the last build wrote (recorded in a small
cache file in the output folder) and with the bytes on disk; only changed files are written, and
files the build no longer produces are removed. The cache file also marks the folder as a built
site, so a mistaken ``--out`` pointing at other files is refused instead of emptied.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from galleryforge.atomic import write_bytes, write_text
from galleryforge.errors import GalleryforgeError

CACHE_NAME = ".galleryforge-site.json"


@dataclass(frozen=True)
class SyncResult:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def read_cache(out: Path) -> dict[str, Any]:
    """The last build's record ({} when there is none), after checking ``out`` is ours."""
    path = out / CACHE_NAME
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {}  # a damaged cache only costs a full rewrite
        return data if isinstance(data, dict) else {}
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise GalleryforgeError(
            f"{out}: exists and is not a galleryforge site (no {CACHE_NAME}); "
            "choose an empty or new --out folder"
        )
    return {}


def sync_site(out: Path, files: Mapping[str, bytes | Path], cache: Mapping[str, Any]) -> SyncResult:
    """Make ``out`` hold exactly ``files`` (site-relative path -> bytes, or a file to copy)."""
    previous: Mapping[str, str] = cache.get("files", {})
    hashes: dict[str, str] = {}
    written: list[str] = []
    unchanged = 0
    for rel, source in sorted(files.items()):
        data = source.read_bytes() if isinstance(source, Path) else source
        digest = hashlib.sha256(data).hexdigest()
        hashes[rel] = digest
        target = out / rel
        if previous.get(rel) == digest and _same_size(target, len(data)):
            unchanged += 1
            continue
        if target.is_file() and target.read_bytes() == data:
            unchanged += 1  # same bytes already there (e.g. the cache file was lost)
            continue
        write_bytes(target, data)
        written.append(rel)
    removed = _remove_stale(out, set(files))
    record = {"format": 1, "files": hashes}
    text = json.dumps(record, indent=1, sort_keys=True) + "\n"
    cache_path = out / CACHE_NAME
    if not cache_path.is_file() or cache_path.read_text(encoding="utf-8") != text:
        write_text(cache_path, text)
    return SyncResult(tuple(written), unchanged, tuple(removed))


def _same_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False


def _remove_stale(out: Path, keep: set[str]) -> list[str]:
    removed = []
    for path in sorted(out.rglob("*"), reverse=True):  # children before their folders
        rel = path.relative_to(out).as_posix()
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif rel != CACHE_NAME and rel not in keep:
            path.unlink()
            removed.append(rel)
    return removed
