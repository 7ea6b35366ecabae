"""``python -m train --preset A-small,B-small,C-small``: the same as ``galleryforge train``."""

from __future__ import annotations

import sys

import typer

from galleryforge.cli.train import train
from galleryforge.errors import GalleryforgeError


def main() -> None:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(train)
    try:
        app(standalone_mode=False)
    except GalleryforgeError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(error.exit_code)


if __name__ == "__main__":
    main()
