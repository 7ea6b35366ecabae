"""The gallery cache's keys: hashes of everything a job's files, or a whole request's, depend on.

A job's key hashes the table files of its run (and of every run, for comparisons; and the toy run),
the files its theme may be read from, galleryforge's own source and the versions of the plotting
libraries, and the job itself (trial, theme, rendering). A request's key hashes its fields, the
theme files and every run's inputs. ``Fingerprints`` reads each of those files once a command,
however many keys it enters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
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


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hash_files(
    paths: Iterable[Path], root: Path | None = None, digest: Callable[[Path], str] = file_digest
) -> str:
    """One hash of the files' names (relative to ``root``) and contents (their ``digest``)."""
    items: list[bytes | str] = []
    for path in sorted(paths):
        items += [str(path.relative_to(root) if root else path), digest(path)]
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


class Fingerprints:
    """The hashes one command's keys are made of, for one runs folder and any theme files.

    The cache check hashes the runs and themes for the request's key; on a miss the build needs
    them again for each job's key and to record the request. Each file is read once here."""

    def __init__(self, runs: Path) -> None:
        self.folder = runs
        self._runs: dict[str, str] | None = None
        self._digests: dict[Path, str] = {}

    def runs(self) -> dict[str, str]:
        """Trial (and ``toy``) → hash of the files its figures are drawn from."""
        if self._runs is None:
            names = discover_trials(self.folder) + ([TOY] if has_toy(self.folder) else [])
            self._runs = {
                name: hash_files(run_input_files(self.folder / name), self.folder, self._digest)
                for name in names
            }
        return self._runs

    def themes(self, names: Iterable[str], search: Sequence[Path]) -> str:
        """Hash of every file the named themes may be read from: their own, their parents' and
        the built-ins (so an edited theme file draws again)."""
        return hash_files(theme_files(names, search), digest=self._digest)

    def _digest(self, path: Path) -> str:
        if path not in self._digests:
            self._digests[path] = file_digest(path)
        return self._digests[path]


def job_key(fields: Sequence[str], trial: str, runs: dict[str, str], compares: bool) -> str:
    """A job's key: its own fields, its run's inputs (all runs' when it compares trials)."""
    inputs = sorted(runs.items()) if compares else [(trial, runs.get(trial, ""))]
    if trial != TOY:
        inputs.append((TOY, runs.get(TOY, "")))  # predicted floors use the toy run's shape
    return _sha256([code_fingerprint(), *fields, *(f"{k}:{v}" for k, v in inputs)])


def request_key(request: GalleryRequest, fingerprints: Fingerprints) -> str:
    fields = [
        str(request.runs.resolve()),
        ",".join(request.trials),
        ",".join(request.themes),
        ",".join(request.renderings),
        ",".join(request.formats) if request.formats is not None else "<theme default>",
        fingerprints.themes(request.themes, request.theme_search),
        "" if request.latent is None else f"latent {request.latent[0]}:{request.latent[1]}",
    ]
    runs = fingerprints.runs()
    return _sha256([code_fingerprint(), *fields, *(f"{k}:{v}" for k, v in sorted(runs.items()))])
