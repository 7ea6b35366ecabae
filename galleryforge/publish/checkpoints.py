"""Find a trial's SAELens checkpoint folders and check each one before anything is staged.

A folder is publishable when it holds ``cfg.json``, ``sae_weights.safetensors`` and
``sparsity.safetensors``, the two safetensors headers parse and describe the whole file, and every
tensor's shape agrees with ``cfg.json``'s ``d_in`` and ``d_sae``. The headers are read by hand
(8-byte length, then JSON) so publishing needs neither torch nor the tensors in memory.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from galleryforge.errors import GalleryforgeError

CFG_FILE = "cfg.json"
WEIGHTS_FILE = "sae_weights.safetensors"
SPARSITY_FILE = "sparsity.safetensors"
SAE_FILES = (CFG_FILE, WEIGHTS_FILE, SPARSITY_FILE)

_DTYPE_BYTES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "U16": 2,
    "I16": 2,
    "F16": 2,
    "BF16": 2,
    "U32": 4,
    "I32": 4,
    "F32": 4,
    "U64": 8,
    "I64": 8,
    "F64": 8,
}
# No real header is this large; a bigger length means a corrupt file, not one to read into memory.
_MAX_HEADER_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class LayerCheckpoint:
    """One checked ``checkpoints/<tokens>/layer_<l>`` folder."""

    tokens: int
    layer: int
    folder: Path
    d_in: int
    d_sae: int

    @property
    def sae_id(self) -> str:
        """Its folder in the Hub repo, the ``sae_id`` SAELens loaders take."""
        return f"{self.tokens}/layer_{self.layer}"


def checkpoint_folder(run_dir: Path, tokens: int, layer: int) -> Path:
    return run_dir / "checkpoints" / str(tokens) / f"layer_{layer}"


def check_checkpoints(
    run_dir: Path, tokens: Sequence[int], layers: Sequence[int]
) -> list[LayerCheckpoint]:
    """Every (checkpoint, layer) folder, checked; the first problem raises, naming its folder."""
    return [
        check_layer(checkpoint_folder(run_dir, t, layer), t, layer)
        for t in tokens
        for layer in layers
    ]


def check_layer(folder: Path, tokens: int, layer: int) -> LayerCheckpoint:
    if not folder.is_dir():
        raise GalleryforgeError(f"{folder}: checkpoint folder is missing")
    missing = [name for name in SAE_FILES if not (folder / name).is_file()]
    if missing:
        raise GalleryforgeError(f"{folder}: incomplete checkpoint, missing {', '.join(missing)}")
    d_in, d_sae = _read_cfg(folder, layer)
    expected: dict[str, dict[str, tuple[int, ...]]] = {
        WEIGHTS_FILE: {
            "W_enc": (d_in, d_sae),
            "b_enc": (d_sae,),
            "W_dec": (d_sae, d_in),
            "b_dec": (d_in,),
        },
        SPARSITY_FILE: {"sparsity": (d_sae,)},
    }
    for name, shapes in expected.items():
        try:
            found = tensor_shapes(folder / name)
        except ValueError as error:
            raise GalleryforgeError(f"{folder}: {name} is corrupt ({error})") from error
        for tensor, shape in shapes.items():
            if tensor not in found:
                raise GalleryforgeError(f"{folder}: {name} has no tensor '{tensor}'")
            if found[tensor] != shape:
                raise GalleryforgeError(
                    f"{folder}: {name} '{tensor}' has shape {list(found[tensor])}, but cfg.json "
                    f"(d_in {d_in}, d_sae {d_sae}) needs {list(shape)}"
                )
    return LayerCheckpoint(tokens, layer, folder, d_in, d_sae)


def _read_cfg(folder: Path, layer: int) -> tuple[int, int]:
    try:
        cfg: Any = json.loads((folder / CFG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GalleryforgeError(f"{folder}: cfg.json is not valid JSON ({error})") from error
    if not isinstance(cfg, dict):
        raise GalleryforgeError(f"{folder}: cfg.json is not a JSON object")
    sizes = []
    for key in ("d_in", "d_sae"):
        value = cfg.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise GalleryforgeError(f"{folder}: cfg.json '{key}' is {value!r}, not a positive int")
        sizes.append(value)
    # A folder renamed by hand would publish one layer's SAE under another layer's name.
    hook_layer = cfg.get("hook_layer", layer)
    if hook_layer != layer:
        raise GalleryforgeError(f"{folder}: cfg.json says hook_layer {hook_layer!r}, not {layer}")
    return sizes[0], sizes[1]


def tensor_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name → shape from a safetensors header; ``ValueError`` when the file is unsound.

    Checks what a loader relies on: the header is JSON, every tensor's byte range fits its dtype
    and shape, and the ranges end exactly at the end of the file (a truncated copy fails here).
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise ValueError("shorter than a safetensors header")
        length = int.from_bytes(prefix, "little")
        if length > min(size - 8, _MAX_HEADER_BYTES):
            raise ValueError(f"header length {length} runs past the end of the file")
        try:
            header = json.loads(handle.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"header is not JSON: {error}") from error
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    data_bytes = size - 8 - length
    shapes: dict[str, tuple[int, ...]] = {}
    end_of_data = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        shape, end = _check_entry(name, info, data_bytes)
        shapes[name] = shape
        end_of_data = max(end_of_data, end)
    if end_of_data != data_bytes:
        raise ValueError(f"tensors cover {end_of_data} of {data_bytes} data bytes")
    return shapes


def _check_entry(name: str, info: Any, data_bytes: int) -> tuple[tuple[int, ...], int]:
    try:
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"tensor '{name}' has a malformed entry") from error
    if dtype not in _DTYPE_BYTES or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise ValueError(f"tensor '{name}' has dtype {dtype!r} and shape {shape!r}")
    if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin <= end <= data_bytes):
        raise ValueError(f"tensor '{name}' lies outside the file (bytes {begin}..{end})")
    if end - begin != math.prod(shape) * _DTYPE_BYTES[dtype]:
        raise ValueError(f"tensor '{name}' has {end - begin} bytes for shape {shape} {dtype}")
    return tuple(shape), end
