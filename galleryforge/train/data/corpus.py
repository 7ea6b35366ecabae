"""Text documents for training: the offline docstring corpus, local files, or a streamed dataset.

The offline corpus is the docstrings of the Python standard library and of a fixed list of
installed packages, extracted with ``ast`` from their source files in sorted path order, then put in
a fixed pseudo-random order (so that the held-out contexts at the start of the stream are not all
from one module). Same Python and package versions give the same corpus and the same sha256.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import random
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from galleryforge.atomic import write_text
from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.hub import require_hub

OFFLINE = "docstrings"
OFFLINE_DATASET_HINT = (
    f"; offline, use dataset = '{OFFLINE}' (the small presets do) or a local "
    ".txt/.jsonl/.parquet file or folder"
)
CORPUS_PACKAGES = ("numpy", "pandas", "jinja2", "click", "typer", "rich")
# Test suites and GUI demos hold few docstrings and many odd ones.
_SKIP_PARTS = {"site-packages", "test", "tests", "idlelib", "turtledemo", "lib2to3"}
_MIN_CHARS = 40


@dataclass(frozen=True)
class Corpus:
    """A named source of documents; ``sha256`` identifies the offline corpus's content."""

    name: str
    documents: Iterator[str]
    sha256: str | None = None


def open_corpus(dataset: str, split: str = "train", text_column: str = "text") -> Corpus:
    if dataset == OFFLINE:
        docs, digest = docstring_corpus()
        return Corpus(OFFLINE, iter(docs), digest)
    path = Path(dataset)
    if path.exists():
        return Corpus(str(path), _local_documents(path, text_column))
    require_hub(f"stream dataset {dataset!r}", OFFLINE_DATASET_HINT)  # fail fast, not in a minute
    return Corpus(dataset, _hub_documents(dataset, split, text_column))


@cache
def docstring_corpus() -> tuple[tuple[str, ...], str]:
    """The offline corpus's documents and their sha256 (of the JSON document list).

    Extraction takes seconds, so the list is cached on disk (``$GALLERYFORGE_CACHE``, default
    ``~/.cache/galleryforge``) under a key made of the versions it depends on.
    """
    key = hashlib.sha256(json.dumps(corpus_versions(), sort_keys=True).encode()).hexdigest()
    cached = _cache_dir() / f"docstrings-{key[:16]}.json"
    try:
        docs = json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        docs = _extract_docstrings()
        with contextlib.suppress(OSError):
            write_text(cached, json.dumps(docs))
    digest = hashlib.sha256(json.dumps(docs).encode("utf-8")).hexdigest()
    return tuple(docs), digest


def _cache_dir() -> Path:
    return Path(os.environ.get("GALLERYFORGE_CACHE", Path.home() / ".cache" / "galleryforge"))


def _extract_docstrings() -> list[str]:
    docs: list[str] = []
    roots = [("stdlib", Path(sysconfig.get_paths()["stdlib"]))]
    for package in CORPUS_PACKAGES:
        found = _package_root(package)
        if found is not None:
            roots.append((package, found))
    for _, root in roots:
        for path in sorted(root.rglob("*.py")):
            if not _SKIP_PARTS.intersection(path.relative_to(root).parts[:-1]):
                docs.extend(_docstrings(path))
    random.Random(0).shuffle(docs)
    return docs


def corpus_versions() -> dict[str, str]:
    """What the offline corpus depends on: Python's version and each listed package's."""
    versions = {"python": platform.python_version()}
    for package in CORPUS_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def _package_root(package: str) -> Path | None:
    try:
        files = importlib.metadata.files(package) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    init = [f for f in files if str(f) == f"{package}/__init__.py"]
    return Path(str(init[0].locate())).parent if init else None


def _docstrings(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
        return []
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    found = (ast.get_docstring(node) for node in ast.walk(tree) if isinstance(node, kinds))
    return [doc for doc in found if doc and len(doc) >= _MIN_CHARS]


def _local_documents(path: Path, text_column: str) -> Iterator[str]:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if file.suffix in (".txt", ".md"):
            yield file.read_text(encoding="utf-8")
        elif file.suffix in (".jsonl", ".json"):
            with file.open(encoding="utf-8") as lines:
                for number, line in enumerate(lines, 1):
                    if line.strip():
                        yield _text_field(json.loads(line), text_column, f"{file}:{number}")
        elif file.suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(file)
            if text_column not in table.column_names:
                raise GalleryforgeError(f"{file}: no text column {text_column!r}")
            yield from (str(t) for t in table.column(text_column).to_pylist() if t)
        elif not path.is_dir():
            raise GalleryforgeError(f"{file}: expected a .txt, .jsonl or .parquet file")


def _text_field(record: object, text_column: str, where: str) -> str:
    if not isinstance(record, dict) or text_column not in record:
        raise GalleryforgeError(f"{where}: no text field {text_column!r}")
    return str(record[text_column])


def _hub_documents(name: str, split: str, text_column: str) -> Iterator[str]:
    try:
        import datasets

        stream = datasets.load_dataset(name, split=split, streaming=True)
        first = next(iter(stream))
    except Exception as error:  # network, hub and dataset-script errors have many types
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise GalleryforgeError(
            f"cannot stream dataset {name!r} ({reason}){OFFLINE_DATASET_HINT}"
        ) from error
    yield _text_field(first, text_column, name)
    for record in stream.skip(1):
        yield _text_field(record, text_column, name)
