"""A small trial run with real SAELens checkpoint files, written by the train package's writer.

The tables come from tests/factories.py and the weights are random: generated for tests only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.factories import write_trial

LAYERS = (0, 1, 2)
CHECKPOINTS = (1000, 2000, 3000)
D_IN, D_SAE = 8, 32
MODEL = "EleutherAI/pythia-70m"


def write_checkpoints(run_dir: Path) -> None:
    """``checkpoints/<tokens>/layer_<l>/`` SAELens files and a resume file (train's writer)."""
    from galleryforge.train.training.checkpoint import save_checkpoint
    from galleryforge.train.training.config import TrialConfig
    from galleryforge.train.training.sae import StackedSAE

    cfg = TrialConfig(name=run_dir.name, model=MODEL, dataset="docstrings", width=D_SAE)
    for step, tokens in enumerate(CHECKPOINTS):
        sae = StackedSAE(list(LAYERS), D_IN, D_SAE, generator=torch.Generator().manual_seed(step))
        save_checkpoint(
            run_dir / "checkpoints" / str(tokens),
            cfg,
            sae,
            scales=torch.tensor([1.0, 2.0, 0.5]),
            log_sparsity=-torch.rand(len(LAYERS), D_SAE),
            block_path="gpt_neox.layers",
            resume={"step": torch.tensor(step)},
        )


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """``runs/B`` with tables for 3 layers × 3 checkpoints and the matching checkpoint folders."""
    root = write_trial(tmp_path / "runs", "B", len(LAYERS), width=D_SAE, checkpoints=CHECKPOINTS)
    (root / "trial.toml").write_text(f'name = "B"\nmodel = "{MODEL}"\nwidth = {D_SAE}\n')
    write_checkpoints(root)
    return root
