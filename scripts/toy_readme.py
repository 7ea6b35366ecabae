"""Print the README's toy section from a toy run's summary table: every number is a column.

    .venv/bin/python scripts/toy_readme.py runs/toy > /tmp/toy.md   # then paste into README.md

The table has one row per read-out (the fitted law log T = a + b log d*_S with its intervals, c,
the cells fitted and censored, the 50% widths over δ(k, F)); the paragraph under it is the toy
finding, the sentence under every toy figure (``galleryforge.renderings.toy_readouts``). A second
table holds the fixed-k view: per read-out and k, the transition at ε = 0.1 over d*_S along F
(``transition_e1 / d_star``; "> r" where it is censored, a lower bound), where a law in k·ln(F/k)
keeps a row flat.
"""

from __future__ import annotations

import sys

import pandas as pd

from galleryforge.renderings.toy_readouts import fits, toy_finding
from galleryforge.tables import load_toy_tables


def _value(value: float, low: float, high: float) -> str:
    """'0.98 (0.93–1.03)', '0.98' without an interval, '–' without a value."""
    if value != value:
        return "–"
    return f"{value:.2f}" + (f" ({low:.2f}–{high:.2f})" if low == low and high == high else "")


def _fixed_k(summary: pd.DataFrame) -> None:
    """Per read-out and k, transition_e1 / d*_S at each F: flat along a row under k·ln(F/k)."""
    features = sorted(int(f) for f in summary["features"].unique())
    print("| read-out | k | " + " | ".join(f"F = {f:,}" for f in features) + " |")
    print("| --- | ---: |" + " ---: |" * len(features))
    for fit in fits(summary):
        rows = summary[summary["decoder"] == fit.decoder]
        for k in sorted(rows["k"].unique()):
            cells = rows[rows["k"] == k].set_index("features")
            shown = []
            for f in features:
                if f not in cells.index:
                    shown.append("–")
                    continue
                row = cells.loc[f]
                ratio = float(row["transition_e1"]) / float(row["d_star"])
                shown.append(("> " if row["censored_e1"] == 1 else "") + f"{ratio:.2f}")
            print(f"| `{fit.decoder}` | {k:g} | " + " | ".join(shown) + " |")


def main(run_dir: str) -> None:
    toy = load_toy_tables(run_dir)
    summary = toy.summary
    print(
        "| read-out | a (95% interval) | b (95% interval) | c = mean T / d*_S (95% interval) "
        "| cells fitted | censored | 50% width / δ(k, F) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for fit in fits(summary):
        half = f"{min(fit.half_ratios):.2f}–{max(fit.half_ratios):.2f}" if fit.half_ratios else "–"
        print(
            f"| `{fit.decoder}` | {_value(fit.a, fit.a_low, fit.a_high)} "
            f"| {_value(fit.b, fit.b_low, fit.b_high)} "
            f"| {_value(fit.c, fit.c_low, fit.c_high)} "
            f"| {fit.cells - len(fit.censored)} of {fit.cells} "
            f"| {', '.join(fit.censored) or 'none'} | {half} |"
        )
    print()
    print(toy_finding(summary))
    print()
    _fixed_k(summary)
    wall = toy.provenance.get("wall_s")
    if wall is not None:
        print()
        print(
            f"Run: `{run_dir}`, {float(wall):,.0f} s of wall time in its last session "
            f"({toy.provenance.get('jobs', '?')} worker processes)."
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "runs/toy")
