"""``galleryforge social``: one social card (LinkedIn, Open Graph or square) for a trial."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SIZE_HELP = "linkedin (1200x627), og (Open Graph, 1200x630) or square (1080x1080)."


def social(
    trial: Annotated[str, typer.Option("--trial", "-t", metavar="TRIAL", help="Trial to show.")],
    rendering: Annotated[
        str, typer.Option("--rendering", "-r", metavar="ID", help="Rendering id or alias.")
    ] = "kpi-summary",
    size: Annotated[str, typer.Option(metavar="SIZE", help=SIZE_HELP)] = "linkedin",
    runs: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder holding the run directories.")
    ] = Path("runs"),
    out: Annotated[Path, typer.Option(metavar="DIR", help="Cards folder.")] = Path("build/social"),
) -> None:
    """Draw a social card: <out>/<trial>/<rendering>-<size>.png, exactly the size's pixels."""
    from galleryforge.social import CardRequest, write_card

    path = write_card(CardRequest(runs=runs, trial=trial, rendering=rendering, size=size, out=out))
    typer.echo(f"wrote {path}")
