"""Train SAEs on a transformer's residual stream, every layer from one forward pass.

The public surface: ``load_preset``, ``load_trials`` (a width family's members) and ``TrialConfig``
(what to train), ``train_trials`` (train
one or several trials into run directories), ``StackedSAE`` and ``load_sae`` (the model and its
checkpoints).
"""

from __future__ import annotations

from galleryforge.train.training.checkpoint import load_sae
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.presets import load_preset, load_trials, preset_names
from galleryforge.train.training.sae import StackedSAE
from galleryforge.train.training.session import train_trials

__all__ = [
    "StackedSAE",
    "TrialConfig",
    "load_preset",
    "load_sae",
    "load_trials",
    "preset_names",
    "train_trials",
]
