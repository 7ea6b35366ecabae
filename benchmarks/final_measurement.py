"""The final measurement of trials trained together, on their real final checkpoints.

    python benchmarks/final_measurement.py RUNS TRIAL [TRIAL ...]

What ``galleryforge train`` runs after its last step (``measure_final_checkpoints``): every
trial's SAEs over the held-out text (reconstruction and downstream fidelity) and their encoders
over the per-latent text (``latent_tokens``), in one pass of the model each. RUNS is a folder of
finished runs (for the demo's: ``galleryforge demo``'s ``runs/``, trials A-small B-small C-small
and the ``widths-small-F*`` members); the trials must share their source config, as trials trained
together do. Timed in this process after the model is loaded, phase by phase. Baseline in the same
run: one clean forward pass of the model over the per-latent text (what counting latents must
spend). Budget (issue 24): the demo's nine-or-so runs in ≤ 3 minutes.
"""

from __future__ import annotations

import os
import sys
import time
import tomllib
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine_info import cpu_machine  # noqa: E402
from galleryforge.train.data.model import load_model  # noqa: E402
from galleryforge.train.data.source import Source  # noqa: E402
from galleryforge.train.evaluation import measure  # noqa: E402


def final_folder(run: Path) -> Path:
    return max((run / "checkpoints").iterdir(), key=lambda p: int(p.name))


def main(runs: Path, trials: list[str]) -> None:
    print(cpu_machine(), f"load average {os.getloadavg()[0]:.2f}")
    config = tomllib.loads((runs / trials[0] / "trial.toml").read_text(encoding="utf-8"))
    source = Source.from_config(config)
    loaded = load_model(config["model"], torch.device("cpu"), torch.float32)
    text = measure.latent_corpus_text(source, loaded.tokenizer)
    began = time.perf_counter()
    with torch.no_grad():
        for batch in text.batches:
            loaded.model(input_ids=batch.ids, attention_mask=torch.ones_like(batch.ids))
    baseline = time.perf_counter() - began
    print(f"baseline: one clean forward pass over {source.latent_tokens:,} tokens {baseline:.1f} s")
    phases: dict[str, float] = {}
    count_latents = measure.count_latents

    def timed_count(*args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        result = count_latents(*args, **kwargs)  # type: ignore[arg-type]
        phases["per-latent pass"] = time.perf_counter() - start
        return result

    measure.count_latents = timed_count  # type: ignore[assignment]
    folders = {name: final_folder(runs / name) for name in trials}
    n_saes = sum(len(list(f.glob("*/cfg.json"))) for f in folders.values())
    began = time.perf_counter()
    measure.measure_final_checkpoints(loaded, source, folders, int(config["tokens"]))
    total = time.perf_counter() - began
    print("| trials | SAEs | per-latent pass | held-out pass and tables | total |")
    print("| --- | --- | --- | --- | --- |")
    latent_s = phases["per-latent pass"]
    held_out = total - latent_s
    row = f"{latent_s:.1f} s | {held_out:.1f} s | {total:.1f} s"
    print(f"| {len(trials)} | {n_saes} | {row} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
