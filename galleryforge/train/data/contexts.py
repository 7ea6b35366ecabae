"""Packed token contexts: documents tokenized, joined with the end-of-text (or separator) token,
and cut into contexts of ``context_size`` tokens, each opening with the model's BOS/CLS token.
When the documents run out the stream starts over from the first one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.corpus import Corpus, open_corpus
from galleryforge.train.data.source import Source


def context_stream(
    open_documents: Callable[[], Iterator[str]], tokenizer: Any, context_size: int
) -> Iterator[torch.Tensor]:
    """Endless packed contexts ``[context_size]`` (int64), each opening with BOS/CLS."""
    bos = _first_id(tokenizer, "cls_token_id", "bos_token_id", "eos_token_id")
    separator = _first_id(tokenizer, "eos_token_id", "sep_token_id")
    body = context_size - 1
    pending: list[int] = []
    while True:
        produced = False
        for texts in _chunks(open_documents(), 64):
            encoded = tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
            for ids in encoded:
                pending.extend(ids)
                pending.append(separator)
            while len(pending) >= body:
                produced = True
                yield torch.tensor([bos, *pending[:body]], dtype=torch.long)
                del pending[:body]
        if not produced:
            raise GalleryforgeError("the dataset holds too little text for one context")


def open_context_stream(cfg: Source, tokenizer: Any) -> tuple[Corpus, Iterator[torch.Tensor]]:
    """The trial's corpus and its endless context stream (the first pass reuses the opened
    corpus; later passes reopen it)."""
    corpus = open_corpus(cfg.dataset, cfg.dataset_split, cfg.text_column)
    first = [corpus.documents]

    def documents() -> Iterator[str]:
        if first:
            return first.pop()
        return open_corpus(cfg.dataset, cfg.dataset_split, cfg.text_column).documents

    return corpus, context_stream(documents, tokenizer, cfg.context_size)


def special_ids(tokenizer: Any) -> torch.Tensor:
    """The tokenizer's special token ids ([CLS], [SEP], [PAD], BOS/EOS …)."""
    return torch.tensor(sorted(set(tokenizer.all_special_ids)), dtype=torch.long)


def _first_id(tokenizer: Any, *names: str) -> int:
    for name in names:
        value = getattr(tokenizer, name, None)
        if value is not None:
            return int(value)
    raise GalleryforgeError(f"the tokenizer has none of {', '.join(names)}")


def _chunks(items: Iterator[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
