"""Toy data, the plateau rule, the trained read-outs' gradients and their batched training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from galleryforge.train.toy.config import Cell
from galleryforge.train.toy.fit import octaves, plateaued, train_cell
from galleryforge.train.toy.samples import (
    distinct_indices,
    generator,
    held_out,
    sample,
    zero_loss,
)
from galleryforge.train.toy.stack import ModelStack
from tests.galleryforge.train.toy.toy_helpers import build_toy_cfg

# ------------------------------------------------------------------------------------------ data


K6_F64 = Cell(64, 6.4, 0.9)
K4_F32 = Cell(32, 4.0, 0.875)


def test_bernoulli_samples_activation_probability_and_magnitudes() -> None:
    x = sample(generator(0, K6_F64, "bernoulli", 0), 20_000, K6_F64, "bernoulli")
    active = x > 0
    assert active.float().mean().item() == pytest.approx(0.1, abs=0.003)
    assert x.min().item() >= 0 and x.max().item() < 1
    magnitudes = x[active].numpy()
    assert np.quantile(magnitudes, [0.25, 0.5, 0.75]) == pytest.approx([0.25, 0.5, 0.75], abs=0.01)


def test_exact_k_samples_have_k_active_features_uniformly_placed() -> None:
    x = sample(generator(0, K4_F32, "exact-k", 0), 20_000, K4_F32, "exact-k")
    active = x > 0
    assert (active.sum(dim=1) == 4).all()  # exactly k per sample (a U(0, 1) draw is never 0)
    # Each feature is active in 4/32 of the samples: the binomial sd is 0.0023.
    assert active.float().mean(dim=0).numpy() == pytest.approx(np.full(32, 0.125), abs=0.012)
    magnitudes = x[active].numpy()
    assert np.quantile(magnitudes, [0.25, 0.5, 0.75]) == pytest.approx([0.25, 0.5, 0.75], abs=0.01)


@pytest.mark.parametrize(("features", "k"), [(6, 2), (6, 3)])  # redrawn repeats; top-k of F
def test_distinct_indices_are_a_uniform_k_subset(features: int, k: int) -> None:
    import collections
    import math

    chosen = distinct_indices(torch.Generator().manual_seed(0), 60_000, features, k)
    assert (chosen.sort(dim=1).values.diff(dim=1) > 0).all()  # distinct within each row
    counts = collections.Counter(tuple(sorted(row)) for row in chosen.tolist())
    expected = 60_000 / math.comb(features, k)  # 4,000 or 3,000; binomial sd under 63
    assert len(counts) == math.comb(features, k)
    assert max(abs(c - expected) for c in counts.values()) < 5 * math.sqrt(expected)


def test_sample_is_deterministic_per_seed_and_data_kind() -> None:
    first = sample(generator(0, K4_F32, "exact-k", 7), 100, K4_F32, "exact-k")
    again = sample(generator(0, K4_F32, "exact-k", 7), 100, K4_F32, "exact-k")
    other = sample(generator(0, K4_F32, "exact-k", 8), 100, K4_F32, "exact-k")
    assert torch.equal(first, again)
    assert not torch.equal(first, other)
    assert not torch.equal(
        first, sample(generator(0, K4_F32, "bernoulli", 7), 100, K4_F32, "bernoulli")
    )


def test_zero_loss_is_the_mean_square_of_the_held_out_set() -> None:
    for data in ("bernoulli", "exact-k"):
        x = held_out(K4_F32, data, 20_000)
        assert zero_loss(x) == pytest.approx(float((x.double() ** 2).mean()))
        assert zero_loss(x) == pytest.approx(4 / 32 / 3, rel=0.02)  # E[u²] = 1/3 when active


# --------------------------------------------------------------------------------------- stopping


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([1.0, 0.9, 0.8], False),  # too short to judge a window of 3
        ([1.0, 0.5, 0.4, 0.3, 0.2], False),  # still improving
        ([1.0, 0.5, 0.499, 0.498, 0.4999], True),  # < 1% better than 0.5 for 3 evaluations
        ([1.0, 0.5, 0.51, 0.52, 0.49], False),  # 2% better within the window
        ([1.0, 0.5, 0.6, 0.7, 0.8], True),  # got worse
        ([1e-3, 5e-4, 2.5e-4, 1.2e-4, 6e-5], True),  # halving, but by less than abs_tol = 1e-3
    ],
)
def test_plateaued(history: list[float], expected: bool) -> None:
    abs_tol = 1e-3 if history[0] < 0.01 else 0.0
    assert plateaued(history, rel_tol=0.01, abs_tol=abs_tol, patience=3) is expected


# ----------------------------------------------------------------------------------------- model


@pytest.mark.parametrize("readout", ["tied", "untied"])
def test_gradients_match_autograd(readout: str) -> None:
    cell = Cell(24, 4.8, 0.8)
    stack = ModelStack(readout, [(5, 0), (3, 1)], cell, "bernoulli", lr=0.01)
    gen = torch.Generator().manual_seed(0)
    stack.b = torch.randn(stack.b.shape, generator=gen) * 0.1
    if readout == "untied":  # a decoder that differs from Wᵀ, so a mix-up would show
        stack.D = stack.D + 0.1 * torch.randn(stack.D.shape, generator=gen) * (stack.W != 0)
    x = torch.stack(
        [sample(generator(0, cell, "bernoulli", s), 64, cell, "bernoulli") for s in (0, 1)]
    )
    grads = stack.gradients(x)
    params = dict(stack._params())
    for p in params.values():
        p.requires_grad_(True)
    z = torch.baddbmm(stack.b[:, None, :], torch.bmm(x, stack.W.transpose(1, 2)), stack.D)
    loss = (torch.relu(z) - x).pow(2).mean(dim=(-2, -1)).sum()
    expected = torch.autograd.grad(loss, list(params.values()))
    assert set(grads) == set(params) == ({"W", "b"} | ({"D"} if readout == "untied" else set()))
    for name, want in zip(params, expected, strict=True):
        torch.testing.assert_close(grads[name], want)
    assert float(grads["W"][1, 3:].abs().max()) == 0.0  # padding rows get no gradient


def test_octaves_group_widths() -> None:
    assert octaves([1, 2, 3, 5, 11, 16, 19, 27, 32, 45, 64]) == [
        [1, 2, 3, 5, 11],
        [16, 19, 27],
        [32, 45],
        [64],
    ]


def test_batched_training_matches_one_model_alone() -> None:
    config = build_toy_cfg(max_steps=200)
    cell = Cell(32, 3.0, 1 - 3 / 32)
    batched = train_cell(config, cell, widths=(2, 4, 8, 16, 20), seeds=(0, 1))
    alone = train_cell(config, cell, widths=(20,), seeds=(1,), readouts=("untied",))
    twin = next(r for r in batched if (r.readout, r.seed, r.width) == ("untied", 1, 20))
    assert alone[0].steps == twin.steps
    assert alone[0].loss == pytest.approx(twin.loss, rel=1e-4)
    assert train_cell(config, cell, (20,), (1,), ("untied",)) == alone  # deterministic


def test_training_drops_the_rate_and_records_normalised_losses() -> None:
    config = build_toy_cfg(max_steps=3000, lr_drops=1)
    cell = Cell(16, 2.0, 0.875)
    results = train_cell(config, cell, widths=(4, 16), seeds=(0,))
    scale = zero_loss(held_out(cell, config.data, config.eval_samples))
    for r in results:
        assert r.normalised_loss == pytest.approx(r.loss / scale)
        assert r.converged and r.steps < config.max_steps
        # At least two plateaus (one drop, then the end), each of patience + 1 evaluations.
        assert r.steps >= 2 * (config.patience + 1) * config.eval_every
    full = {r.readout: r.normalised_loss for r in results if r.width == 16}
    assert full["tied"] < 0.05 and full["untied"] < 0.05  # d_S = F: the identity is reachable
