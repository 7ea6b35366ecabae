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
    """Measure where each read-out's recovery switches on, and compare it with d*_S."""
    from rich.console import Console

    from galleryforge.cli.progress import progress_bar
    from galleryforge.cli.toy_table import toy_table
    from galleryforge.renderings.toy_readouts import toy_finding
    from galleryforge.tables import load_toy_tables
    from galleryforge.train.toy.config import load_toy_config
    from galleryforge.train.toy.experiment import CellDone, run_toy, write_toy_run

    config = load_toy_config(preset, set_ or [])
    cells = len(config.alphas) * len(config.features)
    with progress_bar("toy", cells, quiet=quiet) as advance:

        def report(cell: CellDone) -> None:
            advance(f"α={cell.alpha:g} F={cell.features}")

        result = run_toy(config, on_cell=report, jobs=jobs or os.cpu_count() or 1)
    run_dir = write_toy_run(result, out)
    console = Console()
    if not quiet:
        summary = load_toy_tables(run_dir).summary  # what was written is what is reported
        console.print(toy_table(summary))
        console.print(toy_finding(summary), highlight=False, markup=False)
        console.print(f"{result.provenance['wall_s']:.1f} s")
    console.print(f"wrote {run_dir}")
