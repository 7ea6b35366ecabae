"""Shared fixtures: generated run folders (see tests/factories.py) and render contexts on them."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# `pytest -n auto` runs a worker per core. Torch's default of a thread per core in each worker
# (and in each process a test starts, which inherits this) put twice as many busy threads as
# cores, and the suite took a third longer. Set before any test imports torch.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
# The suite runs on the CPU wherever it runs: on a machine with a GPU, ``device="auto"`` would
# pick CUDA and bf16, and tests that compare runs bit for bit, or with fp32 in mind, would fail.
# The library reads this for "auto" (``resolve_device``), here and in every process a test starts;
# tests that need CUDA say so with ``@pytest.mark.cuda`` and pass the device themselves.
os.environ["GALLERYFORGE_DEVICE"] = "cpu"

from tests.contexts import BuildRenderContext, DrawRendering, context_and_drawing, render_context
from tests.factories import write_family, write_toy, write_trial
from tests.feature_factories import write_feature_tables
from tests.stress_runs import write_stress_runs

HAS_CUDA = pytest.StashKey[bool]()
VISIBLE, UNSET = "GALLERYFORGE_TEST_CUDA_VISIBLE_DEVICES", "<unset>"
"""The session's own ``CUDA_VISIBLE_DEVICES`` (or ``UNSET``), for its xdist workers."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--layout-matrix",
        action="store_true",
        help="Also run the layout_matrix cases: every rendering under every theme on the "
        "crowded runs (tests/galleryforge/renderings/test_layout_stress.py).",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Hide the GPUs from the processes the tests start (a ``galleryforge`` command, ``torchrun``,
    a benchmark script), after this process has counted them for the tests marked ``cuda``: CUDA
    reads ``CUDA_VISIBLE_DEVICES`` once, when a process first asks for a device. An xdist worker
    inherits the hidden value and puts back the session's first."""
    import torch

    found = os.environ.setdefault(VISIBLE, os.environ.get("CUDA_VISIBLE_DEVICES", UNSET))
    if found == UNSET:
        os.environ.pop("CUDA_VISIBLE_DEVICES", None)
    else:
        os.environ["CUDA_VISIBLE_DEVICES"] = found
    config.stash[HAS_CUDA] = torch.cuda.is_available()
    os.environ["CUDA_VISIBLE_DEVICES"] = ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests marked slow first: under ``-n auto`` a long test that starts last keeps one
    worker busy after the other has run out of tests. The tests marked ``cuda`` are skipped
    without a GPU, the layout_matrix cases unless ``--layout-matrix`` is given."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    if not config.stash[HAS_CUDA]:
        no_gpu = pytest.mark.skip(reason="needs a CUDA device")
        for item in items:
            if item.get_closest_marker("cuda") is not None:
                item.add_marker(no_gpu)
    if config.getoption("--layout-matrix"):
        return
    skip = pytest.mark.skip(reason="the full layout matrix: run with --layout-matrix")
    for item in items:
        if item.get_closest_marker("layout_matrix") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated runs: A (6 layers), B (24 layers, an extra metric), C (32 layers), the toy run;
    each with per-latent tables (512 latents a layer, examples for 8 of them)."""
    runs = tmp_path_factory.mktemp("runs")
    for trial, layers in (("A", 6), ("B", 24), ("C", 32)):
        write_trial(runs, trial, layers, extra_metrics=trial == "B")
        write_feature_tables(runs / trial, layers, width=512, max_latents=8)
    write_toy(runs)
    return runs


@pytest.fixture
def build_render_context(runs_dir: Path) -> BuildRenderContext:
    """``build_render_context(trial="C", theme="social")``: see tests/contexts.py."""
    return functools.partial(render_context, runs_dir)


@pytest.fixture
def draw_rendering(runs_dir: Path) -> DrawRendering:
    """``ctx, fig = draw_rendering(premium_heatmap, trial="C")``: see tests/contexts.py."""
    return functools.partial(context_and_drawing, runs_dir)


@pytest.fixture(scope="session")
def family_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated runs: a width family W-F128 ... W-F2048 (3 layers), a lone trial A, the toy run."""
    runs = tmp_path_factory.mktemp("family-runs")
    write_family(runs)
    write_trial(runs, "A", 3)
    write_toy(runs)
    return runs


@pytest.fixture(scope="session")
def stress_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The crowded run folder of tests/stress_runs.py: 12 trials of 48 layers, 40-character
    names, a 6-member width family, 20 extra metrics, a 28-cell toy grid."""
    return write_stress_runs(tmp_path_factory.mktemp("stress-runs"))
