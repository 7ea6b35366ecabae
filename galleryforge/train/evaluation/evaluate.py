"""``galleryforge evaluate``: SAELens-format checkpoints in, a run directory out.

The checkpoints are one SAE folder (``cfg.json`` + ``sae_weights.safetensors``), a folder of them
(``layer_*``), or a trial's final ``checkpoints/<tokens>/``. The evaluation text is the trial's
held-out text (``--trial``) or the start of a corpus. The run directory holds ``trial.toml`` (what
was evaluated, on what), ``provenance.json`` and ``tables/layers.parquet``, ``features.parquet``,
``examples.parquet`` (and ``logits.parquet`` for a causal LM), which ``galleryforge render`` and
``site build`` read like a training run's.

Everything is checked before the model runs (the trial's config and final checkpoint, the output
folder, the model named in cfg.json, and whether every SAE fits the model: its hook names a block
the model has, its ``d_in`` is that activation's width, one SAE per block), and written at the
end, whole (``atomic_dir``).

(Over 200 lines: the command's flow and the checks it makes before the model runs, which read
best beside the flow they guard.)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from galleryforge.atomic import atomic_dir
from galleryforge.errors import GalleryforgeError, InputError
from galleryforge.tables import read_config, write_table
from galleryforge.train.config_values import dumps_toml
from galleryforge.train.data.eval_text import EvalText, corpus_text, heldout_text
from galleryforge.train.data.model import MODEL_WEIGHTS, LoadedModel, load_model
from galleryforge.train.data.source import DEFAULT_LATENT_TOKENS, Source
from galleryforge.train.evaluation.measure import Measured, measure
from galleryforge.train.evaluation.saelens import CFG_FILE, InferenceSAE, load_saes
from galleryforge.train.provenance import environment

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
    latent_tokens: int | None = None
    """Tokens for the per-latent tables: the trial's ``latent_tokens``, else
    ``DEFAULT_LATENT_TOKENS``."""
    out: Path | None = None
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
    if request.trial is None and request.checkpoints is None:
        raise GalleryforgeError("give --checkpoints DIR, or --trial NAME for a trial's own")
    trial_src = trial_source(request.runs, request.trial) if request.trial else None
    checkpoints = request.checkpoints or final_checkpoint(request.runs, str(request.trial))
    saes = load_saes(checkpoints)
    out = request.out or request.runs / f"{trial_src.name if trial_src else checkpoints.name}-eval"
    check_out(out)
    model = request.model or model_name(saes)
    weights, weights_seed = model_weights(saes)
    loaded = load_model(model, device, torch.float32, weights, weights_seed)
    check_compatible(saes, loaded)
    for sae in saes:
        sae.to(device)
    text = _text(request, trial_src, saes, loaded)
    latent_text = _latent_text(request, trial_src, saes, loaded)
    if on_start is not None:
        on_start(text.counted_tokens + latent_text.counted_tokens)
    began = time.perf_counter()
    tokens = checkpoint_tokens(checkpoints)
    measured = measure(
        loaded,
        {out.name: saes},
        text,
        tokens,
        latent_text,
        top_n=request.top_n,
        n_random=request.n_random,
        on_batch=on_batch,
    )[out.name]
    wall_s = time.perf_counter() - began
    tables = {
        "layers": measured.layers,
        "features": measured.features,
        "examples": measured.examples,
        **({"logits": measured.logits} if measured.logits is not None else {}),
    }
    record = {
        "source": SOURCE,
        "checkpoints": str(checkpoints),
        "model": model,
        "model_weights": weights,
        "model_weights_seed": weights_seed,
        "text": text.name,
        "evaluation_tokens": text.counted_tokens,
        "latent_text": latent_text.name,
        "latent_tokens": latent_text.counted_tokens,
        "batch_contexts": request.batch_contexts,
        "top_n": request.top_n,
        **({"trial": trial_src.name} if trial_src else {}),
    }
    info = _provenance(loaded, device, text, measured, started, wall_s, saes)
    with atomic_dir(out) as tmp:
        (tmp / "trial.toml").write_text(
            dumps_toml(record, header="What galleryforge evaluate measured, and on what.")
        )
        (tmp / "provenance.json").write_text(json.dumps(info, indent=2) + "\n")
        for name, frame in tables.items():
            write_table(frame, tmp / "tables" / f"{name}.parquet")
    return out


def _text(
    request: EvaluateRequest,
    trial_src: Source | None,
    saes: list[InferenceSAE],
    loaded: LoadedModel,
) -> EvalText:
    if trial_src is not None and request.corpus is None and request.tokens is None:
        return heldout_text(trial_src, loaded.tokenizer, request.batch_contexts)
    return _corpus(request, trial_src, saes, loaded, request.tokens or DEFAULT_TOKENS)


def _latent_text(
    request: EvaluateRequest,
    trial_src: Source | None,
    saes: list[InferenceSAE],
    loaded: LoadedModel,
) -> EvalText:
    """The per-latent tables' text: the same corpus's first ``latent_tokens`` tokens."""
    default = trial_src.latent_tokens if trial_src else DEFAULT_LATENT_TOKENS
    return _corpus(request, trial_src, saes, loaded, request.latent_tokens or default)


def _corpus(
    request: EvaluateRequest,
    trial_src: Source | None,
    saes: list[InferenceSAE],
    loaded: LoadedModel,
    tokens: int,
) -> EvalText:
    cfg: dict[str, Any] = saes[0].cfg
    dataset = request.corpus or (trial_src.dataset if trial_src else "docstrings")
    context = (
        request.context_size
        or cfg.get("context_size")
        or (trial_src.context_size if trial_src else DEFAULT_CONTEXT)
    )
    positions = getattr(loaded.model.config, "max_position_embeddings", None)
    if positions is not None and int(context) > positions:
        raise GalleryforgeError(
            f"--context-size {context}: {loaded.name} reads at most {positions} positions"
        )
    # The trial's own split and column when its corpus is read (a --corpus is read plainly).
    split = trial_src.dataset_split if trial_src and request.corpus is None else "train"
    column = trial_src.text_column if trial_src and request.corpus is None else "text"
    return corpus_text(
        dataset, loaded.tokenizer, int(context), tokens, request.batch_contexts, split, column
    )


def _provenance(
    loaded: LoadedModel,
    device: torch.device,
    text: EvalText,
    measured: Measured,
    started: datetime,
    wall_s: float,
    saes: list[InferenceSAE],
) -> dict[str, Any]:
    return {
        **environment(device),
        "model": loaded.name,
        "hooks": [sae.hook.name for sae in saes],
        "architectures": [sae.architecture for sae in saes],
        "norm_scaling_factors": [sae.norm_scaling_factor for sae in saes],
        "corpus": text.name,
        "corpus_sha256": text.sha256,
        "contexts": measured.evaluation.contexts,
        "evaluation_tokens": measured.evaluation.reconstruction[0].tokens,
        "latent_tokens": measured.latents[0].tokens,
        "downstream": "next-token cross-entropy"
        if measured.evaluation.language_model
        else "mean-pooled embedding",
        "start_time": started.isoformat(timespec="seconds"),
        "end_time": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 2),
    }


SOURCE = "galleryforge evaluate"
"""``source`` in an evaluation's trial.toml."""


def trial_source(runs: Path, trial: str) -> Source:
    """The source fields of a training run's ``trial.toml``: its held-out text."""
    path = runs / trial / "trial.toml"
    if not path.is_file():
        raise InputError(path, "missing: no trial run there (see --runs)")
    return Source.from_config(read_config(path), path)


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


def model_weights(saes: list[InferenceSAE]) -> tuple[str, int]:
    """The weights the SAEs were trained on (``train``'s ``model_weights``): a random-weights
    control is evaluated on the same re-initialised model, never on the trained one."""
    weights = saes[0].cfg.get("model_weights", "trained")
    seed = saes[0].cfg.get("model_weights_seed", 0)
    if weights not in MODEL_WEIGHTS:
        raise InputError(
            saes[0].folder / CFG_FILE,
            f"is {weights!r}, expected one of {MODEL_WEIGHTS}",
            field="model_weights",
        )
    if not isinstance(seed, int) or seed < 0:
        raise InputError(
            saes[0].folder / CFG_FILE,
            f"is {seed!r}, expected a seed >= 0",
            field="model_weights_seed",
        )
    return str(weights), seed


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
