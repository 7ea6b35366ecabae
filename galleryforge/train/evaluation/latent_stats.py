"""Per-latent statistics of one SAE in one streaming pass: firing, activation sizes, examples.

No activation is stored beyond the batch, so memory does not grow with the tokens counted
(``tokens``). Each latent keeps, over the counted tokens:

- how many fired (activation ≠ 0), the sum and the maximum of its activations;
- a running **top-N**: the N largest activations so far, each with a window of the context around
  it (``WINDOW_BEFORE`` tokens before, ``WINDOW_AFTER`` after) and the latent's activation on every
  token of the window; a batch's candidates are merged into the running list with one ``topk``;
- a **random sample** of ``n_random`` firing tokens, uniform over all the tokens it fired on
  (bottom-k sampling: each firing token draws a random key, the largest keys are kept), so they
  come from across its activation distribution, mostly below the top-N.

Tokens in a window that are not the SAE's input (special tokens) show activation 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

WINDOW_BEFORE = 12
WINDOW_AFTER = 4


@dataclass
class Examples:
    """``[n, d_sae]`` running examples (by score) and their ``[n, d_sae, window]`` windows."""

    score: torch.Tensor
    activation: torch.Tensor
    context: torch.Tensor
    position: torch.Tensor
    window_ids: torch.Tensor
    window_acts: torch.Tensor

    @classmethod
    def empty(cls, n: int, d_sae: int) -> Examples:
        width = WINDOW_BEFORE + 1 + WINDOW_AFTER
        return cls(
            torch.full((n, d_sae), -torch.inf),
            torch.zeros(n, d_sae),
            torch.full((n, d_sae), -1, dtype=torch.long),
            torch.full((n, d_sae), -1, dtype=torch.long),
            torch.full((n, d_sae, width), -1, dtype=torch.long),
            torch.zeros(n, d_sae, width),
        )

    def merged(self, other: Examples) -> Examples:
        """The ``len(self.score)`` highest scores of both, per latent."""
        n = len(self.score)
        both = [torch.cat(pair) for pair in zip(self.fields(), other.fields(), strict=True)]
        keep = both[0].topk(n, dim=0).indices
        return Examples(*(t.gather(0, _expanded(keep, t)) for t in both))

    def fields(self) -> tuple[torch.Tensor, ...]:
        return (
            self.score,
            self.activation,
            self.context,
            self.position,
            self.window_ids,
            self.window_acts,
        )


class LatentStats:
    def __init__(self, d_sae: int, top_n: int, n_random: int, seed: int = 0) -> None:
        self.tokens = 0
        self.fired = torch.zeros(d_sae, dtype=torch.float64)
        self.total = torch.zeros(d_sae, dtype=torch.float64)
        self.max = torch.zeros(d_sae)
        self.top = Examples.empty(top_n, d_sae)
        self.random = Examples.empty(n_random, d_sae)
        self._generator = torch.Generator().manual_seed(seed)

    @torch.no_grad()
    def add(
        self,
        feats: torch.Tensor,
        ids: torch.Tensor,
        counted: torch.Tensor,
        ordinary: torch.Tensor,
        first_context: int,
    ) -> None:
        """One batch: latents ``feats [batch, seq, d_sae]`` of contexts ``ids [batch, seq]``."""
        feats, ids, counted, ordinary = feats.cpu(), ids.cpu(), counted.cpu(), ordinary.cpu()
        where = counted.nonzero()  # [n, 2]: (context in batch, position)
        if len(where) == 0:
            return
        values = feats[where[:, 0], where[:, 1]]  # [n, d_sae]
        self.tokens += len(where)
        firing = values != 0
        self.fired += firing.sum(0, dtype=torch.float64)
        self.total += values.sum(0, dtype=torch.float64)
        self.max = torch.maximum(self.max, values.max(0).values)
        shown = feats * ordinary[..., None]
        top_score = torch.where(firing, values, -torch.inf)
        top = self._candidates(
            len(self.top.score), top_score, values, where, shown, ids, first_context
        )
        self.top = self.top.merged(top)
        keys = torch.rand(values.shape, generator=self._generator)
        random_score = torch.where(firing, keys, -torch.inf)
        self.random = self.random.merged(
            self._candidates(
                len(self.random.score), random_score, values, where, shown, ids, first_context
            )
        )

    @staticmethod
    def _candidates(
        n: int,
        score: torch.Tensor,
        values: torch.Tensor,
        where: torch.Tensor,
        shown: torch.Tensor,
        ids: torch.Tensor,
        first_context: int,
    ) -> Examples:
        best = score.topk(min(n, len(score)), dim=0)
        rows = best.indices  # [n, d_sae] into the counted tokens
        context, position = where[rows, 0], where[rows, 1]
        offsets = torch.arange(-WINDOW_BEFORE, WINDOW_AFTER + 1)
        window = position[..., None] + offsets  # [n, d_sae, width]
        inside = (window >= 0) & (window < ids.shape[1])
        clamped = window.clamp(0, ids.shape[1] - 1)
        batch_context = context[..., None].expand_as(window)
        latent = torch.arange(score.shape[1])[None, :, None].expand_as(window)
        window_acts = torch.where(inside, shown[batch_context, clamped, latent], 0.0)
        window_ids = torch.where(inside, ids[batch_context, clamped], -1)
        return Examples(
            best.values,
            values.gather(0, rows),
            context + first_context,
            position,
            window_ids,
            window_acts,
        )


def _expanded(index: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """``index [n, d_sae]`` broadcast over the trailing window axis of ``like``, if it has one."""
    return index if like.dim() == 2 else index[..., None].expand(-1, -1, like.shape[-1])
