"""The demo from start to end: its runs (``training``), the gallery, then the site, whose prose
says what the demo ran."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from galleryforge.demo.options import DemoOptions, DemoProgress
from galleryforge.demo.training import SMALL_TRIALS, toy_step, train_configs, train_step
from galleryforge.runs import TOY

if TYPE_CHECKING:
    from galleryforge.train.training.config import TrialConfig

# The demo's site says what the demo ran; every fact in it is a placeholder filled from the runs
# (site/prose.py), so a changed preset or --quick changes the text with it. The shipped
# site.toml stays the template a researcher edits for their own study.
DEMO_PROSE = {
    "title": "galleryforge demo: sparse autoencoders on {model}",
    "description": (
        "What galleryforge demo ran on this machine, as shown here: {trials} small trials "
        "({trial_names}) of "
        "sparse autoencoders on the {layers} layers of {model_id} (d_model {d_model}), "
        "dictionary width F = {width}, {tokens} training tokens of {corpus}, and the toy "
        "experiment."
    ),
    "intro": (
        "Sparsity regimes: {regimes}.\n\n"
        "These are the study's regimes at a scale a CPU trains in minutes, from one "
        "forward pass of the model; they show the pipeline at work, not the study's results. "
        "For each layer the KD width model turns the measured sparsity into a predicted optimal "
        "dictionary width, d*_S = L0 · ln(F_alive / L0), and the toy experiment tests that "
        "prediction on synthetic data with known ground truth.\n\n"
        "The demo also trains a width family, TopK at one L0 (k = 32) at several dictionary "
        "widths, each member stopped once its loss gains under 1% a doubling of its tokens. "
        "This site shows one member; its width-sweep and predicted-loss-floor figures draw "
        "every member's measurements. galleryforge site build on the same runs gives each member "
        "its own page."
    ),
}


# Feature pages per trial and layer on the demo's site (the latents that fired most often; every
# latent stays in the index). All of them would be 6,144 pages a run, about 10 ms and 32 KB each.
DEMO_FEATURE_PAGES = 100


@dataclass(frozen=True)
class DemoResult:
    runs: Path
    gallery: Path
    site: Path
    gallery_files: int
    site_pages: int


def run_demo(options: DemoOptions, progress: DemoProgress) -> DemoResult:
    configs = train_configs(options)
    if options.fresh:
        for path in (options.runs / TOY, *(options.runs / c.name for c in configs)):
            shutil.rmtree(path, ignore_errors=True)
    toy_step(options, progress)
    train_step(options, progress, configs)
    shown = (TOY, *SMALL_TRIALS, family_page(configs))
    gallery_files = 0 if options.quick else _gallery(options, progress, shown)
    pages = _site(options, progress, shown)
    return DemoResult(options.runs, options.gallery, options.site, gallery_files, pages)


def family_page(configs: list[TrialConfig]) -> str:
    """The width family's member the demo's gallery and site show: the one at B-small's width
    (its width-sweep and predicted-loss-floor figures draw every member), else the widest."""
    members = [c for c in configs if c.family]
    width = next(c.width for c in configs if c.name == "B-small")
    same = [c for c in members if c.width == width]
    return (same or sorted(members, key=lambda c: c.width))[-1].name


def _gallery(options: DemoOptions, progress: DemoProgress, trials: tuple[str, ...]) -> int:
    from galleryforge.gallery.draw import draw_gallery
    from galleryforge.gallery.request import GalleryRequest

    request = GalleryRequest(
        runs=options.runs,
        out=options.gallery,
        trials=trials,
        themes=("all",),
        renderings=options.renderings,
        formats=("png", "svg", "pdf", "html"),
        jobs=options.jobs,
    )
    result = draw_gallery(
        request,
        on_planned=lambda total: progress.start("gallery", total, "figures"),
        on_done=lambda job: progress.advance(label=job.label),
    )
    return len(result.entries)


def _shows_trials(renderings: tuple[str, ...]) -> bool:
    """Whether any trial figure is asked for. The demo's prose describes the trials shown; with
    toy figures alone no trial has a page, and the site writes its prose from what it shows."""
    from galleryforge.renderings.registry import get_rendering

    return not renderings or any(get_rendering(r).scope == "trial" for r in renderings)


def _site(options: DemoOptions, progress: DemoProgress, trials: tuple[str, ...]) -> int:
    from galleryforge.site.builder import SiteRequest, build_site

    request = SiteRequest(
        runs=options.runs,
        gallery=options.gallery,
        out=options.site,
        jobs=options.jobs,
        renderings=options.renderings,
        prose=DEMO_PROSE if _shows_trials(options.renderings) else {},
        max_feature_pages=DEMO_FEATURE_PAGES,
        trials=trials,
    )
    result = build_site(
        request,
        on_planned=lambda total: progress.start("site figures", total, "figures"),
        on_done=lambda job: progress.advance(label=job.label),
    )
    return len(result.pages)
