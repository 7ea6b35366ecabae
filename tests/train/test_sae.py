from __future__ import annotations

from pathlib import Path

import torch

from tests.train.helpers import build_trial_cfg
from train.checkpoint import fold_scale, load_sae, save_checkpoint
from train.metrics import loss_terms
from train.sae import StackedSAE
from train.trainer import clip_per_layer


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


def test_decoder_rows_stay_unit_norm_after_every_step() -> None:
    sae = _sae()
    optimizer = torch.optim.Adam(sae.parameters(), lr=1e-2)
    for _ in range(20):
        x = torch.randn(3, 32, 8) * 3
        out = sae(x)
        loss = loss_terms(sae, x, out, "decoder_norm_sum").loss(torch.full((3,), 1e-2)).sum()
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


def test_saved_checkpoint_reloads_into_the_same_sae_on_raw_activations(tmp_path: Path) -> None:
    sae = _sae()
    with torch.no_grad():
        sae.b_dec.normal_()
        sae.b_enc.normal_()
    scales = torch.tensor([0.5, 2.0, 3.0])
    sparsity = torch.full((3, 16), -2.0)
    folder = tmp_path / "checkpoints" / "64"
    save_checkpoint(folder, build_trial_cfg(width=16), sae, scales, sparsity, "layers", {"step": 1})
    loaded = load_sae(folder)
    assert loaded.layer_ids == [0, 1, 2]
    raw = torch.randn(3, 10, 8)
    normalised = raw * scales[:, None, None]
    with torch.no_grad():
        expected = sae(normalised)
        got = loaded(raw)
    torch.testing.assert_close(got.feats, expected.feats, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(
        got.recon, expected.recon / scales[:, None, None], atol=1e-5, rtol=1e-5
    )
    # Without folding (scale 1) the reloaded weights are the very same tensors.
    unit = fold_scale(sae.layer_state(1), 1.0)
    for name, value in unit.items():
        torch.testing.assert_close(value, sae.layer_state(1)[name])
    cfg = (folder / "layer_2" / "cfg.json").read_text()
    assert '"hook_name": "blocks.2.hook_resid_post"' in cfg
    assert '"normalize_activations": "none"' in cfg
