"""The two L1 forms as trained: unit decoder rows for ``mean``, free norms for ``decoder_norm_sum``,
and a saved checkpoint that reconstructs raw activations as the SAE in memory did."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from galleryforge.tables import load_trial_tables
from galleryforge.train.data.activations import ActivationSource
from galleryforge.train.data.model import load_model
from galleryforge.train.training.checkpoint import load_sae
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.resume import load_resume
from galleryforge.train.training.sae import StackedSAE
from galleryforge.train.training.session import train_trials
from tests.galleryforge.train.helpers import build_trio


@pytest.fixture(scope="module")
def trained(tiny_neox: Path, text_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    a, b, _ = build_trio(model=str(tiny_neox), dataset=str(text_corpus))
    train_trials([a, b], out, device="cpu")
    return out


def _in_memory(run_dir: Path, tokens: int) -> StackedSAE:
    """The SAE as it was in memory when the checkpoint was saved (resume.pt keeps it unfolded)."""
    state = load_resume(run_dir, tokens)["sae"]
    layers, d_sae, d_in = state["W_dec"].shape
    sae = StackedSAE(list(range(layers)), d_in, d_sae)
    sae.load_state_dict(state)
    return sae


def test_mean_keeps_unit_rows_and_decoder_norm_sum_frees_them(trained: Path) -> None:
    unit = _in_memory(trained / "A", 1024).W_dec.detach().norm(dim=-1)
    torch.testing.assert_close(unit, torch.ones_like(unit))
    free = _in_memory(trained / "B", 1024).W_dec.detach().norm(dim=-1)
    for layer in range(3):
        assert float(free[layer].max() - free[layer].min()) > 0.01, layer
    # The layer table reports their spread for the free-norm trial (and only for it).
    final = load_trial_tables(trained / "B").final
    for column, level in (
        ("decoder_norm_p05", 0.05),
        ("decoder_norm_median", 0.5),
        ("decoder_norm_p95", 0.95),
    ):
        expected = torch.quantile(free.double(), level, dim=-1)
        torch.testing.assert_close(torch.tensor(final[column].to_numpy()), expected)
    assert "decoder_norm_median" not in load_trial_tables(trained / "A").layers.columns


def test_saved_checkpoint_reconstructs_raw_activations_as_in_memory(
    trained: Path, tiny_neox: Path, text_corpus: Path
) -> None:
    cfg: TrialConfig = build_trio(model=str(tiny_neox), dataset=str(text_corpus))[1]
    loaded_model = load_model(cfg.model, torch.device("cpu"), torch.float32)
    source = ActivationSource(loaded_model, cfg.source, [0, 1, 2], torch.device("cpu"))
    scales = source.scales[:, None, None]
    raw = source.heldout / scales  # what the model itself produced
    memory = _in_memory(trained / "B", 1024)
    saved = load_sae(trained / "B" / "checkpoints" / "1024")
    with torch.no_grad():
        expected = memory(source.heldout).recon / scales
        got = saved(raw).recon
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-5 * float(expected.abs().max()))
    norms = saved.W_dec.detach().norm(dim=-1)
    torch.testing.assert_close(norms, (1 / scales[:, :, 0]).expand_as(norms))
