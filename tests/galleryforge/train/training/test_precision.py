"""``precision``: the SAE step's arithmetic, chosen per trial and recorded with it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from galleryforge.errors import GalleryforgeError
from galleryforge.tables import load_trial_tables
from galleryforge.train.training.session import train_trials
from tests.galleryforge.train.helpers import build_trial_cfg


def test_bf16_steps_differ_from_fp32_ones_that_auto_repeats_on_the_cpu(
    tiny_neox: Path, text_corpus: Path, tmp_path: Path
) -> None:
    base = build_trial_cfg(model=str(tiny_neox), dataset=str(text_corpus), width=64)
    trials = [replace(base, name=p, precision=p) for p in ("auto", "fp32", "bf16")]
    train_trials(trials, tmp_path, device="cpu")  # one forward pass: the same activations
    auto, fp32, bf16 = (load_trial_tables(tmp_path / p) for p in ("auto", "fp32", "bf16"))

    assert [t.config["precision"] for t in (auto, fp32, bf16)] == ["auto", "fp32", "bf16"]
    # Trained together, each records its own arithmetic as resolved on the CPU.
    assert [t.provenance["precision"] for t in (auto, fp32, bf16)] == ["fp32", "fp32", "bf16"]
    # On the CPU "auto" is fp32: the same steps, the same numbers.
    columns = ["mse", "l0", "dead"]
    pd.testing.assert_frame_equal(auto.layers[columns], fp32.layers[columns])
    # bf16 steps round every product, so training takes another path ...
    assert not np.allclose(bf16.curves["mse"], fp32.curves["mse"], rtol=1e-6, atol=0)
    # ... to about the same place: held-out MSE, measured in fp32, within 10% at every layer.
    np.testing.assert_allclose(bf16.final["mse"], fp32.final["mse"], rtol=0.1)


def test_an_unknown_precision_is_named() -> None:
    with pytest.raises(GalleryforgeError, match=r"config 'precision' = 'fp16': expected one of"):
        build_trial_cfg(precision="fp16")
