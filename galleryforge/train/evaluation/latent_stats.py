"""Per-latent statistics of one SAE in one streaming pass: firing, activation sizes, examples.

No activation is stored beyond the batch, so memory does not grow with the tokens counted
(``tokens``). Each latent keeps, over the counted tokens:

- how many fired (activation ≠ 0), the sum and the maximum of its activations;
- a running **top-N**: the N largest activations so far, each with a window of the context around
  it (``WINDOW_BEFORE`` tokens before, ``WINDOW_AFTER`` after) and the latent's activation on every
  token of the window; a batch's candidates are merged into the running list with one ``topk``;
- a **random sample** of ``n_random`` firing tokens, uniform over all the tokens it fired on
  (bottom-k sampling: each firing token draws a random key, the largest keys are kept), so they
  come from across its activation distribution, mostly below the top-N;
- **activation bins** (SAEDashboard's "quantile groups"): its positive activations split into
  bins of equal width w = 2^⌈log₂ max⌉ / ``BIN_DIVISIONS``, the bin (j·w, (j + 1)·w], and
  ``per_bin`` tokens drawn uniformly from each: the smallest keys in the bin, of the same keys
  whose largest pick the random sample (so the two rarely repeat a token, and the draws do not
  depend on how many other tokens fired, which float rounding can change). The
  width comes from the running max, rounded up to a power of two: when the max passes it, w
  doubles and each new bin is exactly two old ones, so the kept draws of the two merge into an
  exact uniform draw of the new bin (bottom-k samples of disjoint sets merge exactly). No token
  is kept beyond the draws, and the bins are fixed by the final max: 5 to 8 of them (the max lies
  in (4·w, 8·w]) cover (0, max], the top one ending at the max.

Tokens in a window that are not the SAE's input (special tokens) show activation 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

WINDOW_BEFORE = 12
WINDOW_AFTER = 4
BIN_DIVISIONS = 8
"""w = 2^⌈log₂ max⌉ / 8: a power of two, so a bin's edges and an activation's bin are exact in
floating point, and a doubling of w merges whole bins."""
PER_BIN = 3


def bin_width(max_activation: torch.Tensor) -> torch.Tensor:
    """w = 2^⌈log₂ max⌉ / ``BIN_DIVISIONS`` per latent; 0 where the max is not positive."""
    mantissa, exponent = torch.frexp(max_activation)
    # frexp: max = m·2^e with m in [0.5, 1), so ⌈log₂ max⌉ is e, or e − 1 when m is 0.5 exactly.
    exponent = exponent - (mantissa == 0.5).to(exponent.dtype)
    width = torch.ldexp(torch.ones_like(max_activation), exponent) / BIN_DIVISIONS
    return torch.where(max_activation > 0, width, torch.zeros_like(width))


def bin_index(activation: torch.Tensor, width: torch.Tensor) -> torch.Tensor:
    """j of the bin (j·w, (j + 1)·w] holding each positive ``activation``."""
    return (torch.ceil(activation / width) - 1).long().clamp(0, BIN_DIVISIONS - 1)


def bin_edges(
    activation: torch.Tensor, max_activation: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(low, high] of the bin of each positive ``activation`` of a latent whose max is
    ``max_activation`` (same shape): the top bin ends at the max."""
    width = bin_width(max_activation)
    j = bin_index(activation, width).to(activation.dtype)
    return j * width, torch.minimum((j + 1) * width, max_activation)


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

    def clear(self, latents: torch.Tensor) -> None:
        """Empty every slot of the latents where ``latents`` (a ``[d_sae]`` mask) holds."""
        self.score[:, latents] = -torch.inf
        self.activation[:, latents] = 0.0
        self.context[:, latents] = -1
        self.position[:, latents] = -1
        self.window_ids[:, latents] = -1
        self.window_acts[:, latents] = 0.0

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
    def __init__(
        self, d_sae: int, top_n: int, n_random: int, seed: int = 0, per_bin: int = PER_BIN
    ) -> None:
        self.tokens = 0
        self.fired = torch.zeros(d_sae, dtype=torch.float64)
        self.total = torch.zeros(d_sae, dtype=torch.float64)
        self.max = torch.zeros(d_sae)
        self.top = Examples.empty(top_n, d_sae)
        self.random = Examples.empty(n_random, d_sae)
        self.per_bin = per_bin
        self.bins = Examples.empty(BIN_DIVISIONS * per_bin, d_sae)
        """Slot j·per_bin + r holds draw r of bin j (under the current width); score is its key,
        the smallest kept."""
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
        if self.per_bin:
            self._add_bins(values, keys, where, shown, ids, first_context)

    def _add_bins(
        self,
        values: torch.Tensor,
        keys: torch.Tensor,
        where: torch.Tensor,
        shown: torch.Tensor,
        ids: torch.Tensor,
        first_context: int,
    ) -> None:
        """Merge the batch's positive activations (as (token, latent) entries, so the work follows
        the firing tokens, not tokens × latents) into the kept draws, bin by bin, in place: only
        the latents that fired in the batch are rewritten."""
        rows, latents = (values > 0).nonzero(as_tuple=True)
        if len(rows) == 0:  # no new draw, and the max (so every bin) is as it was
            return
        bins = self.bins
        width = bin_width(self.max)  # the max already holds this batch
        drawn = keys[rows, latents]
        touched = torch.zeros(len(width), dtype=torch.bool)
        touched[latents] = True
        kept = (torch.isfinite(bins.score) & touched).nonzero(as_tuple=True)
        latent = torch.cat([kept[1], latents])
        activation = torch.cat([bins.activation[kept], values[rows, latents]])
        key = torch.cat([bins.score[kept], drawn])
        group = latent * BIN_DIVISIONS + bin_index(activation, width[latent])
        # By bin, then by key (in [0, 1)): one sort ranks every bin's entries at once.
        order = torch.sort(group.double() + key.double(), stable=True).indices
        group, latent = group[order], latent[order]
        starts = torch.ones(len(group), dtype=torch.bool)
        starts[1:] = group[1:] != group[:-1]
        positions = torch.arange(len(group))
        rank = positions - torch.where(starts, positions, 0).cummax(0).values
        keep = rank < self.per_bin
        slot = (group % BIN_DIVISIONS) * self.per_bin + rank
        from_kept = order < len(kept[0])
        old = keep & from_kept
        source = (kept[0][order[old]], kept[1][order[old]])
        carried = [field[source] for field in bins.fields()]
        bins.clear(touched)
        for field, values_kept in zip(bins.fields(), carried, strict=True):
            field[slot[old], latent[old]] = values_kept
        new = keep & ~from_kept
        entry = order[new] - len(kept[0])
        row, lat = rows[entry], latents[entry]
        context, position = where[row, 0], where[row, 1]
        window_ids, window_acts = _windows(context, position, lat, shown, ids)
        taken = (slot[new], lat)
        bins.score[taken] = drawn[entry]
        bins.activation[taken] = values[row, lat]
        bins.context[taken] = context + first_context
        bins.position[taken] = position
        bins.window_ids[taken] = window_ids
        bins.window_acts[taken] = window_acts

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
        latent = torch.arange(score.shape[1])[None, :].expand_as(rows)
        window_ids, window_acts = _windows(context, position, latent, shown, ids)
        return Examples(
            best.values,
            values.gather(0, rows),
            context + first_context,
            position,
            window_ids,
            window_acts,
        )


def _windows(
    context: torch.Tensor,
    position: torch.Tensor,
    latent: torch.Tensor,
    shown: torch.Tensor,
    ids: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The token ids and ``latent``'s activations of the window around each (``context`` in the
    batch, ``position``): index tensors of one shape, windows on a new trailing axis; -1 and 0
    where the window runs past the context."""
    offsets = torch.arange(-WINDOW_BEFORE, WINDOW_AFTER + 1)
    window = position[..., None] + offsets
    inside = (window >= 0) & (window < ids.shape[1])
    clamped = window.clamp(0, ids.shape[1] - 1)
    batch_context = context[..., None].expand_as(window)
    latent = latent[..., None].expand_as(window)
    window_acts = torch.where(inside, shown[batch_context, clamped, latent], 0.0)
    window_ids = torch.where(inside, ids[batch_context, clamped], -1)
    return window_ids, window_acts


def _expanded(index: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """``index [n, d_sae]`` broadcast over the trailing window axis of ``like``, if it has one."""
    return index if like.dim() == 2 else index[..., None].expand(-1, -1, like.shape[-1])
