from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.corpus import docstring_corpus, open_corpus


def test_offline_corpus_is_deterministic_and_hashed() -> None:
    docs, digest = docstring_corpus()
    assert len(docs) > 1000 and all(isinstance(d, str) and d for d in docs[:50])
    corpus = open_corpus("docstrings")
    assert corpus.sha256 == digest and len(digest) == 64
    assert next(corpus.documents) == docs[0]


def test_local_files_of_every_kind(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("plain text")
    (tmp_path / "b.jsonl").write_text(json.dumps({"body": "from json"}) + "\n\n")
    pd.DataFrame({"body": ["from parquet", None]}).to_parquet(tmp_path / "c.parquet")
    docs = list(open_corpus(str(tmp_path), text_column="body").documents)
    assert docs == ["plain text", "from json", "from parquet"]


def test_a_jsonl_line_without_the_text_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"other": 1}) + "\n")
    with pytest.raises(GalleryforgeError, match=r"d.jsonl:1: no text field 'text'"):
        list(open_corpus(str(path)).documents)


def test_an_unreachable_dataset_names_the_offline_alternative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import datasets

    def offline(*args: object, **kwargs: object) -> None:
        raise ConnectionError("no network")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(GalleryforgeError, match=r"cannot stream dataset 'org/pile'.*'docstrings'"):
        next(open_corpus("org/pile").documents)
