"""The training benchmarks' smallest modes: their tables hold numbers that agree with the formulas
the scripts state, for the tiny shapes worked out by hand, and the step does the matmul work
docs/benchmarks.md says it does (counted by torch's FLOP counter).

No timing is asserted (the machines that run the tests are shared and noisy).
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import runpy
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from galleryforge.train.training.presets import load_preset
from galleryforge.train.training.sae import StackedSAE
from galleryforge.train.training.trainer import Trainer
from galleryforge.train.training.trial import trial_state

ROOT = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?")


def run(script: str, *args: str) -> dict[str, list[str]]:
    """The script's Markdown table as {first cell: other cells}, after checking its header.

    The script runs as ``python benchmarks/<script> <args>`` would run it, but in this process:
    a fresh interpreter would spend longer importing torch than the tiny benchmark takes. The
    torch settings a script changes (threads, the random seed) are put back afterwards.
    """
    threads, rng = torch.get_num_threads(), torch.random.get_rng_state()
    folder, out = ROOT / "benchmarks", io.StringIO()
    try:
        with contextlib.ExitStack() as as_a_script:
            as_a_script.enter_context(mock.patch.object(sys, "argv", [script, *args]))
            # The script's folder first on the path, as for `python <script>`.
            as_a_script.enter_context(mock.patch.object(sys, "path", [str(folder), *sys.path]))
            as_a_script.enter_context(contextlib.redirect_stdout(out))
            runpy.run_path(str(folder / script), run_name="__main__")
    finally:
        torch.set_num_threads(threads)
        torch.random.set_rng_state(rng)
    stdout = out.getvalue()
    lines = [line for line in stdout.splitlines() if line.startswith("|")]
    assert len(lines) >= 3, stdout
    assert set(lines[1].replace("|", "").split()) == {"---"}, stdout
    assert "torch" in stdout.splitlines()[0], stdout
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    return {row[0]: row[1:] for row in rows}


def script_globals(script: str) -> dict[str, Any]:
    """The names a benchmark script defines, without running its ``main``."""
    folder = ROOT / "benchmarks"
    with mock.patch.object(sys, "path", [str(folder), *sys.path]):
        return runpy.run_path(str(folder / script), run_name="benchmark")


def number(cell: str) -> float:
    found = NUMBER.search(cell)
    assert found, cell
    return float(found.group().replace(",", ""))


def rounding(cell: str, significant: int) -> float:
    """How far, relative to its value, a cell printed with `significant` figures (format `g`, which
    drops trailing zeros) may sit from the number the script computed: half a unit in its last
    significant figure."""
    value = abs(number(cell))
    return 0.5 * 10.0 ** (math.floor(math.log10(value)) - significant + 1) / value


def positive(cell: str) -> bool:
    value = number(cell)
    return math.isfinite(value) and value > 0


def test_train_flops_tiny_divides_the_cost_model_by_the_step_time() -> None:
    rows = run("train_flops.py", "--tiny")
    (cells,) = rows.values()
    step, step_gflops, bmm_gflops, square_gflops, _achieved, _target = cells
    assert all(positive(c) for c in (step, step_gflops, bmm_gflops, square_gflops))
    # --tiny is 2 layers × d 32 × F 64, batch 32: the cost model's 12·d·F per token and layer.
    flop = number(step_gflops) * 1e9 * number(step) / 1e3
    # The script prints the step to 4 significant figures and its rate to 3, so their product is
    # only as exact as the two roundings together.
    printed = rounding(step, 4) + rounding(step_gflops, 3)
    assert flop == pytest.approx(12 * 32 * 64 * 2 * 32, rel=printed * 1.01)


@pytest.mark.parametrize(("l1_form", "norm_flop"), [("mean", 0), ("decoder_norm_sum", 2)])
def test_a_step_does_five_of_the_cost_models_six_products(l1_form: str, norm_flop: int) -> None:
    """docs/benchmarks.md: the backward sums the encoder's input gradient over the batch before its
    product (for b_dec), so a step's matmul work is 10·B·d·F a layer, plus 2·d·F for b_dec; the
    decoder-norm L1 adds 2·B·F a layer per product with the norms (one forward, one backward:
    the latents' gradient is the norms times a number a layer, no product)."""
    layers, d, width, batch = 2, 32, 64, 32
    cfg = replace(
        load_preset("A-small", [f"width={width}", f"batch_tokens={batch}", f"tokens={batch}"]),
        l1_form=l1_form,
    )
    sae = StackedSAE(list(range(layers)), d, width)
    trial = trial_state(cfg, Path("unused"), sae, torch.zeros(layers, d))
    with FlopCounterMode(display=False) as counter:
        Trainer([trial], lambda *_: None).fit(iter([torch.randn(layers, batch, d)]))
    per_layer = 10 * batch * d * width + 2 * d * width + norm_flop * 2 * batch * width
    assert counter.get_total_flops() == layers * per_layer
    # What benchmarks/train_gpu.py divides by the step time is that count.
    sae_step_flops = script_globals("train_gpu.py")["sae_step_flops"]
    assert sae_step_flops(d, width, layers, batch, l1_form) == counter.get_total_flops()


def test_train_one_pass_tiny() -> None:
    rows = run("train_one_pass.py", "--tiny")
    for label in ("training, tokens/s", "end to end, tokens/s"):
        slow, fast, ratio = rows[label]
        assert positive(slow) and positive(fast) and positive(ratio)
        assert number(ratio) == pytest.approx(number(fast) / number(slow), rel=0.02)
    # Same start, same batches, same arithmetic: the two schedules train the same SAEs.
    assert number(rows["held-out MSE, largest relative difference"][-1]) < 1e-3


def test_train_gpu_tiny_on_cpu_reports_consistent_rates() -> None:
    rows = run("train_gpu.py", "--tiny", "--device", "cpu")
    tokens_per_s = number(rows["tokens/s (per SAE)"][0])
    ceiling = number(rows["matmul ceiling, measured"][0])
    assert tokens_per_s > 0 and ceiling > 0
    # --tiny: d 64, F 128, 2 layers, batch 64, 1 trial (mean L1); peak 989 TFLOP/s. A step is
    # 2 × (10·64·64·128 + 2·64·128) FLOP, and tokens/s / 64 steps a second.
    (sae,) = rows["SAE FLOP/s (10·d·F·layers·trials)"]
    sae_flops_cell, peak_cell, measured_cell = sae.split(",")
    sae_flops = number(sae_flops_cell)
    step_flops = 2 * (10 * 64 * 64 * 128 + 2 * 64 * 128)
    assert sae_flops * 1e12 == pytest.approx(step_flops * tokens_per_s / 64, rel=1e-3)
    assert number(peak_cell) == pytest.approx(sae_flops / 989 * 100, rel=1e-2)
    assert number(measured_cell) == pytest.approx(sae_flops / ceiling * 100, rel=1e-2)
    model = rows["model FLOP/s (2·N per token run)"][0].split(",")
    total = rows["model FLOP utilisation, SAE + model"][0].split(",")
    # Shares print to 3 significant figures: the sum of two printed shares is as exact as the
    # larger of their roundings, the printed total as its own.
    for index, (sae_share, model_share) in enumerate(
        [(peak_cell, model[1]), (measured_cell, model[2])], start=0
    ):
        printed = rounding(total[index], 3) + max(rounding(sae_share, 3), rounding(model_share, 3))
        assert number(total[index]) == pytest.approx(
            number(sae_share) + number(model_share), rel=printed
        )
    hours = number(rows["projected time, 300M-token trial"][0])
    assert hours == pytest.approx(300e6 / tokens_per_s / 3600, rel=1e-2)
