"""Checkpoints in the SAELens layout, with the activation normalisation folded into the weights.

    runs/<trial>/checkpoints/<tokens>/layer_<l>/{cfg.json, sae_weights.safetensors,
                                                 sparsity.safetensors}
    runs/<trial>/checkpoints/<tokens>/resume.pt

The SAE trains on ``x·s`` (``s`` the layer's normalisation scale). Saving ``W_enc·s``, ``W_dec/s``
and ``b_dec/s`` gives an SAE that maps raw activations to raw reconstructions:
``f = ReLU((x - b_dec/s)·s·W_enc + b_enc)`` and ``x_hat = f·W_dec/s + b_dec/s``. Before that, each
latent's decoder norm is folded into its encoder column and bias (``fold_decoder_norms``), so
every saved decoder row has the same norm, 1/s, as SAELens expects, whether the trial kept the rows
at unit norm (``mean`` L1) or left them free (``decoder_norm_sum``). What ``resume.pt`` holds (the
unfolded weights among it), and which checkpoints keep it, is ``training.resume``'s.

Each ``<tokens>`` folder is written whole to a temporary folder and renamed into place. In a run of
``N`` ranks every rank writes its layers' folders and its own resume file (``resume.pt`` for rank
0, ``resume-<r>.pt`` for rank ``r``) into one temporary folder, renamed once all have written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.distributed import Ranks
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.resume import resume_file
from galleryforge.train.training.sae import Activation, StackedSAE

SAELENS_ARCHITECTURES = {
    "relu": "standard",
    "topk": "topk",
    "batchtopk": "jumprelu",  # inference through the threshold estimated on held-out tokens
    "jumprelu": "jumprelu",
}
"""The SAELens architecture a trial's checkpoints are saved as."""


def hook_name(layer: int) -> str:
    """TransformerLens name of the residual stream after block ``layer``, as SAELens expects."""
    return f"blocks.{layer}.hook_resid_post"


def sae_cfg(
    cfg: TrialConfig, layer: int, d_in: int, hf_hook: str, l1_coef: float | None = None
) -> dict[str, Any]:
    """SAELens's fields, then galleryforge's: the trial, its L1 form and the layer's coefficient
    at this checkpoint (which ``galleryforge evaluate`` reads to give ``l1_coef`` and ``loss``)."""
    extra: dict[str, Any] = {} if l1_coef is None else {"l1_coefficient": l1_coef}
    if cfg.model_weights != "trained":  # the control: evaluate must rebuild the same model
        extra["model_weights"] = cfg.model_weights
        extra["model_weights_seed"] = cfg.model_weights_seed
    if cfg.architecture == "topk":
        extra["k"] = cfg.k
    return {
        "architecture": SAELENS_ARCHITECTURES[cfg.architecture],
        "d_in": d_in,
        "d_sae": cfg.width,
        "dtype": "float32",
        "device": "cpu",
        "model_name": cfg.model,
        "hook_name": hook_name(layer),
        "hook_layer": layer,
        "hook_head_index": None,
        "hf_hook_point": hf_hook,
        "activation_fn_str": "relu",
        # SAELens reads a flat (pre-6) cfg.json's TopK k from here, and v6's from "k".
        "activation_fn_kwargs": {"k": cfg.k} if cfg.architecture == "topk" else {},
        "apply_b_dec_to_input": True,
        "finetuning_scaling_factor": False,
        "normalize_activations": "none",
        "context_size": cfg.context_size,
        "prepend_bos": True,
        "dataset_path": cfg.dataset,
        "trial": cfg.name,
        "trained_architecture": cfg.architecture,
        "l1_form": cfg.l1_form,
        **extra,
    }


def save_checkpoint(
    folder: Path,
    cfg: TrialConfig,
    sae: StackedSAE,
    scales: torch.Tensor,
    log_sparsity: torch.Tensor,
    block_path: str,
    resume: dict[str, Any],
    ranks: Ranks | None = None,
    l1_coefs: torch.Tensor | None = None,
) -> None:
    """Write one ``<tokens>`` folder: every layer's SAELens files and the resume state (with
    several ``ranks``, each rank calls this for its own layers)."""
    ranks = ranks or Ranks()
    thresholds = sae.thresholds()
    with ranks.shared_dir(folder) as tmp:
        for index, layer in enumerate(sae.layer_ids):
            layer_dir = tmp / f"layer_{layer}"
            layer_dir.mkdir()
            state = sae.layer_state(index)
            if thresholds is not None:
                state["threshold"] = thresholds[index].cpu().contiguous()
            state = fold_scale(fold_decoder_norms(state), float(scales[index]))
            save_file(state, str(layer_dir / "sae_weights.safetensors"))
            save_file(
                {"sparsity": log_sparsity[index].contiguous()},
                str(layer_dir / "sparsity.safetensors"),
            )
            coef = None if l1_coefs is None else float(l1_coefs[index])
            config = sae_cfg(cfg, layer, sae.d_in, f"{block_path}.{layer}", coef)
            (layer_dir / "cfg.json").write_text(json.dumps(config, indent=2) + "\n")
        _save_without_checksums(resume, tmp / resume_file(ranks.rank))


def _save_without_checksums(state: dict[str, Any], path: Path) -> None:
    """``torch.save`` without the zip records' CRC-32, two thirds of the time it takes to write a
    wide SAE's optimizer state. ``torch.load`` does not read the checksums, and a file is renamed
    into place only once it is complete (``Ranks.shared_dir``)."""
    from torch.utils.serialization import config

    before = config.save.compute_crc32
    config.save.compute_crc32 = False
    try:
        torch.save(state, path)
    finally:
        config.save.compute_crc32 = before


def fold_decoder_norms(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The same SAE with unit decoder rows: latent i's decoder norm n_i moves into its encoder
    column and bias, so its activation becomes f_i·n_i and f_i·n_i · W_dec,i/n_i, the
    reconstruction, is unchanged (n_i > 0, so the ReLU fires on the same tokens; a threshold
    scales with its latent's pre-activation)."""
    norms = state["W_dec"].norm(dim=-1).clamp_min(torch.finfo(state["W_dec"].dtype).tiny)
    folded = {
        "W_enc": state["W_enc"] * norms,
        "b_enc": state["b_enc"] * norms,
        "W_dec": state["W_dec"] / norms[:, None],
        "b_dec": state["b_dec"].clone(),
    }
    if "threshold" in state:
        folded["threshold"] = state["threshold"] * norms
    return folded


def fold_scale(state: dict[str, torch.Tensor], scale: float) -> dict[str, torch.Tensor]:
    """Weights for raw activations from weights trained on activations times ``scale`` (the
    pre-activations, and so any threshold, are unchanged)."""
    return {
        **{name: value.clone() for name, value in state.items()},
        "W_enc": state["W_enc"] * scale,
        "W_dec": state["W_dec"] / scale,
        "b_dec": state["b_dec"] / scale,
    }


def load_layer(folder: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(weights, cfg) of one ``layer_<l>`` folder, as saved (raw-activation space)."""
    return load_file(str(folder / "sae_weights.safetensors")), json.loads(
        (folder / "cfg.json").read_text()
    )


def load_sae(checkpoint: Path) -> StackedSAE:
    """Every layer of a ``<tokens>`` folder as one stacked SAE on raw activations."""
    folders = sorted(checkpoint.glob("layer_*"), key=lambda p: int(p.name.split("_")[1]))
    if not folders:
        raise GalleryforgeError(f"{checkpoint}: no layer_<l> folders")
    loaded = [load_layer(folder) for folder in folders]
    first = loaded[0][1]
    architecture = {"standard": "relu", "topk": "topk", "jumprelu": "jumprelu"}[
        first.get("architecture", "standard")
    ]
    # Any positive start: the saved thresholds replace it.
    activation = Activation(architecture, int(first.get("k", 0)), threshold_init=1.0)
    layer_ids = [cfg["hook_layer"] for _, cfg in loaded]
    sae = StackedSAE(layer_ids, first["d_in"], first["d_sae"], activation=activation)
    for index, (weights, _) in enumerate(loaded):
        threshold = weights.pop("threshold", None)
        sae.load_layer_state(index, weights)
        if threshold is not None:
            tiny = torch.finfo(threshold.dtype).tiny
            sae.load_layer_state(index, {"log_threshold": threshold.clamp_min(tiny).log()})
    return sae
