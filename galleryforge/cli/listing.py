"""``galleryforge list renderings|themes|trials``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="List renderings, themes or trials.", no_args_is_help=True)


@app.command("renderings")
def renderings() -> None:
    """Every rendering id, its scope, its aliases and whether it has an interactive version."""
    from galleryforge.renderings.registry import all_renderings

    for entry in all_renderings():
        aliases = f"  (aliases: {', '.join(entry.aliases)})" if entry.aliases else ""
        interactive = " [interactive]" if entry.has_interactive else ""
        typer.echo(f"{entry.id:<28} {entry.scope:<5} {entry.title}{interactive}{aliases}")


@app.command("themes")
def themes(
    theme_dir: Annotated[
        list[Path] | None, typer.Option(help="Extra folder of theme files.")
    ] = None,
) -> None:
    """Every theme (built-in and from --theme-dir) with its file and description."""
    from galleryforge.themes.theme import available_themes, theme_description

    for name, path in available_themes(tuple(theme_dir or ())).items():
        typer.echo(f"{name:<14} {theme_description(path)}  [{path}]")


@app.command("trials")
def trials(
    runs: Annotated[Path, typer.Option(help="Folder holding the run directories.")] = Path("runs"),
) -> None:
    """The trial runs (and toy run) found under --runs."""
    from galleryforge.runs import discover_trials, has_toy

    names = discover_trials(runs) + (["toy"] if has_toy(runs) else [])
    if not names:
        typer.echo(f"no runs in {runs} (train some: galleryforge train --preset A-small)")
    for name in names:
        typer.echo(f"{name:<14} {runs / name}")
