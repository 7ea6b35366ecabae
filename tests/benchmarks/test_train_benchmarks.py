"""The training benchmarks still run: each script's smallest mode, its table rows and their numbers.

No timing is asserted (the machines that run the tests are shared and noisy); the numbers must only
be there, finite and positive.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?")


def run(script: str, *args: str) -> dict[str, list[str]]:
    """The script's Markdown table as {first cell: other cells}, after checking its header."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert len(lines) >= 3, done.stdout
    assert set(lines[1].replace("|", "").split()) == {"---"}, done.stdout
    assert "torch" in done.stdout.splitlines()[0], done.stdout
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    return {row[0]: row[1:] for row in rows}


def number(cell: str) -> float:
    found = NUMBER.search(cell)
    assert found, cell
    return float(found.group().replace(",", ""))


def positive(cell: str) -> bool:
    value = number(cell)
    return math.isfinite(value) and value > 0


def test_train_flops_tiny() -> None:
    rows = run("train_flops.py", "--tiny")
    assert len(rows) == 1
    (cells,) = rows.values()
    step, step_gflops, bmm_gflops, square_gflops, achieved, target = cells
    assert step.endswith("ms") and positive(step)
    assert all(positive(c) for c in (step_gflops, bmm_gflops, square_gflops))
    # The tiny shape is all overhead: its share of matmul time can round to 0%.
    assert number(achieved) >= 0
    assert target.startswith("≥ 70%")


def test_train_one_pass_tiny() -> None:
    rows = run("train_one_pass.py", "--tiny")
    for label in ("training, tokens/s", "end to end, tokens/s"):
        slow, fast, ratio = rows[label]
        assert positive(slow) and positive(fast) and positive(ratio)
        assert number(ratio) == pytest.approx(number(fast) / number(slow), rel=0.02)
    # Same start, same batches, same arithmetic: the two schedules train the same SAEs.
    assert number(rows["held-out MSE, largest relative difference"][-1]) < 1e-3


def test_train_gpu_tiny_on_cpu() -> None:
    rows = run("train_gpu.py", "--tiny", "--device", "cpu")
    for label in (
        "tokens/s (per SAE)",
        "SAE FLOP/s (12·d·F·layers·trials)",
        "model FLOP/s (2·N per token run)",
        "projected time, 300M-token trial",
    ):
        assert positive(rows[label][0]), rows[label]
    assert "target ≥ 50%" in rows["model FLOP utilisation, SAE + model"][0]
    assert rows["peak GPU memory"] == ["– (CPU)"]
