"""The toy experiment end to end: every read-out on a tiny grid, the run folder, the CLI."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from galleryforge import kd
from galleryforge.cli.main import main
from galleryforge.tables import TOY_SUMMARY, TOY_SWEEP, load_toy_tables
from galleryforge.train.toy.config import load_toy_config
from galleryforge.train.toy.experiment import run_toy, write_toy_run
from galleryforge.train.toy.transition import transition_widths
from tests.galleryforge.train.toy.toy_helpers import build_toy_cfg


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, Path]:
    seen: list = []
    result = run_toy(build_toy_cfg(), on_cell=seen.append)
    return seen, write_toy_run(result, tmp_path_factory.mktemp("runs"))


def test_toy_run_end_to_end(tiny_run: tuple[list, Path]) -> None:
    seen, run_dir = tiny_run
    config = build_toy_cfg()
    assert [c.done for c in seen] == [1, 2, 3, 4] and seen[-1].total == 4
    assert not [p for p in run_dir.parent.iterdir() if p.name != "toy"]  # no temp folders
    tables = load_toy_tables(run_dir)
    assert set(TOY_SWEEP.names) <= set(tables.sweep.columns)
    assert set(TOY_SUMMARY.names) <= set(tables.summary.columns)
    per_decoder = sum(len(config.widths(f)) for f in config.features) * 2 * 2
    assert len(tables.sweep) == 3 * per_decoder
    assert len(tables.summary) == 3 * 4
    assert tables.provenance["torch_version"] == torch.__version__
    assert load_toy_config(run_dir / "trial.toml") == config
    json.loads((run_dir / "provenance.json").read_text(encoding="utf-8"))


def test_summary_rows_follow_from_the_sweep(tiny_run: tuple[list, Path]) -> None:
    tables = load_toy_tables(tiny_run[1])
    for row in tables.summary.itertuples():
        assert row.d_star == pytest.approx(float(kd.toy_d_star(row.alpha, row.features)))
        assert row.k == pytest.approx(row.features * (1 - row.alpha))
        cell = tables.sweep[
            (tables.sweep.decoder == row.decoder)
            & (tables.sweep.alpha == row.alpha)
            & (tables.sweep.features == row.features)
        ]
        curve = cell.groupby("width")["normalised_loss"].mean()
        assert row.widest_width == row.features == curve.index.max()
        below = curve[curve <= 0.01]
        assert row.censored == int(below.empty)
        if row.censored:
            assert row.transition_width == row.widest_width
        else:
            first = below.index.min()
            earlier = curve[curve.index < first]
            assert (earlier.index.max() if len(earlier) else first) <= row.transition_width
            assert row.transition_width <= first
        assert row.ratio == pytest.approx(row.transition_width / row.d_star)
        # Normalised: 1 is the loss of x̂ = 0; the narrowest width recovers little.
        assert (cell["loss"] / cell["normalised_loss"]).to_numpy() == pytest.approx(row.zero_loss)
        assert curve.iloc[0] > 0.5


def test_nnls_reaches_exact_recovery_at_full_width(tiny_run: tuple[list, Path]) -> None:
    sweep = load_toy_tables(tiny_run[1]).sweep
    full = sweep[(sweep.decoder == "nnls") & (sweep.width == sweep.features)]
    assert float(full["normalised_loss"].max()) < 1e-4
    assert (full["converged"] == 1).all()


def test_rerun_replaces_the_run_folder(tmp_path: Path) -> None:
    config = build_toy_cfg(alphas=(0.9,), features=(8,), seeds=(0,), max_steps=100)
    first = write_toy_run(run_toy(config), tmp_path)
    (first / "stale.txt").write_text("old", encoding="utf-8")
    second = write_toy_run(run_toy(replace(config, seeds=(1,))), tmp_path)
    assert not (second / "stale.txt").exists()
    assert set(load_toy_tables(second).sweep["seed"]) == {1}


def test_cli_prints_the_summary_and_the_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["toy", "--preset", "toy-quick", "--out", str(tmp_path), "--jobs", "1"]
    overrides = ["features=8", "alphas=0.9", "max_steps=100", "eval_samples=256", "bootstrap=20"]
    assert main(args + [a for o in overrides for a in ("--set", o)]) == 0
    out = capsys.readouterr().out
    summary = load_toy_tables(tmp_path / "toy").summary
    assert summary["features"].tolist() == [8, 8, 8]
    for row in summary.itertuples():
        bound = "> " if row.censored else ""
        assert re.search(rf"{row.decoder}\s.*{bound}{row.ratio:.2f}", out), row.decoder
    assert "Converged:" in " ".join(out.split()) and "wrote" in out
    assert main(["toy", "--preset", "toy-quick", "--set", "alpah=0.9"]) == 2
    assert "did you mean 'alphas'" in capsys.readouterr().err


def test_worker_processes_give_the_same_tables() -> None:
    config = build_toy_cfg(alphas=(0.9,), features=(8, 16), seeds=(0,), max_steps=100)
    serial = run_toy(config, jobs=1)
    parallel = run_toy(config, jobs=2)
    pd.testing.assert_frame_equal(serial.sweep, parallel.sweep)
    pd.testing.assert_frame_equal(serial.summary, parallel.summary)


def test_transition_rule_is_what_the_summary_applies(tiny_run: tuple[list, Path]) -> None:
    tables = load_toy_tables(tiny_run[1])
    row = tables.summary.iloc[0]
    cell = tables.sweep[
        (tables.sweep.decoder == row.decoder)
        & (tables.sweep.alpha == row.alpha)
        & (tables.sweep.features == row.features)
    ]
    curve = cell.groupby("width")["normalised_loss"].mean()
    onset = transition_widths(curve.index.to_numpy(), curve.to_numpy(), 0.5)
    assert row.onset_width == pytest.approx(float(onset.width[0]))
    assert np.isfinite(row.onset_width)
