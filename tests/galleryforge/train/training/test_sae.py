from __future__ import annotations

from pathlib import Path

import pytest
import torch

from galleryforge.train.training.checkpoint import (
    fold_decoder_norms,
    fold_scale,
    load_sae,
    save_checkpoint,
)
from galleryforge.train.training.metrics import loss_terms
from galleryforge.train.training.sae import SAEOutput, StackedSAE
from galleryforge.train.training.trainer import clip_per_layer
from tests.galleryforge.train.helpers import build_trial_cfg


def _sae(layers: int = 3, d_in: int = 8, d_sae: int = 16) -> StackedSAE:
    return StackedSAE(list(range(layers)), d_in, d_sae, torch.Generator().manual_seed(0))


def test_forward_matches_a_per_layer_reference() -> None:
    sae = _sae()
    x = torch.randn(3, 5, 8)
    out = sae(x)
    for layer in range(3):
        w = sae.layer_state(layer)
        feats = torch.relu((x[layer] - w["b_dec"]) @ w["W_enc"] + w["b_enc"])
        torch.testing.assert_close(out.feats[layer], feats)
        torch.testing.assert_close(out.recon[layer], feats @ w["W_dec"] + w["b_dec"])


def _reference(sae: StackedSAE, x: torch.Tensor) -> SAEOutput:
    """The SAE's formula through plain autograd."""
    feats = torch.relu(torch.baddbmm(sae.b_enc[:, None], x - sae.b_dec[:, None], sae.W_enc))
    return SAEOutput(torch.baddbmm(sae.b_dec[:, None], feats, sae.W_dec), feats)


def _gradients(
    sae: StackedSAE, x: torch.Tensor, out: SAEOutput, l1_form: str | None
) -> list[torch.Tensor]:
    """Gradients of every parameter (and of ``x`` if it wants one) of a trial's loss, or of a
    loss on ``recon`` alone (``l1_form=None``)."""
    if l1_form is None:
        loss = (out.recon - x).pow(2).mean(dim=(1, 2))
    else:
        loss = loss_terms(sae, x, out, l1_form).loss(torch.tensor([0.3, 1e-2, 2.0]))
    inputs = [*sae.parameters(), *([x] if x.requires_grad else [])]
    return list(torch.autograd.grad(loss.sum(), inputs))


def _random_sae(dtype: torch.dtype) -> StackedSAE:
    sae = _sae(d_in=12, d_sae=40).to(dtype)
    with torch.no_grad():
        sae.b_enc.normal_(std=0.5)
        sae.b_dec.normal_()
        sae.W_enc.add_(torch.randn_like(sae.W_enc), alpha=0.3)
    return sae


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("x_wants_grad", [False, True])
@pytest.mark.parametrize("l1_form", [None, "mean", "decoder_norm_sum"])
def test_backward_matches_plain_autograd(
    l1_form: str | None, x_wants_grad: bool, dtype: torch.dtype
) -> None:
    # Trial A's L1 is "mean", B's and C's "decoder_norm_sum" (its W_dec norms add a W_dec gradient
    # outside the hand-written backward).
    sae = _random_sae(dtype)
    x = (torch.randn(3, 50, 12) * 2).to(dtype).requires_grad_(x_wants_grad)
    out, reference = sae(x), _reference(sae, x)
    torch.testing.assert_close(out, reference)
    assert 0.1 < float((out.feats > 0).double().mean()) < 0.9  # the ReLU mask matters
    got, expected = _gradients(sae, x, out, l1_form), _gradients(sae, x, reference, l1_form)
    assert len(got) == 4 + x_wants_grad
    for value, want in zip(got, expected, strict=True):
        torch.testing.assert_close(value, want)


def test_backward_under_bf16_autocast_matches_autograd_and_keeps_fp32_gradients() -> None:
    sae = _random_sae(torch.float32)
    x = torch.randn(3, 50, 12) * 2
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out, reference = sae(x), _reference(sae, x)
        got = _gradients(sae, x, out, "decoder_norm_sum")
        expected = _gradients(sae, x, reference, "decoder_norm_sum")
    assert out.feats.dtype == out.recon.dtype == torch.bfloat16
    torch.testing.assert_close(out, reference)
    for value, want in zip(got, expected, strict=True):
        assert value.dtype == torch.float32
        torch.testing.assert_close(value, want, rtol=2e-2, atol=2e-2 * float(want.abs().max()))


def _uneven_decoder(sae: StackedSAE) -> StackedSAE:
    """Scale each decoder row by its own factor in [0.2, 3): norms far from one, all different."""
    with torch.no_grad():
        sae.W_dec.mul_(torch.rand(sae.n_layers, sae.d_sae, 1) * 2.8 + 0.2)
    return sae


def test_loss_terms_match_independent_formulas_when_decoder_rows_are_not_unit_norm() -> None:
    sae = _uneven_decoder(_random_sae(torch.float64))
    norms = sae.W_dec.detach().norm(dim=-1)
    assert float(norms.std()) > 0.3
    x = torch.randn(3, 50, 12, dtype=torch.float64) * 2
    out = sae(x)
    feats = out.feats.detach()
    for layer in range(3):
        f, w_dec = feats[layer], sae.W_dec.detach()[layer]
        mean = loss_terms(sae, x, out, "mean")
        weighted = loss_terms(sae, x, out, "decoder_norm_sum")
        torch.testing.assert_close(mean.l1[layer].detach(), f.mean())
        torch.testing.assert_close(
            weighted.l1[layer].detach(), (f * w_dec.norm(dim=1)).sum(-1).mean()
        )
        recon = f @ w_dec + sae.b_dec.detach()[layer]
        torch.testing.assert_close(mean.mse[layer].detach(), (recon - x[layer]).pow(2).mean())
        assert float(mean.l0[layer]) == pytest.approx(float((f > 0).sum(-1).double().mean()))
    # With free norms the two forms are no longer one sum scaled by the width.
    ratio = loss_terms(sae, x, out, "decoder_norm_sum").l1 / loss_terms(sae, x, out, "mean").l1
    assert float((ratio.detach() - sae.d_sae).abs().min()) > 1.0


def test_unit_norm_helpers_hold_decoder_rows_at_one() -> None:
    sae = _sae()
    optimizer = torch.optim.Adam(sae.parameters(), lr=1e-2)
    for _ in range(20):
        x = torch.randn(3, 32, 8) * 3
        out = sae(x)
        loss = loss_terms(sae, x, out, "mean").loss(torch.full((3,), 1e-2)).sum()
        optimizer.zero_grad()
        loss.backward()
        sae.remove_parallel_grads()
        assert sae.W_dec.grad is not None
        parallel = (sae.W_dec.grad * sae.W_dec).sum(-1)
        torch.testing.assert_close(parallel, torch.zeros_like(parallel), atol=1e-5, rtol=0)
        optimizer.step()
        sae.normalize_decoder()
        norms = sae.W_dec.norm(dim=-1)
        torch.testing.assert_close(norms, torch.ones_like(norms))


def test_clipping_is_per_layer() -> None:
    sae = _sae()
    for param in sae.parameters():
        param.grad = torch.ones_like(param)
    with torch.no_grad():
        sae.W_enc.grad[0] *= 100  # type: ignore[index]
    clip_per_layer(sae, 1.0)
    squared = [p.grad.pow(2).flatten(1).sum(1) for p in sae.parameters() if p.grad is not None]
    norms = torch.stack(squared).sum(0).sqrt()
    torch.testing.assert_close(norms, torch.ones(3), atol=1e-4, rtol=0)


@pytest.mark.parametrize("uneven", [False, True])
def test_saved_checkpoint_reloads_into_the_same_sae_on_raw_activations(
    tmp_path: Path, uneven: bool
) -> None:
    # uneven: free decoder norms, as a decoder_norm_sum trial ends with them.
    sae = _sae()
    with torch.no_grad():
        sae.b_dec.normal_()
        sae.b_enc.normal_()
    if uneven:
        _uneven_decoder(sae)
    norms = sae.W_dec.detach().norm(dim=-1)
    scales = torch.tensor([0.5, 2.0, 3.0])
    sparsity = torch.full((3, 16), -2.0)
    folder = tmp_path / "checkpoints" / "64"
    cfg = build_trial_cfg(width=16, l1_form="decoder_norm_sum" if uneven else "mean")
    save_checkpoint(folder, cfg, sae, scales, sparsity, "layers", {"step": 1})
    loaded = load_sae(folder)
    assert loaded.layer_ids == [0, 1, 2]
    raw = torch.randn(3, 10, 8)
    normalised = raw * scales[:, None, None]
    with torch.no_grad():
        expected = sae(normalised)
        got = loaded(raw)
    # The reconstruction of raw activations is the in-memory SAE's; each latent's activation is
    # scaled by its decoder norm, which moved into the encoder.
    torch.testing.assert_close(
        got.recon, expected.recon / scales[:, None, None], atol=1e-5, rtol=1e-5
    )
    torch.testing.assert_close(got.feats, expected.feats * norms[:, None], atol=1e-5, rtol=1e-5)
    # SAELens convention: every saved decoder row has the same norm (1/s after the scale fold).
    saved_norms = loaded.W_dec.detach().norm(dim=-1)
    torch.testing.assert_close(saved_norms, (1 / scales)[:, None].expand(3, 16))
    # Without folding (unit rows, scale 1) the reloaded weights are the very same tensors.
    unit = fold_scale(fold_decoder_norms(_sae().layer_state(1)), 1.0)
    for name, value in unit.items():
        torch.testing.assert_close(value, _sae().layer_state(1)[name])
    config = (folder / "layer_2" / "cfg.json").read_text()
    assert '"hook_name": "blocks.2.hook_resid_post"' in config
    assert '"normalize_activations": "none"' in config
