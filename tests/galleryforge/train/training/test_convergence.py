"""The convergence rule on planted held-out MSE curves: a curve that flattens stops, one that keeps
falling trains on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from galleryforge.train.training.convergence import has_converged, mse_gain

EVERY = 1000
TOL = 0.01


def _rows(curve: dict[int, list[float]]) -> pd.DataFrame:
    """``layers.parquet``-like rows: layer → MSE at checkpoints EVERY, 2·EVERY, …"""
    return pd.DataFrame(
        [
            {"layer": layer, "tokens": EVERY * (i + 1), "mse": mse}
            for layer, mses in curve.items()
            for i, mse in enumerate(mses)
        ]
    )


def _first_stop(curve: dict[int, list[float]]) -> int | None:
    rows = _rows(curve)
    for tokens in sorted(rows["tokens"].unique()):
        if has_converged(mse_gain(rows[rows["tokens"] <= tokens], int(tokens)), TOL):
            return int(tokens)
    return None


def test_a_curve_that_flattens_stops_where_a_doubling_gains_under_one_percent() -> None:
    # MSE(t) = 0.2 + 0.5·exp(−t/2000): the gain from t/2 to t falls below 1% between t = 22k and
    # 24k. By hand, gain(t) = (0.5e^(−t/4000) − 0.5e^(−t/2000)) / (0.2 + 0.5e^(−t/4000)):
    # 16k: 0.0430; 18k: 0.0267; 20k: 0.0165; 22k: 0.01007 (just above); 24k: 0.0061, the first
    # checkpoint under 1% (the rule reads only even thousands, whose half is a checkpoint).
    tokens = np.arange(1, 31) * EVERY
    flat = list(0.2 + 0.5 * np.exp(-tokens / 2000))
    expected = next(
        int(t)
        for t in tokens
        if t % 2 == 0
        and (t // 2) % EVERY == 0
        and (0.5 * np.exp(-t / 4000) - 0.5 * np.exp(-t / 2000)) / (0.2 + 0.5 * np.exp(-t / 4000))
        < TOL
    )
    assert expected == 24_000
    assert _first_stop({0: flat}) == expected


def test_a_curve_that_keeps_falling_is_not_stopped() -> None:
    # A pure power law t^-0.1 gains 1 − 2^-0.1 = 6.7% per doubling, forever.
    tokens = np.arange(1, 65) * EVERY
    assert _first_stop({0: list(tokens**-0.1)}) is None


def test_every_layer_must_have_flattened() -> None:
    tokens = np.arange(1, 31) * EVERY
    flat = list(0.2 + 0.5 * np.exp(-tokens / 2000))
    falling = list(tokens**-0.1)
    assert _first_stop({0: flat, 1: falling}) is None


def test_the_gain_is_read_only_where_half_the_tokens_is_a_checkpoint() -> None:
    rows = _rows({0: [1.0, 0.5, 0.45]})
    assert mse_gain(rows, 3 * EVERY) is None  # 1,500 tokens is no checkpoint
    assert mse_gain(rows, 2 * EVERY) == pytest.approx([0.5])
    assert not has_converged(None, TOL)


def test_a_rising_mse_counts_as_converged() -> None:
    rows = _rows({0: [0.5, 0.52]})
    gain = mse_gain(rows, 2 * EVERY)
    assert gain == pytest.approx([-0.04])
    assert has_converged(gain, TOL)
