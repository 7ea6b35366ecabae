"""SAELens architectures and normalisations for inference, against formulas written out here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import torch

from galleryforge.cli.main import main
from galleryforge.train.data.hooks import HookPoint
from galleryforge.train.evaluation.saelens import InferenceSAE, load_saes
from tests.galleryforge.train.evaluation.saelens_files import random_weights, write_sae


def _sae(architecture: str, **fields: object) -> InferenceSAE:
    weights = random_weights(6, 10, seed=3)
    weights["threshold"] = torch.full((10,), 0.05)
    hook = HookPoint(0, "post")
    return InferenceSAE(Path("x"), hook, architecture, weights, **fields)  # type: ignore[arg-type]


def _x() -> torch.Tensor:
    return torch.randn(5, 6, generator=torch.Generator().manual_seed(1)) * 3


def test_topk_keeps_the_k_largest_and_jumprelu_its_threshold() -> None:
    x = _x()
    topk, jump = _sae("topk", k=3), _sae("jumprelu")
    w = topk.weights
    pre = (x - w["b_dec"]) @ w["W_enc"] + w["b_enc"]
    recon, feats = topk(x)
    for token in range(5):
        kept = sorted(pre[token].tolist(), reverse=True)[:3]
        assert sorted(feats[token][feats[token] != 0].tolist(), reverse=True) == pytest.approx(
            [v for v in kept if v > 0]
        )
    torch.testing.assert_close(recon, feats @ w["W_dec"] + w["b_dec"])
    _, jumped = jump(x)
    torch.testing.assert_close(jumped, torch.where(pre > 0.05, pre, torch.zeros_like(pre)))


def test_normalisations_scale_in_and_back_out() -> None:
    x = _x()
    plain = _sae("standard")
    rescaled = _sae("standard", normalize_activations="constant_norm_rescale")
    factor = 6**0.5 / x.norm(dim=-1, keepdim=True)
    recon_plain, _ = plain(x * factor)
    recon, _ = rescaled(x)
    torch.testing.assert_close(recon, recon_plain / factor)
    layer_norm = _sae("standard", normalize_activations="layer_norm")
    mean, std = x.mean(-1, keepdim=True), x.std(-1, keepdim=True)
    recon_plain, _ = plain((x - mean) / (std + 1e-5))
    recon, _ = layer_norm(x)
    torch.testing.assert_close(recon, recon_plain * std + mean)
    scaled = _sae("standard", normalize_activations="expected_average_only_in")
    scaled.norm_scaling_factor = 2.0
    recon_plain, _ = plain(2.0 * x)
    torch.testing.assert_close(scaled(x)[0], recon_plain / 2.0)


def test_resid_pre_of_a_block_reads_what_resid_post_of_the_one_before_writes(
    tiny_neox: Path, text_corpus: Path, tmp_path: Path
) -> None:
    weights = random_weights(32, 16, seed=7)
    write_sae(tmp_path / "saes" / "a", weights, "blocks.0.hook_resid_post", str(tiny_neox))
    write_sae(tmp_path / "saes" / "b", weights, "blocks.1.hook_resid_pre", str(tiny_neox))
    assert [s.hook.name for s in load_saes(tmp_path / "saes")] == [
        "blocks.0.hook_resid_post",
        "blocks.1.hook_resid_pre",
    ]
    args = ["evaluate", "--checkpoints", str(tmp_path / "saes"), "--corpus", str(text_corpus)]
    options = ["--tokens", "64", "--context-size", "16", "--out", str(tmp_path / "run")]
    assert main([*args, *options, "--top-n", "2", "--quiet"]) == 0
    layers = pd.read_parquet(tmp_path / "run" / "tables" / "layers.parquet")
    assert layers["layer"].tolist() == [0, 1]
    for column in ("mse", "l0", "cosine_similarity", "ce_spliced", "ce_ablated", "kl_div"):
        assert layers[column].iloc[0] == pytest.approx(layers[column].iloc[1], rel=1e-5)
