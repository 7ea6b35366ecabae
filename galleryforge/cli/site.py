"""``galleryforge site build|serve``: build the static research site, or preview it locally."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from galleryforge.cli.options import (
    JobsOption,
    QuietOption,
    comma_list,
    renderings_option,
    worker_count,
)
from galleryforge.cli.progress import progress_plan

app = typer.Typer(
    help="Build the research site (build/site/) from the runs and the gallery, or serve it.",
    no_args_is_help=True,
)


THEME_HELP = "Colour scheme shown until the reader picks one (auto: their system's)."
SITE_DIR_HELP = (
    "Folder with your own site.toml (and gallery.toml, static/ if you change them; what it lacks "
    "comes from the shipped 'site' folder). Copy site/site.toml there to start."
)
GALLERY_HELP = "Gallery folder; figures the site needs and it lacks are rendered into it."


@app.command("build")
def build(
    theme: Annotated[str, typer.Option(metavar="auto|light|dark", help=THEME_HELP)] = "auto",
    runs: Annotated[Path, typer.Option(metavar="DIR", help="Folder of run directories.")] = Path(
        "runs"
    ),
    gallery: Annotated[Path, typer.Option(metavar="DIR", help=GALLERY_HELP)] = Path(
        "build/gallery"
    ),
    out: Annotated[Path, typer.Option(metavar="DIR", help="Site folder.")] = Path("build/site"),
    jobs: JobsOption = None,
    site_dir: Annotated[Path | None, typer.Option(metavar="DIR", help=SITE_DIR_HELP)] = None,
    rendering: Annotated[
        list[str] | None,
        renderings_option(
            "Limit the site to these renderings (repeat, or a comma list; default: all)."
        ),
    ] = None,
    trial: Annotated[
        list[str] | None,
        typer.Option(
            "--trial",
            "-t",
            metavar="TRIAL",
            help="Show only these runs (repeat, or a comma list; 'toy' for the toy run; "
            "default: all).",
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Build the site: overview, toy experiment, trials, gallery, figure pages, reproducibility.

    Facts about the study (model, layers, width, tokens, regimes, corpus) are read from the runs;
    site.toml's prose may use placeholders filled from them ({model}, {layers}, {width},
    {tokens}, ...). Run directories and their columns: docs/tables.md.
    """
    from galleryforge.errors import GalleryforgeError
    from galleryforge.site import SiteRequest, build_site

    if theme not in ("auto", "light", "dark"):
        raise GalleryforgeError(f"unknown --theme {theme!r}; known: auto, light, dark")
    default: Literal["auto", "light", "dark"] = theme  # type: ignore[assignment]
    request = SiteRequest(
        runs=runs,
        gallery=gallery,
        out=out,
        theme=default,
        jobs=worker_count(jobs),
        sources=site_dir,
        renderings=comma_list(rendering),
        trials=comma_list(trial) or ("all",),
    )
    # The number of figures to render is known only once the build has looked at the gallery.
    with progress_plan("Rendering", quiet=quiet) as (planned, advance):
        result = build_site(request, planned, lambda job: advance(job.label))
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(
        f"{len(result.pages)} pages in {result.out}: {len(result.written)} files written, "
        f"{result.unchanged} unchanged, {len(result.removed)} removed; "
        f"{result.rendered} gallery files written. Open {result.out / 'index.html'}"
    )


@app.command("serve")
def serve(
    out: Annotated[Path, typer.Option(metavar="DIR", help="Site folder.")] = Path("build/site"),
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")
    ] = 8000,
) -> None:
    """Serve the built site on http://127.0.0.1:PORT/ until interrupted (Ctrl-C)."""
    from galleryforge.site.serve import site_server

    with site_server(out, port) as server:
        typer.echo(f"Serving {out} at {server.url} (Ctrl-C to stop)")
        try:
            server.wait()
        except KeyboardInterrupt:
            typer.echo("stopped")
