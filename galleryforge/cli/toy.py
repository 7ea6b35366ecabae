"""``galleryforge toy``: the toy width sweep (a preset plus ``--set`` overrides) into runs/toy/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def toy(
    preset: Annotated[
        str, typer.Option(help="toy, toy-quick or a TOML file of toy config fields.")
    ] = "toy",
    out: Annotated[Path, typer.Option(help="Folder of run directories; writes <out>/toy/.")] = Path(
        "runs"
    ),
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Override a config field, e.g. --set alphas=0.9,0.99 (repeatable)."
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes over the (α, F) cells (default: every core).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar or summary (for CI).")] = False,
) -> None:
    """Train bottleneck autoencoders over (α, F, width) and compare the floor width with d*_S."""
    from rich.console import Console
    from rich.table import Table

    from galleryforge.cli.progress import progress_bar
    from train.toy import CellDone, run_toy, write_toy_run
    from train.toy_config import load_toy_config

    config = load_toy_config(preset, set_ or [])
    cells = len(config.alphas) * len(config.features)
    with progress_bar("toy", cells, quiet=quiet) as advance:

        def report(cell: CellDone) -> None:
            advance(f"α={cell.alpha:g} F={cell.features}")

        result = run_toy(config, on_cell=report, jobs=jobs or os.cpu_count() or 1)
    run_dir = write_toy_run(result, out)
    console = Console()
    if not quiet:
        table = Table("α", "F", "d*_S", "floor width", "ratio", title="floor width vs d*_S")
        for row in result.summary.itertuples():
            table.add_row(
                f"{row.alpha:g}",
                str(row.features),
                f"{row.d_star:.1f}",
                str(row.floor_width),
                f"{row.ratio:.2f}",
            )
        console.print(table)
        console.print(f"{result.provenance['wall_s']:.1f} s")
    console.print(f"wrote {run_dir}")
