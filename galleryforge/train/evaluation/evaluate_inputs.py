"""What ``galleryforge evaluate`` is asked to measure: checked before the model runs.

The trial's config and final checkpoint, the output folder (new, or an earlier evaluation's), the
model named in cfg.json, and whether every SAE fits the model: its hook names a block the model
has, its ``d_in`` is that activation's width, one SAE per block.
"""

from __future__ import annotations

from pathlib import Path

from galleryforge.errors import GalleryforgeError, InputError
from galleryforge.tables import read_config
from galleryforge.train.data.model import LoadedModel
from galleryforge.train.evaluation.saelens import CFG_FILE, InferenceSAE
from galleryforge.train.training.config import TrialConfig

SOURCE = "galleryforge evaluate"
"""``source`` in an evaluation's trial.toml."""


def trial_config(runs: Path, trial: str) -> TrialConfig:
    path = runs / trial / "trial.toml"
    if not path.is_file():
        raise InputError(path, "missing: no trial run there (see --runs)")
    try:
        return TrialConfig(**read_config(path))
    except TypeError as error:
        raise InputError(path, f"not a training run's config ({error})") from error


def final_checkpoint(runs: Path, trial: str) -> Path:
    """The latest ``checkpoints/<tokens>/`` of a trial run."""
    folder = runs / trial / "checkpoints"
    found = sorted(
        (p for p in folder.glob("*") if p.name.isdigit() and any(p.glob("layer_*"))),
        key=lambda p: int(p.name),
    )
    if not found:
        raise InputError(folder, "no checkpoint folders (checkpoints/<tokens>/layer_<l>/)")
    return found[-1]


def check_out(out: Path) -> None:
    """``out`` is new, empty, or an earlier evaluation's (replaced whole); never a training run."""
    written = read_config(out / "trial.toml").get("source") if out.is_dir() else None
    if out.exists() and any(out.iterdir()) and written != SOURCE:
        raise GalleryforgeError(
            f"--out {out}: holds something other than an evaluation; pick another --out"
        )


def model_name(saes: list[InferenceSAE]) -> str:
    name = saes[0].cfg.get("model_name")
    if not isinstance(name, str) or not name:
        raise InputError(saes[0].folder / CFG_FILE, "missing; pass --model", field="model_name")
    return name


def checkpoint_tokens(checkpoints: Path) -> int:
    """Training tokens of a ``checkpoints/<tokens>/`` folder (or a layer folder in one), else 0."""
    for folder in (checkpoints, checkpoints.parent):
        if folder.name.isdigit():
            return int(folder.name)
    return 0


def check_compatible(saes: list[InferenceSAE], loaded: LoadedModel) -> None:
    """Each SAE's hook exists in the model and its d_in is the activation's width."""
    layers = [sae.hook.layer for sae in saes]
    for sae in saes:
        cfg = sae.folder / CFG_FILE
        if sae.hook.layer >= loaded.n_layers:
            raise InputError(
                cfg,
                f"{sae.hook.name!r}: {loaded.name} has {loaded.n_layers} blocks "
                f"(0 to {loaded.n_layers - 1})",
                field="hook_name",
            )
        if sae.d_in != loaded.d_model:
            raise InputError(
                cfg,
                f"{sae.d_in} does not match {sae.hook.name} of {loaded.name}, which has "
                f"{loaded.d_model} dimensions",
                field="d_in",
            )
        if layers.count(sae.hook.layer) > 1:
            raise InputError(
                cfg,
                f"{sae.hook.name!r}: another SAE reads block {sae.hook.layer} too; a run's "
                "table holds one SAE per layer (evaluate them separately)",
                field="hook_name",
            )
