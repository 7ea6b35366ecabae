"""The toy experiment: data, stopping and floor rules, config, batched training, the run folder."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from galleryforge import kd
from galleryforge.cli.main import main
from galleryforge.errors import GalleryforgeError
from galleryforge.tables import TOY_SUMMARY, TOY_SWEEP, load_toy_tables
from train.toy import floor_threshold, floor_width, run_toy, write_toy_run
from train.toy_config import ToyConfig, load_toy_config, parse_overrides
from train.toy_model import WidthStack, generator, plateaued, sample, train_cell


def build_toy_cfg(**overrides: Any) -> ToyConfig:
    """A grid small enough to train end to end in a few seconds."""
    values: dict[str, Any] = {
        "alphas": (0.8, 0.95),
        "features": (16, 32),
        "seeds": (0, 1),
        "batch_size": 128,
        "eval_samples": 2048,
        "eval_every": 50,
        "patience": 3,
        "max_steps": 800,
    }
    values.update(overrides)
    return ToyConfig(**values)


# ------------------------------------------------------------------------------------------ data


def test_sample_activation_probability_and_magnitudes() -> None:
    x = sample(generator(0, 0.9, 64, 0), 20_000, 64, 0.9)
    active = x > 0
    assert active.float().mean().item() == pytest.approx(0.1, abs=0.003)
    assert x.min().item() >= 0 and x.max().item() < 1
    magnitudes = x[active].numpy()
    assert np.quantile(magnitudes, [0.25, 0.5, 0.75]) == pytest.approx([0.25, 0.5, 0.75], abs=0.01)


def test_sample_is_deterministic_per_seed() -> None:
    first = sample(generator(0, 0.9, 32, 7), 100, 32, 0.9)
    again = sample(generator(0, 0.9, 32, 7), 100, 32, 0.9)
    other = sample(generator(0, 0.9, 32, 8), 100, 32, 0.9)
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


# --------------------------------------------------------------------------------------- stopping


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([1.0, 0.9, 0.8], False),  # too short to judge a window of 3
        ([1.0, 0.5, 0.4, 0.3, 0.2], False),  # still improving
        ([1.0, 0.5, 0.499, 0.498, 0.4999], True),  # < 1% better than 0.5 for 3 evaluations
        ([1.0, 0.5, 0.51, 0.52, 0.49], False),  # 2% better within the window
        ([1.0, 0.5, 0.6, 0.7, 0.8], True),  # got worse
    ],
)
def test_plateaued(history: list[float], expected: bool) -> None:
    assert plateaued(history, rel_tol=0.01, patience=3) is expected


# ------------------------------------------------------------------------------------------ floor


def test_floor_rules() -> None:
    widths = [1, 2, 4, 8, 16]
    losses = [1.0, 0.6, 0.2, 0.04, 0.0]
    # range: within 5% of (1.0 - 0.0) of the floor 0.0 -> 0.04 qualifies
    assert floor_threshold(losses, "range", 0.05) == pytest.approx(0.05)
    assert floor_width(widths, losses, "range", 0.05) == 8
    assert floor_width(widths, losses, "range", 0.0) == 16
    assert floor_width(widths, losses, "absolute", 0.25) == 4
    assert floor_width([1, 2, 4], [1.0, 0.52, 0.5], "relative", 0.05) == 2
    assert floor_width([1, 2, 4], [1.0, 0.53, 0.5], "relative", 0.05) == 4


def test_floor_width_is_the_smallest_qualifying_width_even_if_not_monotone() -> None:
    assert floor_width([1, 2, 4, 8], [1.0, 0.1, 0.3, 0.1], "range", 0.05) == 2


# ----------------------------------------------------------------------------------------- config


def test_presets_load_and_validate() -> None:
    default = load_toy_config("toy")
    assert default.alphas == (0.8, 0.9, 0.95, 0.98, 0.99)
    assert default.features == (64, 128, 256, 512)
    quick = load_toy_config("toy-quick")
    assert len(quick.alphas) * len(quick.features) < 20


def test_width_grid() -> None:
    assert ToyConfig().widths(64) == (1, 2, 3, 4, 6, 8, 11, 16, 23, 32)
    assert ToyConfig(max_width_fraction=1.0, widths_per_octave=1).widths(16) == (1, 2, 4, 8, 16)


def test_overrides_are_typed() -> None:
    parsed = parse_overrides(
        ["alphas=0.9,0.99", "max_steps=2e3", "floor_rule=relative", "seeds=[3, 4]", "lr=1e-3"]
    )
    assert parsed == {
        "alphas": (0.9, 0.99),
        "max_steps": 2000,
        "floor_rule": "relative",
        "seeds": (3, 4),
        "lr": 0.001,
    }
    assert load_toy_config("toy-quick", ["features=16"]).features == (16,)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("alpha=0.9", "did you mean 'alphas'"),
        ("max_steps=1.5", "expected int"),
        ("batch_size=many", "expected int"),
        ("max_steps", "expected key=value"),
        ("alphas=0.9,1.2", "alphas: 1.2 is outside (0, 1)"),
        ("floor_rule=median", "unknown floor_rule 'median'"),
        ("seeds=1,1", "repeats a value"),
        ("patience=0", "patience: must be at least 1"),
    ],
)
def test_bad_overrides_are_one_line_errors(override: str, message: str) -> None:
    with pytest.raises(GalleryforgeError) as caught:
        load_toy_config("toy-quick", [override])
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_preset_and_unknown_file_key(tmp_path: Path) -> None:
    with pytest.raises(GalleryforgeError, match="did you mean 'toy-quick'"):
        load_toy_config("toy-quik")
    bad = tmp_path / "bad.toml"
    bad.write_text("alphas = [0.9]\nfeatres = [16]\n", encoding="utf-8")
    with pytest.raises(GalleryforgeError, match=r"bad\.toml.*did you mean 'features'"):
        load_toy_config(bad)


# ----------------------------------------------------------------------------------------- model


def test_gradients_match_autograd() -> None:
    stack = WidthStack(5, (0, 1), 0.8, 24)
    stack.b = torch.randn(stack.b.shape, generator=torch.Generator().manual_seed(0)) * 0.1
    x = torch.stack([sample(generator(0, 0.8, 24, s), 64, 24, 0.8) for s in (0, 1)])
    grad_w, grad_b = stack.gradients(x)
    stack.W.requires_grad_(True)
    stack.b.requires_grad_(True)
    expected_w, expected_b = torch.autograd.grad(stack.losses(x).sum(), (stack.W, stack.b))
    torch.testing.assert_close(grad_w, expected_w)
    torch.testing.assert_close(grad_b, expected_b)


def test_batched_training_matches_one_model_alone() -> None:
    config = build_toy_cfg(max_steps=300)
    batched = train_cell(config, 0.9, 32, widths=(2, 4, 8), seeds=(0, 1))
    alone = train_cell(config, 0.9, 32, widths=(4,), seeds=(1,))
    twin = next(r for r in batched if (r.seed, r.width) == (1, 4))
    assert alone[0].steps == twin.steps
    assert alone[0].loss == pytest.approx(twin.loss, rel=1e-4)
    assert train_cell(config, 0.9, 32, widths=(4,), seeds=(1,)) == alone  # deterministic


# -------------------------------------------------------------------------------------- end to end


def test_toy_run_end_to_end(tmp_path: Path) -> None:
    config = build_toy_cfg()
    seen = []
    result = run_toy(config, on_cell=seen.append)
    assert [c.done for c in seen] == [1, 2, 3, 4] and seen[-1].total == 4
    run_dir = write_toy_run(result, tmp_path / "runs")
    assert run_dir == tmp_path / "runs" / "toy"
    assert not [p for p in (tmp_path / "runs").iterdir() if p.name != "toy"]  # no temp folders

    tables = load_toy_tables(run_dir)
    assert set(TOY_SWEEP.names) <= set(tables.sweep.columns)
    assert set(TOY_SUMMARY.names) <= set(tables.summary.columns)
    assert len(tables.sweep) == sum(len(config.widths(f)) for f in config.features) * 2 * 2
    assert len(tables.summary) == 4
    assert tables.provenance["torch_version"] == torch.__version__
    assert load_toy_config(run_dir / "trial.toml") == config
    json.loads((run_dir / "provenance.json").read_text(encoding="utf-8"))

    for row in tables.summary.itertuples():
        assert row.d_star == pytest.approx(float(kd.toy_d_star(row.alpha, row.features)))
        assert row.k == pytest.approx(row.features * (1 - row.alpha))
        cell = tables.sweep[
            (tables.sweep.alpha == row.alpha) & (tables.sweep.features == row.features)
        ]
        curve = cell.groupby("width")["loss"].mean()
        assert row.floor_width in set(curve.index)
        assert row.at_grid_edge == int(row.floor_width == curve.index.max())
        low, high = curve.min(), curve.max()
        threshold = low + config.floor_tolerance * (high - low)
        assert row.floor_loss == pytest.approx(low)
        assert curve[row.floor_width] <= threshold
        assert (curve[curve.index < row.floor_width] > threshold).all()
        # Broadly decreasing: the widest beats the narrowest, most steps go down.
        assert curve.iloc[-1] < 0.5 * curve.iloc[0]
        assert (np.diff(curve.to_numpy()) < 0).mean() >= 0.8


def test_rerun_replaces_the_run_folder(tmp_path: Path) -> None:
    config = build_toy_cfg(alphas=(0.9,), features=(8,), seeds=(0,), max_steps=100)
    first = write_toy_run(run_toy(config), tmp_path)
    (first / "stale.txt").write_text("old", encoding="utf-8")
    second = write_toy_run(run_toy(replace(config, seeds=(1,))), tmp_path)
    assert not (second / "stale.txt").exists()
    assert set(load_toy_tables(second).sweep["seed"]) == {1}


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "toy",
        "--preset",
        "toy-quick",
        "--out",
        str(tmp_path),
        "--quiet",
        "--set",
        "features=8",
        "--set",
        "alphas=0.9",
        "--set",
        "max_steps=100",
    ]
    assert main(args) == 0
    assert "wrote" in capsys.readouterr().out
    assert load_toy_tables(tmp_path / "toy").summary["features"].tolist() == [8]
    assert main(["toy", "--preset", "toy-quick", "--set", "alpah=0.9"]) == 2
    assert "did you mean 'alphas'" in capsys.readouterr().err


def test_worker_processes_give_the_same_tables() -> None:
    config = build_toy_cfg(alphas=(0.9,), features=(8, 16), seeds=(0,), max_steps=200)
    serial = run_toy(config, jobs=1).sweep
    parallel = run_toy(config, jobs=2).sweep
    pd.testing.assert_frame_equal(serial, parallel)
