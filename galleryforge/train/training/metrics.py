"""Loss terms, dead-latent counting, held-out metrics during training and the curve-table rows.

``mse`` is the mean over tokens and dimensions of the squared error on normalised activations, and
the loss is ``mse + l1_coef · l1`` (the mse-term is ``mse`` itself, the scale the study's
coefficients were set for) with ``l1`` as the trial defines it:

- ``mean``: mean over latents of |f| (trial A);
- ``decoder_norm_sum``: sum over latents of |f_i|·‖W_dec,i‖ (trials B and C).

Both are averaged over tokens. ``fvu`` = SSE / sum of squared deviation from the mean activation.
Trials with free decoder norms (``decoder_norm_sum``) also report the norms' spread over latents:
``decoder_norm_p05``, ``decoder_norm_median``, ``decoder_norm_p95`` (on the normalised activations,
before a checkpoint folds them into the encoder).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd
import torch

from galleryforge.tables import CURVES, ordered
from galleryforge.train.evaluation.reconstruction import ReconstructionSums
from galleryforge.train.training.sae import SAEOutput, StackedSAE


class LossTerms(NamedTuple):
    """Per-layer means over the batch, each ``[n_layers]``, and how often each latent fired."""

    mse: torch.Tensor
    l1: torch.Tensor
    l0: torch.Tensor
    fired: torch.Tensor
    """``[n_layers, d_sae]`` tokens of the batch on which each latent was active."""

    def loss(self, coefs: torch.Tensor) -> torch.Tensor:
        return self.mse + coefs * self.l1


def loss_terms(sae: StackedSAE, x: torch.Tensor, out: SAEOutput, l1_form: str) -> LossTerms:
    mse = (out.recon - x).pow(2).mean(dim=(1, 2))
    # feats come out of a ReLU, so |f| = f.
    if l1_form == "mean":
        l1 = out.feats.mean(dim=(1, 2))
    else:
        l1 = torch.bmm(out.feats, sae.W_dec.norm(dim=-1)[:, :, None]).mean(dim=(1, 2))
    # One pass over the latents gives both the per-latent counts (for dead latents) and L0. Latents
    # are never negative, so sign(f) is the 0/1 firing mask; summing it skips the int64 copy of a
    # bool mask, and the fp32 sum stays exact under bf16 autocast (a bf16 one would not past 256).
    fired = torch.sign(out.feats.detach()).sum(dim=1, dtype=torch.float32).long()
    l0 = fired.sum(-1) / out.feats.shape[1]
    return LossTerms(mse, l1, l0, fired)


@torch.no_grad()
def heldout_metrics(
    sae: StackedSAE, heldout: torch.Tensor, coefs: torch.Tensor, l1_form: str, chunk: int = 4096
) -> dict[str, torch.Tensor]:
    """Per-layer reconstruction metrics (``evaluation.reconstruction``) on the held-out activations,
    and the decoder norms' spread for a free-norm trial."""
    sums = ReconstructionSums(sae.n_layers, sae.d_sae)
    decoder_norms = sae.W_dec.norm(dim=-1)
    for begin in range(0, heldout.shape[1], chunk):
        x = heldout[:, begin : begin + chunk]
        out = sae(x)
        sums.add(x, out.recon, out.feats, decoder_norms)
    measured = sums.metrics(l1_form, coefs, normalised=True)
    if l1_form == "decoder_norm_sum":
        measured.update(decoder_norm_spread(sae))
    return measured


DECODER_NORM_QUANTILES = {
    "decoder_norm_p05": 0.05,
    "decoder_norm_median": 0.5,
    "decoder_norm_p95": 0.95,
}


@torch.no_grad()
def decoder_norm_spread(sae: StackedSAE) -> dict[str, torch.Tensor]:
    """Per layer, the 5th percentile, median and 95th percentile of the decoder-row norms."""
    norms = sae.decoder_norms().double().cpu()
    levels = torch.tensor(list(DECODER_NORM_QUANTILES.values()), dtype=torch.float64)
    values = torch.quantile(norms, levels, dim=-1)  # [quantiles, n_layers]
    return dict(zip(DECODER_NORM_QUANTILES, values, strict=True))


class DeadCounter:
    """Firing counts over the last ``window_steps`` steps, in a ring of up to 64 chunks.

    With at most 64 steps to a window each chunk is one step and the window is exact; longer windows
    use chunks of ceil(window_steps / 64) steps and cover the latest whole chunks plus the current
    one.
    """

    def __init__(self, n_layers: int, d_sae: int, window_steps: int, device: torch.device) -> None:
        self.chunk_steps = math.ceil(window_steps / 64)
        n_chunks = math.ceil(window_steps / self.chunk_steps)
        self.counts = torch.zeros(n_chunks, n_layers, d_sae, dtype=torch.int64, device=device)
        self.tokens = torch.zeros(n_chunks, dtype=torch.int64)
        self.slot = 0
        self.steps_in_slot = 0

    def update(self, fired: torch.Tensor, n_tokens: int) -> None:
        """Add one step: ``fired`` ``[n_layers, d_sae]`` counts over ``n_tokens`` tokens."""
        if self.steps_in_slot == self.chunk_steps:
            self.slot = (self.slot + 1) % len(self.tokens)
            self.counts[self.slot].zero_()
            self.tokens[self.slot] = 0
            self.steps_in_slot = 0
        self.counts[self.slot] += fired
        self.tokens[self.slot] += n_tokens
        self.steps_in_slot += 1

    def dead(self) -> torch.Tensor:
        """``[n_layers]`` latents that did not fire in the window."""
        return (self.counts.sum(0) == 0).sum(-1).cpu()

    def log_sparsity(self) -> torch.Tensor:
        """``[n_layers, d_sae]`` log10 firing frequency in the window (SAELens: + 1e-10)."""
        frequency = self.counts.sum(0).double().cpu() / max(int(self.tokens.sum()), 1)
        return torch.log10(frequency + 1e-10).float()

    def state_dict(self) -> dict[str, object]:
        return {
            "counts": self.counts.cpu(),
            "tokens": self.tokens.clone(),
            "slot": self.slot,
            "steps_in_slot": self.steps_in_slot,
        }

    def load_state_dict(self, state: dict[str, object]) -> None:
        counts, tokens = state["counts"], state["tokens"]
        assert isinstance(counts, torch.Tensor) and isinstance(tokens, torch.Tensor)
        self.counts.copy_(counts)
        self.tokens.copy_(tokens)
        self.slot, self.steps_in_slot = int(str(state["slot"])), int(str(state["steps_in_slot"]))


def curve_rows(
    trial: str,
    layer_ids: list[int],
    step: int,
    tokens: int,
    terms: LossTerms,
    coefs: torch.Tensor,
) -> pd.DataFrame:
    """One ``curves.parquet`` row per layer for a logged step."""
    return ordered(
        pd.DataFrame(
            {
                "trial": trial,
                "layer": layer_ids,
                "step": step,
                "tokens": tokens,
                "mse": terms.mse.tolist(),
                "l1": terms.l1.tolist(),
                "loss": terms.loss(coefs.to(terms.mse)).tolist(),
                "l0": terms.l0.tolist(),
                "l1_coef": coefs.tolist(),
            }
        ),
        CURVES,
    )
