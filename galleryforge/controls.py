"""The random-weights control: which runs are a trial's controls, and what the control is for.

A control (``model_weights`` = ``random`` or ``random_blocks`` in ``trial.toml``) is the same
trial trained on a re-initialised copy of the model (Heap et al. 2025, "Automated
interpretability metrics do not distinguish trained and random transformers"). A run is a
trial's control when its resolved config equals the trial's in every field but the name and the
model's weights, so nothing but the weights differs.

The measure the control is for: a latent whose top-activating contexts all sit on one token is a
token detector, which the embeddings alone can give. ``token_share`` is, per latent, the share of
its top examples whose activating token is its most common one; a layer's ``single_token`` share
is the share of its latents (with at least ``MIN_TOP_EXAMPLES`` top examples) whose
``token_share`` is at least ``SINGLE_TOKEN_SHARE`` (docs/features.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from galleryforge.tables import TrialTables

TRAINED = "trained"
_NOT_SETUP = frozenset({"name", "model_weights", "model_weights_seed"})
"""Config fields a control may differ in from its trial."""
MIN_TOP_EXAMPLES = 5
"""Latents with fewer top examples are left out of the single-token share (too few to tell)."""
SINGLE_TOKEN_SHARE = 0.9
"""A latent is single-token when at least this share of its top examples sit on one token."""


def model_weights(trial: TrialTables) -> tuple[str, int]:
    """(``model_weights``, ``model_weights_seed``) as training recorded them; a run from before
    the field read the trained model."""
    for record in (trial.config, trial.provenance):
        weights = record.get("model_weights")
        if isinstance(weights, str) and weights:
            seed = record.get("model_weights_seed", 0)
            return weights, int(seed) if isinstance(seed, int) else 0
    return TRAINED, 0


def is_control(trial: TrialTables) -> bool:
    return model_weights(trial)[0] != TRAINED


def _setup(trial: TrialTables) -> dict[str, Any]:
    return {key: value for key, value in trial.config.items() if key not in _NOT_SETUP}


def controls_of(trial: TrialTables, trials: Mapping[str, TrialTables]) -> list[TrialTables]:
    """The runs of ``trials`` that are ``trial``'s random-weights controls, in name order: every
    config field but the name and the weights equal. A control has no controls; a run without a
    ``trial.toml`` has none either (nothing shows it was trained the same way)."""
    if is_control(trial) or not trial.config:
        return []
    setup = _setup(trial)
    return [t for _, t in sorted(trials.items()) if is_control(t) and _setup(t) == setup]


def controlled_by(control: TrialTables, trials: Mapping[str, TrialTables]) -> TrialTables | None:
    """The trained trial a control is the control of (``controls_of`` read the other way), or
    None."""
    if not is_control(control):
        return None
    setup = _setup(control)
    for _, trial in sorted(trials.items()):
        if not is_control(trial) and trial.config and _setup(trial) == setup:
            return trial
    return None


def token_shares(examples: pd.DataFrame) -> pd.DataFrame:
    """Per latent (``layer``, ``latent``): ``top_examples`` and ``token_share``, the share of its
    top examples whose activating token (``tokens[focus]``) is its most common one."""
    import pandas as pd  # here, not at the top: the site's facts import this module

    top = examples.loc[examples["kind"] == "top", ["layer", "latent", "tokens", "focus"]]
    windows = zip(top["tokens"], top["focus"], strict=True)
    token = [str(window[int(focus)]) for window, focus in windows]
    frame = pd.DataFrame({"layer": top["layer"], "latent": top["latent"], "token": token})
    counts = frame.groupby(["layer", "latent", "token"]).size()
    by_latent = counts.groupby(level=["layer", "latent"])
    return pd.DataFrame(
        {"top_examples": by_latent.sum(), "token_share": by_latent.max() / by_latent.sum()}
    ).reset_index()


def single_token(examples: pd.DataFrame) -> pd.DataFrame:
    """Per layer: ``latents`` with at least ``MIN_TOP_EXAMPLES`` top examples, and
    ``single_token``, the share of them whose ``token_share`` ≥ ``SINGLE_TOKEN_SHARE``."""
    import pandas as pd

    shares = token_shares(examples)
    shares = shares[shares["top_examples"] >= MIN_TOP_EXAMPLES]
    grouped = shares.groupby("layer")["token_share"]
    return pd.DataFrame(
        {
            "latents": grouped.size(),
            "single_token": grouped.apply(lambda s: float((s >= SINGLE_TOKEN_SHARE).mean())),
        }
    ).reset_index()
