"""``galleryforge toy``: the toy width sweep (a preset plus ``--set`` overrides) into runs/toy/.

Finished units (one read-out in one cell) are kept in ``<out>/toy.cells/`` until the run is
written, so the same command after a stop resumes where it was."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def toy(
    preset: Annotated[
        str,
        typer.Option(help="toy, toy-quick, toy-study, toy-alpha or a TOML file of toy fields."),
    ] = "toy",
    out: Annotated[Path, typer.Option(help="Folder of run directories; writes <out>/toy/.")] = Path(
        "runs"
    ),
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a config field, e.g. --set ks=2,8 (repeatable)."),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes over the units, a read-out in a cell (default: every core).",
        ),
    ] = None,
    keep_units: Annotated[
        bool,
        typer.Option(
            help="Keep <out>/toy.cells/ after writing the run, for a later run over more cells "
            "or read-outs to reuse."
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar or summary (for CI).")] = False,
) -> None:
    """Measure where each read-out's recovery switches on, and compare it with d*_S."""
    from rich.console import Console

    from galleryforge.cli.progress import progress_bar
    from galleryforge.cli.toy_table import toy_table
    from galleryforge.renderings.toy_readouts import toy_finding
    from galleryforge.tables import load_toy_tables
    from galleryforge.train.toy.config import load_toy_config
    from galleryforge.train.toy.experiment import (
        UnitDone,
        cells_folder,
        run_toy,
        units,
        write_toy_run,
    )

    config = load_toy_config(preset, set_ or [])
    with progress_bar("toy", len(units(config)), quiet=quiet) as advance:

        def report(unit: UnitDone) -> None:
            advance(f"{unit.readout} {unit.cell.label}" + (" (kept)" if unit.kept else ""))

        workers = jobs or os.cpu_count() or 1
        result = run_toy(config, on_unit=report, jobs=workers, keep=cells_folder(out))
    run_dir = write_toy_run(result, out, keep_units=keep_units)
    console = Console()
    if not quiet:
        summary = load_toy_tables(run_dir).summary  # what was written is what is reported
        console.print(toy_table(summary))
        console.print(toy_finding(summary), highlight=False, markup=False)
        console.print(f"{result.provenance['wall_s']:.1f} s")
    console.print(f"wrote {run_dir}")
