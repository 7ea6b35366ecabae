"""One trial's configuration: a flat dataclass, a docstring under every field, checks on creation.

Presets (``presets/*.toml``) and ``--set key=value`` overrides fill it; see ``presets.py``.
Token counts are counts of activation vectors (one per layer and position) fed to each SAE.

(Over 200 lines: one dataclass of 30-odd fields, each with the docstring that documents it, and
the checks that tie them together; splitting the fields from their checks would separate what
must change together.)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.model import MODEL_WEIGHTS
from galleryforge.train.data.source import DEFAULT_LATENT_TOKENS, Source

ARCHITECTURES = ("relu", "topk", "batchtopk", "jumprelu")
L1_FORMS = ("mean", "decoder_norm_sum")
CONTROLLERS = ("fixed", "proportional")
PRECISIONS = ("auto", "bf16", "fp32")
STOP_RULES = ("tokens", "converged")
PREDICT_FROM = ("target", "member")
L0_TOLERANCE = 0.05
"""A width-family member whose final L0 is further than this share from its target is flagged."""

# Fields that describe where activations come from: trials trained together from one forward
# pass must agree on all of them.
SOURCE_FIELDS = (
    "model",
    "model_weights",
    "model_weights_seed",
    "dataset",
    "dataset_split",
    "text_column",
    "layers",
    "context_size",
    "model_batch",
    "tokens",
    "batch_tokens",
    "buffer_tokens",
    "heldout_tokens",
    "latent_tokens",
    "checkpoint_every",
    "log_every",
    "seed",
)
_NOT_COUNTS = {
    "model",
    "model_weights",
    "model_weights_seed",
    "dataset",
    "dataset_split",
    "text_column",
    "layers",
    "seed",
}


@dataclass
class TrialConfig:
    name: str
    """Trial name: the run folder ``runs/<name>/`` and the ``trial`` column of the tables."""
    model: str
    """Hugging Face model id, local folder, or ``pip:<package>`` (a model shipped in a package)."""
    dataset: str
    """``docstrings`` (the offline corpus), a local .txt/.jsonl/.parquet file or folder, or a
    Hugging Face dataset name (streamed)."""
    model_weights: str = "trained"
    """``trained``: the model as published. The random-weights control (Heap et al. 2025):
    ``random``, every weight re-initialised with the architecture's own initialisation;
    ``random_blocks``, only the transformer blocks, the trained embeddings kept (the token
    embeddings alone are already sparse). Both drawn from ``model_weights_seed``."""
    model_weights_seed: int = 0
    """Seed of the re-initialised weights (``model_weights`` other than ``trained``)."""
    dataset_split: str = "train"
    """Split of a Hugging Face dataset."""
    text_column: str = "text"
    """Column holding the text in JSONL, Parquet and Hugging Face datasets."""
    layers: list[int] = field(default_factory=list)
    """Layers (blocks) whose residual stream output gets an SAE; empty means every layer."""
    context_size: int = 128
    """Tokens per packed context, the first (BOS/CLS) position included but never trained on."""
    model_batch: int = 32
    """Contexts per forward pass of the model."""
    tokens: int = 300_000
    """Training tokens per SAE."""
    batch_tokens: int = 1024
    """Tokens per SAE optimizer step."""
    buffer_tokens: int = 16_384
    """Activations pooled and shuffled before batching, so that one step mixes many documents."""
    heldout_tokens: int = 4096
    """Held-out activations (a random sample of the first buffer's worth of contexts, which are not
    trained on) for checkpoint metrics and the normalisation estimate."""
    latent_tokens: int = DEFAULT_LATENT_TOKENS
    """Tokens the final checkpoint's per-latent statistics (``features.parquet``,
    ``examples.parquet``) are counted on, from the start of the corpus: 1 / latent_tokens is the
    lowest firing frequency they can show (the default resolves 1e-5; at full scale use
    millions). Streamed through the encoders only, so memory does not grow with it."""
    checkpoint_every: int = 50_000
    """Save a checkpoint and a layer-table row every this many tokens (and at the end)."""
    log_every: int = 10
    """Record a curve row every this many steps."""
    width: int = 1536
    """Dictionary width F (latents per SAE)."""
    widths: list[int] = field(default_factory=list)
    """A width family: this regime once per dictionary width listed, each its own trial
    ``<name>-F<width>``, trained from the same forward pass (``family_members``); empty: one
    trial."""
    family: str = ""
    """The width family a trial belongs to (set on each member, with ``widths`` listing them all);
    renderings find a trial's fellow members by it."""
    seeds: list[int] = field(default_factory=list)
    """A width family's SAE seeds: one member per (width, seed), named
    ``<name>-F<width>-s<seed>`` with that ``sae_seed``; empty: one member per width,
    ``<name>-F<width>``. Members of all seeds train from the same forward pass (``seed``, which
    orders the activation stream, is shared)."""
    sae_seed: int = -1
    """Seed of the SAE's initialisation; -1 uses ``seed``."""
    lr_width_ref: int = 0
    """A width family's learning-rate rule: each member's ``lr`` is the preset's ``lr`` scaled by
    √(F₀/F), F₀ this width (lr ∝ 1/√F, as sparsify and Gao et al. 2024 scale it); 0: every
    member keeps ``lr``. The member's ``trial.toml`` records the scaled ``lr`` and F₀."""
    stop_rule: str = "tokens"
    """``tokens``: train for ``tokens``; ``converged``: stop a trial (its SAEs frozen, its last
    checkpoint final) once its held-out MSE improved by less than ``converge_tol`` over the last
    doubling of its tokens in every layer, ``tokens`` being the cap (``training.convergence``)."""
    converge_tol: float = 0.01
    """``stop_rule = "converged"``: the relative held-out MSE gain per doubling of tokens below
    which a trial has converged."""
    predict_width: int = 0
    """A width family's declared prediction: the dictionary width F whose d*_S the knee is tested
    against (``predict_from`` says from which quantities); 0: none declared."""
    predict_from: str = "target"
    """``target``: d*_S = L0·ln(F/L0) from the target L0 (``k``, or ``target_l0``) and F =
    ``predict_width``, fixed before training, the same for every layer; ``member``: each layer's
    d*_S measured at the end of the member of width ``predict_width`` (mean over seeds)."""
    architecture: str = "relu"
    """The SAE's activation (``training.sae``): ``relu`` (ReLU, sparse through the L1 penalty
    ``l1_form``·``l1_coef``; the study's), ``topk`` (each token's ``k`` largest pre-activations;
    L0 = k), ``batchtopk`` (the batch's k·batch largest; saved as ``jumprelu`` with a threshold a
    layer set on the held-out tokens), ``jumprelu`` (a learnt threshold per latent, sparse
    through the L0 penalty ``l0_coef``)."""
    k: int = 0
    """``topk``: latents active on every token; ``batchtopk``: on average over a batch."""
    aux_k: int = 512
    """``topk``/``batchtopk``: how many dead latents (none fired in ``dead_window_tokens``)
    reconstruct the residual x − x̂ in the auxiliary loss, at most as many as are dead (Gao et al.
    2024: 512)."""
    aux_coef: float = 1 / 32
    """``topk``/``batchtopk``: the auxiliary loss's weight (Gao et al. 2024: 1/32); 0 turns it
    off."""
    l0_coef: float = 0.0
    """``jumprelu``: the coefficient of its sparsity loss: the L0 itself, or with ``target_l0``
    set, (L0/target_l0 − 1)² (dictionary_learning uses 1 with a target)."""
    bandwidth: float = 0.001
    """``jumprelu``: width ε of the rectangle kernel in the thresholds' straight-through gradient,
    on the scale of activations with unit mean squared norm, as in Rajamanoharan et al. (2024),
    whose 0.001 this is; the step uses ε·√d_in, since the activations here have mean squared
    norm d_in."""
    threshold_init: float = 0.001
    """``jumprelu``: every latent's threshold at the start, on the same scale as ``bandwidth``
    (Rajamanoharan et al. 2024: 0.001)."""
    threshold_lr: float = 1.0
    """``jumprelu``: the thresholds' learning rate as a multiple of ``lr``. Adam moves each
    log-threshold by about lr a step whatever the penalty's weight, so in a short run the
    thresholds, not ``l0_coef``, can set how close L0 comes to ``target_l0``."""
    l1_form: str = "mean"
    """``mean``: mean over latents of |f|, decoder rows kept at unit norm; ``decoder_norm_sum``:
    sum of |f_i|·‖W_dec,i‖, decoder norms free (folded into the encoder when saved)."""
    l1_coef: float = 3e-4
    """L1 coefficient (the starting value under the proportional controller); ``relu`` only."""
    l1_warmup_tokens: int = 0
    """The L1 coefficient ramps linearly from 0 over these first tokens."""
    controller: str = "fixed"
    """``fixed``, or ``proportional``: a per-layer controller steering L0 to ``target_l0`` through
    ``l1_coef`` (``relu`` only; ``jumprelu`` has a target in its loss instead)."""
    target_l0: float = 0.0
    """Target L0: of the proportional controller (``relu``), or of the sparsity loss
    (``jumprelu``, with the controller ``fixed``)."""
    controller_rate: float = 0.01
    """Controller gain: the coefficient moves by at most a factor exp(rate) per step."""
    lr: float = 4e-4
    """Adam learning rate after warm-up."""
    adam_beta1: float = 0.9
    """Adam beta1."""
    adam_beta2: float = 0.999
    """Adam beta2."""
    lr_warmup_tokens: int = 0
    """The learning rate ramps linearly from 0 over these first tokens."""
    lr_decay_tokens: int = 0
    """The learning rate decays linearly to 0 over these last tokens."""
    grad_clip: float = 1.0
    """Clip each layer's gradient norm to this (0 turns clipping off)."""
    dead_window_tokens: int = 50_000
    """A latent is dead if it did not fire once in this many most recent training tokens."""
    seed: int = 0
    """Seed for SAE initialisation and activation shuffling."""
    precision: str = "auto"
    """The SAE step's arithmetic. ``auto``: bf16 autocast on CUDA, fp32 on the CPU; ``bf16``: bf16
    autocast on either (on a CPU with bf16 matrix units the step is about 1.7× faster, on one
    without them slower); ``fp32``: no autocast. Weights, Adam states and every measurement stay
    fp32."""

    def __post_init__(self) -> None:
        _check(bool(self.name) and "/" not in self.name, "name", self.name, "a folder name")
        # Every count among the source fields is positive (the strings, layers and seed are not
        # counts), and so are the width, the dead window and the learning rate.
        counts = [name for name in SOURCE_FIELDS if name not in _NOT_COUNTS]
        for name in (*counts, "width", "dead_window_tokens", "lr"):
            _check(getattr(self, name) > 0, name, getattr(self, name), "a positive number")
        for name in (
            "l1_coef",
            "l1_warmup_tokens",
            "lr_warmup_tokens",
            "lr_decay_tokens",
            "grad_clip",
            "target_l0",
            "controller_rate",
        ):
            _check(getattr(self, name) >= 0, name, getattr(self, name), "zero or more")
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, float):
                _check(math.isfinite(value), item.name, value, "a finite number")
        _check(self.context_size >= 2, "context_size", self.context_size, "at least 2")
        _check(self.l1_form in L1_FORMS, "l1_form", self.l1_form, f"one of {L1_FORMS}")
        _check(
            self.controller in CONTROLLERS, "controller", self.controller, f"one of {CONTROLLERS}"
        )
        _check(self.precision in PRECISIONS, "precision", self.precision, f"one of {PRECISIONS}")
        _check(
            self.model_weights in MODEL_WEIGHTS,
            "model_weights",
            self.model_weights,
            f"one of {MODEL_WEIGHTS}",
        )
        _check(self.model_weights_seed >= 0, "model_weights_seed", self.model_weights_seed, ">= 0")
        self._check_architecture()
        self._check_family_protocol()
        if self.controller == "proportional":
            _check(
                0 < self.target_l0 < self.width,
                "target_l0",
                self.target_l0,
                f"between 0 and the width {self.width} for the proportional controller",
            )
        _check(
            self.buffer_tokens >= self.batch_tokens,
            "buffer_tokens",
            self.buffer_tokens,
            f"at least batch_tokens ({self.batch_tokens})",
        )
        _check(
            self.heldout_tokens <= self.buffer_tokens,
            "heldout_tokens",
            self.heldout_tokens,
            f"at most buffer_tokens ({self.buffer_tokens}): it is drawn from the first buffer",
        )
        _check(
            self.tokens >= self.batch_tokens,
            "tokens",
            self.tokens,
            f"at least batch_tokens ({self.batch_tokens})",
        )
        for beta in ("adam_beta1", "adam_beta2"):
            _check(0 <= getattr(self, beta) < 1, beta, getattr(self, beta), "in [0, 1)")
        _check(
            all(layer >= 0 for layer in self.layers),
            "layers",
            self.layers,
            "non-negative layer indices",
        )
        _check(len(set(self.layers)) == len(self.layers), "layers", self.layers, "no repeats")
        _check(
            all(width > 0 for width in self.widths) and len(set(self.widths)) == len(self.widths),
            "widths",
            self.widths,
            "positive widths, no repeats",
        )
        if self.family:
            _check(
                self.width in self.widths,
                "width",
                self.width,
                f"one of the family's widths {self.widths}",
            )

    def _check_architecture(self) -> None:
        arch = self.architecture
        _check(arch in ARCHITECTURES, "architecture", arch, f"one of {ARCHITECTURES}")
        if arch in ("topk", "batchtopk"):
            _check(0 < self.k < self.width, "k", self.k, f"between 0 and the width {self.width}")
            _check(self.aux_k >= 0, "aux_k", self.aux_k, "zero or more")
            _check(self.aux_coef >= 0, "aux_coef", self.aux_coef, "zero or more")
            _check(
                self.controller == "fixed",
                "controller",
                self.controller,
                f"'fixed': architecture {arch!r} has no penalty for a controller to steer",
            )
        else:
            _check(self.k == 0, "k", self.k, "0: only topk and batchtopk keep k latents")
        if arch != "relu":
            _check(
                self.l1_coef == 0,
                "l1_coef",
                self.l1_coef,
                f"0: architecture {arch!r} has no L1 penalty"
                + (" (its L0 penalty is l0_coef)" if arch == "jumprelu" else ""),
            )
        if arch == "jumprelu":
            _check(self.l0_coef > 0, "l0_coef", self.l0_coef, "a positive number")
            _check(
                self.controller == "fixed",
                "controller",
                self.controller,
                "'fixed': jumprelu reaches a target_l0 through its loss, (L0/target − 1)²",
            )
            _check(
                self.target_l0 < self.width,
                "target_l0",
                self.target_l0,
                f"below the width {self.width} (0: a plain L0 penalty)",
            )
            _check(self.bandwidth > 0, "bandwidth", self.bandwidth, "a positive number")
            _check(
                self.threshold_init > 0, "threshold_init", self.threshold_init, "a positive number"
            )
            _check(self.threshold_lr > 0, "threshold_lr", self.threshold_lr, "a positive number")
        else:
            _check(self.l0_coef == 0, "l0_coef", self.l0_coef, "0: only jumprelu has an L0 penalty")
            # A threshold set for another architecture would be silently ignored: say so instead.
            for name in ("threshold_init", "bandwidth", "threshold_lr"):
                value, default = getattr(self, name), TrialConfig.__dataclass_fields__[name].default
                _check(
                    value == default,
                    name,
                    value,
                    f"left at {default:g}: only jumprelu learns a threshold (this is {arch!r})",
                )

    def _check_family_protocol(self) -> None:
        _check(self.stop_rule in STOP_RULES, "stop_rule", self.stop_rule, f"one of {STOP_RULES}")
        _check(0 < self.converge_tol < 1, "converge_tol", self.converge_tol, "between 0 and 1")
        _check(self.sae_seed >= -1, "sae_seed", self.sae_seed, "-1 (use seed) or more")
        _check(
            all(seed >= 0 for seed in self.seeds) and len(set(self.seeds)) == len(self.seeds),
            "seeds",
            self.seeds,
            "non-negative seeds, no repeats",
        )
        for name in ("lr_width_ref", "predict_width"):
            _check(getattr(self, name) >= 0, name, getattr(self, name), "zero or more")
        for name in ("seeds", "lr_width_ref", "predict_width"):
            _check(
                not getattr(self, name) or bool(self.widths),
                name,
                getattr(self, name),
                "unset outside a width family (no 'widths')",
            )
        _check(
            self.predict_from in PREDICT_FROM,
            "predict_from",
            self.predict_from,
            f"one of {PREDICT_FROM}",
        )
        if self.predict_width and self.predict_from == "target":
            _check(
                0 < self.sparsity_target < self.predict_width,
                "predict_width",
                self.predict_width,
                "above a target L0 (k, or target_l0) for a prediction from the target",
            )
        if self.predict_width and self.predict_from == "member":
            _check(
                self.predict_width in self.widths,
                "predict_width",
                self.predict_width,
                f"one of the family's widths {self.widths} for a prediction from a member",
            )

    @property
    def sparsity_target(self) -> float:
        """The L0 the trial is held at: ``k`` (``topk``, ``batchtopk``), ``target_l0`` (the
        controller, or ``jumprelu``'s target), 0 for none."""
        if self.architecture in ("topk", "batchtopk"):
            return float(self.k)
        return self.target_l0

    @property
    def init_seed(self) -> int:
        """The SAE's initialisation seed: ``sae_seed``, or ``seed`` when it is -1."""
        return self.seed if self.sae_seed < 0 else self.sae_seed

    @property
    def sparsity_coef(self) -> float:
        """The starting coefficient of the trial's sparsity penalty: ``l1_coef`` (``relu``),
        ``l0_coef`` (``jumprelu``), none (``topk``, ``batchtopk``: 0)."""
        return self.l0_coef if self.architecture == "jumprelu" else self.l1_coef

    @property
    def unit_decoder_rows(self) -> bool:
        """``mean`` keeps every decoder row at unit norm; ``decoder_norm_sum`` leaves the norms
        free, its penalty (weighted by them) taking the constraint's place, as in SAELens's
        "April update" SAEs: otherwise Σ|f_i|·‖W_dec,i‖ = Σ|f_i| and the two forms would differ
        only by a constant factor. TopK, BatchTopK and JumpReLU SAEs keep them at unit norm, as
        their papers and dictionary_learning's trainers do (no penalty depends on the norms)."""
        return self.architecture != "relu" or self.l1_form == "mean"

    @property
    def steps(self) -> int:
        """Optimizer steps: whole batches only."""
        return self.tokens // self.batch_tokens

    def milestone_steps(self) -> list[int]:
        """Steps that end with a checkpoint: every ``checkpoint_every`` tokens, and the last."""
        every = max(1, self.checkpoint_every // self.batch_tokens)
        return sorted({*range(every, self.steps + 1, every), self.steps})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def source(self) -> Source:
        """The fields the data pipeline reads (``data.source``)."""
        return Source.from_config(self.to_dict())


FIELD_NAMES = tuple(f.name for f in fields(TrialConfig))


def resolved_precision(precision: str, device_type: str) -> str:
    """``bf16`` or ``fp32``: the SAE step's arithmetic for ``precision`` on a device of that type
    (``auto`` is bf16 autocast on CUDA only). Recorded in ``provenance.json`` as ``precision``."""
    return (
        "bf16" if precision == "bf16" or (precision == "auto" and device_type == "cuda") else "fp32"
    )


def member_name(family: str, width: int, seed: int | None = None) -> str:
    return f"{family}-F{width}" if seed is None else f"{family}-F{width}-s{seed}"


def family_members(cfg: TrialConfig) -> list[TrialConfig]:
    """The trials a config stands for: itself, or, given ``widths``, one per width (narrowest
    first; with ``seeds``, one per width and seed), each named ``<name>-F<width>`` (or
    ``<name>-F<width>-s<seed>``), recording its family, its learning rate scaled by the width
    rule (``lr_width_ref``). A member stays itself."""
    if not cfg.widths or cfg.family:
        return [cfg]
    seeds: list[int | None] = list(cfg.seeds) if cfg.seeds else [None]
    return [
        replace(
            cfg,
            name=member_name(cfg.name, width, seed),
            width=width,
            family=cfg.name,
            sae_seed=cfg.sae_seed if seed is None else seed,
            lr=width_lr(cfg.lr, width, cfg.lr_width_ref),
        )
        for width in sorted(cfg.widths)
        for seed in seeds
    ]


def width_lr(lr: float, width: int, reference: int) -> float:
    """The learning rate of a member of width F: ``lr``·√(F₀/F), F₀ = ``reference`` (0: ``lr``)."""
    return lr * math.sqrt(reference / width) if reference else lr


class ConfigValueError(GalleryforgeError):
    """A field's value is out of its range; ``field`` names it, so that the caller can say where
    the value came from (a preset file, ``--set``)."""

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        super().__init__(f"config '{field}' = {value!r}: expected {expected}")


def _check(ok: bool, name: str, value: object, expected: str) -> None:
    if not ok:
        raise ConfigValueError(name, value, expected)
