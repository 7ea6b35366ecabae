"""One gallery job: draw one rendering for one trial under one theme, save every format.

``run_job`` draws from the inputs the plan loaded (``RenderInputs``) and reads no table or theme
file. With ``--jobs`` above 1 it runs in worker processes, each handed those inputs once, as it
starts (``receive_inputs``); the jobs and their results travel between the processes as plain
picklable data. Files are saved, and plotly images left for the main process, by ``outputs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from galleryforge.gallery.formats import HTML_FORMAT, STATIC_FORMATS, figure_bytes, html_bytes
from galleryforge.gallery.inputs import RenderInputs
from galleryforge.gallery.manifest import ManifestEntry
from galleryforge.gallery.outputs import PendingPlotlyImage, plotlyjs_relative, save_output
from galleryforge.gallery.request import Job
from galleryforge.renderings.registry import get_rendering


@dataclass
class JobResult:
    entries: list[ManifestEntry] = field(default_factory=list)
    plotly_pending: list[PendingPlotlyImage] = field(default_factory=list)


_WORKER: dict[str, RenderInputs] = {}
"""A worker process's inputs, as ``receive_inputs`` got them (empty in the main process)."""


def receive_inputs(inputs: RenderInputs) -> None:
    """The worker pool's initializer: keep the plan's inputs for every job this worker runs
    (inherited under ``fork``; under ``spawn`` pickled once for the worker, not once a job)."""
    _WORKER["inputs"] = inputs


def run_in_worker(job: Job) -> JobResult:
    return run_job(job, _WORKER["inputs"])


def run_job(job: Job, inputs: RenderInputs) -> JobResult:
    import matplotlib

    matplotlib.use("Agg")
    from galleryforge.themes.mpl import theme_style

    rendering = get_rendering(job.rendering)
    ctx = inputs.job_context(job)
    theme = ctx.theme
    alt = rendering.describe(ctx)
    finding = rendering.finding(ctx) if rendering.finding is not None else None
    result = JobResult()
    formats = job.output_formats
    static = [f for f in formats if f in STATIC_FORMATS]
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
                result.entries.append(
                    save_output(job, fmt, data, size, alt, rendering.title, finding)
                )
    wants_plotly = [f for f in formats if f not in STATIC_FORMATS]
    if wants_plotly and rendering.interactive is not None:
        figure = rendering.interactive(ctx)
        size = (int(figure.layout.width), int(figure.layout.height))
        for fmt in wants_plotly:
            if fmt == HTML_FORMAT:
                src = plotlyjs_relative(job)
                data = html_bytes(figure, f"gf-{job.rendering}", src)
                result.entries.append(
                    save_output(job, fmt, data, size, alt, rendering.title, finding)
                )
            else:
                pending = PendingPlotlyImage(
                    job, fmt, figure.to_json(), theme.figure.dpi, alt, rendering.title, finding
                )
                result.plotly_pending.append(pending)
    return result
