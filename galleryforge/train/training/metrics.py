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
from typing import Any, NamedTuple

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
    penalty: torch.Tensor
    """What the sparsity coefficient multiplies: ``l1`` (``relu``), the L0 with its
    straight-through gradient or its distance from a target (``jumprelu``), 0 (``topk``,
    ``batchtopk``)."""
    aux: torch.Tensor
    """The weighted auxiliary dead-latent loss (``topk``, ``batchtopk``), else 0."""

    def loss(self, coefs: torch.Tensor) -> torch.Tensor:
        return self.mse + coefs * self.penalty + self.aux


def loss_terms(
    sae: StackedSAE,
    x: torch.Tensor,
    out: SAEOutput,
    l1_form: str,
    *,
    dead: torch.Tensor | None = None,
    aux_k: int = 0,
    aux_coef: float = 0.0,
    aux_width: int | None = None,
    target_l0: float = 0.0,
) -> LossTerms:
    """The step's loss terms; ``dead`` ``[n_layers, d_sae]`` marks the latents the auxiliary
    loss of a ``topk``/``batchtopk`` SAE may use, and ``aux_width``, at least the most of any
    layer, how many columns it gathers (``aux_k_loss``). A ``jumprelu`` SAE's penalty is its L0, or
    with a ``target_l0`` (L0/target − 1)², which pulls L0 to the target from either side (as
    dictionary_learning's JumpReLU trainer does)."""
    mse = (out.recon - x).pow(2).mean(dim=(1, 2))
    architecture = sae.activation.architecture
    # Only relu trains through the L1; the others report it, measured without a gradient.
    with torch.set_grad_enabled(torch.is_grad_enabled() and architecture == "relu"):
        # feats are never negative, so |f| = f.
        if l1_form == "mean":
            l1 = _MeanL1.apply(out.feats)
        else:
            l1 = _DecoderNormL1.apply(out.feats, sae.W_dec.norm(dim=-1))
    # One pass over the latents gives both the per-latent counts (for dead latents) and L0. Latents
    # are never negative, so sign(f) is the 0/1 firing mask; summing it skips the int64 copy of a
    # bool mask, and the fp32 sum stays exact under bf16 autocast (a bf16 one would not past 256).
    fired = torch.sign(out.feats.detach()).sum(dim=1, dtype=torch.float32).long()
    l0 = fired.sum(-1) / out.feats.shape[1]
    zero = torch.zeros_like(mse)
    penalty = l1 if architecture == "relu" else zero
    if architecture == "jumprelu":
        assert out.l0 is not None
        penalty = (out.l0 / target_l0 - 1).pow(2) if target_l0 > 0 else out.l0
    aux = zero
    if dead is not None and aux_k > 0 and aux_coef > 0:
        aux = aux_coef * aux_k_loss(sae, x, out, dead, aux_k, aux_width)
    return LossTerms(mse, l1, l0, fired, penalty, aux)


class _MeanL1(torch.autograd.Function):
    """``feats.mean(dim=(1, 2))``, whose gradient is one number a layer, handed back broadcast.

    Autograd's mean writes that number into a new ``[n_layers, batch, d_sae]`` tensor, which the
    SAE step's backward then reads to add it to the latents' gradient: a latent-sized buffer and
    two passes over it. Here the gradient is a stride-0 view of ``[n_layers]`` values, computed
    as autograd computes them (the gradient over the element count, in the latents' dtype), so
    the training step is the same to the bit."""

    @staticmethod
    def forward(ctx: Any, feats: torch.Tensor) -> torch.Tensor:
        ctx.shape = feats.shape
        return feats.mean(dim=(1, 2))

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        n_layers, batch, width = ctx.shape
        return (grad / (batch * width))[:, None, None].expand(n_layers, batch, width)


class _DecoderNormL1(torch.autograd.Function):
    """``bmm(feats, norms[..., None]).mean(dim=(1, 2))``: Σ_i f_i·‖W_dec,i‖ averaged over tokens,
    with the latents' gradient handed back broadcast over the batch (``_MeanL1``'s reason).

    Computed as autograd would: under autocast the norms are cast to the product's dtype (and
    their gradient cast back); the latents' gradient is (grad / batch)·norm, the product of two
    numbers that the product of ``[batch, 1]`` by ``[1, width]`` rounds the same way; the norms'
    gradient is the same batched product autograd runs."""

    @staticmethod
    def forward(ctx: Any, feats: torch.Tensor, norms: torch.Tensor) -> torch.Tensor:
        cast = norms
        if torch.is_autocast_enabled(feats.device.type):
            cast = norms.to(torch.get_autocast_dtype(feats.device.type))
        ctx.save_for_backward(feats, cast)
        ctx.norms_dtype = norms.dtype
        return torch.bmm(feats, cast[:, :, None]).mean(dim=(1, 2))

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        feats, cast = ctx.saved_tensors
        n_layers, batch, width = feats.shape
        per_token = (grad / batch).to(cast.dtype)
        grad_feats = (per_token[:, None] * cast)[:, None, :].expand(n_layers, batch, width)
        column = per_token[:, None, None].expand(n_layers, batch, 1).contiguous()
        grad_norms = torch.bmm(feats.transpose(1, 2), column)[:, :, 0]
        return grad_feats, grad_norms.to(ctx.norms_dtype)


def aux_k_loss(
    sae: StackedSAE,
    x: torch.Tensor,
    out: SAEOutput,
    dead: torch.Tensor,
    aux_k: int,
    width: int | None = None,
) -> torch.Tensor:
    """``[n_layers]`` the auxiliary loss of Gao et al. (2024, appendix A.2): the ``aux_k`` most
    active dead latents (ReLU of their pre-activations) reconstruct the residual e = x − x̂
    through their decoder rows, and the loss is ‖e − ê‖² over the variance of e (the
    normalisation of dictionary_learning's TopK trainer). e is detached, so the gradient reaches
    only the dead latents' encoder and decoder; a layer with no dead latent contributes 0.

    ``width``: how many columns a layer gathers, at least its dead latents (the extra ones are
    masked); the trainer passes ``DeadCounter.dead_bound``, known without reading the device.
    None: the most dead latents of any layer, read from the device."""
    n_dead = dead.sum(-1)
    if width is None:
        width = int(n_dead.max())
    if width == 0:
        return torch.zeros(sae.n_layers, device=x.device)
    # The dead latents of every layer first, padded to the layer with most with masked columns.
    columns = dead.to(torch.int8).topk(width, dim=-1).indices
    valid = dead.gather(-1, columns)
    w_enc = sae.W_enc.gather(2, columns[:, None, :].expand(-1, sae.d_in, -1))
    pre = torch.baddbmm(
        sae.b_enc.gather(1, columns)[:, None], x - sae.b_dec.detach()[:, None], w_enc
    )
    pre = pre.masked_fill(~valid[:, None, :], float("-inf"))
    top = pre.topk(min(aux_k, width), dim=-1)
    latents = torch.zeros_like(pre).scatter(-1, top.indices, top.values.clamp_min(0))
    w_dec = sae.W_dec.gather(1, columns[:, :, None].expand(-1, -1, sae.d_in))
    residual = (x - out.recon).detach()
    error = (torch.bmm(latents, w_dec) - residual).pow(2).sum(-1).mean(1)
    variance = (residual - residual.mean(1, keepdim=True)).pow(2).sum(-1).mean(1)
    return torch.where(n_dead > 0, error / variance, 0.0).float()


HELDOUT_CHUNK = 4096
"""Held-out tokens of every layer the checkpoint metrics take at a time: at full scale their
fp32 latents are 12.9 GB (24 × 4,096 × 32,768)."""


@torch.no_grad()
def heldout_metrics(
    sae: StackedSAE,
    heldout: torch.Tensor,
    coefs: torch.Tensor,
    l1_form: str,
    chunk: int = HELDOUT_CHUNK,
) -> dict[str, torch.Tensor]:
    """Per-layer reconstruction metrics (``evaluation.reconstruction``) on the held-out activations,
    as the SAE runs at inference (``batchtopk`` through its threshold), and the decoder norms'
    spread for a free-norm trial. ``coefs`` are the L1 coefficients (0 without an L1 penalty)."""
    sums = ReconstructionSums(sae.n_layers, sae.d_sae)
    decoder_norms = sae.W_dec.norm(dim=-1)
    for begin in range(0, heldout.shape[1], chunk):
        x = heldout[:, begin : begin + chunk]
        out = sae(x, inference=True)
        sums.add(x, out.recon, out.feats, decoder_norms)
    measured = sums.metrics(l1_form, coefs, normalised=True)
    if l1_form == "decoder_norm_sum" and sae.activation.architecture == "relu":
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
        # Token counts are the host's own bookkeeping (Python ints): a step asks whether the
        # window is whole without waiting for the device.
        self.tokens = [0] * n_chunks
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

    def dead_bound(self, steps: int) -> int:
        """The most latents of any layer that can be dead at any of the next ``steps`` updates:
        a latent dead then has not fired in the chunks that will still be in the window (the
        current counts of those only grow), so this counts the latents with none there now.
        Read from the device once, it bounds ``dead_mask`` until then without another read."""
        n_chunks = len(self.tokens)
        first = self.chunk_steps - self.steps_in_slot  # updates until the next chunk starts
        rotations = 0 if steps <= first else 1 + (steps - first - 1) // self.chunk_steps
        if rotations >= n_chunks:
            return self.counts.shape[-1]
        dropped = {(self.slot + 1 + i) % n_chunks for i in range(rotations)}
        kept = [slot for slot in range(n_chunks) if slot not in dropped]
        silent = self.counts[kept].sum(0) == 0
        return int(silent.sum(-1).max())

    def dead_mask(self) -> torch.Tensor | None:
        """``[n_layers, d_sae]`` True for the latents that did not fire in the window, once the
        window has been seen whole; None before (no latent has had the chance: none is dead)."""
        if not all(self.tokens):
            return None
        return self.counts.sum(0) == 0

    def log_sparsity(self) -> torch.Tensor:
        """``[n_layers, d_sae]`` log10 firing frequency in the window (SAELens: + 1e-10)."""
        frequency = self.counts.sum(0).double().cpu() / max(sum(self.tokens), 1)
        return torch.log10(frequency + 1e-10).float()

    def state_dict(self) -> dict[str, object]:
        return {
            "counts": self.counts.cpu(),
            "tokens": torch.tensor(self.tokens, dtype=torch.int64),
            "slot": self.slot,
            "steps_in_slot": self.steps_in_slot,
        }

    def load_state_dict(self, state: dict[str, object]) -> None:
        counts, tokens = state["counts"], state["tokens"]
        assert isinstance(counts, torch.Tensor) and isinstance(tokens, torch.Tensor)
        self.counts.copy_(counts)
        self.tokens = [int(count) for count in tokens.tolist()]
        self.slot, self.steps_in_slot = int(str(state["slot"])), int(str(state["steps_in_slot"]))


def curve_rows(
    trial: str,
    layer_ids: list[int],
    step: int,
    tokens: int,
    terms: LossTerms,
    coefs: torch.Tensor,
    architecture: str = "relu",
) -> pd.DataFrame:
    """One ``curves.parquet`` row per layer for a logged step. ``loss`` is the objective the step
    minimised; ``coefs`` are the sparsity penalty's, reported as ``l1_coef`` for ``relu`` and as
    ``l0_coef`` (``l1_coef`` 0) for ``jumprelu``."""
    l1_coefs = coefs if architecture == "relu" else torch.zeros_like(coefs)
    frame = pd.DataFrame(
        {
            "trial": trial,
            "layer": layer_ids,
            "step": step,
            "tokens": tokens,
            "mse": terms.mse.tolist(),
            "l1": terms.l1.tolist(),
            "loss": terms.loss(coefs.to(terms.mse)).tolist(),
            "l0": terms.l0.tolist(),
            "l1_coef": l1_coefs.tolist(),
        }
    )
    if architecture == "jumprelu":
        frame["l0_coef"] = coefs.tolist()
    return ordered(frame, CURVES)
