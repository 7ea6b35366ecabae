"""What every run's ``provenance.json`` opens with: the package and the checkout's commit, the
versions of Python, torch and transformers, and the device (training and ``galleryforge evaluate``
both write it; the toy experiment records the commit)."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path
from typing import Any

import torch

import galleryforge


def environment(device: torch.device) -> dict[str, Any]:
    import transformers

    return {
        "package": "galleryforge",
        "version": galleryforge.__version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "device": device_name(device),
        "threads": torch.get_num_threads(),
    }


def git_commit() -> str | None:
    """The checkout's commit, if the package runs from a git checkout."""
    root = Path(galleryforge.__file__).resolve().parent.parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def device_name(device: torch.device) -> str:
    """``cuda (<GPU name>)`` or ``cpu (<processor>)``."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({platform.processor() or platform.machine()})"
