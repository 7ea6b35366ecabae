"""Print the README's random-weights paragraph from a trial's runs and its controls' runs.

    .venv/bin/python scripts/controls_readme.py runs B-small > /tmp/controls.md

One row per model (the trial, then each control ``galleryforge.controls`` finds in the folder):
the means over layers of what the ``trained-vs-random`` figure draws, each with its range over
layers, then the figure's finding (generated from the same tables) and the runs' commits.
"""

from __future__ import annotations

import sys
from pathlib import Path

from galleryforge.controls import controls_of
from galleryforge.renderings import trained_vs_random
from galleryforge.renderings.context import RenderContext
from galleryforge.tables import load_trial_tables
from galleryforge.themes import load_theme


def main(runs: Path, trial: str) -> None:
    loaded = {
        p.name: load_trial_tables(p) for p in sorted(runs.iterdir()) if (p / "tables").is_dir()
    }
    group = [loaded[trial], *controls_of(loaded[trial], loaded)]
    columns = trained_vs_random.columns(group)
    print("| model | " + " | ".join(trained_vs_random.title_of(c) for c in columns) + " |")
    print("| --- | " + " | ".join("---:" for _ in columns) + " |")
    for tables in group:
        cells = []
        for column in columns:
            values = trained_vs_random.per_layer(tables, column)
            mean, low, high = (
                trained_vs_random.value_text(column, float(v))
                for v in (values.mean(), values.min(), values.max())
            )
            cells.append(f"{mean} ({low}–{high})")
        print(f"| {trained_vs_random.label(tables)} | " + " | ".join(cells) + " |")
    print()
    ctx = RenderContext(loaded[trial], load_theme("paper"), trials=loaded)
    print(trained_vs_random.finding(ctx))
    print()
    commits = sorted({str(t.provenance.get("git_commit", "?"))[:7] for t in group})
    print(f"Runs from commit {', '.join(commits)}.")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: controls_readme.py RUNS TRIAL")
    main(Path(sys.argv[1]), sys.argv[2])
