"""Two gloo ranks on the CPU train the run one process trains: same tables, same checkpoints.

The tiny GPT-NeoX has 3 layers, so rank 0 trains layers 0 and 1 and rank 1 layer 2; each runs the
model on half of every buffer's contexts. Rank 1 dies after the first checkpoint, rank 0 stops with
``RankLost`` instead of hanging, and ``torchrun ... -m galleryforge.train --resume`` finishes the
run.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch
import torch.multiprocessing as mp
from safetensors.torch import load_file

from galleryforge.errors import GalleryforgeError
from galleryforge.train.config_values import dumps_toml
from galleryforge.train.data.distributed import layer_split
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.session import train_trials
from galleryforge.train.training.trainer import Progress
from tests.galleryforge.train.helpers import build_trio


def test_layers_split_into_contiguous_balanced_shares() -> None:
    shares = layer_split(list(range(32)), 3)
    assert [len(share) for share in shares] == [11, 11, 10]
    assert [layer for share in shares for layer in share] == list(range(32))
    assert layer_split([0, 5], 2) == [[0], [5]]
    with pytest.raises(GalleryforgeError, match=r"^3 ranks for 2 layers: every rank needs a"):
        layer_split([0, 1], 3)


@pytest.mark.slow
def test_two_ranks_train_what_one_process_trains_and_resume_after_a_rank_dies(
    tiny_neox: Path, text_corpus: Path, tmp_path: Path
) -> None:
    trio = build_trio(model=str(tiny_neox), dataset=str(text_corpus))
    single, multi = tmp_path / "single", tmp_path / "multi"
    train_trials(trio, single, device="cpu")

    context = mp.start_processes(
        _rank_that_may_die, (trio, multi, _free_port()), nprocs=2, join=False, start_method="spawn"
    )
    for process in context.processes:
        process.join(timeout=120)
    assert [p.exitcode for p in context.processes] == [0, 1]
    survivor = (multi / "rank0.txt").read_text()
    assert survivor.startswith("RankLost: rank 0: ") and "--resume" in survivor
    for cfg in trio:
        folder = multi / cfg.name / "checkpoints"
        assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["512"]
        assert {p.name for p in (folder / "512").iterdir()} == {
            "layer_0",
            "layer_1",
            "layer_2",
            "resume.pt",
            "resume-1.pt",
        }

    presets = [tmp_path / f"{cfg.name}.toml" for cfg in trio]
    for cfg, preset in zip(trio, presets, strict=True):
        preset.write_text(dumps_toml({k: v for k, v in cfg.to_dict().items() if k != "name"}))
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2"]
    address = ["--master-addr", "127.0.0.1", "--master-port", str(_free_port())]
    command = [
        "-m",
        "galleryforge.train",
        "--preset",
        ",".join(map(str, presets)),
        "--out",
        str(multi),
    ]
    done = subprocess.run(
        [*torchrun, *address, *command, "--device", "cpu", "--quiet", "--resume"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]

    for cfg in trio:
        _assert_same_run(single / cfg.name, multi / cfg.name)
    provenance = json.loads((multi / "A" / "provenance.json").read_text())
    assert provenance["ranks"] == 2 and provenance["layer_split"] == [[0, 1], [2]]
    assert provenance["resumed_from_tokens"] == 512


def _assert_same_run(expected: Path, actual: Path) -> None:
    for table in ("layers", "curves"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(actual / "tables" / f"{table}.parquet"),
            pd.read_parquet(expected / "tables" / f"{table}.parquet"),
            rtol=1e-4,
        )
    for tokens in ("512", "1024"):
        for layer in range(3):
            want = expected / "checkpoints" / tokens / f"layer_{layer}"
            got = actual / "checkpoints" / tokens / f"layer_{layer}"
            assert (got / "cfg.json").read_text() == (want / "cfg.json").read_text()
            for name in ("sae_weights.safetensors", "sparsity.safetensors"):
                saved, reference = load_file(got / name), load_file(want / name)
                assert saved.keys() == reference.keys()
                for key, value in reference.items():
                    torch.testing.assert_close(saved[key], value, rtol=1e-4, atol=1e-5)


class _Died(Exception):
    pass


def _rank_that_may_die(rank: int, trio: list[TrialConfig], out: Path, port: int) -> None:
    """One rank of two; rank 1 dies abruptly at step 12, after the checkpoint at step 8."""
    os.environ.update(
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE="2",
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
    )
    torch.set_num_threads(1)

    def die(update: Progress) -> None:
        if rank == 1 and update.step >= 12:
            os._exit(1)  # no clean-up, no goodbye to the other rank

    try:
        train_trials(trio, out, device="cpu", on_progress=die, timeout_s=30)
    except GalleryforgeError as error:
        (out / f"rank{rank}.txt").write_text(f"{type(error).__name__}: {error}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
