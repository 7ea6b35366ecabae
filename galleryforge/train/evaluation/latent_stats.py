"""Per-latent statistics of one SAE in one streaming pass: firing, activation sizes, examples.

No activation is stored beyond the batch, so memory does not grow with the tokens counted
(``tokens``). Each latent keeps, over the counted tokens:

- how many fired (activation ≠ 0), the sum and the maximum of its activations;
- a running **top-N**: the N largest activations so far, each with a window of the context around
  it (``WINDOW_BEFORE`` tokens before, ``WINDOW_AFTER`` after) and the latent's activation on every
  token of the window;
- a **random sample** of ``n_random`` firing tokens, uniform over all the tokens it fired on
  (bottom-k sampling: each firing token draws a random key, the largest keys are kept), so they
  come from across its activation distribution, mostly below the top-N.

A batch is read as its firing entries (token, latent, activation) alone, not as the dense
``[tokens, d_sae]`` block: SAEs are sparse, so this is a few percent of it. Of those, only entries
that beat a latent's current N-th best score (activation, or random key) can enter its lists; they
are ranked per latent with one integer sort and merged into the lists of the latents they touch.

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

    def absorb(self, latents: torch.Tensor, other: Examples) -> None:
        """Merge ``other``, the examples of the columns ``latents`` alone, into these lists (the
        other columns are not touched, so a batch costs what it brings)."""
        mine = Examples(*(t[:, latents] for t in self.fields()))
        for field, merged in zip(self.fields(), mine.merged(other).fields(), strict=True):
            field[:, latents] = merged

    def fields(self) -> tuple[torch.Tensor, ...]:
        return (
            self.score,
            self.activation,
            self.context,
            self.position,
            self.window_ids,
            self.window_acts,
        )


@dataclass
class _Batch:
    """One batch's firing entries: flat token index (context · seq + position), latent,
    activation; and what a window reads."""

    token: torch.Tensor
    latent: torch.Tensor
    activation: torch.Tensor
    feats: torch.Tensor
    ids: torch.Tensor
    ordinary: torch.Tensor
    first_context: int


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
        d_sae = feats.shape[-1]
        tokens = int(counted.sum())
        if tokens == 0:
            return
        self.tokens += tokens
        context, position, latent = feats.nonzero(as_tuple=True)
        fired_counted = counted[context, position]
        if not bool(fired_counted.all()):
            context, position, latent = (t[fired_counted] for t in (context, position, latent))
        activation = feats[context, position, latent]
        token = context * feats.shape[1] + position
        batch = _Batch(token, latent, activation, feats, ids, ordinary, first_context)
        self.fired += torch.bincount(latent, minlength=d_sae).double()
        self.total.index_add_(0, latent, activation.double())
        self.max.scatter_reduce_(0, latent, activation, "amax")
        self.top.absorb(*_candidates(self.top, batch, activation))
        keys = torch.rand(len(latent), generator=self._generator)
        self.random.absorb(*_candidates(self.random, batch, keys))


def _candidates(
    running: Examples, batch: _Batch, score: torch.Tensor
) -> tuple[torch.Tensor, Examples]:
    """The batch's entries that can enter ``running`` by ``score``: per latent, the best
    ``len(running.score)`` of those above its current worst; returned as the latents they touch
    and their examples, one column each."""
    n = len(running.score)
    better = (score > running.score[-1][batch.latent]).nonzero().squeeze(1)
    latent, score = batch.latent[better], score[better]
    order = _by_latent_best_first(latent, score)
    latent, score = latent[order], score[order]
    first = _starts(latent)
    rank = torch.arange(len(latent)) - _repeat_starts(first, len(latent))
    keep = rank < n
    entry, slot = better[order[keep]], rank[keep]
    column = (first.cumsum(0) - 1)[keep]
    latents, latent = latent[first], latent[keep]
    seq = batch.ids.shape[1]
    token = batch.token[entry]
    context, position = token // seq, token % seq
    window = position[:, None] + torch.arange(-WINDOW_BEFORE, WINDOW_AFTER + 1)
    inside = (window >= 0) & (window < seq)
    clamped = window.clamp(0, seq - 1)
    in_context = context[:, None].expand_as(window)
    acts = batch.feats[in_context, clamped, latent[:, None]] * batch.ordinary[in_context, clamped]
    out = Examples.empty(n, len(latents))
    out.score[slot, column] = score[keep]
    out.activation[slot, column] = batch.activation[entry]
    out.context[slot, column] = context + batch.first_context
    out.position[slot, column] = position
    out.window_ids[slot, column] = torch.where(inside, batch.ids[in_context, clamped], -1)
    out.window_acts[slot, column] = torch.where(inside, acts, 0.0)
    return latents, out


def _by_latent_best_first(latent: torch.Tensor, score: torch.Tensor) -> torch.Tensor:
    """The order of entries by latent, then by score, largest first, with one integer sort (a
    float sort of millions of entries is several times slower): the score's float32 bits mapped
    to integers that keep its order, inverted, below the latent."""
    bits = score.float().view(torch.int32).long()
    ordered = torch.where(bits >= 0, bits, -(bits & 0x7FFFFFFF) - 1)  # monotone in the score
    return ((latent.long() << 33) | (2**31 - ordered)).argsort(stable=True)


def _starts(groups: torch.Tensor) -> torch.Tensor:
    """Where each run of equal values of the sorted ``groups`` starts (a mask)."""
    first = torch.ones(len(groups), dtype=torch.bool)
    first[1:] = groups[1:] != groups[:-1]
    return first


def _repeat_starts(first: torch.Tensor, length: int) -> torch.Tensor:
    """For every entry, the index its run starts at."""
    starts = first.nonzero().squeeze(1)
    return starts.repeat_interleave(torch.diff(starts, append=torch.tensor([length])))


def _expanded(index: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """``index [n, d_sae]`` broadcast over the trailing window axis of ``like``, if it has one."""
    return index if like.dim() == 2 else index[..., None].expand(-1, -1, like.shape[-1])
