"""The SAEs of one trial, every layer held as one stacked module so a step is a few batched matmuls.

Per layer (SAELens layout): ``W_enc [d_in, d_sae]``, ``b_enc [d_sae]``, ``W_dec [d_sae, d_in]``,
``b_dec [d_in]``; here each gets a leading layer axis. An encoder with a pre-encoder bias, its
activation the trial's ``architecture`` (``Activation``):

    pre = (x - b_dec) W_enc + b_enc,    f = act(pre),    x_hat = f W_dec + b_dec,

with act: ``relu`` ReLU(pre); ``topk`` the ``k`` largest entries of each token's pre, through a
ReLU, the rest 0 (Gao et al. 2024); ``batchtopk`` the ``k``·batch largest entries of the batch's
pre, through a ReLU (Bussmann et al. 2024), and at inference pre where pre > a threshold that the
held-out tokens set (``estimate_threshold``); ``jumprelu`` pre where pre > θ_i, a learnt threshold
per latent (θ = exp(``log_threshold``); Rajamanoharan et al. 2024).

Decoder vectors (rows of ``W_dec``) start at unit norm. Trials with the ``mean`` L1 keep them there
(``remove_parallel_grads`` before the optimizer step, ``normalize_decoder`` after it); trials with
the ``decoder_norm_sum`` L1 leave them free, and a saved checkpoint folds them into the encoder
(``training.checkpoint.fold_decoder_norms``). A rank that owns a subset of layers holds an SAE of
just those layers and is fed just their activations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import torch
from torch import nn

ARCHITECTURES = ("relu", "topk", "batchtopk", "jumprelu")
THRESHOLD_CHUNK = 1024
"""Held-out tokens whose pre-activations ``estimate_threshold`` computes at a time."""


@dataclass(frozen=True)
class Activation:
    """How pre-activations become latents (``TrialConfig``'s fields of the same names)."""

    architecture: str = "relu"
    k: int = 0
    """``topk``: latents kept per token; ``batchtopk``: per token on average over the batch."""
    bandwidth: float = 0.0
    """``jumprelu``: width ε of the straight-through estimator's rectangle kernel."""
    threshold_init: float = 0.0
    """``jumprelu``: every latent's starting threshold."""


class SAEOutput(NamedTuple):
    recon: torch.Tensor
    """``[n_layers, batch, d_in]`` reconstruction."""
    feats: torch.Tensor
    """``[n_layers, batch, d_sae]`` latent activations (non-negative)."""
    l0: torch.Tensor | None = None
    """``[n_layers]`` mean active latents per token; for ``jumprelu`` its straight-through
    gradient reaches the thresholds (the L0 penalty's only path)."""


class StackedSAE(nn.Module):
    log_threshold: nn.Parameter
    """``jumprelu`` only: ``[n_layers, d_sae]`` log of each latent's threshold."""
    threshold: torch.Tensor
    """``batchtopk`` only: ``[n_layers]`` the inference threshold (``estimate_threshold``)."""

    def __init__(
        self,
        layer_ids: list[int],
        d_in: int,
        d_sae: int,
        generator: torch.Generator | None = None,
        *,
        seed: int | None = None,
        activation: Activation | None = None,
    ) -> None:
        """Random unit decoder rows from ``generator``, or, given ``seed``, each layer's from its
        own generator seeded with ``(seed, layer)``: a layer then starts the same whichever layers
        share its module (all of them in one process, a rank's share in a distributed run)."""
        super().__init__()
        self.layer_ids = list(layer_ids)
        self.d_in, self.d_sae = d_in, d_sae
        self.activation = activation = activation or Activation()
        n = len(layer_ids)
        if seed is None:
            w_dec = torch.randn(n, d_sae, d_in, generator=generator)
        else:
            w_dec = torch.stack([_layer_init(seed, layer, d_sae, d_in) for layer in layer_ids])
        w_dec /= w_dec.norm(dim=-1, keepdim=True)
        # Encoder initialised as the decoder's transpose: latents start near their directions.
        self.W_enc = nn.Parameter(w_dec.transpose(1, 2).contiguous())
        self.b_enc = nn.Parameter(torch.zeros(n, d_sae))
        self.W_dec = nn.Parameter(w_dec)
        self.b_dec = nn.Parameter(torch.zeros(n, d_in))
        # Registered only where used, so a relu SAE's parameters, optimizer state and resume file
        # are what they were before the other architectures existed.
        if activation.architecture == "jumprelu":
            start = math.log(activation.threshold_init)
            self.log_threshold = nn.Parameter(torch.full((n, d_sae), start))
        if activation.architecture == "batchtopk":
            self.register_buffer("threshold", torch.zeros(n))

    @property
    def n_layers(self) -> int:
        return len(self.layer_ids)

    def forward(self, x: torch.Tensor, *, inference: bool = False) -> SAEOutput:
        """``inference``: ``batchtopk`` applies its estimated threshold instead of the batch's
        top k·batch (a token's latents then do not depend on the rest of its batch)."""
        rule, threshold = self.activation, None
        if rule.architecture == "jumprelu":
            threshold = self.log_threshold.exp()
        elif rule.architecture == "batchtopk" and inference:
            threshold = self.threshold[:, None].expand(-1, self.d_sae)
        recon, feats, l0 = _SAEStep.apply(
            x, self.W_enc, self.b_enc, self.W_dec, self.b_dec, threshold, rule
        )
        return SAEOutput(recon, feats, l0 if l0.numel() else None)

    @torch.no_grad()
    def estimate_threshold(self, x: torch.Tensor, chunk: int = THRESHOLD_CHUNK) -> None:
        """``batchtopk``: each layer's threshold, the (k·tokens + 1)-th largest pre-activation over
        ``x`` ``[n_layers, tokens, d_in]``: a latent fires where pre > threshold, so at inference
        the mean L0 on ``x`` is ``k`` (ties apart). The largest so far are merged with each chunk's
        pre-activations, exactly, so every pre-activation is never held at once (at full scale,
        24 layers × 16,384 tokens × 32,768 latents would be 48 GiB)."""
        kept = self.activation.k * x.shape[1] + 1
        best: torch.Tensor | None = None
        for b in range(0, x.shape[1], chunk):
            pre = torch.baddbmm(
                self.b_enc[:, None], x[:, b : b + chunk] - self.b_dec[:, None], self.W_enc
            ).flatten(1)
            pool = pre if best is None else torch.cat([best, pre], dim=1)
            del pre  # before the next chunk's: one chunk of pre-activations at a time
            best = pool.topk(min(kept, pool.shape[1]), dim=-1, sorted=False).values
            del pool
        assert best is not None, "no held-out tokens"
        self.threshold.copy_(best.min(dim=-1).values.clamp_min(0))

    def thresholds(self) -> torch.Tensor | None:
        """``[n_layers, d_sae]`` the threshold of each latent at inference (``jumprelu``,
        ``batchtopk``), else None."""
        if self.activation.architecture == "jumprelu":
            return self.log_threshold.detach().exp()
        if self.activation.architecture == "batchtopk":
            return self.threshold[:, None].expand(-1, self.d_sae)
        return None

    @torch.no_grad()
    def decoder_norms(self) -> torch.Tensor:
        """``[n_layers, d_sae]`` norm of each latent's decoder row."""
        return self.W_dec.norm(dim=-1)

    @torch.no_grad()
    def normalize_decoder(self) -> None:
        self.W_dec.div_(self.W_dec.norm(dim=-1, keepdim=True))

    @torch.no_grad()
    def remove_parallel_grads(self) -> None:
        """Drop the gradient component along each (unit) decoder row: it only changes the norm."""
        grad = self.W_dec.grad
        if grad is None:
            return
        parallel = torch.linalg.vecdot(grad, self.W_dec)[..., None]
        grad.addcmul_(parallel, self.W_dec, value=-1.0)

    def layer_state(self, index: int) -> dict[str, torch.Tensor]:
        """One layer's weights (SAELens names and shapes), as contiguous CPU tensors."""
        return {
            name: getattr(self, name)[index].detach().cpu().contiguous()
            for name in ("W_enc", "b_enc", "W_dec", "b_dec")
        }

    @torch.no_grad()
    def load_layer_state(self, index: int, state: dict[str, torch.Tensor]) -> None:
        for name, value in state.items():
            getattr(self, name)[index].copy_(value)


class _SAEStep(torch.autograd.Function):
    """The SAE's forward and a hand-written backward: fewer passes over the latents than autograd.

    ``b_dec``'s gradient needs only the batch sum of the encoder input's gradient,
    ``(Σ_tokens g_pre) W_encᵀ``, a matrix-vector product, so unless ``x`` wants a gradient the step
    does five full-size matmuls, not six. Under autocast the centred input and the weights are cast
    once here and saved cast, as autograd would save them, so the backward runs in that precision
    with no autocast of its own, on whichever device autocasts.

    Every activation is zero wherever a latent is off and equal to ``pre`` wherever it is on, so
    one rule gives ``pre``'s gradient for all of them: the latents' gradient where f > 0. A
    threshold's gradient is the straight-through estimate of Rajamanoharan et al. (2024, eq. 11-12)
    with a rectangle kernel K of width ε: ∂f_i/∂θ_i ≈ −(θ_i/ε)·K((pre_i − θ_i)/ε) and, for the L0,
    ∂H(pre_i − θ_i)/∂θ_i ≈ −(1/ε)·K((pre_i − θ_i)/ε).
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        w_enc: torch.Tensor,
        b_enc: torch.Tensor,
        w_dec: torch.Tensor,
        b_dec: torch.Tensor,
        threshold: torch.Tensor | None,
        rule: Activation,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        centred = x - b_dec[:, None]
        if torch.is_autocast_enabled(x.device.type):
            dtype = torch.get_autocast_dtype(x.device.type)
            centred, w_enc, w_dec = centred.to(dtype), w_enc.to(dtype), w_dec.to(dtype)
        pre = torch.baddbmm(b_enc[:, None], centred, w_enc)
        learnt = threshold is not None and threshold.requires_grad
        if threshold is not None:
            feats = pre * (pre > threshold[:, None].to(pre.dtype))
        elif rule.architecture == "topk":
            top = pre.topk(rule.k, dim=-1)
            feats = torch.zeros_like(pre).scatter_(-1, top.indices, top.values.clamp_min(0))
        elif rule.architecture == "batchtopk":
            flat = pre.flatten(1)
            top = flat.topk(rule.k * pre.shape[1], dim=-1)
            feats = torch.zeros_like(flat).scatter_(-1, top.indices, top.values.clamp_min(0))
            feats = feats.view_as(pre)
        else:
            feats = pre.clamp_min_(0)
        recon = torch.baddbmm(b_dec[:, None], feats, w_dec)
        # The differentiable L0 only where a threshold learns from it (the metrics count L0 from
        # the latents themselves). Latents are never negative, so sign(f) is the 0/1 firing mask;
        # the fp32 sum stays exact under bf16 autocast (a bf16 one would not past 256).
        l0 = feats.new_zeros(0, dtype=torch.float32)
        if learnt:
            l0 = torch.sign(feats).sum(dim=(1, 2), dtype=torch.float32) / feats.shape[1]
        ctx.learnt = learnt
        ctx.bandwidth = rule.bandwidth
        # An output the loss does not use gets no gradient buffer (torch would fill one with
        # zeros): the latents of every architecture but relu, whose L1 hands back a broadcast view.
        ctx.set_materialize_grads(False)
        if learnt:
            assert threshold is not None
            ctx.save_for_backward(centred, feats, w_enc, w_dec, pre, threshold)
        else:
            ctx.save_for_backward(centred, feats, w_enc, w_dec)
        return recon, feats, l0

    @staticmethod
    def backward(
        ctx: Any,
        grad_recon: torch.Tensor | None,
        grad_feats: torch.Tensor | None,
        grad_l0: torch.Tensor | None,
    ) -> tuple[Any, ...]:
        centred, feats, w_enc, w_dec, *jump = ctx.saved_tensors
        if grad_recon is None:  # the reconstruction unused: its gradient is zero
            grad_recon = feats.new_zeros(*feats.shape[:2], w_dec.shape[-1])
        grad_pre = torch.bmm(grad_recon, w_dec.transpose(1, 2))
        if grad_feats is not None:
            grad_pre.add_(grad_feats)
        grad_threshold = None
        if ctx.learnt:
            pre, threshold = jump
            theta = threshold[:, None].to(pre.dtype)
            window = ((pre - theta).abs() < ctx.bandwidth / 2).to(grad_pre.dtype)
            if grad_l0 is None:
                grad_l0 = threshold.new_zeros(len(threshold), dtype=torch.float32)
            per_token = grad_l0[:, None, None].to(grad_pre.dtype) / pre.shape[1]
            grad_threshold = -(window * (theta * grad_pre + per_token)).sum(1) / ctx.bandwidth
            grad_threshold = grad_threshold.to(threshold.dtype)
        # The activation's backward (zero where f = 0): autograd's ReLU kernel, in place, one
        # latent buffer fewer.
        torch.ops.aten.threshold_backward.grad_input(grad_pre, feats, 0, grad_input=grad_pre)
        grad_w_dec = torch.bmm(feats.transpose(1, 2), grad_recon)
        grad_w_enc = torch.bmm(centred.transpose(1, 2), grad_pre)
        grad_b_enc = grad_pre.sum(1)
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_x = torch.bmm(grad_pre, w_enc.transpose(1, 2))
            grad_centred_sum = grad_x.sum(1)
        else:
            grad_centred_sum = torch.bmm(grad_b_enc[:, None], w_enc.transpose(1, 2))[:, 0]
        grad_b_dec = grad_recon.sum(1) - grad_centred_sum
        return grad_x, grad_w_enc, grad_b_enc, grad_w_dec, grad_b_dec, grad_threshold, None


def _layer_init(seed: int, layer: int, d_sae: int, d_in: int) -> torch.Tensor:
    return torch.randn(d_sae, d_in, generator=torch.Generator().manual_seed(seed * 2**20 + layer))
