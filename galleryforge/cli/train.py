"""``galleryforge train``: train SAE trials (presets, ``--set`` overrides) with progress on stderr:
a bar on a terminal, a plain line every half minute otherwise (``galleryforge.cli.progress``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from galleryforge.train.training.trainer import Progress


def train(
    preset: Annotated[
        str,
        typer.Option(
            help="Preset name(s) or TOML file(s), comma-separated: "
            "trials trained together from one forward pass."
        ),
    ],
    out: Annotated[Path, typer.Option(help="Folder of run directories.")] = Path("runs"),
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Override a config field, e.g. --set tokens=20000 (repeatable)."
        ),
    ] = None,
    resume: Annotated[bool, typer.Option(help="Continue from the last checkpoint.")] = False,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda or cuda:N.")] = "auto",
    quiet: Annotated[bool, typer.Option(help="No progress output.")] = False,
    rank_timeout: Annotated[
        float,
        typer.Option(
            help="Under torchrun: seconds a rank waits for the others before the run stops."
        ),
    ] = 900.0,
    plan: Annotated[
        bool,
        typer.Option(
            help="Print each phase's predicted peak memory against the device's, and exit "
            "without training (docs/training.md, Memory plan)."
        ),
    ] = False,
    device_gib: Annotated[
        float | None,
        typer.Option(
            help="Plan against this many GiB instead of the device's available memory "
            "(--device cuda --plan --device-gib 79 plans for an H100 from any machine)."
        ),
    ] = None,
) -> None:
    """Train SAEs on every layer of a model, one trial per preset; write checkpoints and tables.

    Under torchrun (RANK, WORLD_SIZE, LOCAL_RANK set) the processes share the layers and the
    model's work (docs/distributed.md); rank 0 shows the progress of its layers.
    """
    from rich.console import Console

    from galleryforge.cli.progress import rich_progress
    from galleryforge.train.training.presets import load_trials
    from galleryforge.train.training.session import source_groups, train_trials

    names = [name.strip() for name in preset.split(",") if name.strip()]
    configs = [cfg for name in names for cfg in load_trials(name, set_ or [])]
    if plan:
        from galleryforge.train.training.memory_plan import plan_run

        for group in source_groups(configs):
            typer.echo(plan_run(group, device, device_gib).table())
        return
    console = Console(stderr=True, quiet=quiet or os.environ.get("RANK", "0") != "0")
    run_dirs: list[Path] = []
    # Trials reading different activations (another model, a random-weights control, another
    # corpus) train one group after another, each from its own forward pass.
    for group in source_groups(configs) or [configs]:
        total = group[0].steps * group[0].batch_tokens if group else 0
        with rich_progress(unit=True, console=console) as bar:
            task = bar.add_task("train", total=total, unit="tokens", label="loading model")

            def report(update: Progress, task: int = task, bar: Any = bar) -> None:
                bar.update(task, completed=update.tokens, label=progress_label(update))

            run_dirs += train_trials(
                group,
                out,
                resume=resume,
                device=device,
                on_progress=report,
                timeout_s=rank_timeout,
                memory_gib=device_gib,
            )
    for run_dir in run_dirs:
        console.print(f"wrote {run_dir}")


def progress_label(update: Progress) -> str:
    """Speed and each trial's L0: ``1,234 tok/s  A L0 31  B L0 20``."""
    l0 = "".join(f"  {name} L0 {value:.0f}" for name, value in update.mean_l0.items())
    return f"{update.tokens_per_s:,.0f} tok/s{l0}"
