"""scripts/toy_readme.py: the README's toy table, every number a column of the run's summary,
and the estimate of benchmarks/toy_sweep.py from units kept on disk."""

from __future__ import annotations

import contextlib
import io
import math
import runpy
import sys
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest

from galleryforge.renderings.toy_readouts import toy_finding
from tests.factories import write_toy

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> str:
    out = io.StringIO()
    with mock.patch.object(sys, "argv", [script, *args]), contextlib.redirect_stdout(out):
        runpy.run_path(str(ROOT / script), run_name="__main__")
    return out.getvalue()


def test_the_readme_table_is_the_summarys(tmp_path: Path) -> None:
    root = write_toy(tmp_path)
    text = _run("scripts/toy_readme.py", str(root))
    summary = pd.read_parquet(root / "tables" / "summary.parquet")
    for decoder, rows in summary.groupby("decoder"):
        first = rows.iloc[0]
        line = next(line for line in text.splitlines() if line.startswith(f"| `{decoder}` |"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[1] == f"{first['a']:.2f} ({first['a_low']:.2f}–{first['a_high']:.2f})"
        assert cells[2] == f"{first['b']:.2f} ({first['b_low']:.2f}–{first['b_high']:.2f})"
        assert cells[3] == f"{first['c']:.2f} ({first['c_low']:.2f}–{first['c_high']:.2f})"
        assert cells[4] == f"{int((rows['censored'] == 0).sum())} of {len(rows)}"
    assert toy_finding(summary) in text


def test_the_estimate_extrapolates_each_read_outs_cost_in_f(tmp_path: Path) -> None:
    # Units that cost 2 · F^1.5 CPU seconds at F = 64 and 256: F = 1,024 is then 2 · 1024^1.5.
    for f in (64, 256):
        pd.DataFrame(
            {"decoder": ["lp"], "k": [4.0], "features": [f], "unit_cpu_s": [2 * f**1.5]}
        ).to_parquet(tmp_path / f"lp_k4_F{f}.parquet")
    text = _run(
        "benchmarks/toy_sweep.py",
        "--only",
        "estimate",
        "--units",
        str(tmp_path),
        "--preset",
        "toy",
    )
    assert "lp         k=4: CPU s ∝ F^1.50 over F = [64, 256]" in text
    expected = sum(2 * f**1.5 for f in (128, 512, 1024))
    assert f"the rest at these rates {expected:,.0f} CPU s" in text
    assert "lp         k=2: 0 unit(s) measured" in text
    assert math.isclose(2 * 1024**1.5, 65_536)
    with pytest.raises(SystemExit):
        _run("benchmarks/toy_sweep.py", "--only", "nothing")
