"""What templates see: small read-only views built from the gallery index, tables and configs.

Templates get plain values and site-relative paths only, so they never compute anything and a
misspelt field fails the build (StrictUndefined) instead of printing an empty string. This module
holds the figure views, the site's paths and each trial's summary; the toy page's view is in
``toy_view``, the reproducibility page's in ``run_records``, the feature pages' in
``feature_views``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from galleryforge.numbers import format_metric, format_tokens
from galleryforge.site.figures import CARD, DARK, LIGHT, FigureFiles, FileRef
from galleryforge.site.notes import FigureNote
from galleryforge.study import TrialFacts
from galleryforge.tables import TrialTables

GALLERY_PREFIX = "figures/files/"
"""Where gallery files are copied inside the site (their gallery layout is kept below it, so the
interactive HTML finds plotly.min.js by the same relative path)."""

TOY = "toy"


@dataclass(frozen=True)
class FigureView:
    id: str
    title: str
    trial: str
    trial_label: str
    note: FigureNote
    alt: str
    page: str
    light: Mapping[str, FileRef]
    """Format -> the light (paper) file, with its site-relative path."""
    dark: Mapping[str, FileRef]
    card: FileRef | None
    finding: str | None = None
    """The sentence stating what was measured, generated from the tables (None: the figure
    states no result)."""

    @property
    def interactive(self) -> bool:
        return "html" in self.light and "html" in self.dark

    @property
    def name(self) -> str:
        return f"{self.title} — {self.trial_label}"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class TrialSummary:
    name: str
    label: str
    page: str
    model: str | None
    facts: tuple[Fact, ...]
    setup: tuple[Fact, ...]
    description: str
    controls: tuple[str, ...] = ()
    """The trial's random-weights controls in the run folder (``galleryforge.controls``)."""
    control_of: str | None = None
    """The trained trial this one is a random-weights control of."""


def trial_label(trial: str) -> str:
    return "Toy experiment" if trial == TOY else f"Trial {trial}"


def figure_page(trial: str, rendering: str) -> str:
    return f"figures/{trial}/{rendering}.html"


def trial_page(trial: str) -> str:
    return f"trials/{trial}.html"


def figure_view(files: FigureFiles, note: FigureNote) -> FigureView:
    def site_files(theme: str) -> dict[str, FileRef]:
        return {
            fmt: replace(ref, path=GALLERY_PREFIX + ref.path)
            for (t, fmt), ref in files.files.items()
            if t == theme
        }

    return FigureView(
        id=files.rendering,
        title=files.title,
        trial=files.trial,
        trial_label=trial_label(files.trial),
        note=note,
        alt=files.alt or note.alt_for(files.trial, files.title),
        page=figure_page(files.trial, files.rendering),
        light=site_files(LIGHT),
        dark=site_files(DARK),
        card=site_files(CARD).get("png"),
        finding=files.finding,
    )


def trial_summary(tables: TrialTables, facts: TrialFacts) -> TrialSummary:
    """The trial's numbers (means over layers at the final checkpoint) and its setup.

    Setup facts come from the run's own records (``galleryforge.study``); one it does not record
    is left out rather than guessed.
    """
    kd = tables.kd
    summary = (
        Fact("Layers", f"{kd.layers}"),
        Fact("Width F", facts.width_text),
        Fact("Tokens", format_tokens(facts.tokens, exact=True)),
        Fact("Mean L0", format_metric("l0", kd.l0, precise=True)),
        Fact("Mean α", format_metric("alpha", kd.alpha, precise=True)),
        Fact("Mean g(α)", format_metric("g_alpha", kd.g_alpha, precise=True)),
        Fact("Mean d*_S", format_metric("d_star", kd.d_star, precise=True)),
        Fact("Mean MSE", format_metric("mse", kd.mse, precise=True)),
        Fact("Mean dead latents", format_metric("dead", kd.dead, precise=True)),
    )
    recorded = (
        ("Model", facts.model),
        ("Model weights", facts.weights_text),
        ("d_model", format_metric("width", facts.d_model) if facts.d_model else None),
        ("Corpus", facts.corpus),
        ("Architecture", facts.architecture_text),
        ("Sparsity regime", facts.regime),
        ("SAE step arithmetic", facts.arithmetic),
    )
    setup = (
        *(Fact(label, value) for label, value in recorded if value),
        Fact(
            "Checkpoints (tokens)",
            ", ".join(format_tokens(t, exact=True) for t in facts.checkpoints),
        ),
    )
    model = f" on {facts.model_name}" if facts.model_name else ""
    description = (
        f"{trial_label(tables.trial)}{model}: {kd.layers} layers, F = {facts.width_text}, "
        f"{format_tokens(facts.tokens, exact=True)} tokens; mean L0 "
        f"{format_metric('l0', kd.l0)}, α {format_metric('alpha', kd.alpha)}, predicted width "
        f"d*_S {format_metric('d_star', kd.d_star)}, MSE {format_metric('mse', kd.mse)}."
    )
    return TrialSummary(
        name=tables.trial,
        label=trial_label(tables.trial),
        page=trial_page(tables.trial),
        model=facts.model,
        facts=summary,
        setup=setup,
        description=description,
    )
