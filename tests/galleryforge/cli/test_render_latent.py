"""``render --latent``: names the card's file; a malformed or unknown latent is one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from galleryforge.cli.main import main
from tests.factories import write_trial
from tests.feature_factories import write_feature_tables


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    write_trial(root, "B", 2)
    write_feature_tables(root / "B", 2, width=16, max_latents=2)
    return root


def test_named_latent_is_drawn_into_its_own_file(runs: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    args = ["render", "-t", "B", "-r", "feature-card", "--runs", str(runs), "--out", str(out)]
    assert main([*args, "--latent", "1:0", "-f", "png", "-j", "1", "-q"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    paths = [entry["path"] for entry in manifest["files"]]
    assert paths == ["B/paper/feature-card-L1-0.png"]
    assert "layer 1, latent 0" in manifest["files"][0]["alt"]


@pytest.mark.parametrize(
    "latent, message",
    [
        ("3-17", "expected LAYER:INDEX"),
        ("1:99", "no latent 1:99 in features.parquet"),
        ("1:5", "has no examples"),
    ],
)
def test_bad_latent_is_one_line(
    runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], latent: str, message: str
) -> None:
    out = tmp_path / "gallery"
    args = ["render", "-t", "B", "-r", "feature-card", "--runs", str(runs), "--out", str(out)]
    assert main([*args, "--latent", latent, "-q"]) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and len(error.splitlines()) == 1
    assert not out.exists()
