"""Shared fixtures: a tiny random GPT-NeoX saved to disk and a small local corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from galleryforge.train.data.corpus import docstring_corpus
from tests.galleryforge.train.helpers import save_tiny_neox


@pytest.fixture(scope="session")
def tiny_neox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 3-layer GPT-NeoX (d_model 32) with MiniLM's tokenizer."""
    return save_tiny_neox(tmp_path_factory.mktemp("tiny-neox"))


@pytest.fixture(scope="session")
def text_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local .txt corpus: a slice of the offline docstrings, one file per few documents."""
    folder = tmp_path_factory.mktemp("corpus")
    docs = docstring_corpus()[0][:300]
    for index in range(0, len(docs), 50):
        (folder / f"part{index:04d}.txt").write_text("\n\n".join(docs[index : index + 50]))
    return folder
