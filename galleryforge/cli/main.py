"""The ``galleryforge`` command. Sub-commands live in sibling modules, one per command.

Heavy libraries (matplotlib, plotly, torch) are imported inside the commands, so ``--help`` and
``list`` answer quickly. A ``GalleryforgeError`` from the library, or a usage error (a missing or
unknown option), becomes one line on stderr and exit status 2; anything else is a bug and keeps its
traceback. ``python -m galleryforge.train`` is ``main(["train", ...])``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from galleryforge.cli import (
    check,
    demo,
    evaluate,
    listing,
    publish,
    render,
    site,
    social,
    toy,
    train,
)
from galleryforge.cli.allocator import keep_freed_memory
from galleryforge.errors import GalleryforgeError

try:  # typer >= 0.17 vendors click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import ClickException  # type: ignore[assignment]

app = typer.Typer(
    name="galleryforge",
    help="Train SAEs, then draw, publish and share the figure gallery from their metric tables. "
    "Run directories, their files and every table column: docs/tables.md.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click output: errors stay on one line (rich would draw a box around them).
    rich_markup_mode=None,
)
# In the order of the work: train, see the toy experiment, evaluate, render, publish; demo does
# it all.
app.command("demo")(demo.demo)
app.command("train")(train.train)
app.command("toy")(toy.toy)
app.command("evaluate")(evaluate.evaluate)
app.command("check")(check.check)
app.command("render")(render.render)
app.add_typer(site.app, name="site")
app.command("social")(social.social)
app.command("publish")(publish.publish)
app.add_typer(listing.app, name="list")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit status (tests call this directly)."""
    try:
        args = list(argv) if argv is not None else None
        result = app(args=args, prog_name="galleryforge", standalone_mode=False)
    except GalleryforgeError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except ClickException as error:  # a usage error, such as a missing or unknown option
        print(f"error: {usage_line(error)}", file=sys.stderr)
        return 2
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    return result if isinstance(result, int) else 0


def usage_line(error: ClickException) -> str:
    """Click's message on one line, and where the command's help is."""
    ctx = getattr(error, "ctx", None)
    see = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return " ".join(error.format_message().split()) + see


def run() -> None:
    keep_freed_memory()
    sys.exit(main())
