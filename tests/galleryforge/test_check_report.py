"""``galleryforge check`` on a width family: the knee line comes from the members' tables."""

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
    # tests/factories.py made layers 0 and 1 flat from F = 512 and layer 2 fall to the end.
    low, high = sorted(512 / final["d_star"].iloc[k] for k in (0, 1))
    assert f"in 2 of 3 layers at F = 512, {low:.1f}–{high:.1f}× trial W-F256's d*_S" in out
    assert f"at least {2048 / final['d_star'].iloc[2]:.1f}× trial W-F256's d*_S" in out
    assert main(["check", "--trial", "A", "--runs", str(family_runs)]) == 0
    assert "width family" not in capsys.readouterr().out
