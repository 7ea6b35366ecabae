"""The text an evaluation runs on, as batches of packed contexts with the positions that count.

Two sources, both packed into contexts exactly as training packs them (``context_stream``):

- a trial's **held-out text**: the first buffer's worth of contexts of the trial's corpus (never
  trained on). The reconstruction metrics and latent statistics count the trial's held-out token
  sample (``heldout_rows``: the tokens its checkpoint metrics were measured on); downstream
  fidelity runs on the first ``ceil(heldout_tokens / (context_size − 1))`` contexts, as many
  tokens as the sample (the forward passes it needs cost a dozen model passes each).
- a **corpus**: contexts from the start of any corpus ``open_corpus`` reads, until ``tokens``
  ordinary tokens are counted; every ordinary token counts and downstream fidelity runs on all.

Special tokens ([CLS], [SEP], [PAD], BOS/EOS) never count; they are not spliced, pooled or
predicted either. A batch holds ``batch_contexts`` contexts, so memory follows the batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.activations import heldout_rows
from galleryforge.train.data.contexts import context_stream, open_context_stream, special_ids
from galleryforge.train.data.corpus import open_corpus
from galleryforge.train.data.source import Source


@dataclass(frozen=True)
class EvalBatch:
    ids: torch.Tensor
    """``[batch, context_size]`` token ids."""
    counted: torch.Tensor
    """``[batch, context_size]`` positions that reconstruction and latent statistics count."""
    ordinary: torch.Tensor
    """``[batch, context_size]`` positions holding no special token."""
    fidelity: torch.Tensor
    """``[batch]`` contexts the downstream metrics run on."""
    first_context: int
    """Index of the batch's first context in the evaluation text."""


@dataclass
class EvalText:
    name: str
    """What the text is, for trial.toml and provenance.json."""
    sha256: str | None
    batches: Iterator[EvalBatch]
    counted_tokens: int
    """Tokens the metrics will count (the progress bar's total)."""


def heldout_text(cfg: Source, tokenizer: Any, batch_contexts: int) -> EvalText:
    """The held-out text of trial ``cfg`` (see the module docstring)."""
    corpus, stream = open_context_stream(cfg, tokenizer)
    n_contexts = math.ceil(cfg.buffer_tokens / (cfg.context_size - 1))
    contexts = torch.stack([next(stream) for _ in range(n_contexts)])
    specials = special_ids(tokenizer)
    generator = torch.Generator().manual_seed(cfg.seed)
    rows = heldout_rows(contexts, specials, cfg.heldout_tokens, generator)
    counted = torch.zeros_like(contexts, dtype=torch.bool)
    counted[rows // (cfg.context_size - 1), 1 + rows % (cfg.context_size - 1)] = True
    fidelity = torch.arange(n_contexts) < math.ceil(cfg.heldout_tokens / (cfg.context_size - 1))
    size = batch_contexts
    batches = (
        _batch(contexts[b : b + size], counted[b : b + size], fidelity[b : b + size], specials, b)
        for b in range(0, n_contexts, size)
    )
    name = f"held-out text of trial {cfg.name} ({corpus.name})"
    return EvalText(name, corpus.sha256, batches, len(rows))


def corpus_text(
    dataset: str,
    tokenizer: Any,
    context_size: int,
    tokens: int,
    batch_contexts: int,
    split: str = "train",
    text_column: str = "text",
) -> EvalText:
    """The first ``tokens`` ordinary tokens of a corpus, packed into contexts (module docstring)."""
    corpus = open_corpus(dataset, split, text_column)
    once = [corpus.documents]

    def documents() -> Iterator[str]:
        return once.pop() if once else iter(())  # one pass: evaluation text never repeats

    stream = context_stream(documents, tokenizer, context_size)
    specials = special_ids(tokenizer)

    def batches() -> Iterator[EvalBatch]:
        left, first = tokens, 0
        while left > 0:
            contexts = _take(stream, batch_contexts, first)
            if not contexts:
                return
            ids = torch.stack(contexts)
            counted = _ordinary(ids, specials)
            # Count exactly ``tokens``: the last batch stops part-way.
            keep = counted.flatten().cumsum(0) <= left
            counted = (counted.flatten() & keep).view_as(counted)
            left -= int(counted.sum())
            yield _batch(ids, counted, torch.ones(len(ids), dtype=torch.bool), specials, first)
            first += len(contexts)

    return EvalText(f"{corpus.name} (first {tokens:,} tokens)", corpus.sha256, batches(), tokens)


def _take(stream: Iterator[torch.Tensor], n: int, taken: int) -> list[torch.Tensor]:
    contexts: list[torch.Tensor] = []
    while len(contexts) < n:
        try:
            contexts.append(next(stream))
        except (GalleryforgeError, StopIteration):
            if taken + len(contexts) == 0:
                raise
            # The corpus ran out (a per-latent text may ask for more than it holds): evaluate
            # what there is; the tables record the tokens actually counted.
            break
    return contexts


def _ordinary(ids: torch.Tensor, specials: torch.Tensor) -> torch.Tensor:
    ordinary = ~torch.isin(ids, specials)
    ordinary[:, 0] = False  # the BOS/CLS position, special or not, is never used
    return ordinary


def _batch(
    ids: torch.Tensor,
    counted: torch.Tensor,
    fidelity: torch.Tensor,
    specials: torch.Tensor,
    first: int,
) -> EvalBatch:
    ordinary = _ordinary(ids, specials)
    return EvalBatch(ids, counted & ordinary, ordinary, fidelity, first)
