"""One gallery job: draw one rendering for one trial under one theme, save every format.

Runs inside worker processes, so it takes and returns plain picklable data. Tables and themes
are read once per process (``inputs``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from galleryforge.atomic import write_bytes
from galleryforge.gallery import inputs
from galleryforge.gallery.formats import (
    HTML_FORMAT,
    PLOTLY_IMAGE_FORMATS,
    STATIC_FORMATS,
    figure_bytes,
    html_bytes,
    plotlyjs_bundle,
)
from galleryforge.gallery.manifest import ManifestEntry
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.registry import get_rendering
from galleryforge.runs import discover_trials
from galleryforge.tables import ToyTables, TrialTables

PLOTLYJS_NAME = "plotly.min.js"


@dataclass(frozen=True)
class Job:
    runs: Path
    out: Path
    trial: str
    theme: str
    rendering: str
    formats: tuple[str, ...]
    theme_search: tuple[Path, ...] = ()
    latent: tuple[int, int] | None = None
    """Set for a rendering of one latent asked for by ``--latent``: named in its file name."""

    @property
    def folder(self) -> Path:
        return self.out / self.trial / Path(self.theme).stem

    @property
    def stem(self) -> str:
        if self.latent is None:
            return self.rendering
        return f"{self.rendering}-L{self.latent[0]}-{self.latent[1]}"

    def path(self, fmt: str) -> Path:
        return self.folder / f"{self.stem}.{fmt}"

    @property
    def label(self) -> str:
        """``trial/theme/rendering``, as progress reports name the job."""
        return f"{self.trial}/{Path(self.theme).stem}/{self.stem}"


@dataclass(frozen=True)
class PendingPlotlyImage:
    """A plotly image to be made in the main process, where the one browser lives."""

    job: Job
    fmt: str
    figure_json: str
    alt: str
    title: str
    finding: str | None = None


@dataclass
class JobResult:
    entries: list[ManifestEntry] = field(default_factory=list)
    plotly_pending: list[PendingPlotlyImage] = field(default_factory=list)


def context_for(job: Job) -> RenderContext:
    toy = inputs.toy_tables(job.runs)
    trials = {name: inputs.trial_tables(job.runs, name) for name in discover_trials(job.runs)}
    tables: TrialTables | ToyTables | None = toy if job.trial == "toy" else trials[job.trial]
    assert tables is not None
    return RenderContext(
        tables, inputs.theme(job.theme, job.theme_search), trials=trials, toy=toy, latent=job.latent
    )


def run_job(job: Job) -> JobResult:
    import matplotlib

    matplotlib.use("Agg")
    from galleryforge.themes.mpl import theme_style

    rendering = get_rendering(job.rendering)
    ctx = context_for(job)
    theme = ctx.theme
    alt = rendering.describe(ctx)
    finding = rendering.finding(ctx) if rendering.finding is not None else None
    result = JobResult()
    static = [f for f in job.formats if f in STATIC_FORMATS]
    if static:
        with theme_style(theme):
            fig = rendering.draw(ctx)
            width_in, height_in = fig.get_size_inches()
            for index, fmt in enumerate(static):
                if index == 1:
                    # The first save laid the figure out; keep that layout for the other
                    # formats instead of solving the constraints again (a third of a save).
                    fig.set_layout_engine("none")
                data = figure_bytes(fig, fmt, theme.figure.dpi)
                size = (round(width_in * theme.figure.dpi), round(height_in * theme.figure.dpi))
                result.entries.append(_save(job, fmt, data, size, alt, rendering.title, finding))
    wants_plotly = [f for f in job.formats if f == HTML_FORMAT or f in PLOTLY_IMAGE_FORMATS]
    if wants_plotly and rendering.interactive is not None:
        figure = rendering.interactive(ctx)
        size = (int(figure.layout.width), int(figure.layout.height))
        for fmt in wants_plotly:
            if fmt == HTML_FORMAT:
                src = _plotlyjs_relative(job)
                data = html_bytes(figure, f"gf-{job.rendering}", src)
                result.entries.append(_save(job, fmt, data, size, alt, rendering.title, finding))
            else:
                pending = PendingPlotlyImage(
                    job, fmt, figure.to_json(), alt, rendering.title, finding
                )
                result.plotly_pending.append(pending)
    return result


def _plotlyjs_relative(job: Job) -> str:
    """Write plotly.js once at the gallery's root; pages load it by a relative path."""
    bundle = job.out / PLOTLYJS_NAME
    data = plotlyjs_bundle()
    if not bundle.exists() or bundle.stat().st_size != len(data):
        write_bytes(bundle, data)
    depth = len(job.folder.relative_to(job.out).parts)
    return "../" * depth + PLOTLYJS_NAME


def _save(
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


def write_plotly_images(pending: list[PendingPlotlyImage]) -> list[ManifestEntry]:
    """Export every pending plotly image through one browser."""
    import plotly.io as pio

    from galleryforge.gallery.chromium import PlotlyImageExporter

    entries = []
    with PlotlyImageExporter() as export:
        for item in pending:
            figure = pio.from_json(item.figure_json)
            kind = item.fmt.split(".", 1)[1]
            dpi = inputs.theme(item.job.theme, item.job.theme_search).figure.dpi
            scale = dpi / 96 if kind == "png" else 1.0
            data = export(figure, kind, scale=scale)
            size = (round(figure.layout.width * scale), round(figure.layout.height * scale))
            entries.append(
                _save(item.job, item.fmt, data, size, item.alt, item.title, item.finding)
            )
    return entries
