"""Writing a job's files: each format's bytes, rewritten only when they changed, recorded as a
manifest entry; plotly.js once at the gallery's root; plotly images, made after the jobs in the
main process through one shared browser."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from galleryforge.atomic import write_bytes
from galleryforge.gallery.formats import plotlyjs_bundle
from galleryforge.gallery.manifest import ManifestEntry
from galleryforge.gallery.request import Job

PLOTLYJS_NAME = "plotly.min.js"


@dataclass(frozen=True)
class PendingPlotlyImage:
    """A plotly image to be made in the main process, where the one browser lives."""

    job: Job
    fmt: str
    figure_json: str
    dpi: float
    """The job's theme's: a png is exported at ``dpi / 96`` times the figure's css pixels."""
    alt: str
    title: str
    finding: str | None = None


def save_output(
    job: Job,
    fmt: str,
    data: bytes,
    size: tuple[int, int],
    alt: str,
    title: str,
    finding: str | None = None,
) -> ManifestEntry:
    path = job.path(fmt)
    written = not (path.exists() and path.read_bytes() == data)
    if written:
        write_bytes(path, data)
    return ManifestEntry(
        path=path.relative_to(job.out).as_posix(),
        rendering=job.rendering,
        title=title,
        trial=job.trial,
        theme=Path(job.theme).stem,
        format=fmt,
        width_px=size[0],
        height_px=size[1],
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        alt=alt,
        finding=finding,
        written=written,
    )


def plotlyjs_relative(job: Job) -> str:
    """Write plotly.js once at the gallery's root; pages load it by a relative path."""
    bundle = job.out / PLOTLYJS_NAME
    data = plotlyjs_bundle()
    if not bundle.exists() or bundle.stat().st_size != len(data):
        write_bytes(bundle, data)
    depth = len(job.folder.relative_to(job.out).parts)
    return "../" * depth + PLOTLYJS_NAME


def write_plotly_images(pending: list[PendingPlotlyImage]) -> list[ManifestEntry]:
    """Export every pending plotly image through one browser."""
    import plotly.io as pio

    from galleryforge.gallery.chromium import PlotlyImageExporter

    entries = []
    with PlotlyImageExporter() as export:
        for item in pending:
            figure = pio.from_json(item.figure_json)
            kind = item.fmt.split(".", 1)[1]
            scale = item.dpi / 96 if kind == "png" else 1.0
            data = export(figure, kind, scale=scale)
            size = (round(figure.layout.width * scale), round(figure.layout.height * scale))
            entries.append(
                save_output(item.job, item.fmt, data, size, item.alt, item.title, item.finding)
            )
    return entries
