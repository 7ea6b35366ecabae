"""Plan and build the gallery: ``build/gallery/<trial>/<theme>/<rendering>.<ext>`` + manifest.

Each (trial, theme, rendering) is one job: the figure is drawn once and saved in every format
asked for. The plan loads and validates every input the jobs draw, once (``RenderInputs``); jobs
run in worker processes (``jobs``) that are handed those inputs; plotly images are made afterwards
in the main process through one shared Chromium. A job the cache can answer (see cache.py) is not
drawn, and a file whose bytes have not changed is not rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from galleryforge.errors import GalleryforgeError
from galleryforge.gallery.cache import GalleryCache
from galleryforge.gallery.cache_keys import job_key, request_key
from galleryforge.gallery.chromium import INSTALL_HINT, find_chromium
from galleryforge.gallery.formats import PLOTLY_IMAGE_FORMATS
from galleryforge.gallery.inputs import RenderInputs
from galleryforge.gallery.jobs import JobResult, receive_inputs, run_in_worker, run_job
from galleryforge.gallery.manifest import ManifestEntry, write_manifest
from galleryforge.gallery.outputs import PendingPlotlyImage, write_plotly_images
from galleryforge.gallery.request import GalleryRequest, Job
from galleryforge.gallery.result import GalleryResult, Skipped
from galleryforge.latents import check_latent
from galleryforge.renderings.registry import Rendering, all_renderings, get_rendering
from galleryforge.runs import TOY, discover_trials, has_toy, unknown_trial
from galleryforge.themes.theme import Theme, available_themes


@dataclass(frozen=True)
class GalleryPlan:
    request: GalleryRequest
    jobs: tuple[Job, ...]
    skipped: tuple[Skipped, ...]
    inputs: RenderInputs
    """Every table and theme the jobs draw, loaded and validated by the plan."""


def plan_gallery(request: GalleryRequest, inputs: RenderInputs | None = None) -> GalleryPlan:
    """Validate every name and the tables the jobs draw up front, so bad input fails before
    anything is written. ``inputs``: of ``request.runs``, when the caller has them already."""
    inputs = inputs or RenderInputs(request.runs)
    trials = _resolve_trials(request)
    themes = _resolve_themes(request, inputs)
    wanted = [get_rendering(r) for r in request.renderings] or all_renderings()
    toy_present = inputs.toy() is not None  # loaded (and so validated) now: toy jobs draw it
    jobs: list[Job] = []
    skipped: list[Skipped] = []
    for trial in trials:
        for rendering in wanted:
            reason = _why_not(rendering, trial, inputs, toy_present)
            if reason:
                if request.renderings or rendering.scope == ("toy" if trial == TOY else "trial"):
                    skipped.append(Skipped(trial, rendering.id, reason))
                continue
            if rendering.one_latent:
                check_latent(inputs.trial(trial), request.latent)
            for name, theme in themes.items():
                jobs.append(
                    Job(
                        runs=request.runs,
                        out=request.out,
                        trial=trial,
                        theme=name,
                        rendering=rendering.id,
                        formats=_formats_for(rendering, theme, request),
                        theme_search=request.theme_search,
                        latent=request.latent if rendering.one_latent else None,
                    )
                )
    wants_browser = any(f in PLOTLY_IMAGE_FORMATS for job in jobs for f in job.formats)
    if wants_browser and find_chromium() is None:
        raise GalleryforgeError(INSTALL_HINT)
    return GalleryPlan(request, tuple(jobs), tuple(skipped), inputs)


def build_gallery(plan: GalleryPlan, on_done: Callable[[Job], None] | None = None) -> GalleryResult:
    """Run the jobs of ``plan`` that the cache cannot answer; ``on_done`` after each job."""
    request, fingerprints = plan.request, plan.inputs.fingerprints
    cache = GalleryCache(request.out)
    runs = fingerprints.runs()
    keys = [
        _job_key(job, runs, fingerprints.themes([job.theme], job.theme_search)) for job in plan.jobs
    ]
    formats = [job.output_formats for job in plan.jobs]
    entries_by_job: dict[int, list[ManifestEntry]] = {}
    to_run: list[int] = []
    for index, key in enumerate(keys):
        cached = cache.job_entries(key, formats[index])
        if cached is None:
            to_run.append(index)
        else:
            entries_by_job[index] = cached
            if on_done:
                on_done(plan.jobs[index])
    pending: list[tuple[int, PendingPlotlyImage]] = []
    jobs = [plan.jobs[i] for i in to_run]
    for index, result in _run_jobs(jobs, to_run, request.jobs, plan.inputs, on_done):
        entries_by_job[index] = list(result.entries)
        pending += [(index, item) for item in result.plotly_pending]
    if pending:
        images = write_plotly_images([item for _, item in pending])
        for (index, _), entry in zip(pending, images, strict=True):
            entries_by_job[index].append(entry)
    for index in to_run:
        cache.record_job(keys[index], entries_by_job[index])
    entries = [e for i in range(len(plan.jobs)) for e in entries_by_job[i]]
    manifest = write_manifest(request.out, entries)
    job_formats = list(zip(keys, formats, strict=True))
    cache.record_request(request_key(request, fingerprints), job_formats, plan.skipped)
    cache.save()
    return GalleryResult(
        entries=entries,
        skipped=plan.skipped,
        written=sum(e.written for e in entries),
        unchanged=sum(not e.written for e in entries),
        manifest=manifest,
    )


def _run_jobs(
    jobs: list[Job],
    indices: list[int],
    workers: int,
    inputs: RenderInputs,
    on_done: Callable[[Job], None] | None,
) -> Iterator[tuple[int, JobResult]]:
    """Results in plan order, from worker processes when ``workers`` > 1."""
    if workers > 1 and len(jobs) > 1:
        pool = ProcessPoolExecutor(workers, initializer=receive_inputs, initargs=(inputs,))
        with pool:
            for index, job, result in zip(
                indices, jobs, pool.map(run_in_worker, jobs), strict=True
            ):
                if on_done:
                    on_done(job)
                yield index, result
        return
    for index, job in zip(indices, jobs, strict=True):
        result = run_job(job, inputs)
        if on_done:
            on_done(job)
        yield index, result


def _job_key(job: Job, runs: dict[str, str], theme: str) -> str:
    """``theme``: the hash of the job's theme's files, so an edited theme file draws again."""
    compares = get_rendering(job.rendering).reads_other_runs
    fields = [job.trial, job.theme, theme, job.stem]  # not the formats: the cache keeps each one
    return job_key(fields, job.trial, runs, compares)


def _resolve_trials(request: GalleryRequest) -> list[str]:
    found = discover_trials(request.runs)
    names: list[str] = []
    for name in request.trials:
        if name == "all":
            names += found + ([TOY] if has_toy(request.runs) else [])
        elif name == TOY:
            if not has_toy(request.runs):
                raise GalleryforgeError(f"{request.runs / TOY}: no toy run (run: galleryforge toy)")
            names.append(TOY)
        elif name in found:
            names.append(name)
        else:
            raise unknown_trial(request.runs, name, [*found, TOY])
    if not names:
        raise GalleryforgeError(f"{request.runs}: no trial runs found (run: galleryforge train)")
    return list(dict.fromkeys(names))


def _resolve_themes(request: GalleryRequest, inputs: RenderInputs) -> dict[str, Theme]:
    """Each theme asked for, by name: loaded now (so a bad one raises), once for all the jobs."""
    names: list[str] = []
    for name in request.themes:
        if name == "all":
            names += list(available_themes(request.theme_search))
        else:
            names.append(name)
    return {name: inputs.theme(name, request.theme_search) for name in dict.fromkeys(names)}


def _why_not(
    rendering: Rendering, trial: str, inputs: RenderInputs, toy_present: bool
) -> str | None:
    if (trial == TOY) != (rendering.scope == "toy"):
        return "draws the toy run" if rendering.scope == "toy" else "draws a trial, not the toy run"
    if trial == TOY:
        return None
    trials = inputs.trials_for(trial, rendering.reads_other_runs)
    return rendering.unmet_need(trials[trial], trials, toy_present)


def _formats_for(rendering: Rendering, theme: Theme, request: GalleryRequest) -> tuple[str, ...]:
    formats = request.formats if request.formats is not None else (*theme.figure.formats, "html")
    if not rendering.has_interactive:
        formats = tuple(f for f in formats if f != "html" and f not in PLOTLY_IMAGE_FORMATS)
    return formats
