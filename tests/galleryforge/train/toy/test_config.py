"""The toy config: presets, the grid of cells, the width cap, typed overrides, one-line errors."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from galleryforge import kd
from galleryforge.errors import GalleryforgeError
from galleryforge.train.toy.config import (
    Cell,
    ToyConfig,
    load_toy_config,
    log_grid,
    parse_overrides,
)


def test_presets_load_and_validate() -> None:
    default = load_toy_config("toy")
    assert default == ToyConfig()  # the preset spells out the defaults
    assert default.decoders == ("lp", "active-set", "untied", "tied")
    assert default.data == "exact-k" and len(default.ks) >= 2
    assert (min(default.features), max(default.features)) == (64, 1024)
    quick = load_toy_config("toy-quick")
    assert quick.decoders == default.decoders and quick.epsilon == default.epsilon
    assert len(quick.cells()) < len(default.cells())
    study = load_toy_config("toy-study")
    assert study.ks == (2, 4, 8, 16) and study.features == tuple(2**i for i in range(6, 13))
    assert len(study.seeds) >= 5
    alpha = load_toy_config("toy-alpha")  # the study's original (α, F) grid
    assert alpha.alphas == (0.8, 0.9, 0.95, 0.98) and alpha.features == (32, 64)
    assert alpha.data == "bernoulli" and alpha.ks == ()


def test_fixed_k_and_alpha_grids_give_their_cells() -> None:
    cells = ToyConfig(ks=(2, 4), features=(64, 256)).cells()
    assert cells == [
        Cell(64, 2.0, 1 - 2 / 64),
        Cell(64, 4.0, 1 - 4 / 64),
        Cell(256, 2.0, 1 - 2 / 256),
        Cell(256, 4.0, 1 - 4 / 256),
    ]
    alphas = ToyConfig(ks=(), alphas=(0.8, 0.9), features=(32,), data="bernoulli").cells()
    assert [(c.k, c.alpha) for c in alphas] == [
        (pytest.approx(3.2), 0.9),
        (pytest.approx(6.4), 0.8),
    ]


def test_the_widest_width_stops_short_of_f_and_scales_with_the_references() -> None:
    config = ToyConfig(width_cap=8.0)
    small, large = Cell(64, 16.0, 0.75), Cell(4096, 2.0, 1 - 2 / 4096)
    assert config.widest(small) == 32  # F/2: 8 · max(d*, δ) would be 8 · 30 = 240
    reference = max(float(kd.toy_d_star(large.alpha, 4096)), float(kd.toy_delta(2, 4096)))
    assert config.widest(large) == math.floor(8 * reference)  # 8 · 18.99 = 151 < 2,048
    assert ToyConfig(width_cap=1.0).widest(large) == math.floor(reference)
    assert config.coarse_widths(large) == (1, 2, 4, 8, 16, 32, 64, 128, 151)


def test_trained_read_outs_can_stop_at_a_smaller_f_than_the_exact_ones() -> None:
    from galleryforge.train.toy.experiment import units

    config = ToyConfig(ks=(2.0,), features=(64, 128, 256), trained_max_features=128)
    measured = {(cell.features, readout) for cell, readout in units(config)}
    assert measured == {
        (f, r) for f in (64, 128, 256) for r in ("lp", "active-set", "untied", "tied")
    } - {(256, "untied"), (256, "tied")}
    assert len(units(ToyConfig(ks=(2.0,), features=(64, 128, 256), trained_max_features=0))) == 12


def test_log_grid_reaches_the_widest_width_at_the_chosen_density() -> None:
    assert log_grid(16, 1) == (1, 2, 4, 8, 16)
    assert log_grid(16, 4) == (1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 16)
    assert log_grid(24, 2)[-1] == 24  # the widest width even off the grid
    widths = log_grid(128, 4)
    ratios = [b / a for a, b in itertools.pairwise(widths) if a >= 8]
    assert max(ratios) <= 1.25  # neighbours 2^(1/4) ≈ 1.19 apart, 1.25 at most from rounding


def test_overrides_are_typed_and_switch_grids() -> None:
    parsed = parse_overrides(
        ["ks=2,8", "max_steps=2e3", "decoders=lp,tied", "seeds=[3, 4]", "lr=1e-3"]
    )
    assert parsed == {
        "ks": (2.0, 8.0),
        "max_steps": 2000,
        "decoders": ("lp", "tied"),
        "seeds": (3, 4),
        "lr": 0.001,
    }
    assert load_toy_config("toy-quick", ["features=128"]).features == (128,)
    # An (α, F) grid on the command line replaces the preset's k grid, and the other way round.
    switched = load_toy_config("toy", ["alphas=0.9", "data=bernoulli", "features=32"])
    assert switched.ks == () and switched.cells()[0].k == pytest.approx(3.2)
    assert load_toy_config("toy-alpha", ["ks=2", "data=exact-k"]).alphas == ()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("alpha=0.9", "did you mean 'alphas'"),
        ("max_steps=1.5", "expected int"),
        ("batch_size=many", "expected int"),
        ("max_steps", "expected key=value"),
        ("ks=2,64", "ks: k = 64 is not below F = 32"),
        ("ks=2.5", "ks: k = 2.5 is not whole (exact-k data)"),
        ("alphas=0.9", "alphas: α = 0.9 at F = 32 gives k = 3.2, not whole (exact-k data)"),
        ("epsilon=1.5", "epsilon: must be in (0, 1), got 1.5"),
        ("epsilon=0", "epsilon: must be in (0, 1), got 0"),
        ("width_cap=0.5", "width_cap: must be at least 1, got 0.5"),
        ("decoders=lp,lasso", "unknown read-out in decoders 'lasso'"),
        ("decoders=nnls", "decoders: 'nnls' is now called 'active-set'"),
        ("data=gaussian", "data: 'gaussian' is not one of exact-k, bernoulli"),
        ("seeds=1,1", "repeats a value"),
        ("patience=0", "patience: must be at least 1"),
        ("epsilon=0.7", "epsilon: must be below onset"),
        ("lr_drop=1.5", "lr_drop: must be in (0, 1)"),
        ("full_curves=100", "full_curves: 100 is not one of features"),
        ("bracket=1", "bracket: must be above 1"),
        ("trained_max_features=-1", "trained_max_features: must be non-negative, got -1"),
    ],
)
def test_bad_overrides_are_one_line_errors(override: str, message: str) -> None:
    with pytest.raises(GalleryforgeError) as caught:
        load_toy_config("toy-quick", [override])
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_preset_and_bad_file_values_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(GalleryforgeError, match="did you mean 'toy-quick'"):
        load_toy_config("toy-quik")
    bad = tmp_path / "bad.toml"
    bad.write_text("ks = [2]\nfeatres = [16]\n", encoding="utf-8")
    with pytest.raises(GalleryforgeError, match=r"bad\.toml.*did you mean 'features'"):
        load_toy_config(bad)
    bad.write_text("ks = [16]\nfeatures = [16]\n", encoding="utf-8")
    with pytest.raises(GalleryforgeError, match=r"bad\.toml.*ks: k = 16 is not below F = 16"):
        load_toy_config(bad)
