"""One command's inputs: each run's tables and each theme loaded, validated and fingerprinted once.

``galleryforge render`` (and the demo, the site's figures and ``galleryforge social``) make one
``RenderInputs`` for the runs folder. The cache check hashes the runs and themes through its
``fingerprints``; on a miss the plan loads and validates through it what the jobs will draw, and
the build hands it to the jobs: directly with ``--jobs 1``, else to each worker process once, as
the worker starts (``jobs.receive_inputs``, the pool's initializer). Under ``fork``, Linux's
default, a worker inherits the loaded objects without a copy; under ``spawn`` or ``forkserver``
they are pickled once per worker. Either way a worker reads no table or theme file.

Nothing is loaded before it is asked for: a render of one trial whose renderings read no other
run loads that trial's tables and the toy run's (the predicted floors use its shape), no other.
Tables and themes are imported when first loaded, so a cache check stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from galleryforge.gallery.cache_keys import Fingerprints
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.registry import get_rendering
from galleryforge.runs import TOY, discover_trials, has_toy

if TYPE_CHECKING:
    from galleryforge.gallery.request import Job
    from galleryforge.tables import ToyTables, TrialTables
    from galleryforge.themes.theme import Theme


class RenderInputs:
    """The tables and themes of one runs folder, each loaded and validated when first asked for
    and kept for the rest of the command; their file hashes in ``fingerprints``."""

    def __init__(self, runs: Path) -> None:
        self.runs = runs
        self.fingerprints = Fingerprints(runs)
        self._trials: dict[str, TrialTables] = {}
        self._toy: ToyTables | None = None
        self._themes: dict[tuple[str, tuple[Path, ...]], Theme] = {}

    def trial(self, name: str) -> TrialTables:
        """The tables of the trial run ``runs/<name>``."""
        if name not in self._trials:
            from galleryforge.tables import load_trial_tables

            self._trials[name] = load_trial_tables(self.runs / name)
        return self._trials[name]

    def all_trials(self) -> dict[str, TrialTables]:
        """Every trial of the runs folder by folder name, the toy run excluded."""
        return {name: self.trial(name) for name in discover_trials(self.runs)}

    def trials_for(self, trial: str, other_runs: bool) -> dict[str, TrialTables]:
        """The trials a rendering of ``trial`` reads: every trial of the folder when it reads
        ``other_runs`` (it compares trials or draws a width family:
        ``Rendering.reads_other_runs``), else ``trial`` alone, as the cache keys its figures."""
        if other_runs:
            return self.all_trials()
        return {trial: self.trial(trial)}

    def toy(self) -> ToyTables | None:
        """The toy run's tables, or None when the runs folder has none."""
        if self._toy is None and has_toy(self.runs):
            from galleryforge.tables import load_toy_tables

            self._toy = load_toy_tables(self.runs / TOY)
        return self._toy

    def theme(self, name: str, search: tuple[Path, ...] = ()) -> Theme:
        """The theme ``name`` (or theme file), found in ``search`` before the built-ins."""
        key = (name, search)
        if key not in self._themes:
            from galleryforge.themes.theme import load_theme

            self._themes[key] = load_theme(name, search=search)
        return self._themes[key]

    def context(
        self,
        trial: str,
        theme: Theme,
        other_runs: bool,
        latent: tuple[int, int] | None = None,
    ) -> RenderContext:
        """What a rendering gets to draw ``trial`` (or the toy run) under ``theme``; ``other_runs``
        as for ``trials_for``."""
        toy = self.toy()
        if trial == TOY:
            assert toy is not None, "the plan checks that the toy run is there"
            return RenderContext(toy, theme, toy=toy, latent=latent)
        trials = self.trials_for(trial, other_runs)
        return RenderContext(trials[trial], theme, trials=trials, toy=toy, latent=latent)

    def job_context(self, job: Job) -> RenderContext:
        theme = self.theme(job.theme, job.theme_search)
        other_runs = get_rendering(job.rendering).reads_other_runs
        return self.context(job.trial, theme, other_runs, job.latent)
