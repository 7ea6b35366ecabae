"""Train the four architectures briefly on a tiny random GPT-NeoX and, beside each final layer-0
checkpoint, write a batch of activations with the latents and reconstruction galleryforge's own
SAELens reader computes from them (``probe.safetensors``).

Usage (galleryforge's environment, from the checkout's root, which holds ``tests``):
PYTHONPATH=. python scripts/saelens_compat/make_probes.py OUT
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import torch
from safetensors.torch import save_file

from galleryforge.train.data.corpus import docstring_corpus
from galleryforge.train.evaluation.saelens import read_sae
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.session import train_trials
from tests.galleryforge.train.helpers import save_tiny_neox

TOKENS = 2048


def main(out: Path) -> None:
    corpus = out / "corpus.txt"
    out.mkdir(parents=True, exist_ok=True)
    corpus.write_text("\n\n".join(docstring_corpus()[0][:300]))
    base = TrialConfig(
        name="relu",
        model=str(save_tiny_neox(out / "model")),
        dataset=str(corpus),
        context_size=17,
        model_batch=8,
        tokens=TOKENS,
        batch_tokens=64,
        buffer_tokens=256,
        heldout_tokens=128,
        checkpoint_every=TOKENS,
        width=48,
        l1_coef=1e-3,
        lr=3e-3,
        dead_window_tokens=256,
    )
    trials = [
        base,
        replace(base, name="topk", architecture="topk", k=4, l1_coef=0.0),
        replace(base, name="batchtopk", architecture="batchtopk", k=4, l1_coef=0.0),
        replace(
            base,
            name="jumprelu",
            architecture="jumprelu",
            l1_coef=0.0,
            l0_coef=1.0,
            target_l0=4,
            bandwidth=0.05,
            threshold_init=0.1,
        ),
    ]
    train_trials(trials, out / "runs", device="cpu")
    generator = torch.Generator().manual_seed(0)
    for trial in trials:
        folder = out / "runs" / trial.name / "checkpoints" / str(TOKENS) / "layer_0"
        sae = read_sae(folder)
        x = torch.randn(64, sae.d_in, generator=generator) * 3
        recon, feats = sae(x)
        probe = {"x": x, "feats": feats.contiguous(), "recon": recon.contiguous()}
        save_file(probe, str(folder.parent / "probe.safetensors"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
