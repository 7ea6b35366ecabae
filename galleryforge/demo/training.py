"""The demo's runs: the toy experiment, then A/B/C-small and the small width family from one
forward pass. A run whose recorded config equals the one asked for is kept (one cut short is
resumed); any other is trained again."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from galleryforge.demo.options import DemoOptions, DemoProgress
from galleryforge.errors import GalleryforgeError
from galleryforge.runs import TOY

if TYPE_CHECKING:
    from galleryforge.train.training.config import TrialConfig

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
DEMO_TOY = "toy-quick"
"""The demo's toy grid, with or without ``--quick``: k ∈ {2, 4} × F ∈ {32, 64} in under a minute.
The default grid (``galleryforge toy``, F to 1,024) takes about ten minutes on two cores, most of
the demo's budget, so the demo shows the small one and the README names the command for more."""
TOY_OVERRIDES: tuple[str, ...] = ()
"""Overrides of ``DEMO_TOY`` (none: the preset is sized for the demo; the demo test narrows it)."""


def toy_step(options: DemoOptions, progress: DemoProgress) -> None:
    """Run the toy experiment, unless ``runs/toy`` holds one made with the same config."""
    from galleryforge.train.toy.config import load_toy_config
    from galleryforge.train.toy.experiment import cells_folder, run_toy, units, write_toy_run

    config = load_toy_config(DEMO_TOY, list(TOY_OVERRIDES))
    if _recorded_toy_config(options.runs) == config:
        progress.note(f"toy: reusing {options.runs / TOY}")
        return
    progress.start("toy experiment", len(units(config)), "units")
    result = run_toy(
        config,
        on_unit=lambda unit: progress.advance(label=f"{unit.readout} {unit.cell.label}"),
        jobs=options.jobs,
        keep=cells_folder(options.runs),
    )
    write_toy_run(result, options.runs)


def _recorded_toy_config(runs: Path) -> object:
    from galleryforge.train.toy.config import load_toy_config

    recorded = runs / TOY / "trial.toml"
    if not (runs / TOY / "tables").is_dir() or not recorded.exists():
        return None
    try:
        return load_toy_config(str(recorded), [])
    except GalleryforgeError:  # an old or foreign record: train again
        return None


def train_configs(options: DemoOptions) -> list[TrialConfig]:
    """A/B/C-small and the width family's members, all from one forward pass."""
    from galleryforge.train.training.presets import load_preset, load_trials

    overrides = list(QUICK_OVERRIDES) if options.quick else []
    trials = [load_preset(name, overrides) for name in SMALL_TRIALS]
    return trials + load_trials(FAMILY, [*overrides, *FAMILY_OVERRIDES])


def train_step(options: DemoOptions, progress: DemoProgress, configs: list[TrialConfig]) -> None:
    """Train ``configs`` together; keep them all when each is complete with the same config,
    resume them when each was cut short, else train them all from the start."""
    from galleryforge.train.training.session import train_trials

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

    from galleryforge.train.training.presets import load_preset

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
