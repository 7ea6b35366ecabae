"""``bash scripts/gpu_check.sh --cpu``: the lent-GPU check's dry run, every stage on the CPU at tiny
shapes, ends with its table, every stage ok."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("versions", "nccl", "trials", "benchmark", "full", "plan")


@pytest.mark.slow
def test_the_dry_run_passes_every_stage_and_prints_the_table(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "gpu_check.sh"), "--cpu"],
        cwd=tmp_path,  # the script finds the repository itself
        env={**os.environ, "OUT": str(tmp_path / "out"), "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    table = lines[lines.index("| stage | status | time | result |") + 2 :]
    rows = {row.split("|")[1].strip(): row.split("|")[2:] for row in table}
    assert set(STAGES) <= set(rows), done.stdout
    for stage in STAGES:
        status, _time, summary, _ = rows[stage]
        log = tmp_path / "out" / f"{stage}.log"
        assert status.strip() == "ok", (stage, summary, log.read_text()[-4000:])
    assert "resume bit-exact" in rows["trials"][2]
    assert "CUDA vs CPU: no CUDA" in rows["trials"][2]
    assert "missing: none" in rows["versions"][2]
    assert (
        "phases seen: steps, milestone evaluation, checkpoint write, final measurement"
        in (rows["full"][2])
    )
    assert all(phase in rows["plan"][2] for phase in ("training steps", "final measurement"))
    assert (tmp_path / "out" / "gpu_check.log").is_file()
