"""The SAEs of one trial, every layer held as one stacked module so a step is a few batched matmuls.

Per layer (SAELens layout): ``W_enc [d_in, d_sae]``, ``b_enc [d_sae]``, ``W_dec [d_sae, d_in]``,
``b_dec [d_in]``; here each gets a leading layer axis. ReLU encoder with a pre-encoder bias:

    f = ReLU((x - b_dec) W_enc + b_enc),    x_hat = f W_dec + b_dec.

Each latent's decoder vector (a row of ``W_dec``) is kept at unit norm: ``remove_parallel_grads``
before the optimizer step, ``normalize_decoder`` after it. A rank that owns a subset of layers holds
an SAE of just those layers and is fed just their activations.
"""

from __future__ import annotations

from typing import NamedTuple

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

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        pre = torch.baddbmm(self.b_enc[:, None, :], x - self.b_dec[:, None, :], self.W_enc)
        return torch.relu(pre)

    def decode(self, feats: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.b_dec[:, None, :], feats, self.W_dec)

    def forward(self, x: torch.Tensor) -> SAEOutput:
        feats = self.encode(x)
        return SAEOutput(self.decode(feats), feats)

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


def _layer_init(seed: int, layer: int, d_sae: int, d_in: int) -> torch.Tensor:
    return torch.randn(d_sae, d_in, generator=torch.Generator().manual_seed(seed * 2**20 + layer))
