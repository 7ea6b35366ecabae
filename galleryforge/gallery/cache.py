"""A content-hash cache for the gallery, like a build system's.

Each job has a key that hashes everything its files depend on (``cache_keys``). Its files are
recorded one format at a time: a job whose key is recorded and whose files in the formats asked
for are still there, untouched (same size and modification time), is not drawn again. So figures
drawn in png, svg, pdf and html answer a later request for png alone (the site's cards).

A whole request has a key too (``cache_keys.request_key``). When it matches and every file is
intact, the build is answered from the cache without importing pandas or matplotlib: that is what
makes a no-op rebuild fast.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from galleryforge.atomic import write_text
from galleryforge.gallery.cache_keys import Fingerprints, request_key
from galleryforge.gallery.manifest import ManifestEntry
from galleryforge.gallery.request import GalleryRequest
from galleryforge.gallery.result import GalleryResult, Skipped

CACHE_NAME = ".galleryforge-cache.json"
CACHE_FORMAT = 2  # 2: records kept per format, so a job may ask for fewer formats
MAX_REQUESTS = 32  # request keys remembered (the job records they point to are kept with them)


class GalleryCache:
    """The cache file beside the gallery: job records and request records."""

    def __init__(self, out: Path) -> None:
        self.path = out / CACHE_NAME
        self.out = out
        self.jobs: dict[str, list[dict[str, Any]]] = {}
        self.requests: dict[str, dict[str, Any]] = {}
        """Oldest first: the oldest is forgotten first."""
        self._recorded: set[str] = set()
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                data = {}  # a damaged cache only costs a rebuild
            if data.get("format") == CACHE_FORMAT:
                self.jobs = data.get("jobs", {})
                self.requests = dict(data.get("requests", []))

    def _intact(self, records: list[dict[str, Any]]) -> bool:
        for record in records:
            try:
                stat = (self.out / record["entry"]["path"]).stat()
            except OSError:
                return False
            if stat.st_size != record["size"] or stat.st_mtime_ns != record["mtime_ns"]:
                return False
        return True

    def job_entries(self, key: str, formats: Sequence[str]) -> list[ManifestEntry] | None:
        """The manifest entries of a cached job in ``formats``, in that order, when each of those
        files is recorded and intact, else None. A job drawn once in more formats (``render``
        with png, svg, pdf and html) answers a later one that asks for fewer (the site's cards)."""
        by_format = {r["entry"]["format"]: r for r in self.jobs.get(key, [])}
        records = [by_format[fmt] for fmt in formats if fmt in by_format]
        if len(records) != len(formats) or not self._intact(records):
            return None
        return [ManifestEntry(**{**r["entry"], "written": False}) for r in records]

    def record_job(self, key: str, entries: Sequence[ManifestEntry]) -> None:
        """Record a drawn job's files. Records of its other formats stay: the key covers every
        input, so they were drawn from the same tables and code (each is checked when used)."""
        records = {r["entry"]["format"]: r for r in self.jobs.get(key, [])}
        for entry in entries:
            stat = (self.out / entry.path).stat()
            record = dataclasses.asdict(entry)
            record.pop("written", None)
            records[entry.format] = {
                "entry": record,
                "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns,
            }
        self.jobs[key] = list(records.values())
        self._recorded.add(key)

    def cached_result(self, key: str) -> GalleryResult | None:
        request = self.requests.get(key)
        if request is None:
            return None
        entries: list[ManifestEntry] = []
        for job, formats in request["jobs"]:
            found = self.job_entries(job, formats)
            if found is None:
                return None
            entries += found
        manifest = self.out / "manifest.json"
        if not manifest.exists():
            return None
        skipped = tuple(Skipped(**s) for s in request["skipped"])
        return GalleryResult(
            entries=entries,
            skipped=skipped,
            unchanged=len(entries),
            manifest=manifest,
            cached=True,
        )

    def record_request(
        self, key: str, jobs: Sequence[tuple[str, Sequence[str]]], skipped: Sequence[Skipped]
    ) -> None:
        """``jobs``: each job's key and the formats the request asked of it."""
        self.requests.pop(key, None)
        self.requests[key] = {
            "jobs": [[job, list(formats)] for job, formats in jobs],
            "skipped": [dataclasses.asdict(s) for s in skipped],
        }
        while len(self.requests) > MAX_REQUESTS:
            self.requests.pop(next(iter(self.requests)))

    def save(self) -> None:
        """Write the cache, keeping only jobs that a remembered request or this build used."""
        live = self._recorded | {k for r in self.requests.values() for k, _ in r["jobs"]}
        jobs = {k: v for k, v in self.jobs.items() if k in live}
        requests = list(self.requests.items())  # a list keeps the age order through JSON
        document = {"format": CACHE_FORMAT, "jobs": jobs, "requests": requests}
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        if not self.path.exists() or self.path.read_text(encoding="utf-8") != text:
            write_text(self.path, text)


def cached_gallery(request: GalleryRequest, fingerprints: Fingerprints) -> GalleryResult | None:
    """The recorded result of an identical earlier request whose files are intact, else None.
    ``fingerprints``: of ``request.runs``, kept for the build when this answers None."""
    if not request.out.exists() or not request.runs.is_dir():
        return None
    cache = GalleryCache(request.out)
    return cache.cached_result(request_key(request, fingerprints))
