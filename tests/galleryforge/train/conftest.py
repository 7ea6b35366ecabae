"""Shared fixtures: a tiny random GPT-NeoX saved to disk and a small local corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from galleryforge.train.data.corpus import docstring_corpus
from galleryforge.train.data.model import resolve_model_path
from tests.galleryforge.train.helpers import MINILM


@pytest.fixture(scope="session")
def tiny_neox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 3-layer GPT-NeoX (d_model 32) with MiniLM's tokenizer."""
    from transformers import AutoTokenizer, GPTNeoXConfig, GPTNeoXForCausalLM

    folder = tmp_path_factory.mktemp("tiny-neox")
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(MINILM))
    config = GPTNeoXConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=3,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    torch.manual_seed(0)
    GPTNeoXForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def text_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local .txt corpus: a slice of the offline docstrings, one file per few documents."""
    folder = tmp_path_factory.mktemp("corpus")
    docs = docstring_corpus()[0][:300]
    for index in range(0, len(docs), 50):
        (folder / f"part{index:04d}.txt").write_text("\n\n".join(docs[index : index + 50]))
    return folder
