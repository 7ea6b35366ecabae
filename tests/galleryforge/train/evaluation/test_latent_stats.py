"""Per-latent statistics at the default token budget: planted firing rates come back within their
binomial error, and a latent that never fires is unseen (frequency 0 at a stated token count)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from galleryforge.latents import density, density_edges
from galleryforge.train.data.source import DEFAULT_LATENT_TOKENS
from galleryforge.train.evaluation.latent_stats import LatentStats
from galleryforge.train.training.config import TrialConfig

RATES = (1e-2, 1e-3, 1e-4, 1e-5)
PER_RATE = 25  # latents planted at each rate; one more never fires
CONTEXT = 100


def test_default_budget_resolves_one_in_a_hundred_thousand() -> None:
    cfg = TrialConfig(name="t", model="m", dataset="docstrings")
    assert cfg.latent_tokens == DEFAULT_LATENT_TOKENS >= 100_000
    assert cfg.source.latent_tokens == cfg.latent_tokens


def _planted(tokens: int) -> tuple[LatentStats, np.ndarray]:
    """Latents firing independently on each token with the planted rates, fed in batches."""
    rates = np.array([*np.repeat(RATES, PER_RATE), 0.0])
    stats = LatentStats(len(rates), top_n=3, n_random=2)
    generator = torch.Generator().manual_seed(0)
    contexts_per_batch = 100
    for first in range(0, tokens // CONTEXT, contexts_per_batch):
        shape = (contexts_per_batch, CONTEXT, len(rates))
        fires = torch.rand(shape, generator=generator) < torch.tensor(rates, dtype=torch.float32)
        feats = fires.float() * 2.0
        ids = torch.zeros(shape[:2], dtype=torch.long)
        every = torch.ones(shape[:2], dtype=torch.bool)
        stats.add(feats, ids, every, every, first)
    return stats, rates


def test_planted_rates_come_back_within_binomial_error() -> None:
    stats, rates = _planted(DEFAULT_LATENT_TOKENS)
    n = stats.tokens
    assert n == DEFAULT_LATENT_TOKENS
    frequency = stats.fired.numpy() / n
    for rate in RATES:
        planted = rates == rate
        # Each latent within 4 binomial standard deviations (plus one count, for the rarest,
        # whose expected count is 1); the mean of the rate's latents within 3 of theirs.
        sd = math.sqrt(rate * (1 - rate) / n)
        assert np.all(np.abs(frequency[planted] - rate) <= 4 * sd + 1 / n), rate
        pooled_sd = sd / math.sqrt(planted.sum())
        assert abs(frequency[planted].mean() - rate) <= 3 * pooled_sd, rate
    # Every latent seen firing has its planted activation as its max; the others keep 0.
    assert np.array_equal(stats.max.numpy(), np.where(frequency > 0, 2.0, 0.0))


def test_a_latent_that_never_fires_is_unseen_at_the_counted_tokens() -> None:
    stats, rates = _planted(DEFAULT_LATENT_TOKENS)
    frequency = stats.fired.numpy() / stats.tokens
    assert frequency[-1] == 0 and rates[-1] == 0
    hist = density(frequency, density_edges(frequency, stats.tokens), stats.tokens)
    assert hist.unseen == int((frequency == 0).sum()) >= 1
    assert hist.floor == pytest.approx(-5.0)  # log10(1 / 100,000)
    assert hist.edges[0] <= hist.floor


def test_random_examples_are_uniform_over_the_tokens_a_latent_fired_on() -> None:
    """A latent fires on 12 tokens spread over three batches, with activations 1 … 12 (so the
    largest are not favoured); across 300 seeds each token is one of the 3 drawn 75 times on
    average. A chi-square statistic over the 12 counts (11 degrees of freedom) stays below 31.3,
    its 0.1% tail."""
    seeds, n_random, fired_on = 300, 3, 12
    counts = np.zeros(fired_on)
    for seed in range(seeds):
        stats = LatentStats(2, top_n=1, n_random=n_random, seed=seed)
        for first in range(3):
            feats = torch.zeros(2, 5, 2)
            for i in range(4):  # tokens (i // 2, i % 2 * 2) of this batch fire
                feats[i // 2, i % 2 * 2, 0] = 1.0 + first * 4 + i
            every = torch.ones(2, 5, dtype=torch.bool)
            stats.add(feats, torch.zeros(2, 5, dtype=torch.long), every, every, first * 2)
        drawn = stats.random.activation[:, 0]
        assert torch.isfinite(stats.random.score[:, 0]).all() and len(set(drawn.tolist())) == 3
        counts[(drawn - 1).long().numpy()] += 1
    expected = seeds * n_random / fired_on
    assert ((counts - expected) ** 2 / expected).sum() < 31.3
    # The second latent never fired: its lists stay empty.
    assert not torch.isfinite(stats.random.score[:, 1]).any()
