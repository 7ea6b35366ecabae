"""The gallery cache's keys: hashes of everything a job's files, or a whole request's, depend on.

A job's key hashes the table files of its run (and of every run, for comparisons; and the toy run),
the files its theme may be read from, galleryforge's own source and the versions of the plotting
libraries, and the job itself (trial, theme, rendering). A request's key hashes its fields, the
theme files and every run's inputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from galleryforge.gallery.request import GalleryRequest
from galleryforge.resources import PACKAGE_DIR, data_dir
from galleryforge.runs import TOY, discover_trials, has_toy, run_input_files

LIBRARIES = ("matplotlib", "seaborn", "plotly", "kaleido", "numpy", "pandas")


def _sha256(parts: Iterable[bytes | str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def hash_files(paths: Iterable[Path], root: Path | None = None) -> str:
    items: list[bytes | str] = []
    for path in sorted(paths):
        items += [str(path.relative_to(root) if root else path), path.read_bytes()]
    return _sha256(items)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """galleryforge's own source plus the plotting libraries' versions."""
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}==none")
    sources = list(PACKAGE_DIR.rglob("*.py"))
    return _sha256([hash_files(sources, PACKAGE_DIR), *versions])


def theme_files(themes: Iterable[str], search: Iterable[Path]) -> list[Path]:
    """Every theme file the named themes may be read from (built-in, searched and given)."""
    folders = [data_dir("themes"), *search]
    folders += [Path(t).parent for t in themes if t.endswith(".toml")]
    return sorted(f for folder in folders for f in Path(folder).glob("*.toml"))


def theme_inputs(theme: str, search: Sequence[Path]) -> str:
    """Hash of every file ``theme`` may be read from: its own, its parents' and the built-ins."""
    return hash_files(theme_files([theme], search))


def theme_fingerprint(request: GalleryRequest) -> str:
    return hash_files(theme_files(request.themes, request.theme_search))


def run_fingerprints(runs: Path) -> dict[str, str]:
    """Trial (and ``toy``) → hash of the files its figures are drawn from."""
    names = discover_trials(runs) + ([TOY] if has_toy(runs) else [])
    return {name: hash_files(run_input_files(runs / name), runs) for name in names}


def job_key(fields: Sequence[str], trial: str, runs: dict[str, str], compares: bool) -> str:
    """A job's key: its own fields, its run's inputs (all runs' when it compares trials)."""
    inputs = sorted(runs.items()) if compares else [(trial, runs.get(trial, ""))]
    if trial != TOY:
        inputs.append((TOY, runs.get(TOY, "")))  # predicted floors use the toy run's shape
    return _sha256([code_fingerprint(), *fields, *(f"{k}:{v}" for k, v in inputs)])


def request_key(request: GalleryRequest, runs: dict[str, str]) -> str:
    fields = [
        str(request.runs.resolve()),
        ",".join(request.trials),
        ",".join(request.themes),
        ",".join(request.renderings),
        ",".join(request.formats) if request.formats is not None else "<theme default>",
        theme_fingerprint(request),
        "" if request.latent is None else f"latent {request.latent[0]}:{request.latent[1]}",
    ]
    return _sha256([code_fingerprint(), *fields, *(f"{k}:{v}" for k, v in sorted(runs.items()))])
