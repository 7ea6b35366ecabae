"""``galleryforge evaluate --trial`` on all-MiniLM-L6-v2 reproduces the trial's own final table.

Training measures the final checkpoints of the trials it trains together in one pass (one clean
and one ablated pass a layer for all of them); evaluating each trial alone gives the same tables.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from galleryforge.cli.main import main
from galleryforge.tables import load_trial_tables, read_examples, read_features
from galleryforge.train.training.session import train_trials
from tests.galleryforge.train.helpers import build_trial_cfg

COMPARED = (
    "width",
    "l1_coef",
    "mse",
    "fvu",
    "explained_variance",
    "l1",
    "loss",
    "l0",
    "dead",
    "cosine_similarity",
    "l2_ratio",
    "relative_reconstruction_bias",
    "dense",
    "embedding_cos_spliced",
    "embedding_cos_mean_ablated",
    "embedding_recovered",
)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("minilm-runs")
    trials = [
        build_trial_cfg(name="B", l1_form="decoder_norm_sum", layers=[0, 3, 5]),
        build_trial_cfg(name="W", l1_form="decoder_norm_sum", layers=[0, 3, 5], width=96),
    ]
    train_trials(trials, runs, device="cpu")
    return runs


def test_evaluate_trial_reproduces_the_final_checkpoint_table(trained: Path) -> None:
    out = trained / "B-eval"
    assert main(["evaluate", "--trial", "B", "--runs", str(trained), "--quiet"]) == 0
    own = load_trial_tables(trained / "B").final
    evaluated = load_trial_tables(out).final
    assert evaluated["trial"].unique().tolist() == ["B-eval"]
    assert evaluated["tokens"].tolist() == own["tokens"].tolist() == [1024] * 3
    columns = [c for c in COMPARED if c in own.columns]
    assert set(COMPARED) - set(columns) == set()
    pd.testing.assert_frame_equal(
        evaluated[columns], own[columns], check_exact=False, rtol=1e-5, atol=1e-7
    )
    row = evaluated.iloc[0]
    assert row["embedding_recovered"] == pytest.approx(
        (row["embedding_cos_spliced"] - row["embedding_cos_mean_ablated"])
        / (1 - row["embedding_cos_mean_ablated"])
    )
    features = read_features(out / "tables" / "features.parquet")
    assert len(features) == 3 * 48
    examples = read_examples(out / "tables" / "examples.parquet")
    assert set(examples["kind"]) == {"top", "random", "bin"}
    assert examples[examples["kind"] == "top"]["rank"].max() == 19
    # A sentence encoder has no LM head: no logit effects.
    assert not (out / "tables" / "logits.parquet").exists()
    assert load_trial_tables(out).logits is None
    assert all(isinstance(token, str) for token in examples["tokens"].iloc[0])
    # Training measures the downstream columns at its final checkpoint only.
    earlier = load_trial_tables(trained / "B").layers.query("tokens == 512")
    assert (
        earlier["embedding_recovered"].isna().all() and earlier["cosine_similarity"].notna().all()
    )
    # The trial's own per-latent tables are the same measurement.
    own_features = read_features(trained / "B" / "tables" / "features.parquet")
    pd.testing.assert_frame_equal(
        own_features.drop(columns="trial"), features.drop(columns="trial"), rtol=1e-4
    )
    # The examples too, random ones included: each SAE's draws are seeded within its own run.
    # (Activations near zero differ by float32 rounding: hence the absolute tolerance.)
    own_examples = read_examples(trained / "B" / "tables" / "examples.parquet")
    pd.testing.assert_frame_equal(
        own_examples.drop(columns="trial"), examples.drop(columns="trial"), rtol=1e-4, atol=1e-5
    )


def test_a_trial_measured_beside_a_wider_one_matches_its_own_evaluation(trained: Path) -> None:
    """The second trial of the joint measurement (its SAEs after the first's in the pass)."""
    assert main(["evaluate", "--trial", "W", "--runs", str(trained), "--quiet"]) == 0
    own, evaluated = (load_trial_tables(trained / name).final for name in ("W", "W-eval"))
    assert own["width"].tolist() == [96] * 3
    columns = [c for c in COMPARED if c in own.columns]
    pd.testing.assert_frame_equal(
        evaluated[columns], own[columns], check_exact=False, rtol=1e-5, atol=1e-7
    )
    for table, read in (("features", read_features), ("examples", read_examples)):
        own_rows, evaluated_rows = (
            read(trained / name / "tables" / f"{table}.parquet") for name in ("W", "W-eval")
        )
        pd.testing.assert_frame_equal(
            own_rows.drop(columns="trial"),
            evaluated_rows.drop(columns="trial"),
            rtol=1e-4,
            atol=1e-5,
        )


def test_a_random_weights_control_is_evaluated_on_its_own_model(tmp_path: Path) -> None:
    """The control's weights are recorded where a reader and ``evaluate`` look, and evaluate
    rebuilds the same re-initialised model: on the trained one its table would not come back."""
    import json
    import tomllib

    cfg = build_trial_cfg(name="R", layers=[0, 3], model_weights="random_blocks")
    train_trials([cfg], tmp_path, device="cpu")
    run = tmp_path / "R"
    assert tomllib.loads((run / "trial.toml").read_text())["model_weights"] == "random_blocks"
    provenance = json.loads((run / "provenance.json").read_text())
    assert (provenance["model_weights"], provenance["model_weights_seed"]) == ("random_blocks", 0)
    saved = json.loads(next((run / "checkpoints").glob("*/layer_3/cfg.json")).read_text())
    assert (saved["model_weights"], saved["model_weights_seed"]) == ("random_blocks", 0)
    assert main(["evaluate", "--trial", "R", "--runs", str(tmp_path), "--quiet"]) == 0
    own = load_trial_tables(run).final
    evaluated = load_trial_tables(tmp_path / "R-eval").final
    pd.testing.assert_frame_equal(
        evaluated[["mse", "l0", "embedding_cos_spliced"]],
        own[["mse", "l0", "embedding_cos_spliced"]],
        check_exact=False,
        rtol=1e-5,
        atol=1e-7,
    )
