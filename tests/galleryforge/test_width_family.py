"""A width family read back: members per width and seed, the declared d*_S, the fitted knees and
the sentences about them, on planted curves (tests/factories.py ``write_family``)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from galleryforge.tables import load_trial_tables, write_table
from galleryforge.width_family import (
    declared_prediction,
    family_finding,
    family_members,
    family_table,
    layer_fits,
    prediction_finding,
    seed_means,
)
from tests.factories import FAMILY_KNEE, family_mse, write_family

WIDTHS = (128, 256, 512, 1024, 2048)
TOPK = 'architecture = "topk"\nk = 16\npredict_width = 512\npredict_from = "target"'


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("seeded")
    write_family(runs, seeds=(0, 1, 2), noise=0.01, config=TOPK)
    return runs


def _members(runs: Path, trial: str) -> tuple:  # type: ignore[type-arg]
    trials = {p.name: load_trial_tables(p) for p in runs.iterdir()}
    return family_members(trials[trial], trials)


def test_members_are_keyed_by_width_and_seed_and_averaged_over_seeds(seeded: Path) -> None:
    members = _members(seeded, "W-F512-s1")
    assert [m.trial for m in members[:4]] == ["W-F128-s0", "W-F128-s1", "W-F128-s2", "W-F256-s0"]
    table = family_table(members)
    assert sorted(table["seed"].unique()) == [0, 1, 2]
    means = seed_means(table).set_index(["layer", "width"])
    by_hand = [family_mse(1, 256, False, seed, 0.01) for seed in (0, 1, 2)]
    assert means.loc[(1, 256), "mse"] == pytest.approx(sum(by_hand) / 3)
    assert means.loc[(1, 256), "mse_low"] == pytest.approx(min(by_hand))
    assert means.loc[(1, 256), "seeds"] == 3


def test_the_declared_prediction_from_the_target(seeded: Path) -> None:
    members = _members(seeded, "W-F2048-s0")
    prediction = declared_prediction(members[-1], family_table(members))
    # k ln(F / k) = 16 ln(512 / 16) = 55.45, for every layer, before any training.
    assert prediction.declared
    assert prediction.d_star == pytest.approx(dict.fromkeys(range(3), 16 * math.log(32)))
    assert "target L0 16, F = 512" in prediction.source


def test_the_declared_prediction_from_a_member(tmp_path: Path) -> None:
    write_family(tmp_path, seeds=(0, 1), config='predict_width = 256\npredict_from = "member"')
    members = _members(tmp_path, "W-F128-s0")
    prediction = declared_prediction(members[0], family_table(members))
    finals = [load_trial_tables(tmp_path / f"W-F256-s{s}").final for s in (0, 1)]
    for layer in range(3):
        by_hand = sum(float(f.loc[f["layer"] == layer, "d_star"].iloc[0]) for f in finals) / 2
        assert prediction.d_star[layer] == pytest.approx(by_hand)
    assert "measured at F = 256 (mean over 2 seeds)" in prediction.source


def test_knees_against_the_declared_d_star_in_the_finding(seeded: Path) -> None:
    members = _members(seeded, "W-F512-s0")
    fits = layer_fits(family_table(members))
    # Planted: layers 0 and 1 flatten, knee at a / (0.05 L∞) = 1,000; layer 2 never does.
    for layer in (0, 1):
        assert fits[layer].knee_low <= FAMILY_KNEE <= fits[layer].knee_high
    assert fits[2].censored and fits[2].knee == 2048
    text = family_finding(members[0], members)
    star = 16 * math.log(32)
    assert "fitted to the mean over 3 seeds a width" in text
    assert f"layer 2 beyond F = 2,048 (a lower bound), ≥ {2048 / star:.1f}× d*_S" in text
    assert f"layer 0 F ≈ {fits[0].knee:,.0f} (95% {fits[0].knee_low:,.0f}–" in text
    # The knees (≈ 1,000) lie far above 16 ln 32 = 55: the loss kept falling past d*_S.
    verdicts = prediction_finding(members[0], members)
    assert "3 of 3 layers flatten later" in verdicts
    assert "layer 2: the fitted curve has not flattened by F = 2,048" in verdicts
    # The planted curve at d*_S lies (1/55.45) / 0.02 = 90% above its floor; the fit to noisy
    # seeds says within a few points of that.
    said = re.search(r"layer 0: at d\*_S = 55 the fitted loss is (\d+)% above its floor", verdicts)
    assert said is not None and abs(int(said.group(1)) - 90) <= 5


def test_protocol_notes_name_members_off_target_or_unconverged(tmp_path: Path) -> None:
    write_family(tmp_path, widths=(128, 256, 512), config=TOPK)
    for width in (128, 256, 512):
        path = tmp_path / f"W-F{width}" / "tables" / "layers.parquet"
        layers = load_trial_tables(tmp_path / f"W-F{width}").layers
        layers["target_l0"] = 16.0
        layers["l0_off_target"] = int(width == 256)
        layers["converged"] = int(width != 512)
        layers["mse_gain"] = 0.005
        write_table(layers, path)
    members = _members(tmp_path, "W-F128")
    text = family_finding(members[0], members)
    assert "L0 more than 5% off its target 16 in 1 of 3 members: W-F256." in text
    assert "1 of 3 members reached the token cap unconverged: W-F512." in text
