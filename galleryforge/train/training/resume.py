"""Everything a resumed run needs: which checkpoint to continue from, what a checkpoint keeps for
it, and putting the trials and the activation stream back where they were.

    runs/<trial>/checkpoints/<tokens>/resume.pt        # resume-<r>.pt from rank r of a torchrun

A resume file keeps the unfolded SAE weights, the Adam state, the L1 coefficient, the dead-latent
counter, the activation stream's position, the RNG and the table rows so far, so a resumed run
continues bit for bit. Only the two latest checkpoints keep it (it holds the Adam state, twice the
size of the weights). A checkpoint counts as complete once rank 0's ``resume.pt`` is there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.tables import read_config
from galleryforge.train.data.activations import ActivationSource
from galleryforge.train.data.distributed import Ranks
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.trial import TrialState

RESUME_FILE = "resume.pt"


def resume_file(rank: int) -> str:
    """Rank 0's resume file (the only one in a run of one process) is ``resume.pt``."""
    return RESUME_FILE if rank == 0 else f"resume-{rank}.pt"


def refuse_existing(run_dirs: list[Path]) -> None:
    """A run started without ``--resume`` must not write over one that is there."""
    for run_dir in run_dirs:
        if (run_dir / "checkpoints").exists() or (run_dir / "tables").exists():
            raise GalleryforgeError(
                f"{run_dir} already holds a run; pass --resume to "
                "continue it, or remove it or pick another --out"
            )


def resume_point(configs: list[TrialConfig], run_dirs: list[Path]) -> int:
    """The latest checkpoint every trial has, after checking the configs did not change. A trial
    the convergence rule stopped at T has every later point too: it trains no more after T."""
    held: list[tuple[set[int], int | None]] = []
    for cfg, run_dir in zip(configs, run_dirs, strict=True):
        saved = read_config(run_dir / "trial.toml")
        changed = [k for k, v in cfg.to_dict().items() if saved.get(k, v) != v]
        if changed:
            raise GalleryforgeError(
                f"{run_dir / 'trial.toml'}: '{changed[0]}' was "
                f"{saved[changed[0]]!r}, now {getattr(cfg, changed[0])!r}; "
                "--resume needs the config the run started with"
            )
        held.append((set(checkpoint_tokens(run_dir)), stopped_at(run_dir)))
    points = set().union(*(found for found, _ in held))
    common = {
        t for t in points if all(t in found or (s is not None and t >= s) for found, s in held)
    }
    if not common:
        raise GalleryforgeError(
            f"--resume: no checkpoint common to {', '.join(map(str, run_dirs))}"
            "; start without --resume"
        )
    return max(common)


def resume_state(
    trial: TrialState, source: ActivationSource, step: int, ranks: Ranks
) -> dict[str, Any]:
    """What this rank's resume file keeps for ``trial`` at ``step``."""
    return {
        "step": step,
        "layer_ids": trial.sae.layer_ids,
        "world_size": ranks.world_size,
        "sae": trial.sae.state_dict(),
        "optimizer": trial.optimizer.state_dict(),
        "sparsity": trial.sparsity.state_dict(),
        "dead": trial.dead.state_dict(),
        "source": source.state(),
        "rng": torch.get_rng_state(),
        "layers": pd.concat(trial.checkpoint_rows).to_dict("list"),
        "curves": pd.concat(trial.logged_rows).to_dict("list"),
    }


def restore_run(
    trials: list[TrialState], source: ActivationSource, tokens: int, ranks: Ranks
) -> int:
    """Put ``trials`` and ``source`` back as they were at checkpoint ``tokens``; return its step."""
    own = [_own_point(t.run_dir, tokens) for t in trials]
    states = [
        load_resume(t.run_dir, at, ranks.rank, source.layers)
        for t, at in zip(trials, own, strict=True)
    ]
    for trial, state, at in zip(trials, states, own, strict=True):
        trial.sae.load_state_dict(state["sae"])
        trial.optimizer.load_state_dict(state["optimizer"])
        trial.sparsity.load_state_dict(state["sparsity"])
        trial.dead.load_state_dict(state["dead"])
        trial.checkpoint_rows = [pd.DataFrame(state["layers"])]
        trial.logged_rows = [pd.DataFrame(state["curves"])]
        trial.stopped_at = _converged_at(trial.checkpoint_rows[0], at)
    # The stream and the RNG stand where the trials still training left them at ``tokens``.
    current = next(state for state, at in zip(states, own, strict=True) if at == tokens)
    torch.set_rng_state(current["rng"])
    source.load_state(current["source"])
    return tokens // trials[0].cfg.batch_tokens


def stopped_at(run_dir: Path) -> int | None:
    """The tokens at which the convergence rule stopped the trial, read from its latest
    checkpoint's resume state; None while it trains (or without the rule)."""
    found = checkpoint_tokens(run_dir)
    if not found:
        return None
    path = run_dir / "checkpoints" / str(found[-1]) / RESUME_FILE
    state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    return _converged_at(pd.DataFrame(state["layers"]), found[-1])


def _converged_at(rows: pd.DataFrame, tokens: int) -> int | None:
    """``tokens`` when the trial's rows there say it converged, else None."""
    if "converged" not in rows.columns:
        return None
    return tokens if bool((rows.loc[rows["tokens"] == tokens, "converged"] == 1).any()) else None


def _own_point(run_dir: Path, tokens: int) -> int:
    """The checkpoint a trial resumes from when the run resumes at ``tokens``: its own stop, if
    the convergence rule stopped it before."""
    stop = stopped_at(run_dir)
    return stop if stop is not None and stop < tokens else tokens


def load_resume(
    run_dir: Path, tokens: int, rank: int = 0, layers: list[int] | None = None
) -> dict[str, Any]:
    """Rank ``rank``'s resume state; given ``layers``, check it holds exactly those layers."""
    path = run_dir / "checkpoints" / str(tokens) / resume_file(rank)
    # Onto the CPU whichever device saved it: restore_run copies each part where it belongs.
    state = dict(torch.load(path, map_location="cpu", weights_only=True)) if path.is_file() else {}
    if layers is not None and state.get("layer_ids") != layers:
        main = torch.load(
            path.with_name(RESUME_FILE), map_location="cpu", weights_only=True, mmap=True
        )
        held = f"holds layers {state['layer_ids']}" if state else "is missing"
        raise GalleryforgeError(
            f"{path} {held}, this rank trains layers {layers}: resume with the number of "
            f"ranks that wrote the checkpoint ({main.get('world_size', 1)})"
        )
    return state


def checkpoint_tokens(run_dir: Path) -> list[int]:
    """Token counts of the complete checkpoints (those with a resume file), ascending."""
    folder = run_dir / "checkpoints"
    if not folder.is_dir():
        return []
    found = [int(p.name) for p in folder.iterdir() if p.name.isdigit()]
    return sorted(t for t in found if (folder / str(t) / RESUME_FILE).is_file())


def prune_resume_files(run_dir: Path, keep: int = 2) -> None:
    """Delete the resume files of all but the ``keep`` latest checkpoints (the SAEs stay).

    Two, not one: trials save one after another, so after a crash in between, the latest
    checkpoint that every trial has may be the one before.
    """
    for tokens in checkpoint_tokens(run_dir)[:-keep]:
        folder = run_dir / "checkpoints" / str(tokens)
        for path in [*folder.glob("resume-*.pt"), folder / RESUME_FILE]:  # resume.pt last
            path.unlink(missing_ok=True)
