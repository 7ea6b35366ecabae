"""``galleryforge render``: draw named renderings for trials under themes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from galleryforge.cli.options import (
    JobsOption,
    QuietOption,
    comma_list,
    renderings_option,
    worker_count,
)
from galleryforge.cli.progress import progress_plan

TRIAL_HELP = "Trial name (a folder of --runs), 'toy', or 'all'. Repeat, or give a comma list."
THEME_HELP = (
    "Theme name, a theme .toml file, or 'all' (default: paper). Repeat, or give a comma list."
)


def render(
    trial: Annotated[list[str], typer.Option("--trial", "-t", metavar="TRIAL", help=TRIAL_HELP)],
    theme: Annotated[
        list[str] | None, typer.Option("--theme", metavar="THEME", help=THEME_HELP)
    ] = None,
    rendering: Annotated[
        list[str] | None,
        renderings_option(
            "Rendering id or alias (repeat, or a comma list); default: all that apply."
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMATS",
            help="Comma-separated: png,svg,pdf,html and plotly.png,plotly.svg,plotly.pdf "
            "(static images of the interactive version, through Chromium). "
            "Default: the theme's formats plus html.",
        ),
    ] = None,
    runs: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder holding the run directories.")
    ] = Path("runs"),
    out: Annotated[Path, typer.Option(metavar="DIR", help="Gallery folder.")] = Path(
        "build/gallery"
    ),
    jobs: JobsOption = None,
    theme_dir: Annotated[
        list[Path] | None,
        typer.Option(metavar="DIR", help="Extra folder of theme files (searched first)."),
    ] = None,
    latent: Annotated[
        str | None,
        typer.Option(
            metavar="LAYER:INDEX",
            help="The latent for feature-card (e.g. 3:1742); default: the one with the largest "
            "max activation.",
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Render figures: build/gallery/<trial>/<theme>/<rendering>.<format> plus manifest.json."""
    from galleryforge.gallery.draw import draw_gallery
    from galleryforge.gallery.formats import parse_formats
    from galleryforge.gallery.request import GalleryRequest
    from galleryforge.latents import parse_latent

    request = GalleryRequest(
        runs=runs,
        out=out,
        trials=comma_list(trial),
        themes=comma_list(theme) or ("paper",),
        renderings=comma_list(rendering),
        formats=parse_formats(fmt, ()) or None,
        jobs=worker_count(jobs),
        theme_search=tuple(theme_dir or ()),
        latent=parse_latent(latent) if latent is not None else None,
    )
    with progress_plan("Rendering", quiet=quiet) as (planned, advance):
        result = draw_gallery(request, planned, lambda job: advance(job.label))
    for skip in result.skipped:
        typer.echo(f"skipped {skip.rendering} for {skip.trial}: {skip.reason}", err=True)
    state = "; up to date" if result.cached else ""
    typer.echo(
        f"{len(result.entries)} files ({result.written} written, {result.unchanged} unchanged"
        f"{state}) in {out}; manifest: {result.manifest}"
    )
