"""The memory a training run needs on its device, phase by phase, predicted from the shapes alone.

A run passes through four phases, each with its own peak (docs/training.md, "Memory plan", gives
every term):

- ``training steps``: the model, the activation buffer and held-out set, and each trial's
  trainable state (fp32 weights, gradients and Adam's two moments) and dead-latent counters,
  resident; beside them the batch and one trial's step (its latents, their gradient and the
  pre-activations' in the backward, bf16 copies of the weights under autocast), or a refill of
  the buffer (the model's outputs before they are joined into it);
- ``milestone evaluation``: the held-out metrics of one trial, 4,096 tokens of every layer at a
  time, beside the resident state;
- ``checkpoint write``: one layer's folded weights at a time, beside the resident state;
- ``final measurement``: after the final checkpoint, with the trainable state and the buffer
  freed: the model, every trial's SAEs read back, one batch of the model's block outputs and
  logits, the fidelity passes' log-probabilities, one SAE's latents.

Sizes are what torch allocates for tensors, on the device the run trains on: on CUDA the model
and the buffer in bf16, on the CPU in fp32, and the step in the precision each trial resolves to.
The shapes come from the loaded model, or, for ``galleryforge train --plan``, from
``KNOWN_MODELS`` or a model's config read from disk (no download).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.train.evaluation.downstream import LOG_PROB_CHUNK_ELEMENTS
from galleryforge.train.evaluation.latent_stats import (
    BIN_DIVISIONS,
    PER_BIN,
    WINDOW_AFTER,
    WINDOW_BEFORE,
)
from galleryforge.train.evaluation.logit_effects import CHUNK as LOGIT_CHUNK
from galleryforge.train.evaluation.reconstruction import PIECE_ELEMENTS
from galleryforge.train.training.config import TrialConfig, resolved_precision
from galleryforge.train.training.metrics import HELDOUT_CHUNK
from galleryforge.train.training.sae import THRESHOLD_CHUNK

GIB = 2**30
_SLOTS = 20 + 3 + BIN_DIVISIONS * PER_BIN  # measure()'s top_n and n_random, and the bins
_SLOT_BYTES = 4 + 4 + 8 + 8 + (WINDOW_BEFORE + 1 + WINDOW_AFTER) * (8 + 4)
_STATS_PER_LATENT = _SLOTS * _SLOT_BYTES + 8 + 8 + 4
"""Host bytes of one latent's statistics (``evaluation.latent_stats``): its examples (top 20, 3
random, 3 in each of 8 bins: score, activation, context, position, and a 17-token window's ids
and activations each) and its count, sum and max."""


@dataclass(frozen=True)
class ModelShape:
    d_model: int
    n_layers: int
    vocab: int
    """Outputs of the language-model head; 0 for a model without one (an encoder)."""
    parameters: int
    """Parameters and buffers, in elements."""


KNOWN_MODELS = {
    # GPT-NeoX: 12·d² + 13·d a block, untied input and output embeddings of vocab × d, the
    # final norm, and the rotary frequencies (a buffer).
    "EleutherAI/pythia-410m": ModelShape(1024, 24, 50_304, 405_334_016 + 16),
    "EleutherAI/pythia-1.4b": ModelShape(2048, 24, 50_304, 1_414_647_808 + 32),
    "EleutherAI/pythia-2.8b": ModelShape(2560, 32, 50_304, 2_775_208_960 + 20),
}
"""Shapes of the models the presets name, so a plan needs no download."""

_ADVICE = {
    "training steps": "lower batch_tokens (--set batch_tokens=...)",
    "milestone evaluation": "lower heldout_tokens",
    "checkpoint write": "lower buffer_tokens",
    "final measurement": "lower model_batch",
}
"""What shrinks each phase most, for the refusal."""


@dataclass(frozen=True)
class PhasePeak:
    phase: str
    predicted: int
    """Bytes."""


@dataclass(frozen=True)
class MemoryPlan:
    phases: list[PhasePeak]
    available: int | None
    """Bytes the device has for the run; None where it cannot be told."""
    device: str
    trials: list[str]

    def refusal(self) -> str | None:
        """The one line that stops a run whose phase cannot fit, else None."""
        if self.available is None:
            return None
        for peak in self.phases:
            if peak.predicted > self.available:
                advice = [_ADVICE[peak.phase], "use a larger device"]
                if len(self.trials) > 1:
                    advice.insert(0, "train one trial per GPU (one preset a run)")
                return (
                    f"memory plan: the {peak.phase} of {'+'.join(self.trials)} peak at "
                    f"{peak.predicted / GIB:.1f} GiB, more than the {self.available / GIB:.1f} "
                    f"GiB available on {self.device}; {', or '.join(advice)} "
                    "(galleryforge train --plan shows every phase)"
                )
        return None

    def table(self) -> str:
        """The plan as plain text: one line a phase, then the device's available memory."""
        lines = [f"memory plan for {'+'.join(self.trials)} on {self.device}"]
        width = max(len(p.phase) for p in self.phases)
        for peak in self.phases:
            fits = ""
            if self.available is not None:
                fits = "  fits" if peak.predicted <= self.available else "  DOES NOT FIT"
            lines.append(f"  {peak.phase:<{width}}  {peak.predicted / GIB:8.2f} GiB{fits}")
        available = "unknown" if self.available is None else f"{self.available / GIB:.2f} GiB"
        lines.append(f"  {'available':<{width}}  {available:>12}")
        return "\n".join(lines)


def model_shape(model: str) -> ModelShape:
    """The shape of ``model`` without its weights: ``KNOWN_MODELS``, else its config read from a
    local folder, an installed package or the Hugging Face cache (never the network), the
    parameters counted on the meta device."""
    if model in KNOWN_MODELS:
        return KNOWN_MODELS[model]
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM

    from galleryforge.train.data.model import resolve_model_path

    path = resolve_model_path(model)
    try:
        config = AutoConfig.from_pretrained(path, local_files_only=not Path(path).exists())
    except (OSError, ValueError) as error:
        raise GalleryforgeError(
            f"model {model!r}: its shape is not known offline (not in the memory plan's table, "
            "no config on disk); load it once, or plan with a model galleryforge knows"
        ) from error
    causal = any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in config.architectures or [])
    loader = AutoModelForCausalLM if causal else AutoModel
    with torch.device("meta"):
        module = loader.from_config(config)
    return shape_of(module)


def shape_of(module: torch.nn.Module) -> ModelShape:
    """The shape of a model instance (the loaded one, or one on the meta device)."""
    from galleryforge.train.data.model import find_blocks

    model: Any = module
    head = model.get_output_embeddings()
    tensors = [*module.parameters(), *module.buffers()]
    return ModelShape(
        int(model.config.hidden_size),
        len(find_blocks(module)[1]),
        head.out_features if isinstance(head, torch.nn.Linear) else 0,
        sum(t.numel() for t in tensors),
    )


def plan_memory(
    configs: list[TrialConfig],
    shape: ModelShape,
    device: torch.device,
    available: int | None = None,
    layers: int | None = None,
) -> MemoryPlan:
    """The predicted peak of every phase of training ``configs`` together on ``device``, with
    ``layers`` of their layers in this process (default: all the configs name)."""
    sizes = _Sizes(configs, shape, device.type, layers)
    phases = [
        PhasePeak("training steps", sizes.training_steps()),
        PhasePeak("milestone evaluation", sizes.milestone_evaluation()),
        PhasePeak("checkpoint write", sizes.checkpoint_write()),
        PhasePeak("final measurement", sizes.final_measurement()),
    ]
    return MemoryPlan(phases, available, str(device), [cfg.name for cfg in configs])


def available_bytes(device: torch.device, held: int = 0) -> int | None:
    """Bytes the run can use on ``device``: on CUDA the free memory plus what torch's allocator
    holds already (the loaded model among it); on the CPU ``MemAvailable`` of /proc/meminfo plus
    ``held``, the bytes of the tensors this process holds that the plan counts (the loaded
    model); None where neither can be read (the check is then skipped)."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free + torch.cuda.memory_reserved(device))
    meminfo = Path("/proc/meminfo")
    if device.type != "cpu" or not meminfo.is_file():
        return None
    for line in meminfo.read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024 + held
    return None


def plan_run(configs: list[TrialConfig], device: str, memory_gib: float | None) -> MemoryPlan:
    """``galleryforge train --plan``: the plan of ``configs`` on ``device`` (``auto``, ``cpu``,
    ``cuda``, ``cuda:N``) with the model's shape from ``model_shape``, against ``memory_gib``
    or the device's available memory. A CUDA device can be planned for without one, given
    ``memory_gib``."""
    from galleryforge.train.data.model import resolve_device

    if device.startswith("cuda") and not torch.cuda.is_available():
        if memory_gib is None:
            raise GalleryforgeError(
                f"--device {device!r}: no CUDA device here; give --device-gib to plan for one"
            )
        target = torch.device(device)
    else:
        target = resolve_device(device)
    shape = model_shape(configs[0].model)
    available = available_bytes(target) if memory_gib is None else int(memory_gib * GIB)
    return plan_memory(configs, shape, target, available)


class _Sizes:
    """The terms of the plan for trials trained together (docs/training.md, "Memory plan")."""

    def __init__(
        self, configs: list[TrialConfig], shape: ModelShape, device_type: str, layers: int | None
    ) -> None:
        first = configs[0]
        self.configs, self.shape, self.device_type = configs, shape, device_type
        self.cuda = device_type == "cuda"
        # The model and the buffer are bf16 on CUDA, fp32 on the CPU (session, activations).
        self.model_element = 2 if self.cuda else 4
        self.layers = layers or (len(first.layers) if first.layers else shape.n_layers)
        self.d = shape.d_model
        per_context = first.context_size - 1
        self.buffer_rows = math.ceil(first.buffer_tokens / per_context) * per_context
        self.first = first

    # -- resident ------------------------------------------------------------------------------

    def model(self) -> int:
        return self.shape.parameters * self.model_element

    def source(self) -> int:
        """Buffer (model dtype), its shuffled order (int64), held-out set and mean (fp32)."""
        buffer = self.layers * self.buffer_rows * self.d * self.model_element
        order = self.buffer_rows * 8
        heldout = self.layers * (self.first.heldout_tokens + 1) * self.d * 4
        return buffer + order + heldout

    def sae_parameters(self, cfg: TrialConfig) -> int:
        """Elements of one trial's stacked SAE."""
        per_layer = 2 * self.d * cfg.width + cfg.width + self.d
        if cfg.architecture == "jumprelu":
            per_layer += cfg.width
        return self.layers * per_layer

    def trainable(self, cfg: TrialConfig) -> int:
        """fp32 weights, gradients and Adam's two moments."""
        return 4 * self.sae_parameters(cfg) * 4

    def dead_counter(self, cfg: TrialConfig) -> int:
        window_steps = -(-cfg.dead_window_tokens // cfg.batch_tokens)
        chunk = math.ceil(window_steps / 64)
        return math.ceil(window_steps / chunk) * self.layers * cfg.width * 8

    def resident(self) -> int:
        trials = sum(self.trainable(c) + self.dead_counter(c) for c in self.configs)
        return self.model() + self.source() + trials + self.batch()

    def batch(self) -> int:
        """The fp32 batch the trainer holds between steps."""
        return self.layers * self.first.batch_tokens * self.d * 4

    # -- phases --------------------------------------------------------------------------------

    def training_steps(self) -> int:
        step = max(self._step(cfg) for cfg in self.configs)
        # A refill builds the new buffer from the model's outputs: both exist until joined.
        refill = self.layers * self.buffer_rows * self.d * self.model_element
        return self.resident() + max(step, refill)

    def _step(self, cfg: TrialConfig) -> int:
        """One trial's step beyond the resident state: the larger of the forward's end (before
        ``zero_grad`` frees the last gradients) and the backward of the SAE (after it)."""
        element = 2 if resolved_precision(cfg.precision, self.device_type) == "bf16" else 4
        autocast = element == 2
        x = self.layers * cfg.batch_tokens * self.d
        z = self.layers * cfg.batch_tokens * cfg.width
        w = self.layers * self.d * cfg.width
        casts = 2 * w * element if autocast else 0
        pre = z * element if cfg.architecture in ("topk", "batchtopk", "jumprelu") else 0
        # Forward: centred input and reconstruction in the step's precision, the fp32 error
        # kept for the backward, the latents and their firing mask, bf16 weights.
        forward = 2 * x * element + x * 4 + 2 * z * element + pre + casts
        if autocast and not self.cuda:
            forward += z * 4  # the CPU sums the bf16 firing mask into fp32 through a copy
        # Backward: the latents and the pre-activations' gradient (the sparsity penalty's
        # gradient reaches the latents broadcast, never as a latent-sized tensor), the
        # reconstruction's gradient and the centred input; the weights' gradients replace the
        # ones zero_grad freed (under autocast, bf16 ones and the bf16 weights they came from).
        backward = 2 * x * element + 2 * z * element
        if cfg.architecture == "jumprelu":
            # The pre-activations kept for the threshold's gradient, and its kernel window and
            # the window's products built from them.
            backward += 4 * z * element
        if cfg.l1_form == "decoder_norm_sum" and cfg.architecture == "relu":
            backward += w * 4  # the decoder norms' gradient, before the matrix product's
        return max(forward, backward)

    def milestone_evaluation(self) -> int:
        return self.resident() + max(self._evaluation(cfg) for cfg in self.configs)

    def _evaluation(self, cfg: TrialConfig) -> int:
        """``heldout_metrics``, a chunk of every layer at a time: the fp32 latents and
        reconstruction, then (``ReconstructionSums``) |f| of a piece of the latents with the
        float64 copy its sum makes, or the float64 copies of input, reconstruction, their
        difference and its square."""
        chunk = min(HELDOUT_CHUNK, cfg.heldout_tokens)
        x = self.layers * chunk * self.d
        z = self.layers * chunk * cfg.width
        piece = min(
            z, max(1, PIECE_ELEMENTS // (self.layers * cfg.width)) * self.layers * cfg.width
        )
        evaluation = z * 4 + x * 4 + max(piece * (4 + 8), 4 * x * 8)
        if cfg.architecture == "batchtopk":
            threshold = threshold_estimate(self.layers, cfg.heldout_tokens, cfg.width, cfg.k)
            evaluation = max(evaluation, threshold)
        return evaluation

    def checkpoint_write(self) -> int:
        if self.cuda:  # weights go to the host a layer at a time: the device holds no more
            return self.resident()
        # One layer's weights folded (norms, then scale): three copies of both matrices.
        return self.resident() + max(6 * self.d * c.width * 4 for c in self.configs)

    def final_measurement(self) -> int:
        """After ``release_training``: the model, in fp32 for the measurement (on CUDA loaded
        again beside training's bf16 one), every trial's SAEs read back, and the largest of its
        three stages (``evaluation.measure``)."""
        shape = self.shape
        model = self.model() + (shape.parameters * 4 if self.cuda else 0)
        kept = self.batch() + sum(self.dead_counter(c) for c in self.configs)
        saes = sum(self.sae_parameters(c) * 4 for c in self.configs)
        widest = max(c.width for c in self.configs)
        # The per-latent statistics live on the host from the second stage on.
        stats = 0 if self.cuda else self.layers * len(self.configs) * widest * _STATS_PER_LATENT
        stages = max(
            self._fidelity_stage(widest),
            self._latent_stage(widest) + stats,
            self._logit_stage(widest) + stats,
        )
        return model + kept + saes + stages

    def _fidelity_stage(self, widest: int) -> int:
        """``evaluate_saes``, one batch of contexts: the clean pass keeps every block's output
        (the edited passes replay them) and the batch's logits; the fidelity contexts' rows of
        the block outputs and their clean logits at the counted positions; an edited pass's
        logits, and a chunk of float64 log-probabilities, clean and edited, with two
        temporaries and their product (``downstream.compared``); one SAE's latents on the
        fidelity contexts."""
        first, shape = self.first, self.shape
        contexts, seq = first.model_batch, first.context_size
        clean = (shape.n_layers * self.d + shape.vocab) * contexts * seq * 4
        fidelity_contexts = min(contexts, math.ceil(first.heldout_tokens / (seq - 1)))
        positions = fidelity_contexts * (seq - 1)
        chunk = min(positions, max(1, LOG_PROB_CHUNK_ELEMENTS // max(shape.vocab, 1)))
        fidelity = (
            shape.n_layers * fidelity_contexts * seq * self.d * 4
            + positions * shape.vocab * 4
            + fidelity_contexts * seq * shape.vocab * 4
            + 5 * chunk * shape.vocab * 8
        )
        return clean + fidelity + fidelity_contexts * seq * widest * 4

    def _latent_stage(self, widest: int) -> int:
        """``count_latents``, one batch: the block outputs up to the last hook, one SAE's
        latents, and on the CPU their firing entries (indices and values, about 56 bytes each
        with every latent firing, an upper bound)."""
        tokens = self.first.model_batch * self.first.context_size
        blocks = self.layers * tokens * self.d * 4
        entries = 0 if self.cuda else tokens * widest * 56
        return blocks + tokens * widest * 4 + entries

    def _logit_stage(self, widest: int) -> int:
        """``logit_rows``: the readout matrix and a chunk of logit effects, two while the next
        is computed."""
        vocab = self.shape.vocab
        blocks = min(2, math.ceil(widest / LOGIT_CHUNK)) * min(LOGIT_CHUNK, widest)
        return self.d * vocab * 4 + blocks * vocab * 4


def check_fits(plan: MemoryPlan) -> None:
    """Stop with the plan's one line when a phase cannot fit."""
    refusal = plan.refusal()
    if refusal is not None:
        raise GalleryforgeError(refusal)


def threshold_estimate(layers: int, tokens: int, width: int, k: int) -> int:
    """Bytes ``StackedSAE.estimate_threshold`` allocates over ``tokens`` held-out tokens: a
    chunk's pre-activations, the pool of those and the largest so far, the pool's top values and
    their int64 indices."""
    kept = layers * (k * tokens + 1)
    # The first chunk: its pre-activations, their top values and indices.
    first = layers * min(THRESHOLD_CHUNK, tokens) * width * 4 + kept * (4 + 8)
    if tokens <= THRESHOLD_CHUNK:
        return first
    # A later chunk (the largest: a whole one, or what is left after the first): joining (the
    # largest so far, the chunk, the pool), then selecting (the pool, the largest so far, the
    # new ones and their indices).
    pre = layers * min(THRESHOLD_CHUNK, tokens - THRESHOLD_CHUNK) * width
    pool = pre + kept
    return max(first, (kept + pre + pool) * 4, (pool + kept) * 4 + kept * (4 + 8))
