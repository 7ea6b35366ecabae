"""What templates see: small read-only views built from the gallery index, tables and configs.

Templates get plain values and site-relative paths only, so they never compute anything and a
misspelt field fails the build (StrictUndefined) instead of printing an empty string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from galleryforge.numbers import format_metric, format_tokens
from galleryforge.site.config import FigureNote, SiteConfig
from galleryforge.site.figures import CARD, DARK, LIGHT, FigureFiles, FileRef
from galleryforge.study import TrialFacts
from galleryforge.tables import ToyTables, TrialTables

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


@dataclass(frozen=True)
class CheckpointRow:
    tokens: int
    layers: tuple[tuple[int, str | None], ...]
    """(layer, Hub URL or None) for each layer saved at this milestone."""


@dataclass(frozen=True)
class RunRecord:
    """What the reproducibility page shows for one run folder."""

    name: str
    label: str
    config: tuple[Fact, ...]
    provenance: str
    checkpoints: tuple[CheckpointRow, ...]
    hub_repo_url: str | None


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
        ("d_model", format_metric("width", facts.d_model) if facts.d_model else None),
        ("Corpus", facts.corpus),
        ("Sparsity regime", facts.regime),
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


@dataclass(frozen=True)
class ToyView:
    """The toy page's numbers, as display strings, all read from the toy run's summary table."""

    rows: tuple[dict[str, str], ...]
    """One per (read-out, α, F): censored cells read '> widest width' and '> ratio'."""
    fits: tuple[dict[str, str], ...]
    """One per read-out: c, its interval, the slope, censored cells, converged share."""
    finding: str
    epsilon: str
    onset: str


def toy_rows(toy: ToyTables) -> ToyView:
    """The toy summary as the toy page shows it."""
    from galleryforge.renderings.toy_readouts import fits, readouts, toy_finding

    summary = toy.summary
    rows = []
    for decoder in readouts(summary):
        for item in summary[summary["decoder"] == decoder].to_dict("records"):
            bound = "> " if int(item["censored"]) else ""
            onset_bound = "> " if int(item.get("onset_censored", 0)) else ""
            rows.append(
                {
                    "decoder": decoder,
                    "alpha": f"{float(item['alpha']):g}",
                    "features": f"{int(item['features']):,}",
                    "k": f"{float(item['k']):.3g}",
                    "d_star": f"{float(item['d_star']):.1f}",
                    "transition": f"{bound}{float(item['transition_width']):.1f}",
                    "ratio": f"{bound}{float(item['ratio']):.2f}",
                    "onset": f"{onset_bound}{float(item['onset_width']):.1f}"
                    if "onset_width" in item
                    else "–",
                    "converged": _share(item.get("converged_frac")),
                    "censored": "yes" if bound else "",
                }
            )
    fit_rows = []
    for fit in fits(summary):
        interval = (
            f"{fit.c_low:.2f}–{fit.c_high:.2f}"
            if np.isfinite(fit.c_low) and np.isfinite(fit.c_high)
            else "–"
        )
        fit_rows.append(
            {
                "decoder": fit.decoder,
                "c": f"{fit.c:.2f}" if fit.fitted else "–",
                "interval": interval,
                "slope": f"{fit.slope:.2f}" if np.isfinite(fit.slope) else "–",
                "censored": f"{fit.censored} of {fit.cells}",
                "converged": _share(fit.converged_frac),
            }
        )
    epsilon = f"{float(summary['epsilon'].iloc[0]):g}" if "epsilon" in summary else "0.01"
    onset = f"{float(summary['onset_level'].iloc[0]):g}" if "onset_level" in summary else "0.5"
    return ToyView(tuple(rows), tuple(fit_rows), toy_finding(summary), epsilon, onset)


def _share(value: object) -> str:
    return (
        f"{100 * float(value):.0f}%" if isinstance(value, int | float) and value == value else "–"
    )


def run_record(
    name: str,
    root: Path,
    config: Mapping[str, Any],
    provenance: Mapping[str, Any],
    site: SiteConfig,
) -> RunRecord:
    hub = f"https://huggingface.co/{site.hub_repo}" if site.hub_repo else None
    return RunRecord(
        name=name,
        label=trial_label(name),
        config=tuple(Fact(k, _exact(v)) for k, v in _flatten(config)),
        provenance=json.dumps(provenance, indent=2, sort_keys=True, ensure_ascii=False)
        if provenance
        else "",
        checkpoints=_checkpoints(name, root, site),
        hub_repo_url=hub,
    )


def _checkpoints(trial: str, root: Path, site: SiteConfig) -> tuple[CheckpointRow, ...]:
    """Checkpoints on disk: ``checkpoints/<tokens>/layer_<l>/`` (DESIGN.md's run layout)."""
    folder = root / "checkpoints"
    if not folder.is_dir():
        return ()
    rows = []
    milestones = [p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()]
    for milestone in sorted(milestones, key=lambda p: int(p.name)):
        tokens = int(milestone.name)
        layers = sorted(
            int(p.name.removeprefix("layer_"))
            for p in milestone.iterdir()
            if p.is_dir() and p.name.startswith("layer_") and p.name[6:].isdigit()
        )
        links = tuple((layer, site.hub_url(trial, tokens, layer)) for layer in layers)
        rows.append(CheckpointRow(tokens, links))
    return tuple(rows)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            items += _flatten(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def _exact(value: Any) -> str:
    """A config value as written in TOML (reproducing a run needs the exact value)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_exact(v) for v in value) + "]"
    return str(value)
