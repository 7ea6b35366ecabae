"""SAE training step: achieved FLOP/s against the same machine's batched-matmul FLOP/s, same shapes.

Cost model: a dense SAE step costs 12·d·F FLOP per token per layer: forward, 2·d·F for the
encoder and 2·d·F for the decoder; backward, twice that (the gradients of the weights and of the
inputs: the encoder's input gradient is needed for ``b_dec``). That is six batched matmuls of
2·L·B·d·F FLOP each for L layers and a batch of B tokens.

- step: the train package's own step, ``Trainer.fit`` on a ``TrialState`` (``StackedSAE`` of every
  layer, fused Adam, L1 coefficient, dead counter, per-layer clipping, decoder-norm upkeep, curve
  rows every ``log_every`` steps), fed random normal batches ``[L, B, d]`` (a dense step costs the
  same whatever the activations hold). Its FLOP/s is the cost model over the measured step time.
- bmm: the step's six products on their own, ``torch.bmm`` with the shapes and transposes that
  autograd uses, same dtype (fp32) and threads: the machine's matmul rate on these shapes.
- square: one 2048 × 2048 × 2048 ``torch.mm``, for scale.

The three alternate within one process (bmm, square, a few steps, bmm, ...), so a load change
hits both; the table gives medians and the median of the per-repeat ratios.

    .venv/bin/python benchmarks/train_flops.py              # A-small shapes and F = 4096, ~1 min
    .venv/bin/python benchmarks/train_flops.py --tiny       # a few seconds, for the tests
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from machine_info import cpu_machine

from galleryforge.train.training.metrics import DeadCounter
from galleryforge.train.training.presets import load_preset
from galleryforge.train.training.sae import StackedSAE
from galleryforge.train.training.sparsity_coefficient import SparsityCoefficient
from galleryforge.train.training.trainer import Trainer
from galleryforge.train.training.trial import TrialState

TARGET = 0.70
MINILM_D = 384  # all-MiniLM-L6-v2's d_model, the small presets' model
MINILM_LAYERS = 6


@dataclass(frozen=True)
class Shape:
    layers: int
    d: int
    width: int
    batch: int

    @property
    def step_flop(self) -> float:
        return 12.0 * self.layers * self.batch * self.d * self.width

    def label(self) -> str:
        return f"{self.layers} × {self.d} × {self.width:,}, batch {self.batch}"


@dataclass
class Timings:
    step_s: list[float]
    bmm_s: list[float]
    square_s: list[float]


def step_bmms(shape: Shape) -> Callable[[], float]:
    """Seconds for the step's six batched products (forward, then backward as autograd runs it)."""
    g = torch.Generator().manual_seed(1)
    n, b, d, f = shape.layers, shape.batch, shape.d, shape.width
    x, grad_out = torch.randn(n, b, d, generator=g), torch.randn(n, b, d, generator=g)
    feats, grad_pre = torch.randn(n, b, f, generator=g), torch.randn(n, b, f, generator=g)
    w_enc, w_dec = torch.randn(n, d, f, generator=g), torch.randn(n, f, d, generator=g)

    def run() -> float:
        start = time.perf_counter()
        torch.bmm(x, w_enc)  # encoder forward
        torch.bmm(feats, w_dec)  # decoder forward
        torch.bmm(grad_out, w_dec.transpose(1, 2))  # d feats
        torch.bmm(feats.transpose(1, 2), grad_out)  # d W_dec
        torch.bmm(grad_pre, w_enc.transpose(1, 2))  # d (x - b_dec), for b_dec
        torch.bmm(x.transpose(1, 2), grad_pre)  # d W_enc
        return time.perf_counter() - start

    return run


def square_mm(size: int) -> Callable[[], float]:
    a, b = torch.randn(size, size), torch.randn(size, size)

    def run() -> float:
        start = time.perf_counter()
        torch.mm(a, b)
        return time.perf_counter() - start

    return run


def measure(shape: Shape, preset: str, warmup: int, repeats: int, steps: int) -> Timings:
    """Run ``Trainer.fit`` once; between chunks of ``steps`` steps, time the references."""
    cfg = load_preset(preset, [f"width={shape.width}", f"batch_tokens={shape.batch}"])
    total = warmup + repeats * steps + 1  # the last step only closes the last chunk's timer
    cfg = replace(cfg, tokens=total * shape.batch, lr_decay_tokens=0)
    layer_ids = list(range(shape.layers))
    sae = StackedSAE(layer_ids, shape.d, shape.width, torch.Generator().manual_seed(cfg.seed))
    optimizer = torch.optim.Adam(sae.parameters(), lr=cfg.lr, fused=True)
    rate = cfg.controller_rate if cfg.controller == "proportional" else 0.0
    l1 = SparsityCoefficient(cfg.l1_coef, shape.layers, target_l0=cfg.target_l0, rate=rate)
    dead = DeadCounter(shape.layers, shape.width, 64, torch.device("cpu"))
    trial = TrialState(cfg, Path("unused"), sae, optimizer, l1, dead)
    g = torch.Generator().manual_seed(2)
    pool = [torch.randn(shape.layers, shape.batch, shape.d, generator=g) for _ in range(4)]
    bmm, square = step_bmms(shape), square_mm(2048)
    timings = Timings([], [], [])

    def batches() -> Iterator[torch.Tensor]:
        served = 0
        for _ in range(warmup):
            yield pool[served % len(pool)]
            served += 1
        bmm(), square()
        for _ in range(repeats):
            timings.bmm_s.append(bmm())
            timings.square_s.append(square())
            start = time.perf_counter()
            for _ in range(steps):
                yield pool[served % len(pool)]
                served += 1
            # fit asks for the next batch only once the chunk's last step is done
            timings.step_s.append((time.perf_counter() - start) / steps)
        yield pool[0]

    Trainer([trial], lambda *_: None).fit(batches())
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="A-small", help="trial regime and batch size")
    parser.add_argument("--widths", default="1024,4096", help="widths F, comma-separated")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repeats per shape")
    parser.add_argument("--steps", type=int, default=3, help="training steps per repeat")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--tiny", action="store_true", help="tiny shapes, a few seconds")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    batch = load_preset(args.preset).batch_tokens
    if args.tiny:
        shapes = [Shape(2, 32, 64, 32)]
        warmup, repeats, steps = 1, 2, 2
    else:
        widths = [int(w) for w in args.widths.split(",")]
        shapes = [Shape(MINILM_LAYERS, MINILM_D, width, batch) for width in widths]
        warmup, repeats, steps = 3, args.repeats, args.steps
    results = [(shape, measure(shape, args.preset, warmup, repeats, steps)) for shape in shapes]
    print(
        f"SAE training step vs batched matmul, {cpu_machine()}; preset {args.preset}, fp32, "
        f"median of {repeats} interleaved repeats of {steps} steps"
    )
    print()
    print(
        "| shape (layers × d × F, batch tokens) | step | step GFLOP/s (12·d·F/token/layer) | "
        "bmm GFLOP/s, same shapes | square mm GFLOP/s | achieved | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for shape, t in results:
        step_s, bmm_s = statistics.median(t.step_s), statistics.median(t.bmm_s)
        square_gflops = 2 * 2048**3 / statistics.median(t.square_s) / 1e9
        achieved = statistics.median(b / s for b, s in zip(t.bmm_s, t.step_s, strict=True))
        verdict = "met" if achieved >= TARGET else "not met"
        print(
            f"| {shape.label()} | {step_s * 1e3:.4g} ms | {shape.step_flop / step_s / 1e9:.3g} | "
            f"{shape.step_flop / bmm_s / 1e9:.3g} | {square_gflops:.1f} | {achieved:.0%} | "
            f"≥ {TARGET:.0%}: {verdict} |"
        )


if __name__ == "__main__":
    main()
