"""Downstream fidelity on a hand-made language model whose three cross-entropies are known."""

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


def test_three_known_cross_entropies_give_the_score_and_kl() -> None:
    model = HandMadeLM()
    loaded = LoadedModel(model, None, model.layers, "layers", "hand-made")
    ids = torch.tensor([[0, 1, 1, 1, 1]])  # 0 plays BOS (special)
    ordinary = ids != 0
    batch = EvalBatch(ids, ordinary, ordinary, torch.tensor([True]), 0)
    result = evaluate_saes(loaded, [_halving_sae()], EvalText("hand-made", None, iter([batch]), 4))
    got = {name: float(value[0]) for name, value in result.measured.items()}

    assert got["ce_clean"] == pytest.approx(math.log(2))
    assert got["ce_spliced"] == pytest.approx(math.log(3))
    assert got["ce_ablated"] == pytest.approx(math.log(4))
    assert got["ce_loss_score"] == pytest.approx(math.log(4 / 3) / math.log(2))
    clean, spliced = [1 / 2, 1 / 6, 1 / 6, 1 / 6], [1 / 3, 2 / 9, 2 / 9, 2 / 9]
    kl = sum(p * math.log(p / q) for p, q in zip(clean, spliced, strict=True))
    assert got["kl_div"] == pytest.approx(kl)
    # Reconstruction: x̂ = x·ln1.5/ln3 at every counted token.
    assert got["l2_ratio"] == pytest.approx(math.log(1.5) / math.log(3))
    assert got["cosine_similarity"] == pytest.approx(1.0)


def test_embedding_scores_from_cosines() -> None:
    sums = FidelitySums(1, language_model=False)
    clean = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    spliced = torch.tensor([[1.0, 1.0], [0.0, 1.0]])  # cosines 1/√2 and 1
    ablated = torch.tensor([[0.0, 1.0], [1.0, 1.0]])  # cosines 0 and 1/√2
    sums.add_contexts(2)
    sums.add_embedding(0, clean, spliced, ablated)
    got = {name: float(value[0]) for name, value in sums.metrics().items()}
    cos_s, cos_a = (1 / math.sqrt(2) + 1) / 2, (0 + 1 / math.sqrt(2)) / 2
    assert got["embedding_cos_spliced"] == pytest.approx(cos_s)
    assert got["embedding_cos_ablated"] == pytest.approx(cos_a)
    assert got["embedding_recovered"] == pytest.approx((cos_s - cos_a) / (1 - cos_a))
