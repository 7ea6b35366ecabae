"""``python -m galleryforge.train --preset A-small,B-small,C-small``: ``galleryforge train``,
through the same entry point (its errors, usage errors included, are one line and exit status 2)."""

from __future__ import annotations

import sys

from galleryforge.cli.allocator import keep_freed_memory
from galleryforge.cli.main import main

if __name__ == "__main__":
    keep_freed_memory()
    sys.exit(main(["train", *sys.argv[1:]]))
