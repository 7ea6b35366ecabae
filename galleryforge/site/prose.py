"""The site's prose: title, description and intro, with placeholders filled from the runs.

``site.toml`` holds the author's words; the facts in them (``{model}``, ``{layers}``, ``{width}``,
``{tokens}``, …) are filled from the runs' own records (``galleryforge.study``) when the site is
built, so the prose cannot drift from what was run. Where the trials disagree on a fact (runs of
two models side by side), the value names each trial's. Prose left empty gets a default written
from the runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from galleryforge.errors import InputError
from galleryforge.numbers import format_metric, format_tokens
from galleryforge.site.toml_input import placeholder_names
from galleryforge.study import TrialFacts, model_name

PROSE_KEYS = ("title", "description", "intro")
"""The ``site.toml`` keys that are prose and may hold placeholders."""

PROSE_FIELDS: dict[str, str] = {
    "model": "the model's short name, e.g. all-MiniLM-L6-v2",
    "model_id": "the model's Hub id or folder, e.g. sentence-transformers/all-MiniLM-L6-v2",
    "layers": "the number of layers with an SAE",
    "d_model": "the width of the residual stream",
    "width": "the dictionary width F",
    "tokens": "training tokens at the final checkpoint",
    "checkpoints": "the number of checkpoints",
    "trials": "the number of trials",
    "trial_names": "the trials' names",
    "regimes": "each trial's L1 form, coefficient and controller",
    "corpus": "the training text",
}
"""Placeholders prose may use, and what each is filled with (docs and site.toml list them)."""

_PER_TRIAL: dict[str, Callable[[TrialFacts], str | None]] = {
    "model": lambda f: f.model_name,
    "model_id": lambda f: f.model,
    "layers": lambda f: str(f.layers),
    "d_model": lambda f: format_metric("width", f.d_model) if f.d_model else None,
    "width": lambda f: f.width_text,
    "tokens": lambda f: format_tokens(f.tokens, exact=True),
    "checkpoints": lambda f: str(len(f.checkpoints)),
    "corpus": lambda f: f.corpus,
}


def placeholders(text: str, source: Path | str, key: str) -> set[str]:
    """The placeholder names in ``text``; an unknown one is an error naming it."""
    names = placeholder_names(source, key, text)
    for name in sorted(names):
        if name not in PROSE_FIELDS:
            known = ", ".join("{" + field + "}" for field in PROSE_FIELDS)
            raise InputError(
                source,
                f"unknown placeholder {{{name}}}; known: {known} (write {{{{ and }}}} for braces)",
                field=key,
            )
    return names


def study_values(trials: Sequence[TrialFacts]) -> dict[str, str | None]:
    """Each placeholder's text for these trials; None where no trial records the fact."""
    values: dict[str, str | None] = {
        name: _agreed(trials, read) for name, read in _PER_TRIAL.items()
    }
    names = [t.trial for t in trials]
    regimes = [f"{t.trial}: {t.regime}" for t in trials if t.regime]
    values["trials"] = str(len(trials)) if trials else None
    values["trial_names"] = _joined(names) if names else None
    values["regimes"] = "; ".join(regimes) if regimes else None
    return values


def fill(text: str, values: Mapping[str, str | None], source: Path | str, key: str) -> str:
    """``text`` with its placeholders filled; one the runs cannot fill is an error naming it."""
    for name in sorted(placeholders(text, source, key)):
        if values.get(name) is None:
            raise InputError(
                source,
                f"placeholder {{{name}}} ({PROSE_FIELDS[name]}) has no value: "
                "no run on this site records it",
                field=key,
            )
    return text.format_map(values)


def default_prose(trials: Sequence[TrialFacts], has_toy: bool) -> dict[str, str]:
    """Title, description and intro written from the runs, for a site.toml that leaves them out."""
    values = study_values(trials)
    # A random-weights control runs on the same model: the title names the model once.
    controls = any(t.weights_text for t in trials)
    models = {model_name(t.model) for t in trials if t.model}
    title = "Sparse autoencoders"
    if models:
        title += " on " + _joined(sorted(models))
    if controls:
        title += " with random-weights controls"
    if not trials:
        description = "A toy experiment that checks the KD width model's predicted width."
        return {"title": "The KD width model on a toy experiment", "description": description}
    description = _describe(trials, values)
    if has_toy:
        description += " A toy experiment checks the KD width model's predicted width."
    paragraphs = []
    if values["regimes"]:
        paragraphs.append(f"Sparsity regimes: {values['regimes']}.")
    paragraphs.append(
        "For each layer the KD width model turns the measured sparsity into a predicted optimal "
        "dictionary width, d*_S = L0 · ln(F_alive / L0)."
    )
    if has_toy:
        paragraphs.append(
            "The toy experiment puts that prediction to a test with known ground truth: on "
            "synthetic sparse data, where does the loss stop improving, compared with d*_S?"
        )
    return {"title": title, "description": description, "intro": "\n\n".join(paragraphs)}


def _describe(trials: Sequence[TrialFacts], values: Mapping[str, str | None]) -> str:
    count = f"{len(trials)} trial{'s' if len(trials) != 1 else ''}"
    if _mixed(trials):
        each = [_one_trial(t) for t in trials]
        return (
            f"{count} of sparse autoencoders on different models or scales: "
            + "; ".join(each)
            + "."
        )
    first = trials[0]
    text = f"{count} ({values['trial_names']}) of sparse autoencoders on {first.layers} layers"
    if first.model:
        text += f" of {first.model}"
    if first.d_model:
        text += f" (d_model {values['d_model']})"
    text += f", dictionary width F = {values['width']}, {values['tokens']} training tokens"
    if first.corpus:
        text += f" of {first.corpus}"
    return text + "."


def _one_trial(trial: TrialFacts) -> str:
    model = f" on {trial.model}" if trial.model else ""
    tokens = format_tokens(trial.tokens, exact=True)
    return f"{trial.trial}{model}, {trial.layers} layers, F = {trial.width_text}, {tokens} tokens"


def _mixed(trials: Sequence[TrialFacts]) -> bool:
    """Whether the trials differ in model or scale (so no one sentence describes them all)."""
    return len({(t.model, t.layers, t.d_model, t.widths, t.tokens) for t in trials}) > 1


def _agreed(trials: Sequence[TrialFacts], read: Callable[[TrialFacts], str | None]) -> str | None:
    """One value if every trial agrees, else each value with the trials it belongs to."""
    found: dict[str, list[str]] = {}
    for trial in trials:
        found.setdefault(read(trial) or "not recorded", []).append(trial.trial)
    if not found or list(found) == ["not recorded"]:
        return None
    if len(found) == 1:
        return next(iter(found))
    return _joined([f"{value} ({', '.join(names)})" for value, names in found.items()])


def _joined(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
