"""``galleryforge check``: validate a trial's tables and print a summary; ``--figures`` also
draws its figures and reports every text that overlaps, leaves the canvas or hides data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from galleryforge.cli.options import comma_list, renderings_option

THEME_HELP = "With --figures: theme name, file or 'all' (default: all). Repeat, or a comma list."


def check(
    trial: Annotated[str, typer.Option("--trial", "-t", help="Trial name, 'toy', or 'all'.")],
    runs: Annotated[Path, typer.Option(help="Folder holding the run directories.")] = Path("runs"),
    figures: Annotated[
        bool,
        typer.Option(
            "--figures",
            help="Also draw the trial's figures and check their layout (exit 1 on a finding).",
        ),
    ] = False,
    theme: Annotated[
        list[str] | None, typer.Option("--theme", metavar="THEME", help=THEME_HELP)
    ] = None,
    rendering: Annotated[
        list[str] | None,
        renderings_option("With --figures: rendering id or alias (default: all that apply)."),
    ] = None,
) -> None:
    """Validate a run's tables (exit 2 with the file, column and row on the first problem)."""
    from galleryforge.check_report import summarise_figures, summarise_runs

    for line in summarise_runs(runs, trial):
        typer.echo(line)
    if not figures:
        return
    from galleryforge.gallery.layout import check_figures
    from galleryforge.gallery.request import GalleryRequest

    request = GalleryRequest(
        runs=runs,
        out=Path("build/gallery"),
        trials=(trial,),
        themes=comma_list(theme) or ("all",),
        renderings=comma_list(rendering),
    )
    result = check_figures(request)
    for line in summarise_figures(result):
        typer.echo(line)
    if result.offenders:
        raise typer.Exit(1)
