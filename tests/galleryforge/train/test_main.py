"""The ``train`` command (``galleryforge train`` and ``python -m galleryforge.train``) on MiniLM,
tiny sizes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import galleryforge.cli.progress
from galleryforge.cli.check import check
from galleryforge.cli.main import main
from galleryforge.cli.train import train
from galleryforge.tables import load_trial_tables

SMALL = [
    "--set",
    "tokens=256",
    "--set",
    "batch_tokens=64",
    "--set",
    "buffer_tokens=256",
    "--set",
    "heldout_tokens=128",
    "--set",
    "latent_tokens=512",
    "--set",
    "width=32",
    "--set",
    "context_size=33",
    "--set",
    "l1_warmup_tokens=0",
    "--set",
    "lr_warmup_tokens=0",
]


def test_small_presets_train_together_from_the_command_line(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(train)
    result = CliRunner().invoke(
        app, ["--preset", "A-small,B-small,C-small", "--out", str(tmp_path), "--quiet", *SMALL]
    )
    assert result.exit_code == 0, result.output
    for name in ("A-small", "B-small", "C-small"):
        tables = load_trial_tables(tmp_path / name)
        assert tables.layer_ids == tuple(range(6)) and tables.checkpoints == (256,)
        assert tables.provenance["corpus_sha256"]
    checker = typer.Typer()
    checker.command()(check)
    checked = CliRunner().invoke(checker, ["--trial", "all", "--runs", str(tmp_path)])
    assert checked.exit_code == 0, checked.output
    assert all(name in checked.output for name in ("A-small", "B-small", "C-small"))


def test_python_dash_m_train_reports_user_errors_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "galleryforge.train", "--preset", "D-small"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: unknown preset 'D-small' (did you mean 'C-small', ")
    assert line.endswith(
        "known: A, A-small, B, B-small, B-small-random, B-small-random-blocks, C, C-small, arch, "
        "arch-small, batchtopk, batchtopk-small, controls-small, jumprelu, jumprelu-small, "
        "pythia-1.4b, pythia-2.8b, relu-small, topk, topk-small, widths, widths-small, "
        "widths-study"
    )


def test_python_dash_m_train_without_a_preset_is_a_one_line_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "galleryforge.train"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: Missing option '--preset'. (see 'galleryforge train --help')"
    ]


def test_without_a_terminal_training_prints_plain_progress_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(galleryforge.cli.progress, "PLAIN_EVERY_S", 0.0)  # a line per update
    args = ["train", "--preset", "A-small,C-small", "--out", str(tmp_path), *SMALL]
    assert main([*args, "--set", "log_every=1"]) == 0
    lines = capsys.readouterr().err.splitlines()  # captured: no terminal
    progress = [line for line in lines if line.startswith("train: ")]
    assert [line.split(" (")[0] for line in progress] == [
        f"train: {tokens}/256 tokens" for tokens in (64, 128, 192, 256)
    ]
    for line in progress:  # time left is "?" until two updates give a speed
        assert re.search(
            r"elapsed, (\d+:\d\d:\d\d|\?) left, [\d,]+ tok/s  A-small L0 \d+  C-small L0 \d+$", line
        ), line


def test_a_width_family_trains_each_width_as_its_own_run(tmp_path: Path) -> None:
    args = ["train", "--preset", "widths-small", "--out", str(tmp_path), "--quiet", *SMALL]
    assert main([*args, "--set", "widths=16,48", "--set", "k=4"]) == 0
    for width in (16, 48):
        tables = load_trial_tables(tmp_path / f"widths-small-F{width}")
        assert tables.trial == f"widths-small-F{width}"
        assert set(tables.layers["width"]) == {width}
        assert tables.config["family"] == "widths-small" and tables.config["widths"] == [16, 48]
        assert tables.config["architecture"] == "topk" and tables.config["k"] == 4
        # TopK keeps 4 a token, fewer where a kept pre-activation is negative (then ReLU'd to 0).
        final = tables.final
        assert final["l0"].between(0.95 * 4, 4).all() and (final["l0_off_target"] == 0).all()
        assert tables.config["lr"] == pytest.approx(3e-3 * (1024 / width) ** 0.5)
        assert (tmp_path / f"widths-small-F{width}" / "checkpoints" / "256" / "layer_5").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["widths-small-F16", "widths-small-F48"]


@pytest.mark.slow
def test_a_users_own_train_py_never_replaces_the_trainer(tmp_path: Path) -> None:
    """Research folders often hold their own ``train.py``; the working directory comes first on
    ``sys.path`` under ``python -m``, so a top-level ``train`` package would be shadowed by it."""
    (tmp_path / "train.py").write_text("raise SystemExit('the user train.py ran')\n")
    console_script = Path(sys.executable).parent / "galleryforge"
    commands = {
        "python -m galleryforge train": [sys.executable, "-m", "galleryforge", "train"],
        "python -m galleryforge.train": [sys.executable, "-m", "galleryforge.train"],
        "galleryforge train": [str(console_script), "train"],
    }
    for number, (name, command) in enumerate(commands.items()):
        out = tmp_path / f"runs-{number}"
        done = subprocess.run(
            [*command, "--preset", "B-small", "--out", str(out), "--quiet", *SMALL],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, (name, done.stderr)
        assert "user train.py" not in done.stderr, name
        tables = load_trial_tables(out / "B-small")
        assert tables.checkpoints == (256,) and tables.layer_ids == tuple(range(6)), name
