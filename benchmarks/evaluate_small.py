"""``galleryforge evaluate`` on a small trial's shape: wall time and peak memory.

    python benchmarks/evaluate_small.py

The shape of B-small's final checkpoint (all-MiniLM-L6-v2, 6 layers × F = 1,024, SAEs with random
weights in galleryforge's checkpoint layout; speed does not depend on the weights) evaluated with
``--trial`` on the default held-out text and the default per-latent text (``latent_tokens``,
100,000 tokens, encoders only), each run in a fresh process. Baseline in the same run: one clean
forward pass of the model over the held-out contexts (what any evaluation must spend). Memory:
the peak resident size of the process at a quarter of the per-latent tokens as well: it follows
the batch, not the text. Budget (issue 24): ≤ 90 s, < 2 GB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LATENT_TOKENS = (25_000,)
"""Per-latent token counts besides the default, for the memory comparison."""
sys.path.insert(0, str(ROOT))

from benchmarks.machine_info import cpu_machine  # noqa: E402

BASELINE = """
import time, torch
from galleryforge.train.data.eval_text import heldout_text
from galleryforge.train.data.model import load_model
from galleryforge.train.training.presets import load_preset
cfg = load_preset("B-small")
loaded = load_model(cfg.model, torch.device("cpu"), torch.float32)
text = heldout_text(cfg.source, loaded.tokenizer, 16)
began = time.perf_counter()
with torch.no_grad():
    for batch in text.batches:
        loaded.model(input_ids=batch.ids, attention_mask=torch.ones_like(batch.ids))
print(time.perf_counter() - began)
"""


def write_trial(runs: Path) -> None:
    """B-small's trial.toml and a final checkpoint of random SAEs (random weights, real shape)."""
    import torch

    from galleryforge.train.training.checkpoint import save_checkpoint
    from galleryforge.train.training.presets import load_preset
    from galleryforge.train.training.records import write_trial_toml
    from galleryforge.train.training.sae import StackedSAE

    cfg = load_preset("B-small")
    write_trial_toml(runs / cfg.name, cfg)
    sae = StackedSAE(list(range(6)), 384, cfg.width, seed=0)
    save_checkpoint(
        runs / cfg.name / "checkpoints" / str(cfg.tokens),
        cfg,
        sae,
        torch.ones(6),
        torch.full((6, cfg.width), -2.0),
        "encoder.layer",
        {},
    )


# Runs galleryforge in this process, then prints its own peak resident size (kB).
MEASURED = """
import resource, sys
from galleryforge.cli.main import main
status = main(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(status)
"""


def timed(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident GB) of ``galleryforge <args>`` in a fresh process."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *args], check=True, capture_output=True, text=True
    )
    peak_kb = int(done.stdout.strip().splitlines()[-1])
    return time.perf_counter() - began, peak_kb / 1024**2


def main() -> None:
    print(cpu_machine(), f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp) / "runs"
        write_trial(runs)
        baseline = subprocess.run(
            [sys.executable, "-c", BASELINE], check=True, capture_output=True, text=True
        )
        forward_s = float(baseline.stdout.strip().splitlines()[-1])
        print(f"baseline: one clean forward pass over the held-out contexts {forward_s:.1f} s")
        print("| evaluation | wall | peak resident memory |")
        print("| --- | --- | --- |")
        evaluate = ["evaluate", "--runs", str(runs), "--trial", "B-small", "--quiet"]
        wall, peak = timed(evaluate)
        name = "`--trial B-small` (held-out text; 100,000 per-latent tokens)"
        print(f"| {name} | {wall:.1f} s | {peak:.2f} GB |", flush=True)
        for tokens in LATENT_TOKENS:
            out = ["--out", str(runs / f"latent-{tokens}")]
            wall, peak = timed([*evaluate, "--latent-tokens", str(tokens), *out])
            name = f"`--trial B-small --latent-tokens {tokens}`"
            print(f"| {name} | {wall:.1f} s | {peak:.2f} GB |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
