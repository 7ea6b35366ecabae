"""Read SAELens-format SAEs made anywhere: ``cfg.json`` + ``sae_weights.safetensors`` per SAE.

``cfg.json`` comes flat (SAELens before v6: ``model_name``, ``hook_name``, ``context_size`` … at
the top) or with those in a nested ``metadata`` block (v6); both are read. Architectures, for
inference (``x`` the input after ``normalize_activations``, ``pre = (x − b_dec) W_enc + b_enc``
with ``b_dec`` subtracted only when ``apply_b_dec_to_input``):

- ``standard``: f = ReLU(pre) (also the older ``activation_fn_str = "topk"`` spelling of TopK);
- ``topk``: the ``k`` largest entries of pre, through a ReLU, the rest 0;
- ``jumprelu``: f = pre where pre > threshold (a ``threshold`` tensor in the weights), else 0;

and x̂ = f W_dec + b_dec, mapped back through the normalisation. ``normalize_activations``:
``none``; ``constant_norm_rescale`` (each token scaled to norm √d_in, x̂ scaled back);
``layer_norm`` (each token standardised, x̂ de-standardised); ``expected_average_only_in`` (one
factor √d_in / E‖x‖: the cfg's ``norm_scaling_factor`` if it has one, else estimated from the
first batch of evaluation text, as SAELens estimates it).

(Over 200 lines: the format's inference and its field-by-field checks, each with its one-line
error, are one job.)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from galleryforge.errors import GalleryforgeError, InputError
from galleryforge.tables.files import read_json_object
from galleryforge.train.data.hooks import HookPoint, parse_hook_name

ARCHITECTURES = ("standard", "topk", "jumprelu")
NORMALIZATIONS = ("none", "expected_average_only_in", "constant_norm_rescale", "layer_norm")
CFG_FILE = "cfg.json"
WEIGHTS_FILE = "sae_weights.safetensors"
SPARSITY_FILE = "sparsity.safetensors"


@dataclass
class InferenceSAE:
    folder: Path
    hook: HookPoint
    architecture: str
    weights: dict[str, torch.Tensor]
    apply_b_dec_to_input: bool = True
    normalize_activations: str = "none"
    norm_scaling_factor: float | None = None
    k: int | None = None
    cfg: dict[str, Any] = field(default_factory=dict)
    """The cfg.json fields, the ``metadata`` block merged in."""
    log_sparsity: torch.Tensor | None = None
    """``sparsity.safetensors``: log10 firing frequency over training, when the folder has it."""

    @property
    def d_in(self) -> int:
        return int(self.weights["W_enc"].shape[0])

    @property
    def l1_coefficient(self) -> float:
        """The cfg's ``l1_coefficient`` (the final one, for galleryforge's checkpoints); 0 when it
        is absent or not a number, as in SAEs trained without an L1 penalty."""
        value = self.cfg.get("l1_coefficient")
        return float(value) if isinstance(value, int | float) else 0.0

    @property
    def l1_form(self) -> str:
        """The cfg's ``l1_form`` (galleryforge's checkpoints), else SAELens's Σ|f_i|·‖W_dec,i‖."""
        return str(self.cfg.get("l1_form", "decoder_norm_sum"))

    @property
    def d_sae(self) -> int:
        return int(self.weights["W_enc"].shape[1])

    @property
    def input_scale(self) -> float:
        """The one factor the SAE scales its input by (SAELens's ``expected_average_only_in``),
        else 1; per-token normalisations have none."""
        if self.normalize_activations == "expected_average_only_in" and self.norm_scaling_factor:
            return float(self.norm_scaling_factor)
        return 1.0

    def to(self, device: torch.device) -> InferenceSAE:
        self.weights = {name: w.to(device, torch.float32) for name, w in self.weights.items()}
        return self

    def __call__(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(x̂, f) of activations ``x [..., d_in]``."""
        feats, factor, mean, std = self._encoded(x)
        recon = _affine(feats, self.weights["W_dec"], self.weights["b_dec"])
        if self.normalize_activations == "layer_norm":
            return recon * std + mean, feats
        return recon / factor, feats

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """f of activations ``x [..., d_in]``, without the decoder (per-latent statistics)."""
        return self._encoded(x)[0]

    def _encoded(self, x: torch.Tensor) -> tuple[torch.Tensor, Any, Any, Any]:
        """f, and the input scaling the decoder undoes: (factor, mean, std)."""
        w = self.weights
        if self.normalize_activations == "expected_average_only_in" and self.norm_scaling_factor:
            factor: Any = self.norm_scaling_factor
        elif self.normalize_activations == "constant_norm_rescale":
            factor = math.sqrt(self.d_in) / x.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        else:
            factor = 1.0
        mean: Any = 0.0
        std: Any = 1.0
        if self.normalize_activations == "layer_norm":
            mean = x.mean(-1, keepdim=True)
            std = (x - mean).std(-1, keepdim=True)
            sae_in = (x - mean) / (std + 1e-5)
        else:
            sae_in = x * factor
        if self.apply_b_dec_to_input:
            sae_in = sae_in - w["b_dec"]
        pre = _affine(sae_in, w["W_enc"], w["b_enc"])
        if self.architecture == "topk":
            top = pre.topk(int(self.k or 0), dim=-1)
            feats = torch.zeros_like(pre).scatter_(-1, top.indices, top.values.relu())
        elif self.architecture == "jumprelu":
            feats = pre.mul_(pre > w["threshold"])
        else:
            feats = pre.relu_()  # in place: the latents are the largest tensor here
        return feats, factor, mean, std

    def decoder_norms(self) -> torch.Tensor:
        """‖W_dec,i‖ on the scale of the raw activation (the input scaling factored out)."""
        norms = self.weights["W_dec"].norm(dim=-1)
        if self.normalize_activations == "expected_average_only_in" and self.norm_scaling_factor:
            return norms / self.norm_scaling_factor
        return norms


def _affine(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """x W + b over the last axis in one fused product (``addmm``: the bias is not a second pass
    over the output)."""
    flat = torch.addmm(bias, x.reshape(-1, x.shape[-1]), weight)
    return flat.reshape(*x.shape[:-1], weight.shape[-1])


def sae_folders(checkpoints: Path) -> list[Path]:
    """One SAE folder (holding cfg.json), or the ``layer_*``/other SAE folders inside one."""
    if not checkpoints.is_dir():
        raise GalleryforgeError(f"{checkpoints}: no such folder")
    if (checkpoints / CFG_FILE).is_file():
        return [checkpoints]
    found = sorted(p.parent for p in checkpoints.glob(f"*/{CFG_FILE}"))
    if not found:
        raise InputError(checkpoints / CFG_FILE, "missing (nor does any subfolder hold one)")
    return found


def load_saes(checkpoints: Path) -> list[InferenceSAE]:
    """Every SAE under ``checkpoints`` by hook point; two on one hook point are an error."""
    saes = sorted((read_sae(folder) for folder in sae_folders(checkpoints)), key=lambda s: s.hook)
    for before, after in itertools.pairwise(saes):
        if before.hook == after.hook:
            raise InputError(
                after.folder / CFG_FILE,
                f"{after.hook.name!r} is also the hook of {before.folder}",
                field="hook_name",
            )
    return saes


def read_sae(folder: Path) -> InferenceSAE:
    cfg_path = folder / CFG_FILE
    cfg = read_cfg(cfg_path)
    architecture = str(cfg.get("architecture", "standard"))
    k = None
    if architecture == "standard" and cfg.get("activation_fn_str") == "topk":
        architecture = "topk"
        k = (cfg.get("activation_fn_kwargs") or {}).get("k")
    if architecture not in ARCHITECTURES:
        raise InputError(
            cfg_path,
            f"unknown architecture {architecture!r}; galleryforge reads {', '.join(ARCHITECTURES)}",
            field="architecture",
        )
    if architecture == "topk":
        k = cfg.get("k", k)
        if not isinstance(k, int) or k <= 0:
            raise InputError(cfg_path, f"{k!r}: a TopK SAE needs a positive k", field="k")
    normalize = str(cfg.get("normalize_activations") or "none")
    if normalize not in NORMALIZATIONS:
        raise InputError(
            cfg_path,
            f"unknown value {normalize!r}; expected one of {', '.join(NORMALIZATIONS)}",
            field="normalize_activations",
        )
    for name in ("d_in", "d_sae"):
        if not isinstance(cfg.get(name), int) or cfg[name] <= 0:
            raise InputError(
                cfg_path, f"{cfg.get(name)!r}: expected a positive integer", field=name
            )
    hook = parse_hook_name(cfg.get("hook_name"), cfg_path)
    weights = read_weights(folder / WEIGHTS_FILE, cfg, architecture)
    factor = cfg.get("norm_scaling_factor")
    return InferenceSAE(
        folder=folder,
        hook=hook,
        architecture=architecture,
        weights=weights,
        apply_b_dec_to_input=bool(cfg.get("apply_b_dec_to_input", True)),
        normalize_activations=normalize,
        norm_scaling_factor=float(factor) if isinstance(factor, int | float) else None,
        k=k,
        cfg=cfg,
        log_sparsity=read_sparsity(folder / SPARSITY_FILE),
    )


def read_cfg(path: Path) -> dict[str, Any]:
    """cfg.json with the v6 ``metadata`` block (``meta`` in some v6 releases) merged in."""
    if not path.is_file():
        raise InputError(path, "missing")
    data = read_json_object(path)
    merged = dict(data)
    for block in ("metadata", "meta"):
        nested = data.get(block)
        if isinstance(nested, dict):
            merged.update({key: value for key, value in nested.items() if value is not None})
    return merged


def read_weights(path: Path, cfg: dict[str, Any], architecture: str) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise InputError(path, "missing")
    try:
        weights = load_file(str(path))
    except (SafetensorError, OSError) as error:
        raise InputError(path, f"cannot read the weights ({error})") from error
    d_in, d_sae = cfg["d_in"], cfg["d_sae"]
    shapes = {"W_enc": (d_in, d_sae), "b_enc": (d_sae,), "W_dec": (d_sae, d_in), "b_dec": (d_in,)}
    if architecture == "jumprelu":
        shapes["threshold"] = (d_sae,)
    for name, shape in shapes.items():
        if name not in weights:
            raise InputError(path, "missing tensor", field=name)
        if tuple(weights[name].shape) != shape:
            raise InputError(
                path,
                f"shape {tuple(weights[name].shape)}, but cfg.json has d_in = {d_in}, "
                f"d_sae = {d_sae} (expected {shape})",
                field=name,
            )
    return {name: weights[name].float() for name in shapes}


def read_sparsity(path: Path) -> torch.Tensor | None:
    if not path.is_file():
        return None
    try:
        return load_file(str(path)).get("sparsity")
    except (SafetensorError, OSError) as error:
        raise InputError(path, f"cannot read the sparsity ({error})") from error
