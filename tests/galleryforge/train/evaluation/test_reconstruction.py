"""Reconstruction metrics against per-token formulas written out here on tiny tensors."""

from __future__ import annotations

import math

import pytest
import torch

from galleryforge.train.evaluation import reconstruction
from galleryforge.train.evaluation.reconstruction import ReconstructionSums


def _tokens(n: int, d: int, seed: int) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_metrics_match_per_token_formulas_and_do_not_depend_on_batching() -> None:
    n, d, latents = 10, 3, 4
    x, recon = _tokens(n, d, 0), 0.8 * _tokens(n, d, 0) + 0.1 * _tokens(n, d, 1)
    feats = torch.zeros(n, latents, dtype=torch.float64)
    feats[:3, 0] = 2.0  # fires on 30% of tokens: dense
    feats[0, 1] = 1.0  # 10%: not above 10%, not dense
    feats[:, 2] = 0.5  # every token: dense
    norms = torch.tensor([1.0, 2.0, 0.5, 1.0], dtype=torch.float64)

    sums = ReconstructionSums(1, latents)
    for begin in (0, 4, 7):  # three uneven batches
        end = {0: 4, 4: 7, 7: 10}[begin]
        sums.add(x[None, begin:end], recon[None, begin:end], feats[None, begin:end], norms[None])
    got = {k: float(v[0]) for k, v in sums.metrics("decoder_norm_sum", torch.tensor([0.1])).items()}

    rows = list(zip(x.tolist(), recon.tolist(), strict=True))
    sq = [sum(v * v for v in a) for a, _ in rows]
    scale2 = d / (sum(sq) / n)  # normalise so that E‖x‖² = d
    sse = sum((b_i - a_i) ** 2 for a, b in rows for a_i, b_i in zip(a, b, strict=True))
    mean = [sum(a[j] for a, _ in rows) / n for j in range(d)]
    dev = sum((a[j] - mean[j]) ** 2 for a, _ in rows for j in range(d))
    dots = [sum(p * q for p, q in zip(a, b, strict=True)) for a, b in rows]
    rnorm = [math.sqrt(sum(v * v for v in b)) for _, b in rows]
    assert got["mse"] == pytest.approx(sse / (n * d) * scale2, rel=1e-12)
    assert got["fvu"] == pytest.approx(sse / dev, rel=1e-12)
    assert got["cosine_similarity"] == pytest.approx(
        sum(dt / (math.sqrt(s) * r) for dt, s, r in zip(dots, sq, rnorm, strict=True)) / n
    )
    assert got["l2_ratio"] == pytest.approx(
        sum(r / math.sqrt(s) for r, s in zip(rnorm, sq, strict=True)) / n
    )
    assert got["relative_reconstruction_bias"] == pytest.approx(
        sum(r * r for r in rnorm) / sum(dots)
    )
    assert got["l0"] == pytest.approx((3 + 1 + 10) / n)
    assert got["dense"] == 2
    # Σ|f_i|·‖W_dec,i‖ per token, on the normalised scale (s times the raw one).
    l1_raw = (3 * 2.0 * 1.0 + 1.0 * 2.0 + 10 * 0.5 * 0.5) / n
    assert got["l1"] == pytest.approx(l1_raw * math.sqrt(scale2))
    assert got["loss"] == pytest.approx(got["mse"] + 0.1 * got["l1"])


def test_a_perfect_reconstruction_and_a_shrunk_one() -> None:
    x = _tokens(6, 4, 2)
    perfect = ReconstructionSums(1, 1)
    perfect.add(x[None], x[None], torch.ones(1, 6, 1), torch.ones(1, 1))
    half = ReconstructionSums(1, 1)
    half.add(x[None], 0.5 * x[None], torch.ones(1, 6, 1), torch.ones(1, 1))
    p, h = perfect.metrics("mean", torch.zeros(1)), half.metrics("mean", torch.zeros(1))
    assert float(p["mse"][0]) == 0 and float(p["cosine_similarity"][0]) == pytest.approx(1.0)
    assert float(h["cosine_similarity"][0]) == pytest.approx(1.0)
    assert float(h["l2_ratio"][0]) == pytest.approx(0.5)
    assert float(h["relative_reconstruction_bias"][0]) == pytest.approx(0.5)
    assert float(h["mse"][0]) == pytest.approx(0.25)  # (x/2)² on E‖x‖² = d: 1/4 per dimension


def test_latent_sums_taken_a_piece_at_a_time_match_a_hand_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pieces of 2 layers × 1 token × 3 latents: every token its own piece. Latents may be
    negative (a foreign JumpReLU with a negative threshold), so the L1 counts |f|."""
    monkeypatch.setattr(reconstruction, "PIECE_ELEMENTS", 6)
    feats = torch.tensor(
        [
            [[1.0, 0.0, -2.0], [0.0, 0.0, 3.0], [0.5, 0.0, 0.0]],  # layer 0, 3 tokens
            [[0.0, 4.0, 0.0], [0.0, 0.0, 0.0], [-1.0, 1.0, 0.0]],  # layer 1
        ]
    )
    norms = torch.tensor([[1.0, 2.0, 0.5], [2.0, 1.0, 1.0]])
    x = _tokens(6, 2, 3).float().view(2, 3, 2)
    sums = ReconstructionSums(2, 3)
    sums.add(x, x, feats, norms)
    assert sums.fired.tolist() == [[2, 0, 2], [1, 2, 0]]
    assert sums.l1_mean.tolist() == pytest.approx([(1 + 2 + 3 + 0.5) / 3, (4 + 1 + 1) / 3])
    decoder = [1 * 1 + 2 * 0.5 + 3 * 0.5 + 0.5 * 1, 4 * 1 + 1 * 2 + 1 * 1]
    assert sums.l1_decoder.tolist() == pytest.approx(decoder)
    got = sums.metrics("mean", torch.zeros(2), normalised=True)
    assert got["l0"].tolist() == pytest.approx([4 / 3, 3 / 3])
