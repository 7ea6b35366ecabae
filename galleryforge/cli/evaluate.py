"""``galleryforge evaluate``: measure SAELens-format SAEs on a model and write a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def evaluate(
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            help="One SAE folder (cfg.json, sae_weights.safetensors), a folder of layer_* "
            "folders, or a run's checkpoints/<tokens>/ (default: --trial's final checkpoint)."
        ),
    ] = None,
    trial: Annotated[
        str | None,
        typer.Option(help="A trial under --runs: its final checkpoint and held-out text."),
    ] = None,
    runs: Annotated[Path, typer.Option(help="Folder of run directories.")] = Path("runs"),
    model: Annotated[
        str | None, typer.Option(help="Model id or folder (default: the cfg.json's model_name).")
    ] = None,
    corpus: Annotated[
        str | None,
        typer.Option(
            help="Evaluation text: docstrings, a .txt/.jsonl/.parquet file or folder, or a "
            "Hugging Face dataset (default: --trial's held-out text, else docstrings)."
        ),
    ] = None,
    tokens: Annotated[
        int | None, typer.Option(min=1, help="Tokens of --corpus to evaluate on (default 4096).")
    ] = None,
    context_size: Annotated[
        int | None,
        typer.Option(min=2, help="Tokens per context (default: the cfg.json's, else 128)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Run directory to write (default: <runs>/<name>-eval).")
    ] = None,
    latent_tokens: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Tokens for the per-latent tables, from the start of the corpus (default: "
            "--trial's latent_tokens, else 100,000: resolves frequencies of 1e-5).",
        ),
    ] = None,
    batch: Annotated[int, typer.Option(min=1, help="Contexts per forward pass.")] = 16,
    top_n: Annotated[int, typer.Option(min=1, help="Top activating contexts per latent.")] = 20,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda or cuda:N.")] = "auto",
    quiet: Annotated[bool, typer.Option(help="No progress bar (for CI).")] = False,
) -> None:
    """Run the model once over the evaluation text with every layer's SAE; write the tables
    (reconstruction, downstream fidelity, per-latent statistics) that render and site build read."""
    from rich.console import Console

    from galleryforge.cli.progress import rich_progress
    from galleryforge.train.data.model import resolve_device
    from galleryforge.train.evaluation.evaluate import EvaluateRequest, evaluate_checkpoints

    request = EvaluateRequest(
        checkpoints=checkpoints,
        trial=trial,
        runs=runs,
        model=model,
        corpus=corpus,
        tokens=tokens,
        context_size=context_size,
        latent_tokens=latent_tokens,
        out=out,
        batch_contexts=batch,
        top_n=top_n,
    )
    if quiet:
        written = evaluate_checkpoints(request, resolve_device(device))
    else:
        with rich_progress(unit=True) as bar:
            task = bar.add_task("evaluate", total=None, label="loading model", unit="tokens")
            written = evaluate_checkpoints(
                request,
                resolve_device(device),
                on_start=lambda total: bar.update(task, total=total, label=""),
                on_batch=lambda done: bar.update(task, completed=done),
            )
    Console(stderr=True, quiet=quiet).print(f"wrote {written}")
