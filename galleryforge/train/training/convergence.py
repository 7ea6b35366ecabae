"""When a trial has trained long enough: the convergence rule of a width family's protocol.

With ``stop_rule = "converged"`` a trial stops once, in every layer, its held-out MSE at a
checkpoint of T tokens improved by less than ``converge_tol`` (a share, 1% by default) on its MSE
at T/2, the last doubling of its tokens:

    gain(T) = (MSE(T/2) − MSE(T)) / MSE(T/2)        converged when gain(T) < tol in every layer

The rule is checked only at checkpoints whose half is a checkpoint too (with one every C tokens: at
2C, 4C, 6C, … against C, 2C, 3C, …), and ``tokens`` caps the training of a trial that never meets
it. The held-out MSE is measured on the same held-out activations at every checkpoint, so the gain
compares like with like. A gain below zero (the MSE rose) counts as converged: more tokens did not
help.

The decision is made from the checkpoint rows alone, which a resume file keeps, so a resumed run
stops each trial where an uninterrupted one would (``training.resume``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def mse_gain(rows: pd.DataFrame, tokens: int) -> np.ndarray | None:
    """Each layer's relative held-out MSE gain from ``tokens``/2 to ``tokens`` (layer order of
    the rows at ``tokens``), or None when ``tokens``/2 is not a checkpoint in ``rows`` (a trial's
    ``layers.parquet`` rows: ``layer``, ``tokens``, ``mse``)."""
    if tokens % 2:
        return None
    now = rows[rows["tokens"] == tokens].set_index("layer")["mse"]
    half = rows[rows["tokens"] == tokens // 2].set_index("layer")["mse"]
    if now.empty or half.empty:
        return None
    before = half.reindex(now.index).to_numpy(np.float64)
    return (before - now.to_numpy(np.float64)) / before


def has_converged(gain: np.ndarray | None, tol: float) -> bool:
    """Every layer gained less than ``tol`` over the last doubling (False without a doubling)."""
    return gain is not None and bool((gain < tol).all())
