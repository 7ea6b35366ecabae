"""Downstream fidelity on hand-made models whose cross-entropies and embeddings are known, against
SAELens's formulas (``sae_lens/evals.py``: ce_loss_score, kl_div_score) written out here."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from torch import nn

from galleryforge.train.data.eval_text import EvalBatch, EvalText
from galleryforge.train.data.hooks import HookPoint
from galleryforge.train.data.model import LoadedModel
from galleryforge.train.evaluation import downstream
from galleryforge.train.evaluation.downstream import FidelitySums
from galleryforge.train.evaluation.passes import evaluate_saes
from galleryforge.train.evaluation.saelens import InferenceSAE


class HandMadeLM(nn.Module):
    """Vocabulary of 4, d_model 4, one identity block, logits = the residual stream itself.

    Token 1 embeds as (0, ln 3, 0, 0); read as logits that gives token 1 probability 1/2 (the others
    1/6 each), so predicting token 1 costs ln 2. A zero stream gives the uniform 1/4 (ln 4).
    """

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(4, 4)
        with torch.no_grad():
            self.embed.weight.zero_()
            self.embed.weight[1, 1] = math.log(3.0)
        self.layers = nn.ModuleList([nn.Identity()])
        self.config = SimpleNamespace(hidden_size=4)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Any:
        hidden = self.layers[0](self.embed(input_ids))
        return SimpleNamespace(logits=hidden)


def _halving_sae() -> InferenceSAE:
    """One ReLU latent reading dimension 1 and writing ln 1.5 back: p(token 1) becomes 1/3."""
    w_enc = torch.zeros(4, 1)
    w_enc[1, 0] = 1.0
    w_dec = torch.zeros(1, 4)
    w_dec[0, 1] = math.log(1.5) / math.log(3.0)
    weights = {"W_enc": w_enc, "b_enc": torch.zeros(1), "W_dec": w_dec, "b_dec": torch.zeros(4)}
    return InferenceSAE(Path("hand-made"), HookPoint(0, "post"), "standard", weights)


def _measured(model: nn.Module) -> dict[str, float]:
    loaded = LoadedModel(model, None, model.layers, "layers", "hand-made")  # type: ignore[arg-type]
    ids = torch.tensor([[0, 1, 1, 1, 1]])  # 0 plays BOS (special)
    ordinary = ids != 0
    batch = EvalBatch(ids, ordinary, ordinary, torch.tensor([True]), 0)
    result = evaluate_saes(loaded, [_halving_sae()], EvalText("hand-made", None, iter([batch]), 4))
    return {name: float(value[0]) for name, value in result.measured.items()}


def _kl(p: list[float], q: list[float]) -> float:
    return sum(a * math.log(a / b) for a, b in zip(p, q, strict=True))


def test_three_known_cross_entropies_give_the_score_and_kl() -> None:
    got = _measured(HandMadeLM())

    assert got["ce_clean"] == pytest.approx(math.log(2))
    assert got["ce_spliced"] == pytest.approx(math.log(3))
    assert got["ce_ablated"] == pytest.approx(math.log(4))
    # BOS embeds as 0 here, so zeroing it too changes nothing: both ablations agree.
    assert got["ce_ablated_ordinary"] == pytest.approx(math.log(4))
    assert got["ce_loss_score"] == pytest.approx(math.log(4 / 3) / math.log(2))
    clean, spliced = [1 / 2, 1 / 6, 1 / 6, 1 / 6], [1 / 3, 2 / 9, 2 / 9, 2 / 9]
    uniform = [1 / 4] * 4
    assert got["kl_div"] == pytest.approx(_kl(clean, spliced))
    assert got["kl_div_ablated"] == pytest.approx(_kl(clean, uniform))
    assert got["kl_div_score"] == pytest.approx(
        (_kl(clean, uniform) - _kl(clean, spliced)) / _kl(clean, uniform)
    )
    # SAELens's explained variance, 1 − E‖x − x̂‖² / (E‖x‖² − m²), m the mean of x² over tokens
    # and dimensions: every counted x is (0, ln 3, 0, 0), every x̂ (0, ln 1.5, 0, 0).
    ln3 = math.log(3)
    assert got["explained_variance_saelens"] == pytest.approx(
        1 - math.log(2) ** 2 / (ln3**2 - (ln3**2 / 4) ** 2)
    )
    # Reconstruction: x̂ = x·ln1.5/ln3 at every counted token.
    assert got["l2_ratio"] == pytest.approx(math.log(1.5) / math.log(3))
    assert got["cosine_similarity"] == pytest.approx(1.0)


class BOSReadingLM(HandMadeLM):
    """``HandMadeLM`` whose BOS embeds as (0, ln 2, 0, 0) and whose second block adds the BOS
    position's stream to every position: the one place where zeroing every position (SAELens)
    and zeroing the ordinary tokens only differ.

    Clean logits at an ordinary position: (0, ln 6, 0, 0), p(token 1) = 2/3 (CE ln 1.5). Spliced
    (x̂ = ln 1.5 in dimension 1, BOS kept): (0, ln 3, 0, 0), p = 1/2 (ln 2). Zeros everywhere: the
    uniform 1/4 (ln 4). Zeros at the ordinary tokens, BOS kept: (0, ln 2, 0, 0), p = 2/5 (ln 2.5).
    """

    def __init__(self) -> None:
        super().__init__()
        with torch.no_grad():
            self.embed.weight[0, 1] = math.log(2.0)
        self.layers = nn.ModuleList([nn.Identity(), _AddFirstPosition()])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Any:
        hidden = self.embed(input_ids)
        for layer in self.layers:
            hidden = layer(hidden)
        return SimpleNamespace(logits=hidden)


class _AddFirstPosition(nn.Module):
    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return hidden + hidden[:, :1]


def test_saelens_ablation_zeroes_every_position_and_the_ordinary_variant_does_not() -> None:
    got = _measured(BOSReadingLM())
    clean, spliced, ablated, ordinary = math.log(1.5), math.log(2), math.log(4), math.log(2.5)
    assert got["ce_clean"] == pytest.approx(clean)
    assert got["ce_spliced"] == pytest.approx(spliced)
    assert got["ce_ablated"] == pytest.approx(ablated)
    assert got["ce_ablated_ordinary"] == pytest.approx(ordinary)
    # SAELens: (CE_with_ablation − CE_with_sae) / (CE_with_ablation − CE_without_sae).
    assert got["ce_loss_score"] == pytest.approx((ablated - spliced) / (ablated - clean))
    assert got["ce_loss_score_ordinary"] == pytest.approx((ordinary - spliced) / (ordinary - clean))
    assert got["ce_loss_score"] > got["ce_loss_score_ordinary"]  # the harsher baseline
    p_clean = [1 / 9, 6 / 9, 1 / 9, 1 / 9]
    p_spliced = [1 / 6, 1 / 2, 1 / 6, 1 / 6]
    kl_sae, kl_ablation = _kl(p_clean, p_spliced), _kl(p_clean, [1 / 4] * 4)
    # SAELens: (KL_with_ablation − KL_with_sae) / KL_with_ablation.
    assert got["kl_div"] == pytest.approx(kl_sae)
    assert got["kl_div_ablated"] == pytest.approx(kl_ablation)
    assert got["kl_div_score"] == pytest.approx((kl_ablation - kl_sae) / kl_ablation)


def test_embedding_scores_from_cosines() -> None:
    sums = FidelitySums(1, language_model=False)
    clean = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    spliced = torch.tensor([[1.0, 1.0], [0.0, 1.0]])  # cosines 1/√2 and 1
    ablated = torch.tensor([[0.0, 1.0], [1.0, 1.0]])  # cosines 0 and 1/√2
    sums.add_contexts(clean)
    sums.add_embedding(0, clean, spliced, ablated)
    got = {name: float(value[0]) for name, value in sums.metrics().items()}
    cos_s, cos_a = (1 / math.sqrt(2) + 1) / 2, (0 + 1 / math.sqrt(2)) / 2
    assert got["embedding_cos_spliced"] == pytest.approx(cos_s)
    assert got["embedding_cos_mean_ablated"] == pytest.approx(cos_a)
    assert got["embedding_cos_distance"] == pytest.approx(1 - cos_s)
    assert got["embedding_recovered"] == pytest.approx((cos_s - cos_a) / (1 - cos_a))


def _at_degrees(*angles: float) -> torch.Tensor:
    radians = torch.tensor(angles, dtype=torch.float64) * math.pi / 180
    return torch.stack([radians.cos(), radians.sin()], dim=1) * 3.0  # any length: cosines


def test_pair_ranking_is_the_spearman_correlation_of_pair_similarities() -> None:
    """Four contexts at 0°, 20°, 60° and 150°: their six pairs, most alike first, are 01, 12, 02,
    23, 13, 03. Spliced at 0°, 50°, 60°, 150° the order is 12, 01, 02, 23, 13, 03: two ranks
    swap, Σd² = 2, ρ = 1 − 6·2 / (6·35) = 0.942857. Ablated at 150°, 60°, 20°, 0°: 23, 12, 13,
    01, 02, 03, Σd² = 9 + 4 + 9 + 4 = 26, ρ = 1 − 6·26 / 210 = 0.257143."""
    sums = FidelitySums(1, language_model=False)
    clean = _at_degrees(0, 20, 60, 150)
    sums.add_contexts(clean)
    sums.add_embedding(0, clean, _at_degrees(0, 50, 60, 150), _at_degrees(150, 60, 20, 0))
    got = sums.metrics()
    assert float(got["embedding_pair_spearman"][0]) == pytest.approx(1 - 12 / 210)
    assert float(got["embedding_pair_spearman_mean_ablated"][0]) == pytest.approx(1 - 156 / 210)


class HandMadeEncoder(nn.Module):
    """d_model 2, no LM head: block 0 the identity (the SAE's hook), block 1 squares each
    coordinate, the output is ``last_hidden_state``. Token 1 embeds as (2, 0), token 2 as (0, 1),
    BOS (0) as 0."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(3, 2)
        with torch.no_grad():
            self.embed.weight.copy_(torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 1.0]]))
        self.layers = nn.ModuleList([nn.Identity(), _Squared()])
        self.config = SimpleNamespace(hidden_size=2)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Any:
        hidden = self.embed(input_ids)
        for layer in self.layers:
            hidden = layer(hidden)
        return SimpleNamespace(last_hidden_state=hidden)


class _Squared(nn.Module):
    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return hidden * hidden


def test_encoder_baseline_is_the_layers_mean_activation() -> None:
    """Tokens 1, 1, 2 after BOS. Clean output (4, 0), (4, 0), (0, 1): pooled (8, 1)/3. The mean
    activation over the ordinary tokens is (4/3, 1/3) (BOS left out); put at every position it
    outputs (16/9, 1/9) everywhere, parallel to (16, 1). The SAE keeps half of coordinate 0
    only: (1, 0), (1, 0), (0, 0) out, pooled along (1, 0)."""
    model = HandMadeEncoder()
    loaded = LoadedModel(model, None, model.layers, "layers", "hand-made")  # type: ignore[arg-type]
    w_enc, w_dec = torch.zeros(2, 1), torch.zeros(1, 2)
    w_enc[0, 0], w_dec[0, 0] = 1.0, 0.5
    weights = {"W_enc": w_enc, "b_enc": torch.zeros(1), "W_dec": w_dec, "b_dec": torch.zeros(2)}
    sae = InferenceSAE(Path("hand-made"), HookPoint(0, "post"), "standard", weights)
    ids = torch.tensor([[0, 1, 1, 2]])
    ordinary = ids != 0
    batch = EvalBatch(ids, ordinary, ordinary, torch.tensor([True]), 0)
    result = evaluate_saes(loaded, [sae], EvalText("hand-made", None, iter([batch]), 3))
    got = {name: float(value[0]) for name, value in result.measured.items()}

    cos_mean = (8 * 16 + 1 * 1) / (math.hypot(8, 1) * math.hypot(16, 1))
    cos_spliced = 8 / math.hypot(8, 1)
    assert got["embedding_cos_mean_ablated"] == pytest.approx(cos_mean)
    assert got["embedding_cos_spliced"] == pytest.approx(cos_spliced)
    assert got["embedding_cos_distance"] == pytest.approx(1 - cos_spliced)
    assert got["embedding_recovered"] == pytest.approx((cos_spliced - cos_mean) / (1 - cos_mean))
    assert "ce_loss_score" not in got


def test_cross_entropy_and_kl_a_chunk_of_positions_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One position a chunk gives the sums of the whole-tensor float64 formulas."""
    monkeypatch.setattr(downstream, "LOG_PROB_CHUNK_ELEMENTS", 7)
    generator = torch.Generator().manual_seed(0)
    clean_logits = torch.randn(2, 5, 7, generator=generator)
    logits = clean_logits + 0.5 * torch.randn(2, 5, 7, generator=generator)
    ids = torch.randint(0, 7, (2, 5), generator=generator)
    counted = torch.rand(2, 5, generator=generator) > 0.3
    counted[:, -1] = False
    targets = downstream.target_ids(ids, counted)
    clean = downstream.counted_logits(clean_logits, counted)
    got = downstream.compared(logits, counted, targets, clean)

    p = torch.log_softmax(clean_logits[counted].double(), -1)
    q = torch.log_softmax(logits[counted].double(), -1)
    assert got.ce == pytest.approx(float(-q.gather(1, targets[:, None]).sum()), rel=1e-12)
    assert got.kl == pytest.approx(float((p.exp() * (p - q)).sum()), rel=1e-12)
    assert downstream.clean_ce(clean, targets) == pytest.approx(
        float(-p.gather(1, targets[:, None]).sum()), rel=1e-12
    )
