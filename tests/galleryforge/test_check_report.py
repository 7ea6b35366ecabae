"""``galleryforge check`` on a width family: the fitted knees come from the members' tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from galleryforge.cli.main import main
from galleryforge.tables import load_trial_tables


def test_check_states_where_the_family_knees_sit(
    family_runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--trial", "W-F256", "--runs", str(family_runs)]) == 0
    out = capsys.readouterr().out
    assert "width family W (F = 128, 256, 512, 1,024, 2,048):" in out
    final = load_trial_tables(family_runs / "W-F256").final
    # tests/factories.py planted layers 0 and 1 to flatten at F = 1,000 and layer 2 never to.
    ratio = 1000 / final["d_star"].iloc[0]
    assert f"layer 0 F ≈ 1,000 (no interval: one seed), {ratio:.1f}× d*_S" in out
    assert f"≥ {2048 / final['d_star'].iloc[2]:.1f}× d*_S" in out
    assert main(["check", "--trial", "A", "--runs", str(family_runs)]) == 0
    assert "width family" not in capsys.readouterr().out


def test_check_states_each_architecture_and_their_means_at_one_width(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.factories import write_trial

    for seed, (name, config) in enumerate([("r", ""), ("t", 'architecture = "topk"\nk = 32\n')]):
        root = write_trial(tmp_path, name, n_layers=3, seed=seed)
        (root / "trial.toml").write_text(f'name = "{name}"\n{config}')
    assert main(["check", "--trial", "all", "--runs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "  architecture: ReLU\n" in out
    assert "  architecture: TopK: each token's 32 largest pre-activations (L0 = 32)\n" in out
    assert "architectures at F = 4,096 (ReLU + L1, TopK):" in out
    for name, label in (("r", "ReLU + L1"), ("t", "TopK")):
        final = load_trial_tables(tmp_path / name).final
        assert (
            f"  {label} trial {name}: mean L0 {final['l0'].mean():,.1f}, mean FVU "
            f"{final['fvu'].mean():.3f}, mean d*_S {final['d_star'].mean():,.0f}\n"
        ) in out
