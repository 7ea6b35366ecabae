"""Print a README table of trials' final means from their runs: every number is a table column.

    .venv/bin/python scripts/trials_readme.py runs relu-small topk-small batchtopk-small \
        jumprelu-small > /tmp/arch.md   # then paste into README.md

One row per trial: its architecture, and at the final checkpoint the means over layers of L0,
FVU, the downstream fidelity the run measured (``embedding_recovered`` for an encoder,
``ce_loss_score`` for a causal LM), an encoder's ``embedding_pair_spearman`` with its
mean-ablated baseline when the runs measured it, dead latents (of the width) and d*_S
(``kd.trial_kd``: the mean of the per-layer values). A line under the table names the runs'
commits and token counts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from galleryforge.study import trial_facts
from galleryforge.tables import load_trial_tables

FIDELITY = ("embedding_recovered", "ce_loss_score")
TASK = "embedding_pair_spearman"
"""An encoder's task-level check, with its mean-ablated baseline in brackets, when measured."""


def main(runs: Path, trials: list[str]) -> None:
    loaded = [load_trial_tables(runs / trial) for trial in trials]
    fidelity = next(
        (c for c in FIDELITY if all(c in t.final and t.final[c].notna().all() for t in loaded)),
        None,
    )
    task = all(TASK in t.final and t.final[TASK].notna().all() for t in loaded)
    print(
        "| trial | architecture | L0 | FVU | "
        + (f"{fidelity} | " if fidelity else "")
        + (f"{TASK} (mean-ablated) | " if task else "")
        + "dead latents | d*_S |"
    )
    columns = int(bool(fidelity)) + int(task)
    print("| --- | --- | ---: | ---: | " + "---: | " * columns + "---: | ---: |")
    for tables in loaded:
        final = tables.final
        width = int(final["width"].iloc[0])
        row = [
            tables.trial,
            trial_facts(tables).architecture,
            f"{final['l0'].mean():.1f}",
            f"{final['fvu'].mean():.3f}",
            *([f"{final[fidelity].mean():.3f}"] if fidelity else []),
            *([f"{final[TASK].mean():.3f} ({_baseline(final[TASK + '_mean_ablated'])})"] * task),
            f"{final['dead'].mean():.1f} of {width:,}",
            f"{tables.kd.d_star:.0f}",
        ]
        print("| " + " | ".join(row) + " |")
    commits = sorted({str(t.provenance.get("git_commit", "?"))[:7] for t in loaded})
    tokens = sorted({int(t.final["tokens"].max()) for t in loaded})
    print()
    print(
        f"Means over layers at the final checkpoint ({', '.join(f'{n:,}' for n in tokens)} "
        f"training tokens); runs from commit {', '.join(commits)}."
    )


def _baseline(values: pd.Series) -> str:
    """The mean-ablated ranking's mean, or "undefined" where the ablation left every context's
    embedding the same (the table's NaN: no ranking to compare)."""
    if values.isna().all():
        return "undefined"
    return f"{values.mean():.3f}" + (" where defined" if values.isna().any() else "")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit("usage: trials_readme.py RUNS TRIAL [TRIAL ...]")
    main(Path(sys.argv[1]), sys.argv[2:])
