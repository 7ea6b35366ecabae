"""Plan and build the gallery: ``build/gallery/<trial>/<theme>/<rendering>.<ext>`` + manifest.

Each (trial, theme, rendering) is one job: the figure is drawn once and saved in every format
asked for. Jobs run in worker processes (``jobs``); plotly images are made afterwards in the
main process through one shared Chromium. A file whose bytes have not changed is not rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from galleryforge.errors import GalleryforgeError, unknown_name
from galleryforge.gallery.chromium import INSTALL_HINT, find_chromium
from galleryforge.gallery.formats import PLOTLY_IMAGE_FORMATS
from galleryforge.gallery.jobs import Job, JobResult, ManifestEntry, run_job, write_plotly_images
from galleryforge.gallery.manifest import write_manifest
from galleryforge.renderings.registry import Rendering, all_renderings, get_rendering
from galleryforge.runs import TOY, discover_trials, has_toy
from galleryforge.tables import load_toy_tables, load_trial_tables
from galleryforge.themes.theme import available_themes, load_theme


@dataclass(frozen=True)
class GalleryRequest:
    runs: Path
    out: Path
    trials: tuple[str, ...] = ("all",)
    """Trial names, ``all`` for every trial in ``runs``, and ``toy`` for the toy run."""
    themes: tuple[str, ...] = ("paper",)
    """Theme names or theme files; ``all`` for every built-in theme."""
    renderings: tuple[str, ...] = ()
    """Ids or aliases; empty for every rendering that applies."""
    formats: tuple[str, ...] | None = None
    """None: each theme's default formats (+ html for interactive renderings)."""
    jobs: int = 1
    theme_search: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Skipped:
    trial: str
    rendering: str
    reason: str


@dataclass(frozen=True)
class GalleryPlan:
    request: GalleryRequest
    jobs: tuple[Job, ...]
    skipped: tuple[Skipped, ...]


@dataclass
class GalleryResult:
    entries: list[ManifestEntry] = field(default_factory=list)
    skipped: tuple[Skipped, ...] = ()
    written: int = 0
    unchanged: int = 0
    manifest: Path | None = None


def plan_gallery(request: GalleryRequest) -> GalleryPlan:
    """Validate every name and table up front, so bad input fails before anything is written."""
    trials = _resolve_trials(request)
    themes = _resolve_themes(request)
    wanted = [get_rendering(r) for r in request.renderings] or all_renderings()
    # Every trial is loaded (and so validated): comparisons draw them all.
    trial_tables = {t: load_trial_tables(request.runs / t) for t in discover_trials(request.runs)}
    toy_present = has_toy(request.runs)
    if toy_present or TOY in trials:
        load_toy_tables(request.runs / TOY)  # validate now; workers load it again
    jobs: list[Job] = []
    skipped: list[Skipped] = []
    for trial in trials:
        for rendering in wanted:
            reason = _why_not(rendering, trial, trial_tables, toy_present)
            if reason:
                if request.renderings or rendering.scope == ("toy" if trial == TOY else "trial"):
                    skipped.append(Skipped(trial, rendering.id, reason))
                continue
            for theme in themes:
                jobs.append(
                    Job(
                        runs=request.runs,
                        out=request.out,
                        trial=trial,
                        theme=theme,
                        rendering=rendering.id,
                        formats=_formats_for(rendering, theme, request),
                        theme_search=request.theme_search,
                    )
                )
    wants_browser = any(f in PLOTLY_IMAGE_FORMATS for job in jobs for f in job.formats)
    if wants_browser and find_chromium() is None:
        raise GalleryforgeError(INSTALL_HINT)
    return GalleryPlan(request, tuple(jobs), tuple(skipped))


def build_gallery(plan: GalleryPlan, on_done: Callable[[Job], None] | None = None) -> GalleryResult:
    """Run every job of ``plan``; ``on_done`` is called after each (for progress bars)."""
    results: list[JobResult] = []  # in plan order, whatever order workers finish in
    if plan.request.jobs > 1 and len(plan.jobs) > 1:
        with ProcessPoolExecutor(max_workers=plan.request.jobs) as pool:
            for job, result in zip(plan.jobs, pool.map(run_job, plan.jobs), strict=True):
                results.append(result)
                if on_done:
                    on_done(job)
    else:
        for job in plan.jobs:
            results.append(run_job(job))
            if on_done:
                on_done(job)
    pending = [p for r in results for p in r.plotly_pending]
    image_entries = write_plotly_images(pending) if pending else []
    entries = [e for r in results for e in r.entries] + image_entries
    return GalleryResult(
        entries=entries,
        skipped=plan.skipped,
        written=sum(e.written for e in entries),
        unchanged=sum(not e.written for e in entries),
        manifest=write_manifest(plan.request.out, entries),
    )


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
            if not request.runs.is_dir():
                raise GalleryforgeError(f"{request.runs}: no such runs directory")
            raise unknown_name("trial", name, [*found, TOY], where=request.runs)
    if not names:
        raise GalleryforgeError(f"{request.runs}: no trial runs found (run: galleryforge train)")
    return list(dict.fromkeys(names))


def _resolve_themes(request: GalleryRequest) -> list[str]:
    names: list[str] = []
    for name in request.themes:
        if name == "all":
            names += list(available_themes(request.theme_search))
        else:
            load_theme(name, search=request.theme_search)  # raise now on a bad theme
            names.append(name)
    return list(dict.fromkeys(names))


def _why_not(
    rendering: Rendering, trial: str, tables: Mapping[str, object], toy_present: bool
) -> str | None:
    if (trial == TOY) != (rendering.scope == "toy"):
        return "draws the toy run" if rendering.scope == "toy" else "draws a trial, not the toy run"
    if trial == TOY:
        return None
    trial_tables = tables[trial]
    needs: Sequence[str] = rendering.needs
    if "curves" in needs and getattr(trial_tables, "curves", None) is None:
        return "the run has no curves table"
    if "checkpoints" in needs and len(getattr(trial_tables, "checkpoints", ())) < 2:
        return "the run has fewer than two checkpoints"
    if "trials" in needs and len(tables) < 2:
        return "needs two or more trials"
    if "toy" in needs and not toy_present:
        return "needs the toy run"
    return None


def _formats_for(rendering: Rendering, theme: str, request: GalleryRequest) -> tuple[str, ...]:
    if request.formats is not None:
        formats = request.formats
    else:
        formats = load_theme(theme, search=request.theme_search).figure.formats
        formats = (*formats, "html")
    if not rendering.has_interactive:
        formats = tuple(f for f in formats if f != "html" and f not in PLOTLY_IMAGE_FORMATS)
    return formats
