"""Every layer and every trial from one forward pass, against one layer per forward pass.

Both sides train the same SAEs (the presets' three trials × every layer) on the same tokens with
the train package's own parts: ``load_model``, ``ActivationSource`` (packing, held-out set,
normalisation, shuffled buffer), ``StackedSAE``, fused Adam, ``SparsityCoefficient``,
``DeadCounter`` and
``Trainer.fit`` (the step). Only the scheduling differs:

- one pass (what ``galleryforge train --preset A-small,B-small,C-small`` does): one activation
  source for every layer, one forward pass per model batch, and each trial's stacked SAE of all
  layers stepped from the same batch;
- one layer per pass (how single-hook trainers work): for each trial and each layer, a source of
  that layer alone (its forward pass stops after that layer) and a one-layer SAE trained on it.

The package has no per-layer mode, so the baseline loop is written here from those parts; the trial
set-up mirrors ``galleryforge.train.training.session`` (SAE seeded from the trial, ``b_dec`` = the
held-out mean). Each one-layer SAE starts from the weights its layer has in the one-pass run, so
both sides do the same
arithmetic: the table gives the largest relative difference of the held-out MSE at the end. At the
end of training (the one checkpoint of a short run) both sides evaluate on the held-out set; neither
writes checkpoint files. The model is loaded once and shared (not timed).

tokens/s = training tokens per SAE / wall seconds. "training" times ``Trainer.fit`` (model forward
for the training buffers + SAE steps); "end to end" adds building the sources (the held-out buffer's
forward pass), a fixed cost that a long run spreads over many more tokens.

    .venv/bin/python benchmarks/train_one_pass.py              # 16,384 tokens: 5-10 min, 2 cores
    .venv/bin/python benchmarks/train_one_pass.py --tiny       # seconds, for the tests
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from machine_info import cpu_machine

from galleryforge.train.data.activations import ActivationSource
from galleryforge.train.data.model import LoadedModel, load_model
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.metrics import heldout_metrics
from galleryforge.train.training.presets import load_preset
from galleryforge.train.training.sae import StackedSAE
from galleryforge.train.training.session import check_compatible
from galleryforge.train.training.trainer import Trainer
from galleryforge.train.training.trial import TrialState, trial_state

CPU = torch.device("cpu")
TINY = [
    "layers=0,1",
    "tokens=128",
    "batch_tokens=64",
    "buffer_tokens=256",
    "heldout_tokens=128",
    "context_size=17",
    "model_batch=8",
    "width=64",
]


@dataclass
class Run:
    setup_s: float
    fit_s: float
    mse: dict[tuple[str, int], float]
    """Held-out MSE at the end, by (trial, layer)."""


def initial_saes(configs: list[TrialConfig], layers: list[int], d: int) -> list[StackedSAE]:
    return [
        StackedSAE(layers, d, cfg.width, torch.Generator().manual_seed(cfg.seed)) for cfg in configs
    ]


def one_pass(loaded: LoadedModel, configs: list[TrialConfig], layers: list[int]) -> Run:
    began = time.perf_counter()
    source = ActivationSource(loaded, configs[0].source, layers, CPU)
    saes = initial_saes(configs, layers, loaded.d_model)
    trials = [
        trial_state(cfg, Path("unused"), sae, source.mean)
        for cfg, sae in zip(configs, saes, strict=True)
    ]
    mse: dict[tuple[str, int], float] = {}

    def checkpoint(trials: list[TrialState], _step: int, _tokens: int) -> None:
        for trial in trials:
            cfg = trial.cfg
            measured = heldout_metrics(trial.sae, source.heldout, trial.sparsity.coefs, cfg.l1_form)
            for layer, value in zip(trial.sae.layer_ids, measured["mse"].tolist(), strict=True):
                mse[cfg.name, layer] = value

    fit_began = time.perf_counter()
    Trainer(trials, checkpoint).fit(source.batches())
    ended = time.perf_counter()
    return Run(fit_began - began, ended - fit_began, mse)


def one_layer_per_pass(loaded: LoadedModel, configs: list[TrialConfig], layers: list[int]) -> Run:
    setup_s = fit_s = 0.0
    mse: dict[tuple[str, int], float] = {}
    starts = initial_saes(configs, layers, loaded.d_model)  # the one-pass side's initial weights
    for cfg, start in zip(configs, starts, strict=True):
        for index, layer in enumerate(layers):
            began = time.perf_counter()
            source = ActivationSource(loaded, cfg.source, [layer], CPU)
            sae = StackedSAE([layer], loaded.d_model, cfg.width)
            sae.load_layer_state(0, start.layer_state(index))
            trial = trial_state(cfg, Path("unused"), sae, source.mean)

            def checkpoint(
                ts: list[TrialState], _step: int, _tokens: int, src=source, at=layer
            ) -> None:
                (t,) = ts
                measured = heldout_metrics(t.sae, src.heldout, t.sparsity.coefs, t.cfg.l1_form)
                mse[t.cfg.name, at] = float(measured["mse"][0])

            fit_began = time.perf_counter()
            Trainer([trial], checkpoint).fit(source.batches())
            ended = time.perf_counter()
            setup_s += fit_began - began
            fit_s += ended - fit_began
    return Run(setup_s, fit_s, mse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="A-small,B-small,C-small")
    parser.add_argument("--tokens", type=int, default=16_384, help="training tokens per SAE")
    parser.add_argument("--set", action="append", default=[], help="more key=value overrides")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each side (ABBA order)")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--tiny", action="store_true", help="2 layers, 128 tokens: seconds")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    overrides = [f"tokens={args.tokens}", *(TINY if args.tiny else []), *args.set]
    configs = [load_preset(name, overrides) for name in args.presets.split(",")]
    check_compatible(configs)
    loaded = load_model(configs[0].model, CPU, torch.float32)
    layers = configs[0].layers or list(range(loaded.n_layers))
    repeats = 1 if args.tiny else args.repeats
    sides = {"one pass": one_pass, "one layer per pass": one_layer_per_pass}
    runs: dict[str, list[Run]] = {name: [] for name in sides}
    for repeat in range(repeats):
        order = list(sides) if repeat % 2 == 0 else list(reversed(sides))
        for name in order:
            runs[name].append(sides[name](loaded, configs, layers))
    tokens = configs[0].steps * configs[0].batch_tokens
    (ours, *_), (base, *_) = runs["one pass"], runs["one layer per pass"]
    worst = max(abs(ours.mse[key] - value) / value for key, value in base.mse.items())

    def rate(name: str, end_to_end: bool) -> float:
        walls = [r.fit_s + (r.setup_s if end_to_end else 0.0) for r in runs[name]]
        return tokens / statistics.median(walls)

    print(
        f"One forward pass for every layer and trial vs one layer per pass, {cpu_machine()}; "
        f"{args.presets}, {len(layers)} layers, {tokens:,} training tokens per SAE, "
        f"{len(configs) * len(layers)} SAEs, median of {repeats}"
    )
    print()
    print("| measure | one layer per pass | one pass | ratio |")
    print("| --- | --- | --- | --- |")
    for label, end_to_end in (("training, tokens/s", False), ("end to end, tokens/s", True)):
        slow, fast = rate("one layer per pass", end_to_end), rate("one pass", end_to_end)
        print(f"| {label} | {slow:.1f} | {fast:.1f} | {fast / slow:.2f}× |")
    print(f"| held-out MSE, largest relative difference | – | – | {worst:.1e} |")


if __name__ == "__main__":
    main()
