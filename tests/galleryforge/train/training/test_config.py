from __future__ import annotations

import re
from pathlib import Path

import pytest

from galleryforge.cli.main import main
from galleryforge.errors import GalleryforgeError
from galleryforge.train.training.config import family_members
from galleryforge.train.training.presets import (
    load_preset,
    load_trials,
    parse_overrides,
    preset_names,
)
from galleryforge.train.training.session import check_compatible, source_groups
from tests.galleryforge.train.helpers import build_trial_cfg


def test_every_preset_loads_and_small_ones_keep_their_regimes() -> None:
    assert {"A", "B", "C", "A-small", "B-small", "C-small"} <= set(preset_names())
    a, b, c = (load_preset(name) for name in ("A-small", "B-small", "C-small"))
    assert (a.name, b.name, c.name) == ("A-small", "B-small", "C-small")
    assert (a.l1_form, b.l1_form, c.l1_form) == ("mean", "decoder_norm_sum", "decoder_norm_sum")
    assert a.controller == b.controller == "fixed" and c.controller == "proportional"
    check_compatible([a, b, c])  # they share the activation stream: one run trains all three
    full = load_preset("C")
    assert (full.width, full.tokens, full.checkpoint_every) == (32768, 300_000_000, 50_000_000)
    assert full.target_l0 == 150 and full.l1_coef == 5e-4 and full.controller_rate == 0.01
    assert len(full.milestone_steps()) == 6


def test_overrides_are_typed() -> None:
    parsed = parse_overrides(["tokens=2e4", "lr=0.01", "layers=0,2", "name=x", "width=1_024"])
    assert parsed == {"tokens": 20000, "lr": 0.01, "layers": [0, 2], "name": "x", "width": 1024}
    assert load_preset("A-small", ["tokens=20000"]).tokens == 20000


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("tokns=5", "unknown config key 'tokns' (did you mean 'tokens'"),
        ("tokens=1.5", "config 'tokens' = '1.5': expected int"),
        ("tokens", "expected key=value"),
        ("l1_form=max", "config 'l1_form' = 'max': expected one of"),
        ("width=0", "config 'width' = 0: expected a positive number"),
    ],
)
def test_bad_overrides_say_what_is_wrong(override: str, message: str) -> None:
    with pytest.raises(GalleryforgeError, match=re.escape(message)):
        load_preset("A-small", [override])


def test_unknown_preset_lists_the_valid_ones() -> None:
    with pytest.raises(
        GalleryforgeError, match=r"unknown preset 'A-smal' \(did you mean 'A-small'"
    ):
        load_preset("A-smal")


def test_preset_file_extends_a_packaged_preset(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('extends = "C-small"\ntarget_l0 = 7\n')
    cfg = load_preset(str(path))
    assert (cfg.name, cfg.target_l0, cfg.controller) == ("mine", 7.0, "proportional")
    path.write_text("colour = 3\n")
    with pytest.raises(GalleryforgeError, match="unknown config key 'colour'"):
        load_preset(str(path))


def test_controller_needs_a_target_below_the_width() -> None:
    with pytest.raises(GalleryforgeError, match="target_l0"):
        build_trial_cfg(controller="proportional", target_l0=0)


def test_milestones_fall_every_checkpoint_and_at_the_end() -> None:
    cfg = build_trial_cfg(tokens=1000, batch_tokens=100, checkpoint_every=300)
    assert cfg.milestone_steps() == [3, 6, 9, 10]


def test_a_width_family_stands_for_one_trial_per_width() -> None:
    members = load_trials("widths-small")
    b_small = load_preset("B-small")
    assert [(m.name, m.width) for m in members] == [
        (f"widths-small-F{w}", w) for w in (128, 256, 512, 1024)
    ]
    for member in members:
        assert member.family == "widths-small"
        assert member.widths == [128, 256, 512, 1024]
        assert (member.architecture, member.k, member.stop_rule) == ("topk", 32, "converged")
        assert member.lr == pytest.approx(3e-3 * (1024 / member.width) ** 0.5)  # lr ∝ 1/√F
        assert family_members(member) == [member]  # a member (as trial.toml reloads it) stays one
    assert [m.width for m in load_trials("B-small", ["widths=512,64"])] == [64, 512]
    assert load_trials("B-small") == [b_small]
    check_compatible([load_preset("A-small"), b_small, *members])  # one forward pass for all
    full = load_trials("widths")
    assert [m.name for m in full[:4]] == [
        "widths-F256-s0",
        "widths-F256-s1",
        "widths-F256-s2",
        "widths-F512-s0",
    ]
    assert sorted({m.width for m in full}) == [256 * 2**i for i in range(9)]
    assert {m.model for m in full} == {"EleutherAI/pythia-410m"}
    assert {(m.k, m.predict_width, m.sae_seed) for m in full if m.width == 32768} == {
        (150, 32768, seed) for seed in (0, 1, 2)
    }
    study = load_trials("widths-study")
    assert len(study) == 7 * 3
    assert {tuple(m.layers) for m in study} == {(1, 3, 5)}
    check_compatible(study)  # the seeds share one forward pass


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["widths=64,64"], "config 'widths' = [64, 64]: expected positive widths, no repeats"),
        (["widths=0,64"], "config 'widths' = [0, 64]: expected positive widths, no repeats"),
        (
            ["widths=64,128", "family=W", "width=96"],
            "config 'width' = 96: expected one of the family's widths [64, 128]",
        ),
    ],
)
def test_bad_families_say_what_is_wrong(overrides: list[str], message: str) -> None:
    with pytest.raises(GalleryforgeError, match=re.escape(message)):
        load_trials("B-small", overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"architecture": "gated"}, "config 'architecture' = 'gated': expected one of"),
        ({"architecture": "topk", "k": 0, "l1_coef": 0.0}, "config 'k' = 0: expected between 0"),
        ({"architecture": "topk", "k": 48, "l1_coef": 0.0}, "config 'k' = 48: expected between"),
        ({"architecture": "topk", "k": 4}, "config 'l1_coef' = 0.001: expected 0: architecture"),
        ({"k": 4}, "config 'k' = 4: expected 0: only topk and batchtopk"),
        ({"l0_coef": 1.0}, "config 'l0_coef' = 1.0: expected 0: only jumprelu"),
        (
            {"threshold_init": 0.1},
            "config 'threshold_init' = 0.1: expected left at 0.001: only jumprelu learns a "
            "threshold (this is 'relu')",
        ),
        (
            {"architecture": "topk", "k": 4, "l1_coef": 0.0, "bandwidth": 0.05},
            "config 'bandwidth' = 0.05: expected left at 0.001: only jumprelu",
        ),
        (
            {"threshold_lr": 10.0},
            "config 'threshold_lr' = 10.0: expected left at 1: only jumprelu learns a threshold",
        ),
        (
            {"architecture": "jumprelu", "l1_coef": 0.0, "l0_coef": 1.0, "threshold_lr": 0.0},
            "config 'threshold_lr' = 0.0: expected a positive number",
        ),
        (
            {
                "architecture": "jumprelu",
                "l1_coef": 0.0,
                "l0_coef": 1.0,
                "controller": "proportional",
                "target_l0": 4.0,
            },
            "config 'controller' = 'proportional': expected 'fixed': jumprelu",
        ),
        (
            {
                "architecture": "batchtopk",
                "k": 4,
                "l1_coef": 0.0,
                "controller": "proportional",
                "target_l0": 4.0,
            },
            "config 'controller' = 'proportional': expected 'fixed': architecture 'batchtopk'",
        ),
    ],
)
def test_architecture_fields_are_checked_with_the_field_named(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(GalleryforgeError, match=re.escape(message)):
        build_trial_cfg(**overrides)


def test_a_bad_value_names_the_preset_file_or_the_set_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the command line: exit 2, one line saying where the value came from, no run."""
    preset = tmp_path / "relu-threshold.toml"
    preset.write_text('extends = "B-small"\nthreshold_init = 0.1\n')
    out = tmp_path / "runs"
    for args, where in (
        (["--preset", str(preset)], f"{preset}: config 'threshold_init' = 0.1"),
        (["--preset", "topk-small", "--set", "k=0"], "--set k: config 'k' = 0: expected"),
    ):
        assert main(["train", *args, "--out", str(out)]) == 2
        [line] = capsys.readouterr().err.strip().splitlines()
        assert line.startswith(f"error: {where}"), line
        assert not out.exists()


def test_a_group_preset_loads_its_trials_from_one_forward_pass() -> None:
    trials = load_trials("arch-small", ["tokens=2048"])
    assert [t.name for t in trials] == [
        "relu-small",
        "topk-small",
        "batchtopk-small",
        "jumprelu-small",
    ]
    assert [t.architecture for t in trials] == ["relu", "topk", "batchtopk", "jumprelu"]
    assert {t.tokens for t in trials} == {2048}
    assert trials[0].target_l0 == trials[1].k == trials[2].k == trials[3].target_l0 == 32
    with pytest.raises(GalleryforgeError, match="preset 'arch-small' is a group of trials"):
        load_preset("arch-small")
    for name in preset_names():  # every packaged preset loads, and a group trains from one pass
        if name != "controls-small":  # ... but the controls: one pass per model (below)
            check_compatible(load_trials(name))
    controls = source_groups(load_trials("controls-small"))
    assert [[t.name for t in group] for group in controls] == [
        ["B-small-random"],
        ["B-small-random-blocks"],
    ]
    full = load_trials("arch")
    assert [t.architecture for t in full] == ["relu", "topk", "batchtopk", "jumprelu"]
    assert full[0].target_l0 == full[1].k == full[2].k == full[3].target_l0 == 150
