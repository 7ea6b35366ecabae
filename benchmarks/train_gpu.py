"""GPU training throughput at the study's scale: Pythia-410M's shape, 24 layers × F = 32,768.

A randomly initialised ``GPTNeoXModel`` built from Pythia-410M's config (no download: hidden 1024,
24 layers, 16 heads, intermediate 4096, vocab 50,304, rotary on 25% of each head at base 10,000,
parallel residual), fed random token ids. Its residual streams come from the train package's
``residual_streams`` (hooks, the forward pass stops after the last layer wanted), into a buffer
handled as ``ActivationSource`` does (first position dropped, one scale per layer, bf16 on CUDA,
shuffled, drained before refilling; written here because the source reads text through a
tokenizer). Training is the package's own ``Trainer.fit`` on trial A's preset (three trials with
``--trials 3``: A, B and C), with the session's settings on CUDA: model in bf16, the SAE step under
bf16 autocast, TF32 matmuls allowed.

Reported, over the timed steps (after ``--warmup`` steps; buffer refills included at their
natural rate, one per buffer of batches):

- tokens/s: training tokens per SAE per second, and the projected time for a 300M-token trial;
- SAE FLOP/s: the matrix products the step runs (``sae_step_flops``: 10·d·F a token and layer,
  five full-size products, plus b_dec's matrix-vector product and, for the decoder-norm L1, the
  products with the norms), per step, over the step time;
- model FLOP/s: 2·N·(tokens the model ran)/s, N the parameters of the blocks it ran (the
  embedding lookup and attention scores not counted, so this is a lower bound);
- utilisation: each of those, and their sum, over the datasheet peak ``--peak-tflops`` (989:
  H100 SXM, dense bf16) and over the matmul ceiling measured here (``matmul_ceiling``: an
  8192³ bf16 product on CUDA, a 1024³ fp32 one on the CPU);
- peak GPU memory: ``torch.cuda.max_memory_allocated``.

    .venv/bin/python benchmarks/train_gpu.py                 # one trial, on the GPU
    .venv/bin/python benchmarks/train_gpu.py --trials 3      # A, B and C from one forward pass
    .venv/bin/python benchmarks/train_gpu.py --tiny          # a tiny shape, seconds on the CPU

(Over 200 lines: the whole GPU measurement in one script, model set-up, the buffer handled as
``ActivationSource`` does without a tokenizer, the timed loop and the report, so that one file
says what was measured.)
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from machine_info import cpu_name, now

from galleryforge.train.data.model import LoadedModel, find_blocks, residual_streams
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.presets import load_preset
from galleryforge.train.training.sae import StackedSAE
from galleryforge.train.training.trainer import Trainer
from galleryforge.train.training.trial import trial_state

TARGET = 0.50
PYTHIA_410M: dict[str, Any] = {
    "vocab_size": 50304,
    "hidden_size": 1024,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "intermediate_size": 4096,
    "hidden_act": "gelu",
    "rotary_pct": 0.25,
    "rotary_emb_base": 10000,
    "max_position_embeddings": 2048,
    "layer_norm_eps": 1e-5,
    "use_parallel_residual": True,
    "tie_word_embeddings": False,
    "bos_token_id": 0,
    "eos_token_id": 0,
}
TINY_MODEL: dict[str, Any] = {
    **PYTHIA_410M,
    "vocab_size": 512,
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 128,
    "max_position_embeddings": 64,
}
TINY = [
    "width=128",
    "batch_tokens=64",
    "buffer_tokens=256",
    "heldout_tokens=64",
    "context_size=33",
    "model_batch=4",
]


@dataclass
class Window:
    """What happened in the timed steps."""

    steps: int = 0
    seconds: float = 0.0
    fill_seconds: float = 0.0
    model_tokens: int = 0


def sae_step_flops(d: int, width: int, layers: int, batch: int, l1_form: str) -> int:
    """The FLOPs of one SAE step's matrix products, per trial: per layer, five full-size products
    of 2·B·d·F (encoder forward, decoder forward, and the backward's three: the latents'
    gradient, W_dec's and W_enc's), b_dec's gradient as a matrix-vector product (2·d·F), and
    for the ``decoder_norm_sum`` L1 two products of 2·B·F with the decoder norms (the forward
    and the norms' gradient). tests/benchmarks counts them with torch's FLOP counter."""
    norms = 2 * 2 * batch * width if l1_form == "decoder_norm_sum" else 0
    return layers * (10 * batch * d * width + 2 * d * width + norms)


def matmul_ceiling(device: torch.device) -> float:
    """FLOP/s of one square matrix product on ``device``, the best of a few: 8192³ in bf16 on
    CUDA (what the step's products can reach there), 1024³ in fp32 on the CPU."""
    n, dtype, repeats = (8192, torch.bfloat16, 10) if device.type == "cuda" else (1024, None, 3)
    generator = torch.Generator().manual_seed(0)
    a, b = (torch.randn(n, n, generator=generator).to(device, dtype) for _ in range(2))
    a @ b  # warm-up: the library picks its kernel
    best = float("inf")
    for _ in range(repeats):
        began = _now(device)
        a @ b
        best = min(best, _now(device) - began)
    return 2.0 * n**3 / best


def build_model(device: torch.device, tiny: bool) -> LoadedModel:
    from transformers import GPTNeoXConfig, GPTNeoXModel

    config = GPTNeoXConfig(**(TINY_MODEL if tiny else PYTHIA_410M))
    torch.manual_seed(0)
    with device:
        model = GPTNeoXModel(config)
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    model.eval().requires_grad_(False).to(dtype)
    path, blocks = find_blocks(model)
    return LoadedModel(model, None, blocks, path, "random GPT-NeoX, Pythia-410M's shape")


def block_params(loaded: LoadedModel, last: int) -> int:
    return sum(p.numel() for block in loaded.blocks[: last + 1] for p in block.parameters())


class RandomTokenSource:
    """Shuffled batches ``[n_layers, batch, d]`` of residual streams of random token ids."""

    def __init__(
        self, loaded: LoadedModel, cfg: TrialConfig, layers: list[int], device: torch.device
    ) -> None:
        self.loaded, self.cfg, self.layers, self.device = loaded, cfg, layers, device
        self.dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
        self.contexts = -(-cfg.buffer_tokens // (cfg.context_size - 1))
        self.generator = torch.Generator().manual_seed(cfg.seed)
        self.fills: list[tuple[float, int]] = []
        """(seconds, tokens the model ran) of every buffer fill but the first."""
        first = self._raw()
        self.scales = (loaded.d_model / first.float().pow(2).sum(-1).mean(-1)).sqrt()
        self.mean = (first.float() * self.scales[:, None, None]).mean(dim=1)

    def batches(self) -> Iterator[torch.Tensor]:
        while True:
            began = _now(self.device)
            buffer = (self._raw() * self.scales[:, None, None]).to(self.dtype)
            order = torch.randperm(buffer.shape[1], generator=self.generator).to(self.device)
            self.fills.append((_now(self.device) - began, self.contexts * self.cfg.context_size))
            size = self.cfg.batch_tokens
            for start in range(0, buffer.shape[1] - size + 1, size):
                yield buffer[:, order[start : start + size]].float()

    def _raw(self) -> torch.Tensor:
        cfg, parts = self.cfg, []
        config: Any = self.loaded.model.config
        vocab = int(config.vocab_size)
        for begin in range(0, self.contexts, cfg.model_batch):
            count = min(cfg.model_batch, self.contexts - begin)
            ids = torch.randint(vocab, (count, cfg.context_size), generator=self.generator)
            streams = residual_streams(self.loaded, ids.to(self.device), self.layers)[:, :, 1:]
            parts.append(streams.reshape(len(self.layers), -1, streams.shape[-1]))
        return torch.cat(parts, dim=1).to(self.dtype)


def timed_fit(trainer: Trainer, source: RandomTokenSource, warmup: int, steps: int) -> Window:
    """``Trainer.fit`` for ``warmup + steps`` steps; times the last ``steps``."""
    window = Window()
    device = source.device

    def batches() -> Iterator[torch.Tensor]:
        stream = source.batches()
        for _ in range(warmup):
            yield next(stream)
        fills_before = len(source.fills)
        began = _now(device)
        for _ in range(steps):
            yield next(stream)
        window.seconds = _now(device) - began  # fit asks again once the last step is done
        window.steps = steps
        timed_fills = source.fills[fills_before:]
        window.fill_seconds = sum(s for s, _ in timed_fills)
        window.model_tokens = sum(n for _, n in timed_fills)
        yield next(stream)

    trainer.fit(batches())
    return window


def _now(device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.3g}%"


def machine(device: torch.device) -> str:
    if device.type == "cuda":
        where = torch.cuda.get_device_name(device)
    else:
        where = f"CPU: {os.cpu_count()} cores ({cpu_name()}), {torch.get_num_threads()} threads"
    return f"{now()}, {where}, torch {torch.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, choices=(1, 3), default=1, help="A, or A, B and C")
    parser.add_argument("--steps", type=int, default=64, help="timed steps (32 per buffer)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    parser.add_argument("--peak-tflops", type=float, default=989.0, help="dense bf16 peak")
    parser.add_argument("--set", action="append", default=[], help="key=value preset overrides")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--tiny", action="store_true", help="a tiny model and SAE, on the CPU")
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type != "cuda" and not args.tiny:
        parser.error("no CUDA device: the full shape needs a GPU; --tiny runs on the CPU")
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    warmup, steps = (1, 4) if args.tiny else (args.warmup, args.steps)
    full_tokens = load_preset("A").tokens
    overrides = [*(TINY if args.tiny else []), *args.set]
    configs = [load_preset(name, overrides) for name in ("A", "B", "C")[: args.trials]]
    configs = [replace(cfg, tokens=(warmup + steps + 1) * cfg.batch_tokens) for cfg in configs]
    loaded = build_model(device, args.tiny)
    cfg = configs[0]
    layers = cfg.layers or list(range(loaded.n_layers))
    source = RandomTokenSource(loaded, cfg, layers, device)
    trials = [
        trial_state(
            c,
            Path("unused"),
            StackedSAE(layers, loaded.d_model, c.width, torch.Generator().manual_seed(c.seed)).to(
                device
            ),
            source.mean,
        )
        for c in configs
    ]
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    window = timed_fit(Trainer(trials, lambda *_: None), source, warmup, steps)
    peak = (
        f"{torch.cuda.max_memory_allocated(device) / 2**30:.1f} GiB"
        if device.type == "cuda"
        else "– (CPU)"
    )
    ceiling = matmul_ceiling(device)
    tokens_per_s = window.steps * cfg.batch_tokens / window.seconds
    n_params = block_params(loaded, max(layers))
    step_flops = sum(
        sae_step_flops(loaded.d_model, c.width, len(layers), c.batch_tokens, c.l1_form)
        for c in configs
    )
    sae_flops = step_flops * window.steps / window.seconds
    model_flops = 2.0 * n_params * window.model_tokens / window.seconds
    peak_flops = args.peak_tflops * 1e12
    hours = full_tokens / tokens_per_s / 3600
    print(
        f"SAE training at scale, {machine(device)}; {loaded.n_layers}-layer d={loaded.d_model} "
        f"model ({n_params / 1e6:.1f}M block parameters), {len(layers)} layers × "
        f"F = {cfg.width:,}, {len(trials)} trial(s), batch {cfg.batch_tokens:,} tokens, "
        f"{window.steps} timed steps after {warmup}, peak {args.peak_tflops:g} TFLOP/s "
        f"(datasheet), {ceiling / 1e12:.4g} TFLOP/s (measured)"
    )

    def shares(flops: float) -> str:
        return f"{_percent(flops / peak_flops)} of peak, {_percent(flops / ceiling)} of measured"

    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| tokens/s (per SAE) | {tokens_per_s:,.1f} |")
    print(f"| matmul ceiling, measured | {ceiling / 1e12:.4g} TFLOP/s |")
    print(
        f"| SAE FLOP/s (10·d·F·layers·trials) | {sae_flops / 1e12:.4g} TFLOP/s, "
        f"{shares(sae_flops)} |"
    )
    print(
        f"| model FLOP/s (2·N per token run) | {model_flops / 1e12:.4g} TFLOP/s, "
        f"{shares(model_flops)} |"
    )
    total = sae_flops + model_flops
    verdict = "met" if total / peak_flops >= TARGET else "not met"
    print(
        f"| model FLOP utilisation, SAE + model | {shares(total)} (target ≥ {TARGET:.0%} of "
        f"peak: {verdict}) |"
    )
    print(f"| time in buffer refills | {window.fill_seconds / window.seconds:.1%} |")
    print(f"| peak GPU memory | {peak} |")
    print(f"| projected time, {full_tokens / 1e6:.0f}M-token trial | {hours:,.2f} h |")


if __name__ == "__main__":
    main()
