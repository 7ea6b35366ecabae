"""A width family under the protocol, trained end to end on a tiny random GPT-NeoX: members per
(width, seed), the learning-rate rule, sparsity held at one L0, the convergence rule stopping a
member while the others train on, and resume after a stop."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from galleryforge.errors import GalleryforgeError
from galleryforge.tables import load_trial_tables, read_config
from galleryforge.train.training.config import TrialConfig, family_members
from galleryforge.train.training.session import train_trials
from tests.galleryforge.train.helpers import (
    Stopped,
    assert_same_run,
    build_trial_cfg,
    stop_after,
)

K = 4
TOKENS = 2048
LR = 3e-3
STOPPED = ["topk-F32-s0", "topk-F32-s1", "topk-F64-s0", "topk-F64-s1"]
TRAINED_ON = ["batchtopk-F32", "batchtopk-F64"]


@pytest.fixture(scope="module")
def families(tiny_neox: Path, text_corpus: Path) -> list[TrialConfig]:
    """A TopK family of two widths and two seeds under the convergence rule (its tolerance so
    loose that the first check stops it), and a BatchTopK family trained for its tokens."""
    base = build_trial_cfg(
        model=str(tiny_neox),
        dataset=str(text_corpus),
        tokens=TOKENS,
        checkpoint_every=512,
        dead_window_tokens=512,
        architecture="topk",
        l1_coef=0.0,
        k=K,
        lr=LR,
        widths=[32, 64],
        lr_width_ref=32,
    )
    topk = replace(
        base,
        name="topk",
        seeds=[0, 1],
        stop_rule="converged",
        converge_tol=0.9,
        predict_width=64,
    )
    batchtopk = replace(base, name="batchtopk", architecture="batchtopk")
    return family_members(topk) + family_members(batchtopk)


@pytest.fixture(scope="module")
def trained(families: list[TrialConfig], tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("protocol-runs")
    train_trials(families, runs, device="cpu")
    return runs


def test_one_member_per_width_and_seed_with_the_learning_rate_rule(trained: Path) -> None:
    assert sorted(p.name for p in trained.iterdir()) == sorted(STOPPED + TRAINED_ON)
    for name, width, seed in [("topk-F32-s1", 32, 1), ("topk-F64-s0", 64, 0)]:
        config = read_config(trained / name / "trial.toml")
        assert (config["width"], config["sae_seed"], config["family"]) == (width, seed, "topk")
        assert config["lr"] == pytest.approx(LR / math.sqrt(width / 32))  # lr ∝ 1/√(F/F₀)
    weights = [
        load_file(str(trained / name / "checkpoints/1024/layer_0/sae_weights.safetensors"))
        for name in ("topk-F32-s0", "topk-F32-s1")
    ]
    assert not torch.equal(weights[0]["W_dec"], weights[1]["W_dec"])  # seeds start apart


def test_members_held_at_one_l0_end_within_five_percent_of_it(trained: Path) -> None:
    for name in STOPPED + TRAINED_ON:
        final = load_trial_tables(trained / name).final
        assert (final["target_l0"] == K).all()
        within = ((final["l0"] - K).abs() <= 0.05 * K).all()
        assert within, (name, final["l0"].tolist())
        assert (final["l0_off_target"] == 0).all()


def test_the_convergence_rule_stops_one_family_and_the_other_trains_on(trained: Path) -> None:
    for name in STOPPED:
        tables = load_trial_tables(trained / name)
        layers = tables.layers.set_index(["layer", "tokens"])
        assert tables.checkpoints == (512, 1024)  # the first check, 1,024 against 512, stops it
        for layer in tables.layer_ids:
            half, now = layers.loc[(layer, 512), "mse"], layers.loc[(layer, 1024), "mse"]
            assert layers.loc[(layer, 1024), "mse_gain"] == pytest.approx((half - now) / half)
            assert pd.isna(layers.loc[(layer, 512), "mse_gain"])  # 256 is no checkpoint
        assert (tables.final["converged"] == 1).all()
        assert tables.curves is not None and tables.curves["tokens"].max() == 1024
        assert tables.final["ce_loss_score"].notna().all()  # measured at its own last checkpoint
        assert not (trained / name / "checkpoints" / "2048").exists()
    for name in TRAINED_ON:
        tables = load_trial_tables(trained / name)
        assert tables.checkpoints == (512, 1024, 1536, 2048)
        assert "converged" not in tables.layers.columns
        assert tables.final["ce_loss_score"].notna().all()


def test_resume_after_a_member_stopped_gives_the_uninterrupted_run(
    trained: Path, families: list[TrialConfig], tmp_path: Path
) -> None:
    with pytest.raises(Stopped):  # after 1,536 tokens: the TopK members stopped at 1,024
        train_trials(families, tmp_path, on_progress=stop_after(26))
    assert load_trial_tables(tmp_path / "batchtopk-F32").checkpoints == (512, 1024, 1536)
    train_trials(families, tmp_path, resume=True)
    for cfg in families:
        last = 1024 if cfg.name in STOPPED else TOKENS
        assert_same_run(tmp_path / cfg.name, trained / cfg.name, last)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seeds": [0, 0]}, r"'seeds' = \[0, 0\]: expected non-negative seeds, no repeats"),
        ({"widths": [], "lr_width_ref": 32}, r"'lr_width_ref' = 32: expected unset outside"),
        ({"stop_rule": "never"}, r"'stop_rule' = 'never': expected one of"),
        ({"converge_tol": 1.5}, r"'converge_tol' = 1.5: expected between 0 and 1"),
        ({"predict_width": 64}, r"'predict_width' = 64: expected above a target L0"),
        (
            {"predict_width": 100, "predict_from": "member"},
            r"'predict_width' = 100: expected one of the family's widths",
        ),
    ],
)
def test_protocol_fields_are_checked(change: dict[str, object], message: str) -> None:
    with pytest.raises(GalleryforgeError, match=message):
        build_trial_cfg(**{"widths": [32, 64], **change})  # relu, a fixed L1: no target L0
