"""Print the README's width paragraph from a width family's runs: every number is a table column.

    .venv/bin/python scripts/widths_readme.py runs/widths widths-study > /tmp/widths.md

A table of the members' final held-out MSE per layer (the mean over seeds, with the seeds'
range), the L0 they held and how many of them met the convergence rule; then the family's
findings as the width-sweep and predicted-loss-floor figures state them
(``galleryforge.width_family``: the fitted knee per layer against the declared d*_S, the protocol
notes, and where the KD prediction agrees with the fitted curve). A last line names the runs'
commit and the tokens each member used.
"""

from __future__ import annotations

import sys
from pathlib import Path

from galleryforge.tables import load_trial_tables
from galleryforge.width_family import (
    family_finding,
    family_members,
    family_table,
    prediction_finding,
)


def main(runs: Path, family: str) -> None:
    loaded = {p.name: load_trial_tables(p) for p in sorted(runs.iterdir()) if p.is_dir()}
    first = next(t for name, t in sorted(loaded.items()) if name.startswith(family))
    members = family_members(first, loaded)
    table = family_table(members)
    layers = sorted(int(x) for x in table["layer"].unique())
    print("| F | " + " | ".join(f"MSE, layer {layer}" for layer in layers) + " | L0 | converged |")
    print("| ---: | " + " | ".join("---:" for _ in layers) + " | ---: | ---: |")
    for width, rows in table.groupby("width"):
        cells = []
        for layer in layers:
            mse = rows.loc[rows["layer"] == layer, "mse"]
            cells.append(f"{mse.mean():.4f} ({mse.min():.4f}–{mse.max():.4f})")
        seeds = rows.groupby("trial")["converged"].min()
        cells.append(f"{rows['l0'].min():.2f}–{rows['l0'].max():.2f}")
        cells.append(f"{int(seeds.sum())} of {len(seeds)}")
        print(f"| {int(width):,} | " + " | ".join(cells) + " |")
    print()
    print(family_finding(first, members))
    print()
    print(prediction_finding(first, members))
    print()
    commits = sorted({str(t.provenance.get("git_commit", "?"))[:7] for t in members})
    tokens = sorted({int(t.final["tokens"].max()) for t in members})
    print(
        f"{len(members)} members; tokens used: {', '.join(f'{n:,}' for n in tokens)}; runs from "
        f"commit {', '.join(commits)}."
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: widths_readme.py RUNS FAMILY")
    main(Path(sys.argv[1]), sys.argv[2])
