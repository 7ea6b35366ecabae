"""``galleryforge publish``: stage a trial's SAEs as a Hub repo, then upload it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def publish(
    trial: Annotated[str, typer.Option("--trial", "-t", metavar="TRIAL", help="Trial to publish.")],
    repo: Annotated[
        str, typer.Option(metavar="OWNER/NAME", help="Hub model repo (created if missing).")
    ],
    runs: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder holding the run directories.")
    ] = Path("runs"),
    checkpoints: Annotated[
        str, typer.Option(metavar="all|final", help="Every checkpoint, or only the last.")
    ] = "all",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Stage and list what would be uploaded; no network.")
    ] = False,
    staging: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Staging folder (default: build/hub/<trial>)."),
    ] = None,
    private: Annotated[bool, typer.Option("--private", help="Create the repo as private.")] = False,
) -> None:
    """Publish SAE checkpoints, model card, config and tables to the Hugging Face Hub."""
    from galleryforge.publish.stage import stage_trial
    from galleryforge.publish.upload import check_repo_id, upload_staged
    from galleryforge.runs import trial_run_dir

    check_repo_id(repo)
    run_dir = trial_run_dir(runs, trial)
    staged = stage_trial(run_dir, staging or Path("build/hub") / trial, repo, checkpoints)
    summary = f"{len(staged.files)} files, {_size(staged.total_bytes)}"
    if dry_run:
        for item in staged.files:
            typer.echo(f"{_size(item.bytes):>10}  {item.path}")
        typer.echo(f"dry run: would upload {summary} from {staged.folder} to {repo}")
        return
    url = upload_staged(staged.folder, repo, private=private)
    typer.echo(f"uploaded {summary} from {staged.folder} to {url}")


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} B"
    value = float(count)
    for unit in ("KB", "MB", "GB"):
        value /= 1000
        if value < 1000:
            return f"{value:.1f} {unit}"
    return f"{value / 1000:.1f} TB"
