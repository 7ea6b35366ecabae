"""``galleryforge demo``: toy experiment, three small trials and a width family, the gallery and
the site, offline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from galleryforge.cli.options import (
    JobsOption,
    QuietOption,
    comma_list,
    renderings_option,
    worker_count,
)

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class _Bars:
    """One rich progress bar per demo step (implements galleryforge.demo.DemoProgress)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def start(self, step: str, total: int, unit: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, label="done")
        self.task = self.progress.add_task(step, total=total, unit=unit, label="")

    def advance(self, completed: int | None = None, label: str = "") -> None:
        assert self.task is not None
        if completed is None:
            self.progress.update(self.task, advance=1, label=label)
        else:
            self.progress.update(self.task, completed=completed, label=label)

    def note(self, message: str) -> None:
        self.progress.console.print(message)


class _Silent:
    def start(self, step: str, total: int, unit: str) -> None:
        pass

    def advance(self, completed: int | None = None, label: str = "") -> None:
        pass

    def note(self, message: str) -> None:
        pass


def demo(
    quick: Annotated[
        bool,
        typer.Option(
            help="A first look (about 4 minutes on 2 CPU cores): reduced toy grid, a short "
            "training run, only the figures the site shows."
        ),
    ] = False,
    fresh: Annotated[
        bool, typer.Option(help="Start over instead of reusing earlier runs.")
    ] = False,
    runs: Annotated[Path, typer.Option(metavar="DIR", help="Folder for the runs.")] = Path("runs"),
    build: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder for the gallery and the site.")
    ] = Path("build"),
    jobs: JobsOption = None,
    device: Annotated[str, typer.Option(help="Training device: auto, cpu, cuda.")] = "auto",
    rendering: Annotated[
        list[str] | None,
        renderings_option(
            "Limit the gallery and site to these renderings (repeat, or a comma list; "
            "default: all)."
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Run everything offline: toy experiment, A/B/C-small and widths-small training, gallery,
    site."""
    from galleryforge.demo import DemoOptions, run_demo

    options = DemoOptions(
        runs=runs,
        build=build,
        quick=quick,
        fresh=fresh,
        jobs=worker_count(jobs),
        device=device,
        renderings=comma_list(rendering),
    )
    if quiet:
        result = run_demo(options, _Silent())
    else:
        from galleryforge.cli.progress import rich_progress

        with rich_progress(unit=True) as progress:
            result = run_demo(options, _Bars(progress))
    typer.echo(f"runs:    {result.runs}  (galleryforge check --trial all --runs {result.runs})")
    if result.gallery_files:
        typer.echo(f"gallery: {result.gallery}  ({result.gallery_files} files, manifest.json)")
    typer.echo(
        f"site:    {result.site / 'index.html'}  ({result.site_pages} pages; "
        f"galleryforge site serve --out {result.site})"
    )
