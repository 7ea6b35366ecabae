"""Activations for SAE training: packed token contexts -> residual streams -> shuffled batches.

The contexts come from ``data.contexts`` (packed, each opening with BOS/CLS). Their first
position is never used: its residual stream is an outlier many times the usual norm. Nor are the
separators, or any other special token: no metric counts them and training skips them.

The held-out set is ``heldout_tokens`` activations drawn at random among the ordinary (not special)
tokens of the first buffer's worth of contexts, which are then not trained on; it also fixes one
scale per layer so that E‖x‖² = d_model on the normalised activations the SAEs see. Training
activations fill a buffer of ``buffer_tokens``, are shuffled, and are served in batches of
``batch_tokens``, so one step mixes many documents. The buffer is drained before it is refilled
(a last part-batch is skipped), which keeps the resume state small: where the buffer began in the
stream, the shuffling generator's state before its permutation, and how many batches were served.

With several ranks (``data.distributed``) every rank reads the whole stream but runs the model on
its share of each buffer's contexts (``r, r + N, ...``); the exchange hands each rank its layers of
every context, in stream order, so each rank's buffer, held-out set and batches are those of one
process restricted to its layers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.contexts import open_context_stream, special_ids
from galleryforge.train.data.distributed import Ranks
from galleryforge.train.data.model import LoadedModel, residual_streams
from galleryforge.train.data.source import Source


def heldout_rows(
    contexts: torch.Tensor, specials: torch.Tensor, n_tokens: int, generator: torch.Generator
) -> torch.Tensor:
    """The held-out sample: ``n_tokens`` positions drawn at random among the ordinary (not special)
    tokens of ``contexts`` ``[n, context_size]``, as sorted indices into their positions 1 onward
    flattened (row ``r`` is context ``r // (context_size - 1)``, position ``1 + r % (...)``)."""
    body = contexts[:, 1:].reshape(-1)
    order = torch.randperm(len(body), generator=generator)
    chosen = order[~torch.isin(body[order], specials)][:n_tokens]
    if len(chosen) < n_tokens:
        raise GalleryforgeError(
            f"config 'heldout_tokens' = {n_tokens}: the first buffer holds only {len(chosen)} "
            "ordinary tokens; lower heldout_tokens or raise buffer_tokens"
        )
    return chosen.sort().values


class ActivationSource:
    """Normalised residual-stream activations of this rank's layers (``ranks.layers``; every one of
    ``layers`` in one process): a held-out set and training batches."""

    def __init__(
        self,
        loaded: LoadedModel,
        cfg: Source,
        layers: list[int],
        device: torch.device,
        ranks: Ranks | None = None,
    ) -> None:
        self.ranks = (ranks or Ranks()).with_layers(layers)
        self.loaded, self.all_layers, self.device = loaded, layers, device
        self.layers = self.ranks.layers
        self.batch_tokens = cfg.batch_tokens
        # bf16 on CUDA halves the buffer (see docs/training.md); the SAE step autocasts anyway.
        self._dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
        self.model_batch = cfg.model_batch
        corpus, self._contexts = open_context_stream(cfg, loaded.tokenizer)
        self.corpus_name, self.corpus_sha256 = corpus.name, corpus.sha256
        self._per_context = per_context = cfg.context_size - 1
        self._consumed = 0  # contexts read from the stream so far
        self._buffer_contexts = math.ceil(cfg.buffer_tokens / per_context)
        self._generator = torch.Generator().manual_seed(cfg.seed)
        # Held out: a random sample of the first buffer's tokens. A few whole contexts would be a
        # few documents, and one long docstring or web page is no sample of the rest.
        self._specials = special_ids(loaded.tokenizer)
        contexts = self._read(self._buffer_contexts)
        first_buffer = self._embed(contexts)
        rows = heldout_rows(
            torch.stack(contexts), self._specials, cfg.heldout_tokens, self._generator
        )
        raw = first_buffer[:, rows.to(first_buffer.device)]
        self.scales = (loaded.d_model / raw.float().pow(2).sum(-1).mean(-1)).sqrt()
        self.heldout = raw.float() * self.scales[:, None, None]
        self.mean = self.heldout.mean(dim=1)  # each SAE's decoder bias starts here
        self._buffer_start = self._consumed
        self._generator_state = self._generator.get_state()
        self._served = 0
        self._buffer: torch.Tensor | None = None
        self._order = torch.empty(0, dtype=torch.long)

    @property
    def batches_per_buffer(self) -> int:
        """Whole batches in the current buffer (its ordinary tokens: special ones are skipped)."""
        return len(self._order) // self.batch_tokens

    def batches(self) -> Iterator[torch.Tensor]:
        """Endless training batches ``[n_layers, batch_tokens, d_model]``."""
        while True:
            if self._buffer is None or self._served >= self.batches_per_buffer:
                self._fill(self._consumed, self._generator.get_state())
            assert self._buffer is not None
            begin = self._served * self.batch_tokens
            rows = self._order[begin : begin + self.batch_tokens]
            self._served += 1
            yield self._buffer[:, rows].float()

    def state(self) -> dict[str, Any]:
        """Where the stream stands, for ``load_state`` in a resumed run."""
        return {
            "buffer_start": self._buffer_start,
            "generator_state": self._generator_state,
            "served": self._served,
            "scales": self.scales.cpu(),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        self._skip_to(int(state["buffer_start"]))
        self._fill(self._consumed, state["generator_state"])
        self._served = int(state["served"])

    def release(self) -> None:
        """Free the buffer and the held-out set once training is over (the final measurement
        reads its own text)."""
        self._buffer = None
        self._order = torch.empty(0, dtype=torch.long)
        layers, _, d = self.heldout.shape
        self.heldout = self.heldout.new_empty(layers, 0, d)

    def _fill(self, start: int, generator_state: torch.Tensor) -> None:
        self._buffer = None  # free the drained buffer before the next one is made
        self._skip_to(start)
        self._buffer_start, self._generator_state = start, generator_state
        # In place: the product is taken in fp32 and rounded once, as out of place, without an
        # fp32 copy of the buffer (twice its bf16 size) on the GPU.
        contexts = self._read(self._buffer_contexts)
        acts = self._embed(contexts).mul_(self.scales[:, None, None])
        self._generator.set_state(generator_state)
        order = torch.randperm(acts.shape[1], generator=self._generator)
        # Special tokens (the separators between documents) are not trained on.
        body = torch.stack(contexts)[:, 1:].reshape(-1)
        # On the device once a buffer, so a batch is gathered there with no copy from the host.
        self._order = order[~torch.isin(body[order], self._specials)].to(self.device)
        if len(self._order) < self.batch_tokens:
            raise GalleryforgeError(
                f"config 'buffer_tokens' = {self._buffer_contexts * self._per_context}: a buffer "
                f"holds {len(self._order)} ordinary tokens, fewer than batch_tokens "
                f"({self.batch_tokens}); raise buffer_tokens"
            )
        self._buffer, self._served = acts, 0

    def _skip_to(self, start: int) -> None:
        while self._consumed < start:
            next(self._contexts)
            self._consumed += 1

    def _read(self, n_contexts: int) -> list[torch.Tensor]:
        contexts = [next(self._contexts) for _ in range(n_contexts)]
        self._consumed += n_contexts
        return contexts

    def _embed(self, contexts: list[torch.Tensor]) -> torch.Tensor:
        """``[n_layers, len(contexts) * (context_size - 1), d_model]`` of this rank's layers."""
        n_contexts = len(contexts)
        ranks = self.ranks
        own = self._run_model(contexts[ranks.rank :: ranks.world_size])
        if not ranks.distributed:
            return own
        n = ranks.world_size
        counts = [len(range(rank, n_contexts, n)) for rank in range(n)]
        blocks = ranks.exchange(own, [count * self._per_context for count in counts])
        # Rank r ran contexts r, r + N, ...: put them back in stream order.
        d = own.shape[-1]
        ordered = own.new_empty(len(self.layers), n_contexts, self._per_context, d)
        for rank, (block, count) in enumerate(zip(blocks, counts, strict=True)):
            ordered[:, rank::n] = block.view(len(self.layers), count, self._per_context, d)
        return ordered.view(len(self.layers), -1, d)

    def _run_model(self, contexts: list[torch.Tensor]) -> torch.Tensor:
        """``[n_all_layers, len(contexts) * (context_size - 1), d_model]``."""
        shape = (len(self.all_layers), 0, self.loaded.d_model)
        parts = [torch.empty(shape, dtype=self._dtype, device=self.device)]  # a rank may get none
        for begin in range(0, len(contexts), self.model_batch):
            ids = torch.stack(contexts[begin : begin + self.model_batch]).to(self.device)
            streams = residual_streams(self.loaded, ids, self.all_layers)[:, :, 1:]
            parts.append(streams.reshape(len(self.all_layers), -1, streams.shape[-1]))
        return torch.cat(parts, dim=1).to(self._dtype)
