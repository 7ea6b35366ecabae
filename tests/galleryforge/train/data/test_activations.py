from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest
import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.activations import ActivationSource, heldout_rows
from galleryforge.train.data.contexts import context_stream
from galleryforge.train.data.model import load_model
from tests.galleryforge.train.helpers import build_trial_cfg

CPU = torch.device("cpu")


def test_contexts_are_packed_and_open_with_cls(tiny_neox: Path) -> None:
    tokenizer = load_model(str(tiny_neox), CPU, torch.float32).tokenizer
    contexts = list(islice(context_stream(lambda: iter(["a b c", "d e"]), tokenizer, 4), 5))
    assert all(c[0] == tokenizer.cls_token_id and len(c) == 4 for c in contexts)
    body = torch.cat([c[1:] for c in contexts]).tolist()
    sep = tokenizer.sep_token_id  # BERT's tokenizer has no EOS; documents end with [SEP]
    one_pass = [
        *tokenizer("a b c", add_special_tokens=False)["input_ids"],
        sep,
        *tokenizer("d e", add_special_tokens=False)["input_ids"],
        sep,
    ]
    assert body[: len(one_pass) * 2] == one_pass * 2  # the stream starts over when text runs out


def test_normalised_heldout_and_resumable_batches(tiny_neox: Path, text_corpus: Path) -> None:
    cfg = build_trial_cfg(model=str(tiny_neox), dataset=str(text_corpus))
    loaded = load_model(cfg.model, CPU, torch.float32)
    source = ActivationSource(loaded, cfg.source, [0, 2], CPU)
    assert source.heldout.shape == (2, 128, 32)  # 8 contexts of 16 usable tokens
    torch.testing.assert_close(source.heldout.pow(2).sum(-1).mean(-1), torch.full((2,), 32.0))
    batches = source.batches()
    first = [next(batches) for _ in range(6)]  # a buffer holds 3 batches: this refills once
    assert first[0].shape == (2, 64, 32)
    state = source.state()
    expected = [next(batches) for _ in range(5)]
    again = ActivationSource(loaded, cfg.source, [0, 2], CPU)
    again.load_state(state)
    resumed = again.batches()
    for batch in expected:
        torch.testing.assert_close(next(resumed), batch)


def test_special_tokens_are_neither_held_out_nor_trained_on(
    tiny_neox: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "short.jsonl"  # short documents: a separator every few tokens
    texts = [f"document {i} says hello there" for i in range(200)]
    corpus.write_text("\n".join(json.dumps({"text": t}) for t in texts))
    cfg = build_trial_cfg(model=str(tiny_neox), dataset=str(corpus))
    loaded = load_model(cfg.model, CPU, torch.float32)
    source = ActivationSource(loaded, cfg.source, [0], CPU)
    next(source.batches())  # fills the second buffer's worth of contexts
    stream = context_stream(lambda: iter(texts), loaded.tokenizer, 17)
    contexts = torch.stack(list(islice(stream, 32)))
    second = contexts[16:, 1:]  # a buffer holds 16 contexts; the first one is held out
    specials = torch.tensor(loaded.tokenizer.all_special_ids)
    ordinary = int((~torch.isin(second, specials)).sum())
    assert ordinary < second.numel() - 30  # the buffer does hold separators
    assert source.batches_per_buffer == ordinary // 64


def test_the_heldout_sample_skips_special_tokens() -> None:
    contexts = torch.tensor([[101, 5, 102, 6], [101, 102, 7, 8]])  # 101 [CLS], 102 [SEP]
    specials = torch.tensor([101, 102])
    rows = heldout_rows(contexts, specials, 4, torch.Generator().manual_seed(0))
    assert contexts[:, 1:].reshape(-1)[rows].tolist() == [5, 6, 7, 8]  # sorted rows
    with pytest.raises(GalleryforgeError, match="'heldout_tokens' = 5"):
        heldout_rows(contexts, specials, 5, torch.Generator().manual_seed(0))
