"""A job's inputs, read once per worker process: the run tables and the themes.

A process may outlive a run's files (a notebook, ``demo --fresh`` after a render), so each cache
is keyed by the identity of the files it read (path, size, modification time): a changed table
or theme file is read again.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from galleryforge.gallery.cache_keys import theme_files
from galleryforge.runs import TOY, has_toy, run_input_files
from galleryforge.tables import ToyTables, TrialTables, load_toy_tables, load_trial_tables
from galleryforge.themes.theme import Theme, load_theme

FileIdentity = tuple[tuple[str, int, int], ...]
"""(path, size, modification time) of each file a cached object was read from."""


def trial_tables(runs: Path, trial: str) -> TrialTables:
    return _trial_at(runs, trial, _file_identity(run_input_files(runs / trial)))


def toy_tables(runs: Path) -> ToyTables | None:
    """The toy run's tables, or None when ``runs`` has no toy run."""
    if not has_toy(runs):
        return None
    return _toy_at(runs, _file_identity(run_input_files(runs / TOY)))


def theme(name: str, search: tuple[Path, ...]) -> Theme:
    return _theme_at(name, search, _file_identity(theme_files([name], search)))


def _file_identity(paths: list[Path]) -> FileIdentity:
    """Path, size and modification time of each file: what a stale cache entry would differ in."""
    stats = ((p, p.stat()) for p in paths)
    return tuple((str(p), st.st_size, st.st_mtime_ns) for p, st in stats)


@lru_cache(maxsize=64)
def _trial_at(runs: Path, trial: str, identity: FileIdentity) -> TrialTables:
    return load_trial_tables(runs / trial)


@lru_cache(maxsize=8)
def _toy_at(runs: Path, identity: FileIdentity) -> ToyTables:
    return load_toy_tables(runs / TOY)


@lru_cache(maxsize=32)
def _theme_at(name: str, search: tuple[Path, ...], identity: FileIdentity) -> Theme:
    return load_theme(name, search=search)
