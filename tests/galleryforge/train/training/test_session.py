"""End to end on a tiny random GPT-NeoX: run directory, metrics recomputed, resume, failures."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

import galleryforge.train.training.milestone
import galleryforge.train.training.trainer
from galleryforge.errors import GalleryforgeError
from galleryforge.tables import load_trial_tables
from galleryforge.train.data.activations import ActivationSource
from galleryforge.train.data.model import load_model
from galleryforge.train.evaluation.measure import measure_final_checkpoints
from galleryforge.train.training.checkpoint import load_sae
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.metrics import LossTerms
from galleryforge.train.training.resume import checkpoint_tokens, prune_resume_files
from galleryforge.train.training.sae import SAEOutput, StackedSAE
from galleryforge.train.training.session import train_trials
from galleryforge.train.training.trainer import NonFiniteLoss
from tests.galleryforge.train.helpers import Stopped, assert_same_run, build_trio, stop_after


@pytest.fixture(scope="module")
def trio(tiny_neox: Path, text_corpus: Path) -> list[TrialConfig]:
    return build_trio(model=str(tiny_neox), dataset=str(text_corpus))


@pytest.fixture(scope="module")
def finished(trio: list[TrialConfig], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    train_trials(trio, out, device="cpu")
    return out


def test_run_directory_loads_as_trial_tables(finished: Path, trio: list[TrialConfig]) -> None:
    for cfg in trio:
        tables = load_trial_tables(finished / cfg.name)
        assert tables.trial == cfg.name and tables.layer_ids == (0, 1, 2)
        assert tables.checkpoints == (512, 1024)
        assert tables.curves is not None and set(tables.curves["step"]) == {4, 8, 12, 16}
        assert tables.config["l1_form"] == cfg.l1_form and tables.config["width"] == 48
        assert tables.provenance["corpus"] == cfg.dataset and tables.provenance["tokens"] == 1024
        for layer in range(3):
            folder = finished / cfg.name / "checkpoints" / "1024" / f"layer_{layer}"
            assert {p.name for p in folder.iterdir()} == {
                "cfg.json",
                "sae_weights.safetensors",
                "sparsity.safetensors",
            }
    curves = pd.read_parquet(finished / "A" / "tables" / "curves.parquet")
    assert list(curves.columns) == [
        "trial",
        "layer",
        "step",
        "tokens",
        "mse",
        "l1",
        "loss",
        "l0",
        "l1_coef",
    ]


def test_only_the_two_latest_checkpoints_keep_resume_files(tmp_path: Path) -> None:
    for tokens in (64, 128, 192):
        folder = tmp_path / "checkpoints" / str(tokens)
        folder.mkdir(parents=True)
        (folder / "resume.pt").write_bytes(b"")
    prune_resume_files(tmp_path)
    assert checkpoint_tokens(tmp_path) == [128, 192]
    assert (tmp_path / "checkpoints" / "64").is_dir()


def test_table_metrics_recomputed_from_checkpoint_and_heldout(
    finished: Path, trio: list[TrialConfig]
) -> None:
    cfg = trio[2]
    loaded = load_model(cfg.model, torch.device("cpu"), torch.float32)
    source = ActivationSource(loaded, cfg.source, [0, 1, 2], torch.device("cpu"))
    raw = source.heldout / source.scales[:, None, None]  # what the model itself produced
    sae = load_sae(finished / "C" / "checkpoints" / "1024")
    rows = load_trial_tables(finished / "C").final
    with torch.no_grad():
        out = sae(raw)
    for layer in range(3):
        x, recon, scale = raw[layer].double(), out.recon[layer].double(), source.scales[layer]
        sse = (recon - x).pow(2).sum()
        mse = float(sse / x.numel() * scale**2)  # the table is on normalised activations
        fvu = float(sse / (x - x.mean(0)).pow(2).sum())
        l0 = float((out.feats[layer] > 0).double().sum(-1).mean())
        row = rows.iloc[layer]
        assert row["mse"] == pytest.approx(mse, rel=1e-4)
        assert row["fvu"] == pytest.approx(fvu, rel=1e-4)
        assert row["l0"] == pytest.approx(l0, rel=1e-4)
        folder = finished / "C" / "checkpoints" / "1024" / f"layer_{layer}"
        sparsity = load_file(str(folder / "sparsity.safetensors"))["sparsity"]
        assert row["dead"] == int((sparsity <= -9.99).sum())
        assert json.loads((folder / "cfg.json").read_text())["hook_layer"] == layer


def test_fixed_coefficients_stay_and_the_controller_moves(finished: Path) -> None:
    final = {t: load_trial_tables(finished / t).final for t in "ABC"}
    assert (final["A"]["l1_coef"] == 1e-3).all() and (final["B"]["l1_coef"] == 3e-3).all()
    assert (final["C"]["l1_coef"] > 3e-3).all()  # L0 starts far above the target of 4


def test_resume_gives_the_same_result_as_an_uninterrupted_run(
    finished: Path, trio: list[TrialConfig], tmp_path: Path
) -> None:
    with pytest.raises(Stopped):
        train_trials(trio, tmp_path, on_progress=stop_after(12))  # after the first checkpoint
    assert load_trial_tables(tmp_path / "A").checkpoints == (512,)
    with pytest.raises(GalleryforgeError, match="already holds a run; pass --resume"):
        train_trials(trio, tmp_path)
    train_trials(trio, tmp_path, resume=True)
    for cfg in trio:
        assert_same_run(tmp_path / cfg.name, finished / cfg.name, 1024)
    with pytest.raises(GalleryforgeError, match="'width' was 48, now 64"):
        train_trials([replace(c, width=64) for c in trio], tmp_path, resume=True)


def test_resume_redoes_a_final_measurement_that_did_not_finish(
    finished: Path, trio: list[TrialConfig], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that dies in its final measurement (after the final checkpoint) gets the
    measurement on --resume: the tables an uninterrupted run wrote, without training again."""

    class Died(Exception):
        pass

    def die(*_args: Any, **_kwargs: Any) -> None:
        raise Died

    with monkeypatch.context() as patch:
        patch.setattr(galleryforge.train.training.milestone, "measure_final_checkpoints", die)
        with pytest.raises(Died):
            train_trials(trio, tmp_path, device="cpu")
    assert not (tmp_path / "A" / "tables" / "features.parquet").exists()
    assert checkpoint_tokens(tmp_path / "A")[-1] == 1024
    train_trials(trio, tmp_path, resume=True, device="cpu")
    for cfg in trio:
        for table in ("layers", "curves", "features", "examples"):
            pd.testing.assert_frame_equal(
                pd.read_parquet(tmp_path / cfg.name / "tables" / f"{table}.parquet"),
                pd.read_parquet(finished / cfg.name / "tables" / f"{table}.parquet"),
            )
    # A resume with the tables in place measures nothing again.
    with monkeypatch.context() as patch:
        patch.setattr(galleryforge.train.training.milestone, "measure_final_checkpoints", die)
        train_trials(trio, tmp_path, resume=True, device="cpu")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"layers": [0, 3]}, r"'layers' = \[0, 3\]: .* has 3 layers \(0 to 2\)"),
        ({"context_size": 65}, "'context_size' = 65: .* reads at most 64 positions"),
    ],
)
def test_configs_the_model_cannot_serve_are_refused(
    trio: list[TrialConfig], tmp_path: Path, change: dict[str, object], message: str
) -> None:
    with pytest.raises(GalleryforgeError, match=message):
        train_trials([replace(trio[0], **change)], tmp_path)  # type: ignore[arg-type]


def test_trials_trained_together_must_share_the_stream(trio: list[TrialConfig]) -> None:
    with pytest.raises(GalleryforgeError, match="trials 'A' and 'B' differ in 'tokens'"):
        train_trials([trio[0], replace(trio[1], tokens=2048)], Path("unused"))


def test_non_finite_loss_names_trial_and_layer_and_keeps_the_checkpoint(
    trio: list[TrialConfig], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = galleryforge.train.training.trainer.loss_terms
    calls = {"B": 0}

    def poisoned(
        sae: StackedSAE, x: torch.Tensor, out: SAEOutput, l1_form: str, **aux: Any
    ) -> LossTerms:
        terms = real(sae, x, out, l1_form, **aux)
        calls["B"] += l1_form == "decoder_norm_sum"
        if calls["B"] == 2 * 10 - 1:  # trial B's 10th step (steps run A, B, C; B and C share it)
            terms = terms._replace(mse=terms.mse * torch.tensor([1.0, float("nan"), 1.0]))
        return terms

    monkeypatch.setattr(galleryforge.train.training.trainer, "loss_terms", poisoned)
    with pytest.raises(
        NonFiniteLoss,
        match=r"trial 'B', layer 1: loss is nan at step 10.*"
        r"checkpoints/512",
    ):
        train_trials(trio, tmp_path)
    assert load_trial_tables(tmp_path / "B").checkpoints == (512,)


def test_check_and_render_accept_a_trained_run(
    finished: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from galleryforge.cli.main import main

    assert main(["check", "--trial", "all", "--runs", str(finished)]) == 0
    report = capsys.readouterr().out
    for name in ("A", "B", "C"):
        assert f"trial {name}: OK" in report
    out = tmp_path / "gallery"
    args = [
        "render",
        "--trial",
        "all",
        "--runs",
        str(finished),
        "--out",
        str(out),
        "-q",
        "--rendering",
        "premium-heatmap",
        "--rendering",
        "training-curves",
        "--format",
        "png,html",
    ]
    assert main(args) == 0
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    drawn = {(f["trial"], f["rendering"], f["format"]) for f in files}
    for name in ("A", "B", "C"):
        for rendering in ("premium-heatmap", "training-curves"):
            assert {(name, rendering, "png"), (name, rendering, "html")} <= drawn
    # The figure's numbers are the trained table's: the alt text quotes the trial's mean L0.
    mean_l0 = load_trial_tables(finished / "C").kd.l0
    alt = next(
        f["alt"]
        for f in files
        if f["trial"] == "C" and f["format"] == "png" and f["rendering"] == "premium-heatmap"
    )
    assert f"Mean L0 {mean_l0:,.0f}" in alt


def test_resume_state_is_written_without_checksums_and_reads_back(tmp_path: Path) -> None:
    """The resume file skips the zip CRC-32s (they cost two thirds of the write); it still loads
    to the same tensors, and the setting is torch's default again afterwards."""
    from torch.utils.serialization import config

    from galleryforge.train.training.checkpoint import _save_without_checksums

    state = {"moments": torch.arange(12.0).reshape(3, 4), "step": 7}
    _save_without_checksums(state, tmp_path / "resume.pt")
    # The zip's own record of each member's CRC-32: 0 where none was computed. torch.save's
    # default writes the real ones, which zipfile checks against the bytes.
    with zipfile.ZipFile(tmp_path / "resume.pt") as archive:
        assert [member.CRC for member in archive.infolist()] == [0] * len(archive.infolist())
    torch.save(state, tmp_path / "default.pt")
    with zipfile.ZipFile(tmp_path / "default.pt") as archive:
        assert archive.testzip() is None
        assert all(member.CRC != 0 for member in archive.infolist())
    loaded = torch.load(tmp_path / "resume.pt")
    assert loaded["step"] == 7 and torch.equal(loaded["moments"], state["moments"])
    assert config.save.compute_crc32 is True


def test_the_final_measurement_runs_the_model_in_fp32_whatever_training_loaded(
    finished: Path, trio: list[TrialConfig], tiny_neox: Path
) -> None:
    """Training on CUDA holds the model in bf16; its final measurement, like ``evaluate``,
    reads the checkpoints through the model in fp32: the same numbers the fp32 run wrote."""
    bf16 = load_model(str(tiny_neox), torch.device("cpu"), torch.bfloat16)
    folder = finished / "A" / "checkpoints" / "1024"
    got = measure_final_checkpoints(bf16, trio[0].source, {"A": folder}, 1024)["A"].layers
    written = pd.read_parquet(finished / "A" / "tables" / "layers.parquet")
    written = written[written["tokens"] == 1024].reset_index(drop=True)
    for column in ("ce_clean", "ce_spliced", "kl_div", "mse"):
        assert got[column].tolist() == pytest.approx(written[column].tolist(), rel=1e-6), column
