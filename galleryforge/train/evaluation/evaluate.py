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
from galleryforge.errors import GalleryforgeError
from galleryforge.tables import write_table
from galleryforge.train.config_values import dumps_toml
from galleryforge.train.data.eval_text import EvalText, corpus_text, heldout_text
from galleryforge.train.data.model import LoadedModel, load_model
from galleryforge.train.evaluation.evaluate_inputs import (
    SOURCE,
    check_compatible,
    check_out,
    checkpoint_tokens,
    final_checkpoint,
    model_name,
    trial_config,
)
from galleryforge.train.evaluation.measure import measure
from galleryforge.train.evaluation.passes import Evaluation
from galleryforge.train.evaluation.saelens import InferenceSAE, load_saes
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.records import git_commit

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
    if request.trial is None and request.checkpoints is None:
        raise GalleryforgeError("give --checkpoints DIR, or --trial NAME for a trial's own")
    trial_cfg = trial_config(request.runs, request.trial) if request.trial else None
    checkpoints = request.checkpoints or final_checkpoint(request.runs, str(request.trial))
    saes = load_saes(checkpoints)
    out = request.out or request.runs / f"{trial_cfg.name if trial_cfg else checkpoints.name}-eval"
    check_out(out)
    model = request.model or model_name(saes)
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
        "source": SOURCE,
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
