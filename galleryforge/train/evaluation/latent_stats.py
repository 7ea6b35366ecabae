"""Per-latent statistics of one SAE in one streaming pass: firing, activation sizes, examples.

No activation is stored beyond the batch, so memory does not grow with the tokens counted
(``tokens``). Each latent keeps, over the counted tokens:

- how many fired (activation ≠ 0), the sum and the maximum of its activations;
- a running **top-N**: the N largest activations so far, each with a window of the context around
  it (``WINDOW_BEFORE`` tokens before, ``WINDOW_AFTER`` after) and the latent's activation on every
  token of the window;
- a **random sample** of ``n_random`` firing tokens, uniform over all the tokens it fired on
  (bottom-k sampling: each firing token draws a random key, the largest keys are kept), so they
  come from across its activation distribution, mostly below the top-N;
- **activation bins** (SAEDashboard's "quantile groups"): its positive activations split into
  bins of equal width w = 2^⌈log₂ max⌉ / ``BIN_DIVISIONS``, the bin (j·w, (j + 1)·w], and
  ``per_bin`` tokens drawn uniformly from each: the smallest keys in the bin, of the same keys
  whose largest pick the random sample (so the two rarely repeat a token). The width comes from
  the running max, rounded up to a power of two: when the max passes it, w doubles and each new
  bin is exactly two old ones, so the kept draws of the two merge into an exact uniform draw of
  the new bin (bottom-k samples of disjoint sets merge exactly). No token is kept beyond the
  draws, and the bins are fixed by the final max: 5 to 8 of them (the max lies in (4·w, 8·w])
  cover (0, max], the top one ending at the max.

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

    def absorb(self, latents: torch.Tensor, other: Examples) -> None:
        """Merge ``other``, the examples of the columns ``latents`` alone, into these lists (the
        other columns are not touched, so a batch costs what it brings)."""
        mine = Examples(*(t[:, latents] for t in self.fields()))
        for field, merged in zip(self.fields(), mine.merged(other).fields(), strict=True):
            field[:, latents] = merged

    def clear(self, latents: torch.Tensor) -> None:
        """Empty every slot of the columns ``latents``."""
        for field, empty in zip(self.fields(), Examples.empty(1, 1).fields(), strict=True):
            field[:, latents] = empty.reshape(-1)[0]

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
        old_width = bin_width(self.max)
        self.max.scatter_reduce_(0, latent, activation, "amax")
        self.top.absorb(*_candidates(self.top, batch, activation))
        keys = torch.rand(len(latent), generator=self._generator)
        self.random.absorb(*_candidates(self.random, batch, keys))
        if self.per_bin:
            self._add_bins(batch, keys, old_width)

    def _add_bins(self, batch: _Batch, keys: torch.Tensor, old_width: torch.Tensor) -> None:
        """Merge the batch's positive activations into the kept draws, bin by bin. An entry can
        enter only if its bin is not full or its key is below the bin's largest kept one (or the
        latent's width changed, which regroups its bins); the kept draws of the latents entered
        are regrouped with them under the new width, ranked by key, and written back."""
        bins, per = self.bins, self.per_bin
        d_sae = bins.score.shape[1]
        width = bin_width(self.max)
        kept_keys = bins.score.view(BIN_DIVISIONS, per, d_sae)
        limit = torch.where(
            torch.isfinite(kept_keys).all(1), kept_keys.amax(1), torch.inf
        )  # [bins, d_sae]
        latent = batch.latent
        j = bin_index(batch.activation, width[latent])
        changed = width != old_width
        could = (batch.activation > 0) & (changed[latent] | (keys < limit[j, latent]))
        entry = could.nonzero().squeeze(1)
        if len(entry) == 0:
            return
        touched = torch.zeros(d_sae, dtype=torch.bool)
        touched[latent[entry]] = True
        kept_slot, kept_latent = (torch.isfinite(bins.score) & touched).nonzero(as_tuple=True)
        n_kept = len(kept_slot)
        every_latent = torch.cat([kept_latent, latent[entry]])
        activation = torch.cat([bins.activation[kept_slot, kept_latent], batch.activation[entry]])
        key = torch.cat([bins.score[kept_slot, kept_latent], keys[entry]])
        group = every_latent * BIN_DIVISIONS + bin_index(activation, width[every_latent])
        order = _grouped_order(group, key, largest_first=False)
        group = group[order]
        first = _starts(group)
        rank = torch.arange(len(group)) - _repeat_starts(first, len(group))
        keep = rank < per
        slot = (group % BIN_DIVISIONS) * per + rank
        chosen_latent = group // BIN_DIVISIONS
        old = keep & (order < n_kept)
        source = (kept_slot[order[old]], kept_latent[order[old]])
        carried = [field[source] for field in bins.fields()]
        bins.clear(touched)
        for field, values in zip(bins.fields(), carried, strict=True):
            field[slot[old], chosen_latent[old]] = values
        new = keep & (order >= n_kept)
        fresh = entry[order[new] - n_kept]
        taken = (slot[new], chosen_latent[new])
        context, position, window_ids, window_acts = _windows(batch, fresh, latent[fresh])
        bins.score[taken] = keys[fresh]
        bins.activation[taken] = batch.activation[fresh]
        bins.context[taken] = context + batch.first_context
        bins.position[taken] = position
        bins.window_ids[taken] = window_ids
        bins.window_acts[taken] = window_acts


def _candidates(
    running: Examples, batch: _Batch, score: torch.Tensor
) -> tuple[torch.Tensor, Examples]:
    """The batch's entries that can enter ``running`` by ``score``: per latent, the best
    ``len(running.score)`` of those above its current worst; returned as the latents they touch
    and their examples, one column each."""
    n = len(running.score)
    better = (score > running.score[-1][batch.latent]).nonzero().squeeze(1)
    latent, score = batch.latent[better], score[better]
    order = _grouped_order(latent, score, largest_first=True)
    latent, score = latent[order], score[order]
    first = _starts(latent)
    rank = torch.arange(len(latent)) - _repeat_starts(first, len(latent))
    keep = rank < n
    entry, slot = better[order[keep]], rank[keep]
    column = (first.cumsum(0) - 1)[keep]
    latents, latent = latent[first], latent[keep]
    context, position, window_ids, window_acts = _windows(batch, entry, latent)
    out = Examples.empty(n, len(latents))
    out.score[slot, column] = score[keep]
    out.activation[slot, column] = batch.activation[entry]
    out.context[slot, column] = context + batch.first_context
    out.position[slot, column] = position
    out.window_ids[slot, column] = window_ids
    out.window_acts[slot, column] = window_acts
    return latents, out


def _windows(
    batch: _Batch, entry: torch.Tensor, latent: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """For the batch's firing ``entry``s: context in the batch, position, and the window's token
    ids and ``latent``'s activations (-1 and 0 where the window runs past the context)."""
    seq = batch.ids.shape[1]
    token = batch.token[entry]
    context, position = token // seq, token % seq
    window = position[:, None] + torch.arange(-WINDOW_BEFORE, WINDOW_AFTER + 1)
    inside = (window >= 0) & (window < seq)
    clamped = window.clamp(0, seq - 1)
    in_context = context[:, None].expand_as(window)
    acts = batch.feats[in_context, clamped, latent[:, None]] * batch.ordinary[in_context, clamped]
    window_ids = torch.where(inside, batch.ids[in_context, clamped], -1)
    return context, position, window_ids, torch.where(inside, acts, 0.0)


def _grouped_order(group: torch.Tensor, score: torch.Tensor, largest_first: bool) -> torch.Tensor:
    """The order of entries by group, then by score, with one integer sort (a float sort of
    millions of entries is several times slower): the score's float32 bits mapped to integers
    that keep its order, below the group."""
    bits = score.float().view(torch.int32).long()
    ordered = torch.where(bits >= 0, bits, -(bits & 0x7FFFFFFF) - 1)  # monotone in the score
    within = 2**31 - ordered if largest_first else ordered + 2**31
    return ((group.long() << 33) | within).argsort(stable=True)


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
