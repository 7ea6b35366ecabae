"""Train SAEs on a transformer's residual stream, every layer from one forward pass.

The public surface: ``load_preset``, ``load_trials`` (a width family's members) and ``TrialConfig``
(what to train), ``train_trials`` (train
one or several trials into run directories), ``StackedSAE`` and ``load_sae`` (the model and its
checkpoints).
"""

from __future__ import annotations

from train.checkpoint import load_sae
from train.config import TrialConfig
from train.presets import load_preset, load_trials, preset_names
from train.sae import StackedSAE
from train.session import train_trials

__all__ = [
    "StackedSAE",
    "TrialConfig",
    "load_preset",
    "load_sae",
    "load_trials",
    "preset_names",
    "train_trials",
]
