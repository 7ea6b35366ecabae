"""Decoder directions from a run's last checkpoint, and each latent's nearest neighbours by cosine.

The source is ``checkpoints/<tokens>/layer_<l>/sae_weights.safetensors`` (the SAELens layout
training writes), its ``W_dec`` (d_sae × d_in) read straight from the file with numpy (memory
mapped, so no torch and no copy of the other tensors). The last checkpoint is the one the per-latent
tables measure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from galleryforge.publish.checkpoints import WEIGHTS_FILE, checkpoint_folder, tensor_shapes

_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "BF16": np.uint16}


@dataclass(frozen=True)
class Neighbours:
    """Each asked-for latent's ``k`` nearest other latents: (latent, cosine), closest first."""

    of: dict[int, list[tuple[int, float]]]
    source: str
    """The checkpoint file the directions came from (shown on the pages)."""


def last_checkpoint(run_dir: Path, layer: int) -> Path | None:
    """The weights file of the layer's last checkpoint, or None when the run has none."""
    folder = run_dir / "checkpoints"
    tokens = (
        sorted(int(p.name) for p in folder.glob("*") if p.name.isdigit()) if folder.is_dir() else []
    )
    for count in reversed(tokens):
        path = checkpoint_folder(run_dir, count, layer) / WEIGHTS_FILE
        if path.is_file():
            return path
    return None


def read_decoder(path: Path) -> np.ndarray:
    """``W_dec`` as float32 (d_sae × d_in); ``ValueError`` when the file is unsound."""
    shapes = tensor_shapes(path)  # checks the header and the byte ranges
    if "W_dec" not in shapes or len(shapes["W_dec"]) != 2:
        raise ValueError("no 2-D tensor 'W_dec'")
    with path.open("rb") as handle:
        length = int.from_bytes(handle.read(8), "little")
        info = json.loads(handle.read(length))["W_dec"]
    if info["dtype"] not in _DTYPES:
        raise ValueError(f"W_dec has dtype {info['dtype']}, which this reader does not know")
    begin, end = info["data_offsets"]
    raw = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + length + begin, shape=(end - begin,))
    values = raw.view(_DTYPES[info["dtype"]]).reshape(shapes["W_dec"])
    if info["dtype"] == "BF16":  # the high half of a float32
        return (values.astype(np.uint32) << 16).view(np.float32)
    return values.astype(np.float32)


def neighbours(
    decoder: np.ndarray, latents: list[int], k: int = 8
) -> dict[int, list[tuple[int, float]]]:
    """For each of ``latents``, the ``k`` others whose decoder directions have the largest
    cosine with its own."""
    norms = np.linalg.norm(decoder, axis=1)
    unit = decoder / np.where(norms > 0, norms, 1.0)[:, None]
    found: dict[int, list[tuple[int, float]]] = {}
    for start in range(0, len(latents), 1024):  # bounded memory: 1024 rows of cosines at a time
        chunk = latents[start : start + 1024]
        cosines = unit[chunk] @ unit.T
        cosines[np.arange(len(chunk)), chunk] = -np.inf  # not its own neighbour
        take = min(k, decoder.shape[0] - 1)
        best = (
            np.argpartition(-cosines, take - 1, axis=1)[:, :take]
            if take > 0
            else np.zeros((len(chunk), 0), int)
        )
        for row, latent in enumerate(chunk):
            order = best[row][np.argsort(-cosines[row, best[row]])]
            found[latent] = [(int(j), float(cosines[row, j])) for j in order]
    return found


def layer_neighbours(run_dir: Path, layer: int, latents: list[int], k: int = 8) -> Neighbours | str:
    """Neighbours from the layer's last checkpoint, or the reason there are none."""
    path = last_checkpoint(run_dir, layer)
    if path is None:
        return f"this run has no checkpoint for layer {layer} (checkpoints/<tokens>/layer_{layer})"
    try:
        decoder = read_decoder(path)
    except (ValueError, KeyError, OSError) as error:
        return f"{path.relative_to(run_dir)} cannot be read ({error})"
    return Neighbours(neighbours(decoder, latents, k), path.relative_to(run_dir).as_posix())
