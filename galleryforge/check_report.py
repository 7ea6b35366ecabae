"""Plain-text reports of validated runs: what `galleryforge check` and `list trials` print."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from galleryforge.labels import METRIC_ORDER
from galleryforge.numbers import format_metric
from galleryforge.runs import discover_trials, has_toy, unknown_trial
from galleryforge.study import trial_facts
from galleryforge.tables import (
    ToyTables,
    TrialTables,
    load_toy_tables,
    load_trial_tables,
)
from galleryforge.width_family import family_finding, family_members, family_name, member_width

if TYPE_CHECKING:
    from galleryforge.gallery.layout import FigureCheck


def summarise_runs(runs: Path, trial: str) -> list[str]:
    """Load (and so validate) the named run(s); one summary block per run."""
    names = discover_trials(runs) + (["toy"] if has_toy(runs) else [])
    if trial != "all" and trial not in names:
        raise unknown_trial(runs, trial, names)
    chosen = names if trial == "all" else [trial]
    trials = {name: load_trial_tables(runs / name) for name in chosen if name != "toy"}
    lines: list[str] = []
    for name in chosen:
        if name == "toy":
            lines += summarise_toy(load_toy_tables(runs / "toy"))
            continue
        lines += summarise_trial(trials[name])
        if family_name(trials[name]):
            for other in names:  # its fellow members, wherever --trial left them out
                if other != "toy" and other not in trials:
                    trials[other] = load_trial_tables(runs / other)
            lines += summarise_family(trials[name], family_members(trials[name], trials))
    return lines + summarise_architectures(trials)


def summarise_architectures(trials: dict[str, TrialTables]) -> list[str]:
    """Where the checked trials hold more than one architecture at a width, each trial's means
    (the architecture-frontier rendering's numbers)."""
    from galleryforge.renderings.architecture_frontier import LABELS, by_architecture, trial_means

    lines: list[str] = []
    seen: set[int] = set()
    for name in sorted(trials):
        width = int(trials[name].final["width"].iloc[0])
        groups = by_architecture(trials[name], trials)
        if width in seen or len(groups) < 2:
            continue
        seen.add(width)
        names = ", ".join(LABELS.get(a, a) for a in groups)
        lines += [f"architectures at F = {width:,} ({names}):"]
        lines += [f"  {part}" for part in trial_means(groups)]
    return lines


def summarise_family(trial: TrialTables, members: tuple[TrialTables, ...]) -> list[str]:
    """The width family's widths, where the fitted knees sit from the declared d*_S, and how the
    protocol held."""
    if len(members) < 2:
        return []
    widths = ", ".join(f"{w:,}" for w in sorted({member_width(m) for m in members}))
    return [
        f"  width family {family_name(trial)} (F = {widths}):",
        f"    {family_finding(trial, members)}",
    ]


def summarise_trial(tables: TrialTables) -> list[str]:
    kd = tables.kd
    layers = tables.layers
    checkpoints = ", ".join(f"{t:,}" for t in tables.checkpoints)
    extras = [m for m in tables.metrics if m not in _KNOWN]
    return [
        f"trial {tables.trial}: OK ({tables.root})",
        f"  architecture: {trial_facts(tables).architecture_text}",
        f"  layers: {tables.n_layers}   width F: {int(layers['width'].iloc[0]):,}   "
        f"checkpoints (tokens): {checkpoints}",
        "  final, mean over layers: "
        + "   ".join(
            f"{label} {format_metric(m, getattr(kd, m), precise=True)}" for m, label in _MEANS
        ),
        f"  curves: {len(tables.curves):,} rows" if tables.curves is not None else "  curves: none",
        f"  extra metrics: {', '.join(extras)}" if extras else "  extra metrics: none",
    ]


def summarise_figures(check: FigureCheck) -> list[str]:
    """The layout check's findings, by gallery file (the figure's rendering and theme in its
    path), then a count."""
    lines = ["figures:"]
    for path, findings in check.offenders:
        lines.append(f"  {path}:")
        lines += [f"    {finding}" for finding in findings]
    found = sum(len(findings) for _, findings in check.offenders)
    verdict = (
        f"{len(check.offenders)} with {_count(found, 'layout finding')}"
        if found
        else "no layout findings"
    )
    lines.append(
        f"  {_count(len(check.figures), 'figure')} checked (matplotlib; interactive versions are "
        f"not), {verdict}"
        + (f"; {check.skipped} skipped (the runs lack what they need)" if check.skipped else "")
    )
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def summarise_toy(tables: ToyTables) -> list[str]:
    from galleryforge.renderings.toy_readouts import readouts, toy_finding

    summary = tables.summary
    return [
        f"toy: OK ({tables.root})",
        f"  grid: {', '.join(readouts(summary))} x {summary['alpha'].nunique()} alphas x "
        f"{summary['features'].nunique()} feature counts; {len(tables.sweep):,} sweep rows",
        f"  {toy_finding(summary)}",
    ]


_KNOWN = set(METRIC_ORDER)
_MEANS = (
    ("l0", "L0"),
    ("alpha", "alpha"),
    ("g_alpha", "g(alpha)"),
    ("d_star", "d*_S"),
    ("mse", "MSE"),
    ("dead", "dead"),
)
