"""``galleryforge train``: train SAE trials (presets, ``--set`` overrides) with a progress bar."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from train.trainer import Progress


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
    quiet: Annotated[bool, typer.Option(help="No progress bar (for CI).")] = False,
    rank_timeout: Annotated[
        float,
        typer.Option(
            help="Under torchrun: seconds a rank waits for the others before the run stops."
        ),
    ] = 900.0,
) -> None:
    """Train SAEs on every layer of a model, one trial per preset; write checkpoints and tables.

    Under torchrun (RANK, WORLD_SIZE, LOCAL_RANK set) the processes share the layers and the
    model's work (docs/distributed.md); rank 0 shows the progress of its layers.
    """
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    from train.presets import load_preset
    from train.session import train_trials

    configs = [load_preset(name.strip(), set_ or []) for name in preset.split(",") if name.strip()]
    console = Console(stderr=True, quiet=quiet or os.environ.get("RANK", "0") != "0")
    columns = (
        TextColumn("[bold]train"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} tokens"),
        TextColumn("{task.fields[speed]}"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[l0]}"),
    )
    total = configs[0].steps * configs[0].batch_tokens if configs else 0
    with Bar(*columns, console=console, disable=console.quiet) as bar:
        task = bar.add_task("train", total=total, speed="loading model", l0="")

        def report(update: Progress) -> None:
            l0 = "  ".join(f"{name} L0 {value:.0f}" for name, value in update.mean_l0.items())
            bar.update(
                task, completed=update.tokens, speed=f"{update.tokens_per_s:,.0f} tok/s", l0=l0
            )

        run_dirs = train_trials(
            configs,
            out,
            resume=resume,
            device=device,
            on_progress=report,
            timeout_s=rank_timeout,
        )
    for run_dir in run_dirs:
        console.print(f"wrote {run_dir}")
