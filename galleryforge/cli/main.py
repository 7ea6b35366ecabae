"""The ``galleryforge`` command. Sub-commands live in sibling modules, one per command.

Heavy libraries (matplotlib, plotly, torch) are imported inside the commands, so ``--help`` and
``list`` answer quickly.
"""

from __future__ import annotations

import sys

import typer

from galleryforge.cli import check, listing, render
from galleryforge.errors import GalleryforgeError

app = typer.Typer(
    name="galleryforge",
    help="Train SAEs, then draw, publish and share the figure gallery from their metric tables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("render")(render.render)
app.command("check")(check.check)
app.add_typer(listing.app, name="list")


def run() -> None:
    """Entry point: user errors become one line on stderr and exit status 2."""
    try:
        app(standalone_mode=False)
    except GalleryforgeError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(error.exit_code)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(130)
    except Exception as error:  # click's own usage errors
        import click

        if isinstance(error, click.ClickException):
            error.show()
            sys.exit(2)
        raise
