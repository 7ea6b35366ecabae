"""``galleryforge demo``: the whole pipeline, offline, on the bundled model and corpus.

Steps: the toy experiment, the three small trials and the small width family (B-small's regime at
six widths) from one forward pass of all-MiniLM-L6-v2, every rendering for every run under the
themes, then the site. A second run reuses what is
there: a run whose recorded config equals the one asked for is kept (and one cut short is
resumed), the gallery and the site have their own content-hash caches. ``fresh`` starts over.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from galleryforge.errors import GalleryforgeError
from galleryforge.runs import TOY

if TYPE_CHECKING:
    from train.config import TrialConfig

SMALL_TRIALS = ("A-small", "B-small", "C-small")
FAMILY = "widths-small"
"""The width family trained beside the three trials, in the same forward pass."""
FAMILY_OVERRIDES: tuple[str, ...] = ()
"""Overrides of the family alone, after the quick ones (the demo test narrows its widths)."""
# --quick trains 80 steps of 512 tokens with the schedules shortened to match: enough for the
# three regimes to separate (measured: mean L0 486 > 181 > 18, C's target 20).
QUICK_OVERRIDES = (
    "tokens=40960",
    "checkpoint_every=20480",
    "l1_warmup_tokens=2048",
    "lr_warmup_tokens=1024",
    "lr_decay_tokens=8192",
    "dead_window_tokens=10240",
)
QUICK_TOY_OVERRIDES: tuple[str, ...] = ()
"""Overrides of the ``toy-quick`` preset for ``--quick`` (none: the preset is sized for it)."""

# The demo's site says what the demo ran; every fact in it is a placeholder filled from the runs
# (site/prose.py), so a changed preset or --quick changes the text with it. The shipped
# site.toml stays the template a researcher edits for their own study.
DEMO_PROSE = {
    "title": "galleryforge demo: sparse autoencoders on {model}",
    "description": (
        "What galleryforge demo ran on this machine: {trials} small trials ({trial_names}) of "
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
        "prediction on synthetic data with known ground truth."
    ),
}


@dataclass(frozen=True)
class DemoOptions:
    runs: Path = Path("runs")
    build: Path = Path("build")
    quick: bool = False
    """A first look: the reduced toy grid, a short training run, only the site's figures."""
    fresh: bool = False
    """Ignore and replace what earlier demo runs left."""
    jobs: int = 1
    device: str = "auto"
    renderings: tuple[str, ...] = ()
    """Limit the gallery and the site to these rendering ids (empty: every rendering)."""

    @property
    def gallery(self) -> Path:
        return self.build / "gallery"

    @property
    def site(self) -> Path:
        return self.build / "site"


class DemoProgress(Protocol):
    """What the demo reports; the CLI draws progress bars from it."""

    def start(self, step: str, total: int, unit: str) -> None: ...

    def advance(self, completed: int | None = None, label: str = "") -> None:
        """Move the current step on by one, or to ``completed``."""

    def note(self, message: str) -> None: ...


@dataclass(frozen=True)
class DemoResult:
    runs: Path
    gallery: Path
    site: Path
    gallery_files: int
    site_pages: int


def run_demo(options: DemoOptions, progress: DemoProgress) -> DemoResult:
    configs = _train_configs(options)
    if options.fresh:
        for path in (options.runs / TOY, *(options.runs / c.name for c in configs)):
            shutil.rmtree(path, ignore_errors=True)
    _toy(options, progress)
    _train(options, progress, configs)
    gallery_files = 0 if options.quick else _gallery(options, progress)
    pages = _site(options, progress)
    return DemoResult(options.runs, options.gallery, options.site, gallery_files, pages)


def _toy(options: DemoOptions, progress: DemoProgress) -> None:
    from train.toy import run_toy, write_toy_run
    from train.toy_config import load_toy_config

    if options.quick:
        config = load_toy_config("toy-quick", list(QUICK_TOY_OVERRIDES))
    else:
        config = load_toy_config("toy", [])
    if _recorded_toy_config(options.runs) == config:
        progress.note(f"toy: reusing {options.runs / TOY}")
        return
    progress.start("toy experiment", len(config.alphas) * len(config.features), "cells")
    result = run_toy(
        config,
        on_cell=lambda cell: progress.advance(label=f"α={cell.alpha:g} F={cell.features}"),
        jobs=options.jobs,
    )
    write_toy_run(result, options.runs)


def _recorded_toy_config(runs: Path) -> object:
    from train.toy_config import load_toy_config

    recorded = runs / TOY / "trial.toml"
    if not (runs / TOY / "tables").is_dir() or not recorded.exists():
        return None
    try:
        return load_toy_config(str(recorded), [])
    except GalleryforgeError:  # an old or foreign record: train again
        return None


def _train_configs(options: DemoOptions) -> list[TrialConfig]:
    """A/B/C-small and the width family's members, all from one forward pass."""
    from train.presets import load_preset, load_trials

    overrides = list(QUICK_OVERRIDES) if options.quick else []
    trials = [load_preset(name, overrides) for name in SMALL_TRIALS]
    return trials + load_trials(FAMILY, [*overrides, *FAMILY_OVERRIDES])


def _train(options: DemoOptions, progress: DemoProgress, configs: list[TrialConfig]) -> None:
    from train.session import train_trials

    states = [_run_state(options.runs / c.name, c.to_dict()) for c in configs]
    if all(state == "complete" for state in states):
        progress.note(f"train: reusing {', '.join(SMALL_TRIALS)} and {FAMILY} in {options.runs}")
        return
    resume = all(state == "partial" for state in states)
    if not resume:
        for config, state in zip(configs, states, strict=True):
            if state != "absent":
                shutil.rmtree(options.runs / config.name)
    total = configs[0].tokens
    progress.start(f"train A/B/C-small, {FAMILY}", total, "tokens")

    def report(update: object) -> None:
        tokens = getattr(update, "tokens", 0)
        mean_l0: dict[str, float] = getattr(update, "mean_l0", {})
        shown = {name: mean_l0[name] for name in SMALL_TRIALS if name in mean_l0}
        label = "  ".join(f"{name} L0 {value:.0f}" for name, value in shown.items())
        progress.advance(completed=tokens, label=label)

    train_trials(configs, options.runs, resume=resume, device=options.device, on_progress=report)


def _run_state(run_dir: Path, config: dict[str, object]) -> str:
    """``complete`` (same config, finished), ``partial`` (same config, cut short) or ``absent``.

    A run made with another config counts as ``stale``: the demo trains it again.
    """
    import json

    from train.presets import load_preset

    record = run_dir / "trial.toml"
    if not record.exists():
        return "absent" if not run_dir.exists() else "stale"
    try:
        recorded = load_preset(str(record)).to_dict()
    except GalleryforgeError:  # an old or foreign record
        return "stale"
    if recorded != config:
        return "stale"
    provenance = run_dir / "provenance.json"
    finished = provenance.exists() and "end_time" in json.loads(provenance.read_text("utf-8"))
    return "complete" if finished and (run_dir / "tables").is_dir() else "partial"


def _gallery(options: DemoOptions, progress: DemoProgress) -> int:
    from galleryforge.gallery.draw import draw_gallery
    from galleryforge.gallery.request import GalleryRequest

    request = GalleryRequest(
        runs=options.runs,
        out=options.gallery,
        trials=("all",),
        themes=("all",),
        renderings=options.renderings,
        formats=("png", "svg", "pdf", "html"),
        jobs=options.jobs,
    )
    result = draw_gallery(
        request,
        on_planned=lambda total: progress.start("gallery", total, "figures"),
        on_done=lambda job: progress.advance(label=f"{job.trial}/{job.theme}/{job.rendering}"),
    )
    return len(result.entries)


def _site(options: DemoOptions, progress: DemoProgress) -> int:
    from galleryforge.site.builder import SiteRequest, build_site

    request = SiteRequest(
        runs=options.runs,
        gallery=options.gallery,
        out=options.site,
        jobs=options.jobs,
        renderings=options.renderings,
        prose=DEMO_PROSE,
    )
    result = build_site(
        request,
        on_planned=lambda total: progress.start("site figures", total, "figures"),
        on_done=lambda job: progress.advance(label=f"{job.trial}/{job.theme}/{job.rendering}"),
    )
    return len(result.pages)
