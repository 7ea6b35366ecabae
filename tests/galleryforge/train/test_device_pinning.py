"""The suite runs on the CPU on a machine with a GPU too (tests/conftest.py): ``device="auto"``
resolves to the CPU in the test process and in the processes it starts, even where CUDA is there
(simulated: ``torch.cuda.is_available`` made to say True)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.model import DEVICE_ENV, resolve_device

COMMAND = [sys.executable, "-m", "galleryforge", "train", "--preset", "A-small"]
FAKE_CUDA = "import torch\ntorch.cuda.is_available = lambda: True\n"


def test_auto_is_the_cpu_under_the_tests_even_with_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert os.environ[DEVICE_ENV] == "cpu"
    assert resolve_device("auto") == torch.device("cpu")
    # What pins it: without the variable, "auto" would take the (simulated) GPU.
    monkeypatch.delenv(DEVICE_ENV)
    assert resolve_device("auto") == torch.device("cuda")


def test_a_pinned_device_is_checked_like_an_explicit_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEVICE_ENV, "cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(GalleryforgeError, match=r"^GALLERYFORGE_DEVICE='cuda': no CUDA device"):
        resolve_device("auto")


def test_processes_the_tests_start_see_no_gpu() -> None:
    assert os.environ["CUDA_VISIBLE_DEVICES"] == ""


@pytest.mark.slow
def test_the_command_line_in_a_subprocess_trains_on_the_cpu(tmp_path: Path) -> None:
    """``galleryforge train`` started by a test, in a process where CUDA seems to be there (a
    ``sitecustomize`` says so before the command runs), trains on the CPU and records it."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(FAKE_CUDA)
    path = os.pathsep.join([str(hooks), *sys.path])
    small = {
        "tokens": 64,
        "batch_tokens": 64,
        "buffer_tokens": 256,
        "heldout_tokens": 128,
        "latent_tokens": 128,
        "width": 16,
        "context_size": 33,
        "layers": "0",
    }
    sets = [arg for key, value in small.items() for arg in ("--set", f"{key}={value}")]
    done = subprocess.run(
        [*COMMAND, "--out", str(tmp_path / "runs"), "--quiet", *sets],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads((tmp_path / "runs" / "A-small" / "provenance.json").read_text())
    assert record["device"].startswith("cpu"), record["device"]
    assert record["precision"] == "fp32"
