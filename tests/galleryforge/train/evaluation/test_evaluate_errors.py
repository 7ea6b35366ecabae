"""Every bad input to ``galleryforge evaluate``: one line naming the file and field, exit 2,
nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from galleryforge.cli.main import main
from tests.galleryforge.train.evaluation.saelens_files import random_weights, write_sae


def _edit_cfg(**changes: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        cfg = json.loads((folder / "cfg.json").read_text())
        metadata = cfg["metadata"]
        for key, value in changes.items():
            (metadata if key in metadata else cfg)[key] = value
        (folder / "cfg.json").write_text(json.dumps(cfg))

    return edit


def _remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


CASES = {
    "unknown architecture": (_edit_cfg(architecture="gated"), "cfg.json: 'architecture'"),
    "missing weights": (_remove("sae_weights.safetensors"), "sae_weights.safetensors: missing"),
    "missing cfg": (_remove("cfg.json"), "cfg.json: missing"),
    "not the residual stream": (_edit_cfg(hook_name="blocks.0.hook_mlp_out"), "'hook_name'"),
    "no such block": (_edit_cfg(hook_name="blocks.7.hook_resid_post"), "'hook_name'"),
    "topk without k": (_edit_cfg(architecture="topk"), "cfg.json: 'k'"),
    "d_in mismatch": (_edit_cfg(d_in=16), "sae_weights.safetensors: 'W_enc'"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_checkpoint(
    case: str, tiny_neox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, expected = CASES[case]
    folder = write_sae(
        tmp_path / "sae", random_weights(32, 8, 0), "blocks.0.hook_resid_post", str(tiny_neox)
    )
    edit(folder)
    out = tmp_path / "run"
    status = main(["evaluate", "--checkpoints", str(folder), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1
    assert err.startswith("error: ") and expected in err
    assert not out.exists()


def test_activation_width_that_is_not_the_models(
    tiny_neox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_sae(
        tmp_path / "sae", random_weights(16, 8, 0), "blocks.0.hook_resid_post", str(tiny_neox)
    )
    out = tmp_path / "run"
    status = main(["evaluate", "--checkpoints", str(folder), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1
    assert f"{folder / 'cfg.json'}: 'd_in': 16 does not match" in err and "32 dimensions" in err
    assert not out.exists()


def test_no_checkpoints_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--out", str(tmp_path / "run"), "--quiet"]) == 2
    assert "--checkpoints" in capsys.readouterr().err
    assert main(["evaluate", "--trial", "nope", "--runs", str(tmp_path), "--quiet"]) == 2
    assert f"{tmp_path / 'nope' / 'trial.toml'}: missing" in capsys.readouterr().err
