"""Each latent's logit effects: its decoder direction read through the model's unembedding.

For a causal LM, latent i's effect on the logit of token t is (W_dec,i · N) · W_U[:, t], where N is
the linear part of the model's final norm (LayerNorm: subtract the mean over d_model, then scale by
γ; RMSNorm: scale by γ), and the effects are then centred over the vocabulary. That is
SAEDashboard's and Neuronpedia's ``W_dec[i] @ W_U`` on a TransformerLens model loaded as their
examples load it (``fold_ln``, ``center_writing_weights``, ``center_unembed``). The norm's division
by the residual's scale is left out: it is one positive factor per token, the same for every vocab
entry, set by the whole residual rather than by the latent; so is its bias β, the same whatever the
latent. Centring over the vocabulary moves every logit of a latent by one constant, which softmax
ignores, and puts 0 at the average token: positive effects are the tokens the latent promotes over
the rest, negative the ones it suppresses.

W_dec is taken on the raw activation's scale (divided by the SAE's one input factor, where it has
one), as ``decoder_norm`` is. Models without an LM head (sentence encoders) have no logit effects.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from galleryforge.tables import LOGITS, ordered
from galleryforge.train.data.model import LoadedModel
from galleryforge.train.evaluation.saelens import InferenceSAE

TOP_TOKENS = 10
FINAL_NORM_PATHS = ("gpt_neox.final_layer_norm", "transformer.ln_f", "model.norm")
CHUNK = 1024  # latents at a time: a [CHUNK, vocab] block of effects, not [d_sae, vocab]


def readout(loaded: LoadedModel) -> torch.Tensor | None:
    """The ``[d_model, vocab]`` matrix a residual direction's logit effects are read through
    (the final norm's linear part folded into W_U, centred over the vocabulary), or None when the
    model has no LM head or no final norm galleryforge knows."""
    model: Any = loaded.model
    head = model.get_output_embeddings()
    norm = _final_norm(model)
    if not isinstance(head, nn.Linear) or norm is None:
        return None
    weight = getattr(norm, "weight", None)
    unembed = head.weight.detach().float().T  # [d_model, vocab]
    if isinstance(weight, torch.Tensor):
        scale = weight.detach().float()
        if type(norm).__name__.startswith("Gemma"):  # Gemma's RMSNorm scales by 1 + γ
            scale = 1 + scale
        unembed = scale[:, None] * unembed
    if isinstance(norm, nn.LayerNorm):
        # d · (I − 11ᵀ/n) W = d · (W − its mean over d_model): LayerNorm's centring.
        unembed = unembed - unembed.mean(0, keepdim=True)
    return unembed - unembed.mean(1, keepdim=True)


def logit_rows(
    trial: str,
    layers: list[int],
    saes: list[InferenceSAE],
    readout_matrix: torch.Tensor,
    tokenizer: Any,
) -> pd.DataFrame:
    """``TOP_TOKENS`` strongest effects each way of every latent, one row each."""
    frames = [
        _layer_rows(trial, layer, sae, readout_matrix, tokenizer)
        for layer, sae in zip(layers, saes, strict=True)
    ]
    return ordered(pd.concat(frames, ignore_index=True), LOGITS)


@torch.no_grad()
def effects(sae: InferenceSAE, readout_matrix: torch.Tensor) -> torch.Tensor:
    """``[d_sae, vocab]`` logit effects of every latent (for tests and small models; the table is
    made in chunks)."""
    return _directions(sae).to(readout_matrix.device) @ readout_matrix


def _directions(sae: InferenceSAE) -> torch.Tensor:
    decoder = sae.weights["W_dec"].float()
    return decoder / sae.input_scale


@torch.no_grad()
def _layer_rows(
    trial: str, layer: int, sae: InferenceSAE, readout_matrix: torch.Tensor, tokenizer: Any
) -> pd.DataFrame:
    directions = _directions(sae).to(readout_matrix.device)
    k = min(TOP_TOKENS, readout_matrix.shape[1])
    values, ids, latents, signs = [], [], [], []
    for start in range(0, len(directions), CHUNK):
        block = directions[start : start + CHUNK] @ readout_matrix
        for sign, largest in (("positive", True), ("negative", False)):
            best = block.topk(k, dim=1, largest=largest)  # strongest first
            values.append(best.values.double().cpu().numpy().reshape(-1))
            ids.append(best.indices.cpu().numpy().reshape(-1))
            latents.append(np.repeat(np.arange(start, start + len(block)), k))
            signs.append(np.full(len(block) * k, sign))
    token_ids = np.concatenate(ids)
    distinct = np.unique(token_ids)
    spelled = np.array(tokenizer.convert_ids_to_tokens(distinct.tolist()), dtype=object)
    frame = pd.DataFrame(
        {
            "trial": trial,
            "layer": layer,
            "latent": np.concatenate(latents),
            "sign": np.concatenate(signs),
            "rank": np.tile(np.arange(k), len(token_ids) // k),
            "token_id": token_ids,
            "token": spelled[np.searchsorted(distinct, token_ids)],
            "effect": np.concatenate(values),
        }
    )
    by_latent = frame.sort_values(["latent", "sign", "rank"], ascending=[True, False, True])
    return by_latent.reset_index(drop=True)


def _final_norm(model: nn.Module) -> nn.Module | None:
    for path in FINAL_NORM_PATHS:
        found: Any = model
        for part in path.split("."):
            found = getattr(found, part, None)
        if isinstance(found, nn.Module):
            return found
    return None
