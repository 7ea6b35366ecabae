"""The toy experiment end to end: every read-out on a tiny grid, the run folder, resuming, CLI."""

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
from galleryforge.train.toy.experiment import UnitDone, cells_folder, run_toy, units, write_toy_run
from galleryforge.train.toy.transition import transition_widths
from tests.galleryforge.train.toy.toy_helpers import build_toy_cfg


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[UnitDone], Path]:
    seen: list[UnitDone] = []
    result = run_toy(build_toy_cfg(), on_unit=seen.append)
    return seen, write_toy_run(result, tmp_path_factory.mktemp("runs"))


def test_toy_run_end_to_end(tiny_run: tuple[list[UnitDone], Path]) -> None:
    seen, run_dir = tiny_run
    config = build_toy_cfg()
    assert [u.done for u in seen] == list(range(1, 9)) and seen[-1].total == 8
    assert not [p for p in run_dir.parent.iterdir() if p.name != "toy"]  # no temp folders
    tables = load_toy_tables(run_dir)
    assert set(TOY_SWEEP.names) <= set(tables.sweep.columns)
    assert set(TOY_SUMMARY.names) <= set(tables.summary.columns)
    assert len(tables.summary) == 4 * 2  # four read-outs, two cells
    assert set(tables.sweep["seed"]) == {0, 1}
    assert tables.provenance["torch_version"] == torch.__version__
    assert load_toy_config(run_dir / "trial.toml") == config
    json.loads((run_dir / "provenance.json").read_text(encoding="utf-8"))


def test_summary_rows_follow_from_the_sweep(tiny_run: tuple[list[UnitDone], Path]) -> None:
    tables = load_toy_tables(tiny_run[1])
    config = build_toy_cfg()
    for row in tables.summary.itertuples():
        assert row.k == 2 and row.data == "exact-k"
        assert row.d_star == pytest.approx(2 * np.log(row.features / 2))
        assert row.delta == pytest.approx(float(kd.toy_delta(2, row.features)))
        cell = tables.sweep[
            (tables.sweep.decoder == row.decoder) & (tables.sweep.features == row.features)
        ]
        curve = cell.groupby("width")["normalised_loss"].mean()
        assert row.widest_width == min(row.features // 2, int(8 * max(row.d_star, row.delta)))
        assert curve.index.max() <= row.widest_width and row.widths_measured == len(curve)
        below = curve[curve <= config.epsilon]
        assert row.censored == int(below.empty)
        if row.censored:
            assert row.transition_width == curve.index.max() == row.widest_width
        else:
            first = below.index.min()
            earlier = curve[curve.index < first]
            assert (earlier.index.max() if len(earlier) else first) <= row.transition_width
            assert row.transition_width <= first
        assert row.ratio == pytest.approx(row.transition_width / row.d_star)
        # Normalised: 1 is the loss of x̂ = 0 on the same held-out samples.
        ratio = (cell["loss"] / cell["normalised_loss"]).to_numpy()
        if row.decoder in ("lp", "active-set"):
            assert ratio == pytest.approx(ratio[0])  # the first exact_samples of the set
            assert cell["exact_frac"].between(0, 1).all() and (cell["steps"] == 0).all()
        else:
            assert ratio == pytest.approx(row.zero_loss)
            assert cell["exact_frac"].isna().all() and np.isnan(row.exact_half_width)
        assert row.cpu_s > 0


def test_lp_search_stops_once_every_level_is_crossed(
    tiny_run: tuple[list[UnitDone], Path],
) -> None:
    tables = load_toy_tables(tiny_run[1])
    lp = tables.sweep[tables.sweep.decoder == "lp"]
    means = lp.groupby(["features", "width"])[["normalised_loss", "exact_frac"]].mean()
    for features, curve in means.groupby(level="features"):
        last = curve.iloc[-1]  # the widest width measured: the cap, or where all levels crossed
        row = tables.summary[
            (tables.summary.decoder == "lp") & (tables.summary.features == features)
        ]
        if curve.index.get_level_values("width").max() < int(row["widest_width"].iloc[0]):
            assert last["normalised_loss"] <= 0.001 and last["exact_frac"] >= 0.5, features
    assert (lp["converged"] == 1).all()


def test_a_stopped_run_resumes_from_the_units_kept_on_disk(tmp_path: Path) -> None:
    config = build_toy_cfg(features=(16,), decoders=("active-set", "tied"), max_steps=100)
    keep = cells_folder(tmp_path)
    first = run_toy(config, keep=keep)
    assert sorted(p.name for p in keep.glob("*.parquet")) == [
        "active-set_k2_F16.parquet",
        "tied_k2_F16.parquet",
    ]
    (keep / "tied_k2_F16.parquet").unlink()  # as if stopped before tied finished
    seen: list[UnitDone] = []
    again = run_toy(config, on_unit=seen.append, keep=keep)
    assert [(u.readout, u.kept) for u in seen] == [("active-set", True), ("tied", False)]
    pd.testing.assert_frame_equal(first.sweep, again.sweep)
    pd.testing.assert_frame_equal(
        first.summary.drop(columns="cpu_s"), again.summary.drop(columns="cpu_s")
    )
    # A different measurement empties the folder; more cells reuse the ones it shares.
    seen.clear()
    run_toy(replace(config, features=(16, 32)), on_unit=seen.append, keep=keep)
    assert [u.kept for u in seen] == [True, True, False, False]
    run_toy(replace(config, epsilon=0.02), keep=keep)
    assert not (keep / "tied_k2_F32.parquet").exists()
    write_toy_run(again, tmp_path, keep_units=True)
    assert keep.exists()  # kept for a larger grid to reuse
    write_toy_run(again, tmp_path)
    assert not keep.exists()  # dropped once the run is written


def test_rerun_replaces_the_run_folder(tmp_path: Path) -> None:
    config = build_toy_cfg(features=(8,), seeds=(0,), decoders=("active-set",))
    first = write_toy_run(run_toy(config), tmp_path)
    (first / "stale.txt").write_text("old", encoding="utf-8")
    second = write_toy_run(run_toy(replace(config, seeds=(1,))), tmp_path)
    assert not (second / "stale.txt").exists()
    assert set(load_toy_tables(second).sweep["seed"]) == {1}


def test_cli_prints_the_summary_and_the_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["toy", "--preset", "toy-quick", "--out", str(tmp_path), "--jobs", "1"]
    overrides = [
        "features=16",
        "ks=2",
        "max_steps=100",
        "eval_samples=256",
        "exact_samples=32",
        "bootstrap=20",
    ]
    assert main(args + [a for o in overrides for a in ("--set", o)]) == 0
    out = capsys.readouterr().out
    summary = load_toy_tables(tmp_path / "toy").summary
    assert summary["decoder"].tolist() == ["active-set", "lp", "tied", "untied"]
    for row in summary.itertuples():
        bound = "> " if row.censored else ""
        assert re.search(rf"{row.decoder}\s.*k=2 F=16.*{bound}{row.ratio:.2f}", out), row.decoder
    assert "Converged:" in " ".join(out.split()) and "wrote" in out
    assert not cells_folder(tmp_path).exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("ks=16", "ks: k = 16 is not below F = 16"),
        ("epsilon=1.5", "epsilon: must be in (0, 1), got 1.5"),
        ("width_cap=0.5", "width_cap: must be at least 1, got 0.5"),
        ("decoders=lp,lasso", "unknown read-out in decoders 'lasso'"),
        ("alpah=0.9", "did you mean 'alphas'"),
    ],
)
def test_bad_input_is_one_line_exit_two_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], override: str, message: str
) -> None:
    args = ["toy", "--preset", "toy-quick", "--out", str(tmp_path), "--set", "features=16"]
    assert main([*args, "--set", override]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert list(tmp_path.iterdir()) == []


def test_worker_processes_give_the_same_tables() -> None:
    config = build_toy_cfg(features=(8, 16), seeds=(0,), max_steps=100)
    serial = run_toy(config, jobs=1)
    parallel = run_toy(config, jobs=2)
    assert len(units(config)) == 8
    pd.testing.assert_frame_equal(serial.sweep, parallel.sweep)
    pd.testing.assert_frame_equal(
        serial.summary.drop(columns="cpu_s"), parallel.summary.drop(columns="cpu_s")
    )


def test_transition_rule_is_what_the_summary_applies(
    tiny_run: tuple[list[UnitDone], Path],
) -> None:
    tables = load_toy_tables(tiny_run[1])
    for row in tables.summary.itertuples():
        cell = tables.sweep[
            (tables.sweep.decoder == row.decoder) & (tables.sweep.features == row.features)
        ]
        curve = cell.groupby("width")["normalised_loss"].mean()
        for level, column in ((0.5, "onset_width"), (0.001, "transition_e3")):
            found = transition_widths(curve.index.to_numpy(), curve.to_numpy(), level)
            assert getattr(row, column) == pytest.approx(float(found.width[0]))
