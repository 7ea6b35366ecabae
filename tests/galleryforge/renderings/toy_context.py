"""The render context of the generated toy run (tests/factories.py builds its tables)."""

from __future__ import annotations

from pathlib import Path

from galleryforge.gallery.jobs import Job, context_for
from galleryforge.renderings.context import RenderContext


def toy_context(runs: Path, rendering: str, theme: str = "paper") -> RenderContext:
    job = Job(runs=runs, out=runs, trial="toy", theme=theme, rendering=rendering, formats=())
    return context_for(job)
