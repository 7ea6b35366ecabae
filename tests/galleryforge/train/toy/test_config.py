"""The toy config: presets, the width grid, typed overrides and one-line errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from galleryforge.errors import GalleryforgeError
from galleryforge.train.toy.config import ToyConfig, load_toy_config, parse_overrides


def test_presets_load_and_validate() -> None:
    default = load_toy_config("toy")
    assert default == ToyConfig()  # the preset spells out the defaults
    assert default.decoders == ("nnls", "untied", "tied")
    assert default.widths_per_octave >= 4
    quick = load_toy_config("toy-quick")
    assert quick.decoders == default.decoders and quick.epsilon == default.epsilon
    assert len(quick.alphas) * len(quick.features) < len(default.alphas) * len(default.features)


def test_width_grid_reaches_f_at_the_chosen_density() -> None:
    assert ToyConfig(widths_per_octave=1).widths(16) == (1, 2, 4, 8, 16)
    assert ToyConfig(widths_per_octave=4).widths(16) == (1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 16)
    assert ToyConfig(widths_per_octave=2).widths(24)[-1] == 24  # F itself even off the grid
    widths = ToyConfig(widths_per_octave=4).widths(128)
    ratios = [b / a for a, b in itertools.pairwise(widths) if a >= 8]
    # Neighbours 2^(1/4) ≈ 1.19 apart (1.25 at most, from rounding): the bracket around a
    # crossing is ±12% at worst before interpolation narrows it.
    assert max(ratios) <= 1.25


def test_overrides_are_typed() -> None:
    parsed = parse_overrides(
        ["alphas=0.9,0.99", "max_steps=2e3", "decoders=nnls,tied", "seeds=[3, 4]", "lr=1e-3"]
    )
    assert parsed == {
        "alphas": (0.9, 0.99),
        "max_steps": 2000,
        "decoders": ("nnls", "tied"),
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
        ("decoders=nnls,lasso", "unknown read-out in decoders 'lasso'"),
        ("seeds=1,1", "repeats a value"),
        ("patience=0", "patience: must be at least 1"),
        ("epsilon=0.7", "epsilon: must be below onset"),
        ("lr_drop=1.5", "lr_drop: must be in (0, 1)"),
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
