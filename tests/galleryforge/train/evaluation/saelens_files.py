"""Test helper: SAE folders written in SAELens's layouts (v6 with ``metadata``, and flat)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file


def random_weights(d_in: int, d_sae: int, seed: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    w_dec = torch.randn(d_sae, d_in, generator=generator)
    w_dec /= w_dec.norm(dim=-1, keepdim=True)
    return {
        "W_enc": w_dec.T.contiguous() * 0.5,
        "b_enc": torch.randn(d_sae, generator=generator) * 0.1,
        "W_dec": w_dec,
        "b_dec": torch.randn(d_in, generator=generator) * 0.1,
    }


def write_sae(
    folder: Path,
    weights: dict[str, torch.Tensor],
    hook_name: str,
    model_name: str,
    *,
    layout: str = "v6",
    architecture: str = "standard",
    **extra: Any,
) -> Path:
    """One SAE folder; ``extra`` fields go to the top level of cfg.json."""
    folder.mkdir(parents=True, exist_ok=True)
    d_sae, d_in = weights["W_dec"].shape
    about = {"model_name": model_name, "hook_name": hook_name, "context_size": 16}
    cfg: dict[str, Any] = {
        "architecture": architecture,
        "d_in": d_in,
        "d_sae": d_sae,
        "dtype": "float32",
        "device": "cpu",
        "apply_b_dec_to_input": True,
        "normalize_activations": "none",
        **extra,
    }
    if layout == "v6":
        cfg["metadata"] = {**about, "sae_lens_version": "6.0.0", "prepend_bos": True}
    else:
        cfg.update(about, hook_layer=int(hook_name.split(".")[1]), activation_fn_str="relu")
    (folder / "cfg.json").write_text(json.dumps(cfg))
    save_file(
        {k: v.contiguous() for k, v in weights.items()}, str(folder / "sae_weights.safetensors")
    )
    return folder
