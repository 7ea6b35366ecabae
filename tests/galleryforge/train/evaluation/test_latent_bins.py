"""Examples from activation bins: each lies in its bin, the bins cover (0, max] with the width the
docs give, each bin's draws are uniform over its tokens (also across the doublings of the width
as the max grows), and a seed gives the same draws again."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from galleryforge.train.evaluation.latent_stats import LatentStats
from galleryforge.train.evaluation.table_rows import example_rows


class Spelled:
    """A tokenizer stand-in: token id n is spelled "tN"."""

    @staticmethod
    def convert_ids_to_tokens(ids: list[int]) -> list[str]:
        return [f"t{i}" for i in ids]


def _feed(stats: LatentStats, batches: list[np.ndarray]) -> None:
    """Each ``[tokens, d_sae]`` array as one context of a batch, every token counted."""
    for index, acts in enumerate(batches):
        feats = torch.tensor(acts, dtype=torch.float32)[None]
        ids = torch.arange(len(acts))[None]
        every = torch.ones(1, len(acts), dtype=torch.bool)
        stats.add(feats, ids, every, every, first_context=index)


def _planted(seed: int = 0) -> list[np.ndarray]:
    """Latent 0 fires on every token, its max rising batch by batch (0.7, 2.5, then exactly
    5.0); latent 1 never fires."""
    rng = np.random.default_rng(seed)
    batches = []
    for top in (0.7, 2.5, 5.0):
        acts = np.zeros((200, 2))
        acts[:, 0] = rng.uniform(0.01, top, 200)
        acts[17, 0] = top
        batches.append(acts.astype(np.float32))
    return batches


def _bin_rows(stats: LatentStats) -> pd.DataFrame:
    rows = example_rows("t", [0], [stats], Spelled())
    return rows[rows["kind"] == "bin"]


def test_bin_examples_lie_in_bins_that_partition_zero_to_the_max() -> None:
    batches = _planted()
    stats = LatentStats(2, top_n=3, n_random=2, per_bin=3)
    _feed(stats, batches)
    rows = _bin_rows(stats)
    # By hand: max 5 → 2^⌈log₂ 5⌉ = 8, w = 8 / 8 = 1: bins (0, 1], (1, 2], … (4, 5].
    edges = sorted(set(zip(rows["bin_low"], rows["bin_high"], strict=True)))
    assert edges == [(0.0, 1.0), (1.0, 2.0), (2.0, 3.0), (3.0, 4.0), (4.0, 5.0)]
    assert (rows["latent"] == 0).all()  # the latent that never fired has none
    assert rows.groupby("bin_low").size().tolist() == [3] * 5
    assert ((rows["bin_low"] < rows["activation"]) & (rows["activation"] <= rows["bin_high"])).all()
    # Each example is a token of the text, with the activation planted there.
    for row in rows.itertuples():
        planted = batches[row.context][row.position, 0]
        assert row.activation == pytest.approx(float(planted))
        assert row.tokens[row.focus] == f"t{row.position}"
        assert row.token_activations[row.focus] == pytest.approx(float(planted))
    # Ranked top bin first, by activation within the latent.
    assert rows["rank"].tolist() == list(range(15))
    assert rows["activation"].is_monotonic_decreasing


def test_bin_draws_are_uniform_over_the_bin_across_doublings_of_the_width() -> None:
    """The bin (0, 0.5] at the end holds 20 tokens seen while the width was 1/16, then 1/8,
    then 1/2 (maxima 0.5, 1, 4): each is drawn 3 times in 20 over many seeds."""
    early = np.linspace(0.02, 0.5, 10, dtype=np.float32)[:, None]
    later = np.concatenate([np.linspace(0.03, 0.49, 10), [1.0]]).astype(np.float32)[:, None]
    last = np.array([[4.0], [2.2]], dtype=np.float32)
    seeds = 400
    drawn: dict[tuple[int, int], int] = {}
    for seed in range(seeds):
        stats = LatentStats(1, top_n=1, n_random=1, seed=seed, per_bin=3)
        _feed(stats, [early, later, last])
        rows = _bin_rows(stats)
        low = rows[rows["bin_high"] == 0.5]
        assert len(low) == 3 and (low["bin_low"] == 0).all()
        for key in zip(low["context"], low["position"], strict=True):
            drawn[key] = drawn.get(key, 0) + 1
    in_bin = [(0, i) for i in range(10)] + [(1, i) for i in range(10)]
    assert set(drawn) == set(in_bin)
    expected, sd = seeds * 3 / 20, np.sqrt(seeds * 0.15 * 0.85)
    counts = np.array([drawn[key] for key in in_bin])
    assert np.all(np.abs(counts - expected) < 4.5 * sd), counts
    # The early half (kept through two doublings) is not drawn less than the later half.
    assert abs(counts[:10].sum() - counts[10:].sum()) < 4.5 * np.sqrt(seeds * 3 * 0.5)


def test_a_seed_gives_the_same_bin_draws() -> None:
    rng = np.random.default_rng(3)
    batches = [
        (rng.random((64, 16)) * (rng.random((64, 16)) < 0.4)).astype(np.float32) for _ in range(4)
    ]
    picked = []
    for seed in (7, 7, 8):
        stats = LatentStats(16, top_n=2, n_random=2, seed=seed, per_bin=2)
        _feed(stats, batches)
        rows = _bin_rows(stats)
        picked.append(rows[["latent", "rank", "context", "position", "activation"]])
    pd.testing.assert_frame_equal(picked[0], picked[1])
    assert not picked[0].reset_index(drop=True).equals(picked[2].reset_index(drop=True))
