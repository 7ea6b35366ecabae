"""The SAEs of one trial, every layer held as one stacked module so a step is a few batched matmuls.

Per layer (SAELens layout): ``W_enc [d_in, d_sae]``, ``b_enc [d_sae]``, ``W_dec [d_sae, d_in]``,
``b_dec [d_in]``; here each gets a leading layer axis. ReLU encoder with a pre-encoder bias:

    f = ReLU((x - b_dec) W_enc + b_enc),    x_hat = f W_dec + b_dec.

Decoder vectors (rows of ``W_dec``) start at unit norm. Trials with the ``mean`` L1 keep them there
(``remove_parallel_grads`` before the optimizer step, ``normalize_decoder`` after it); trials with
the ``decoder_norm_sum`` L1 leave them free, and a saved checkpoint folds them into the encoder
(``training.checkpoint.fold_decoder_norms``). A rank that owns a subset of layers holds an SAE of
just those layers and is fed just their activations.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
from torch import nn


class SAEOutput(NamedTuple):
    recon: torch.Tensor
    """``[n_layers, batch, d_in]`` reconstruction."""
    feats: torch.Tensor
    """``[n_layers, batch, d_sae]`` latent activations (non-negative)."""


class StackedSAE(nn.Module):
    def __init__(
        self,
        layer_ids: list[int],
        d_in: int,
        d_sae: int,
        generator: torch.Generator | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        """Random unit decoder rows from ``generator``, or, given ``seed``, each layer's from its
        own generator seeded with ``(seed, layer)``: a layer then starts the same whichever layers
        share its module (all of them in one process, a rank's share in a distributed run)."""
        super().__init__()
        self.layer_ids = list(layer_ids)
        self.d_in, self.d_sae = d_in, d_sae
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

    @property
    def n_layers(self) -> int:
        return len(self.layer_ids)

    def forward(self, x: torch.Tensor) -> SAEOutput:
        recon, feats = _SAEStep.apply(x, self.W_enc, self.b_enc, self.W_dec, self.b_dec)
        return SAEOutput(recon, feats)

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
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        w_enc: torch.Tensor,
        b_enc: torch.Tensor,
        w_dec: torch.Tensor,
        b_dec: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        centred = x - b_dec[:, None]
        if torch.is_autocast_enabled(x.device.type):
            dtype = torch.get_autocast_dtype(x.device.type)
            centred, w_enc, w_dec = centred.to(dtype), w_enc.to(dtype), w_dec.to(dtype)
        feats = torch.baddbmm(b_enc[:, None], centred, w_enc).clamp_min_(0)
        recon = torch.baddbmm(b_dec[:, None], feats, w_dec)
        ctx.save_for_backward(centred, feats, w_enc, w_dec)
        return recon, feats

    @staticmethod
    def backward(
        ctx: Any, grad_recon: torch.Tensor, grad_feats: torch.Tensor
    ) -> tuple[torch.Tensor | None, ...]:
        centred, feats, w_enc, w_dec = ctx.saved_tensors
        grad_pre = torch.bmm(grad_recon, w_dec.transpose(1, 2)).add_(grad_feats)
        # ReLU's backward (zero where f = 0): autograd's kernel, in place, one latent buffer fewer.
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
        return grad_x, grad_w_enc, grad_b_enc, grad_w_dec, grad_b_dec


def _layer_init(seed: int, layer: int, d_sae: int, d_in: int) -> torch.Tensor:
    return torch.randn(d_sae, d_in, generator=torch.Generator().manual_seed(seed * 2**20 + layer))
