"""The one way to get a gallery drawn: answer from the cache, else plan and build.

``galleryforge render``, the demo and the site all call ``draw_galleries``, so they share the
cache check, the up-front validation of every input and the progress reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from galleryforge.gallery.cache import cached_gallery
from galleryforge.gallery.inputs import RenderInputs
from galleryforge.gallery.request import GalleryRequest, Job
from galleryforge.gallery.result import GalleryResult


def draw_galleries(
    requests: Sequence[GalleryRequest],
    on_planned: Callable[[int], None] | None = None,
    on_done: Callable[[Job], None] | None = None,
) -> list[GalleryResult]:
    """One result per request, in order: cached where an identical request's files are intact.

    Every request that is not cached is planned (validating its names and tables) before any is
    drawn, so bad input fails with nothing written. The requests share one ``RenderInputs`` per
    runs folder: each table and theme is hashed, loaded and validated once for all of them.
    ``on_planned`` gets the number of jobs to run or check (0 when everything came from the
    cache); ``on_done`` follows each of them.
    """
    from galleryforge.gallery.build import build_gallery, plan_gallery

    inputs = {request.runs: RenderInputs(request.runs) for request in requests}
    results: list[GalleryResult | None] = [
        cached_gallery(request, inputs[request.runs].fingerprints) for request in requests
    ]
    plans = {
        i: plan_gallery(request, inputs[request.runs])
        for i, request in enumerate(requests)
        if results[i] is None
    }
    if on_planned is not None:
        on_planned(sum(len(plan.jobs) for plan in plans.values()))
    for index, plan in plans.items():
        results[index] = build_gallery(plan, on_done)
    return [result for result in results if result is not None]


def draw_gallery(
    request: GalleryRequest,
    on_planned: Callable[[int], None] | None = None,
    on_done: Callable[[Job], None] | None = None,
) -> GalleryResult:
    """``draw_galleries`` for a single request."""
    return draw_galleries([request], on_planned, on_done)[0]
