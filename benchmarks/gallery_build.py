"""Gallery build speed: galleryforge's build against a plainly written baseline, same work.

    python benchmarks/gallery_build.py --runs runs [--jobs 2] [--themes all] [--plotly 6]

Workload: every rendering that applies × every trial in --runs (and the toy run) × the themes,
each saved as png, svg and pdf, plus html for the interactive ones.

- baseline: one process; each figure drawn anew for each format; html written with plotly's
  defaults (plotly.js inlined in every file); plotly images with one ``plotly.io.write_image``
  call each.
- galleryforge: ``build_gallery`` cold (empty folder, no cache), --jobs worker processes;
  then a no-op rebuild through the real CLI (a fresh process), which must rewrite nothing.
- plotly static export: seconds per figure, ``write_image`` each vs one shared browser.

Prints a Markdown table for docs/benchmarks.md. The machine is noisy: ratios and medians.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from galleryforge.gallery.build import build_gallery, plan_gallery
from galleryforge.gallery.formats import STATIC_FORMATS
from galleryforge.gallery.inputs import RenderInputs
from galleryforge.gallery.request import GalleryRequest, Job
from galleryforge.renderings.registry import get_rendering
from galleryforge.themes.mpl import theme_style

FORMATS = (*STATIC_FORMATS, "html")


def baseline(jobs: list[Job], inputs: RenderInputs, out: Path) -> float:
    """The plain way: draw per format, inline plotly.js in each html."""
    start = time.perf_counter()
    for job in jobs:
        rendering = get_rendering(job.rendering)
        ctx = inputs.job_context(job)
        folder = out / job.trial / job.theme
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in job.formats:
            if fmt == "html":
                rendering.interactive(ctx).write_html(folder / f"{job.rendering}.html")  # type: ignore[misc]
                continue
            with theme_style(ctx.theme):
                fig = rendering.draw(ctx)
                fig.savefig(folder / f"{job.rendering}.{fmt}", dpi=ctx.theme.figure.dpi)
    return time.perf_counter() - start


def ours(request: GalleryRequest) -> tuple[float, int]:
    start = time.perf_counter()
    result = build_gallery(plan_gallery(request))
    return time.perf_counter() - start, len(result.entries)


def noop_rebuild(request: GalleryRequest, themes: list[str], repeats: int = 5) -> list[float]:
    command = [
        sys.executable,
        "-m",
        "galleryforge",
        "render",
        "--runs",
        str(request.runs),
        "--out",
        str(request.out),
        "--trial",
        "all",
        "--format",
        ",".join(FORMATS),
        "-q",
    ]
    for theme in themes:
        command += ["--theme", theme]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        assert "(0 written" in done.stdout, done.stdout
    return times


def plotly_export(
    jobs: list[Job], inputs: RenderInputs, count: int, out: Path
) -> tuple[float, float]:
    """Seconds per figure: one write_image call each, then one browser for all."""
    import plotly.io as pio

    from galleryforge.gallery.chromium import PlotlyImageExporter, find_chromium

    chromium = find_chromium()
    if chromium is None:
        return float("nan"), float("nan")
    os.environ["BROWSER_PATH"] = str(chromium)
    figures: list[Any] = []
    for job in jobs:
        rendering = get_rendering(job.rendering)
        if rendering.interactive is not None and len(figures) < count:
            figures.append(rendering.interactive(inputs.job_context(job)))
    start = time.perf_counter()
    for i, fig in enumerate(figures):
        pio.write_image(fig, out / f"plain-{i}.png")
    plain = (time.perf_counter() - start) / len(figures)
    start = time.perf_counter()
    with PlotlyImageExporter() as export:
        for i, fig in enumerate(figures):
            (out / f"shared-{i}.png").write_bytes(export(fig, "png"))
    shared = (time.perf_counter() - start) / len(figures)
    return plain, shared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--themes", default="all", help="comma-separated, or all")
    parser.add_argument("--plotly", type=int, default=24, help="figures for the export test")
    args = parser.parse_args()
    if not args.runs.is_dir():
        sys.exit(f"{args.runs}: no runs; make some first: galleryforge demo --quick")
    themes = (
        ["paper", "presentation", "blog", "dark", "social"]
        if args.themes == "all"
        else (args.themes.split(","))
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        request = GalleryRequest(
            runs=args.runs,
            out=root / "ours",
            trials=("all",),
            themes=tuple(themes),
            formats=FORMATS,
            jobs=args.jobs,
        )
        plan = plan_gallery(request)
        base_s = baseline(list(plan.jobs), plan.inputs, root / "baseline")
        ours_s, files = ours(request)
        rebuild = noop_rebuild(request, themes)
        plain, shared = plotly_export(list(plan.jobs), plan.inputs, args.plotly, root)
    cpu = platform.processor() or platform.machine()
    print(
        f"Gallery build, {date.today()}, {os.cpu_count()} cores ({cpu}), "
        f"{len(plan.jobs)} figures × {len(FORMATS)} formats = {files} files, --jobs {args.jobs}"
    )
    print()
    print("| measure | baseline | galleryforge | ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| cold build | {base_s:.1f} s | {ours_s:.1f} s | {base_s / ours_s:.1f}× |")
    print(
        f"| no-op rebuild (CLI, median of {len(rebuild)}) | – | "
        f"{statistics.median(rebuild):.2f} s | – |"
    )
    print(
        f"| plotly image, per figure ({args.plotly} figures) | {plain:.2f} s | {shared:.2f} s | "
        f"{plain / shared:.1f}× |"
    )


if __name__ == "__main__":
    main()
