"""``galleryforge evaluate``: SAELens-format checkpoints in, a run directory out.

The checkpoints are one SAE folder (``cfg.json`` + ``sae_weights.safetensors``), a folder of them
(``layer_*``), or a trial's final ``checkpoints/<tokens>/``. The evaluation text is the trial's
held-out text (``--trial``) or the start of a corpus. The run directory holds ``trial.toml`` (what
was evaluated, on what), ``provenance.json`` and ``tables/layers.parquet``, ``features.parquet``,
``examples.parquet``, which ``galleryforge render`` and ``site build`` read like a training run's.
Everything is checked before the model runs and written at the end, whole (``atomic_dir``).
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

import galleryforge
from galleryforge.atomic import atomic_dir
from galleryforge.errors import GalleryforgeError, InputError
from galleryforge.tables import read_config, write_table
from train.config import TrialConfig
from train.eval_text import EvalText, corpus_text, heldout_text
from train.evaluation import Evaluation
from train.measure import measure
from train.model import LoadedModel, load_model
from train.records import git_commit
from train.saelens import CFG_FILE, InferenceSAE, load_saes
from train.values import dumps_toml

DEFAULT_TOKENS = 4096
DEFAULT_CONTEXT = 128


@dataclass(frozen=True)
class EvaluateRequest:
    checkpoints: Path | None = None
    trial: str | None = None
    """A trial run under ``runs``: its final checkpoint and held-out text are the defaults."""
    runs: Path = Path("runs")
    model: str | None = None
    corpus: str | None = None
    tokens: int | None = None
    context_size: int | None = None
    out: Path | None = None
    device: str = "auto"
    batch_contexts: int = 16
    top_n: int = 20
    n_random: int = 3


def evaluate_checkpoints(
    request: EvaluateRequest,
    device: torch.device,
    on_start: Callable[[int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> Path:
    """Evaluate and write the run directory; return its path. ``on_start(total tokens)``,
    ``on_batch(tokens so far)`` report progress."""
    started = datetime.now(UTC)
    trial_cfg = _trial_config(request)
    checkpoints = request.checkpoints or _final_checkpoint(request)
    saes = load_saes(checkpoints)
    out = request.out or request.runs / f"{trial_cfg.name if trial_cfg else checkpoints.name}-eval"
    _check_out(out)
    model = request.model or _model_name(saes)
    loaded = load_model(model, device, torch.float32)
    check_compatible(saes, loaded)
    for sae in saes:
        sae.to(device)
    text = _text(request, trial_cfg, saes, loaded)
    if on_start is not None:
        on_start(text.counted_tokens)
    began = time.perf_counter()
    tokens = checkpoint_tokens(checkpoints)
    measured = measure(
        loaded,
        saes,
        text,
        out.name,
        tokens,
        top_n=request.top_n,
        n_random=request.n_random,
        on_batch=on_batch,
    )
    wall_s = time.perf_counter() - began
    tables = {
        "layers": measured.layers,
        "features": measured.features,
        "examples": measured.examples,
    }
    record = {
        "source": "galleryforge evaluate",
        "checkpoints": str(checkpoints),
        "model": model,
        "text": text.name,
        "evaluation_tokens": text.counted_tokens,
        "batch_contexts": request.batch_contexts,
        "top_n": request.top_n,
        **({"trial": trial_cfg.name} if trial_cfg else {}),
    }
    info = _provenance(loaded, device, text, measured.evaluation, started, wall_s, saes)
    with atomic_dir(out) as tmp:
        (tmp / "trial.toml").write_text(
            dumps_toml(record, header="What galleryforge evaluate measured, and on what.")
        )
        (tmp / "provenance.json").write_text(json.dumps(info, indent=2) + "\n")
        for name, frame in tables.items():
            write_table(frame, tmp / "tables" / f"{name}.parquet")
    return out


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


def checkpoint_tokens(checkpoints: Path) -> int:
    """Training tokens of a ``checkpoints/<tokens>/`` folder (or a layer folder in one), else 0."""
    for folder in (checkpoints, checkpoints.parent):
        if folder.name.isdigit():
            return int(folder.name)
    return 0


def _trial_config(request: EvaluateRequest) -> TrialConfig | None:
    if request.trial is None:
        if request.checkpoints is None:
            raise GalleryforgeError("give --checkpoints DIR, or --trial NAME for a trial's own")
        return None
    path = request.runs / request.trial / "trial.toml"
    if not path.is_file():
        raise InputError(path, "missing: no trial run there (see --runs)")
    try:
        return TrialConfig(**read_config(path))
    except TypeError as error:
        raise InputError(path, f"not a training run's config ({error})") from error


def _final_checkpoint(request: EvaluateRequest) -> Path:
    folder = request.runs / str(request.trial) / "checkpoints"
    found = sorted(
        (p for p in folder.glob("*") if p.name.isdigit() and any(p.glob("layer_*"))),
        key=lambda p: int(p.name),
    )
    if not found:
        raise InputError(folder, "no checkpoint folders (checkpoints/<tokens>/layer_<l>/)")
    return found[-1]


def _check_out(out: Path) -> None:
    """``out`` is new, empty, or an earlier evaluation's (replaced whole); never a training run."""
    written = read_config(out / "trial.toml").get("source") if out.is_dir() else None
    if out.exists() and any(out.iterdir()) and written != "galleryforge evaluate":
        raise GalleryforgeError(
            f"--out {out}: holds something other than an evaluation; pick another --out"
        )


def _model_name(saes: list[InferenceSAE]) -> str:
    name = saes[0].cfg.get("model_name")
    if not isinstance(name, str) or not name:
        raise InputError(saes[0].folder / CFG_FILE, "missing; pass --model", field="model_name")
    return name


def _text(
    request: EvaluateRequest,
    trial_cfg: TrialConfig | None,
    saes: list[InferenceSAE],
    loaded: LoadedModel,
) -> EvalText:
    if trial_cfg is not None and request.corpus is None and request.tokens is None:
        return heldout_text(trial_cfg, loaded.tokenizer, request.batch_contexts)
    cfg: dict[str, Any] = saes[0].cfg
    dataset = request.corpus or (trial_cfg.dataset if trial_cfg else "docstrings")
    context = request.context_size or cfg.get("context_size") or DEFAULT_CONTEXT
    positions = getattr(loaded.model.config, "max_position_embeddings", None)
    if positions is not None and int(context) > positions:
        raise GalleryforgeError(
            f"--context-size {context}: {loaded.name} reads at most {positions} positions"
        )
    return corpus_text(
        dataset,
        loaded.tokenizer,
        int(context),
        request.tokens or DEFAULT_TOKENS,
        request.batch_contexts,
    )


def _provenance(
    loaded: LoadedModel,
    device: torch.device,
    text: EvalText,
    evaluation: Evaluation,
    started: datetime,
    wall_s: float,
    saes: list[InferenceSAE],
) -> dict[str, Any]:
    import transformers

    return {
        "package": "galleryforge",
        "version": galleryforge.__version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "device": str(device),
        "threads": torch.get_num_threads(),
        "model": loaded.name,
        "hooks": [sae.hook.name for sae in saes],
        "architectures": [sae.architecture for sae in saes],
        "norm_scaling_factors": [sae.norm_scaling_factor for sae in saes],
        "corpus": text.name,
        "corpus_sha256": text.sha256,
        "contexts": evaluation.contexts,
        "evaluation_tokens": evaluation.reconstruction[0].tokens,
        "downstream": "next-token cross-entropy"
        if evaluation.language_model
        else "mean-pooled embedding",
        "start_time": started.isoformat(timespec="seconds"),
        "end_time": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 2),
    }
