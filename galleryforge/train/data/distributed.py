"""One run over several processes (``torchrun``): layers split across ranks, activations exchanged.

``torchrun`` sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT``;
``process_group`` reads them and joins the group (NCCL on GPUs, gloo on the CPU), or stands for a
single process when ``WORLD_SIZE`` is absent or 1. What each rank does (docs/distributed.md):

- **Layers.** The trained layers are cut into ``N`` contiguous, balanced shares (``layer_split``):
  the first ``L mod N`` ranks take ``ceil(L / N)`` layers, the rest ``floor(L / N)``. Rank ``r``
  holds a ``StackedSAE`` of its share only, with its optimizer, controller and dead counters.
- **Data.** Every rank reads the same context stream; of each buffer's contexts, rank ``r`` runs
  the model on contexts ``r, r + N, r + 2N, ...`` only. ``exchange`` then sends every rank the
  activations of the layers it owns, and the owner puts the contexts back in stream order, so its
  buffer is exactly the one-process buffer of its layers: same held-out set, same shuffle, same
  batches, same SAE updates as one process with the same ``batch_tokens``.
- **Files.** A checkpoint folder is written by all ranks into one temporary folder that rank 0
  renames into place after a barrier (``shared_dir``); rank 0 gathers the table rows and alone
  writes tables, ``trial.toml`` and ``provenance.json``.
- **Failures.** Every collective has the group's timeout, so if a rank dies the others stop with
  ``RankLost`` instead of waiting forever; the last checkpoint stays whole (``--resume``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist

from galleryforge.atomic import atomic_dir
from galleryforge.errors import GalleryforgeError

DEFAULT_TIMEOUT_S = 900.0


class RankLost(GalleryforgeError):
    """A collective failed or timed out: another rank died or hangs. The run stops."""


def layer_split(layers: list[int], world_size: int) -> list[list[int]]:
    """Contiguous, balanced shares of ``layers``: the first ``len % N`` ranks get one more."""
    if world_size > len(layers):
        raise GalleryforgeError(
            f"{world_size} ranks for {len(layers)} layers: every rank needs a layer of its own; "
            f"start at most {len(layers)} processes (--nproc_per_node) or train more layers"
        )
    size, extra = divmod(len(layers), world_size)
    shares, begin = [], 0
    for rank in range(world_size):
        end = begin + size + (rank < extra)
        shares.append(layers[begin:end])
        begin = end
    return shares


@dataclass(frozen=True)
class Ranks:
    """This process's place in the run; ``Ranks()`` is a run of one process."""

    rank: int = 0
    world_size: int = 1
    shares: list[list[int]] = field(default_factory=list)
    """Each rank's layers, once ``with_layers`` has split them."""

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def layers(self) -> list[int]:
        """The layers this rank trains."""
        return self.shares[self.rank]

    def with_layers(self, layers: list[int]) -> Ranks:
        return Ranks(self.rank, self.world_size, layer_split(layers, self.world_size))

    def barrier(self) -> None:
        if self.distributed:
            _collective("barrier", dist.barrier)

    def gather(self, value: Any) -> list[Any]:
        """Every rank's ``value`` (small, picklable: table rows, scales), in rank order."""
        if not self.distributed:
            return [value]
        gathered: list[Any] = [None] * self.world_size
        _collective("all_gather_object", dist.all_gather_object, gathered, value)
        return gathered

    def exchange(self, own: torch.Tensor, tokens: list[int]) -> list[torch.Tensor]:
        """Send each rank its layers of this rank's tokens; receive this rank's layers of theirs.

        ``own`` is ``[n_all_layers, tokens[self.rank], d]``; the result holds, for each source rank
        ``r``, ``[n_my_layers, tokens[r], d]``. ``all_to_all_single`` rather than ``all_gather``:
        each rank receives only the layers it keeps, 1/N of a buffer instead of all of it (21 GB
        per fill for Pythia-2.8B, more than a rank's whole activation budget), and it takes uneven
        split sizes, which gloo's list ``all_to_all`` does not.
        """
        if not self.distributed:
            return [own]
        d = own.shape[-1]
        mine = len(self.layers)
        sent = [len(share) * tokens[self.rank] * d for share in self.shares]
        received = [mine * count * d for count in tokens]
        out = own.new_empty(sum(received))
        _collective(
            "all_to_all_single",
            dist.all_to_all_single,
            out,
            own.contiguous().view(-1),  # contiguous shares in rank order: a plain flatten
            received,
            sent,
        )
        blocks = out.split(received)
        return [block.view(mine, count, d) for block, count in zip(blocks, tokens, strict=True)]

    @contextmanager
    def shared_dir(self, target: Path) -> Iterator[Path]:
        """``atomic_dir`` with every rank writing: rank 0 makes the temporary folder, all ranks
        write their part, and rank 0 renames it into place once every rank has passed the barrier,
        so a reader never sees a checkpoint with some layers missing."""
        if not self.distributed:
            with atomic_dir(target) as tmp:
                yield tmp
            return
        if self.is_main:
            with atomic_dir(target) as tmp:
                self._broadcast(str(tmp))
                yield tmp
                self.barrier()
        else:
            tmp = Path(self._broadcast(None))
            yield tmp
            self.barrier()

    def _broadcast(self, value: Any) -> Any:
        holder = [value]
        _collective("broadcast_object_list", dist.broadcast_object_list, holder, src=0)
        return holder[0]


@contextmanager
def process_group(device: torch.device, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[Ranks]:
    """Join the group ``torchrun`` started (``WORLD_SIZE`` > 1), or yield a one-process ``Ranks``.

    A group that the caller already initialised is used as it is and left open.
    """
    if dist.is_initialized():
        yield Ranks(dist.get_rank(), dist.get_world_size())
        return
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        yield Ranks()
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    dist.init_process_group(
        backend,
        timeout=timedelta(seconds=timeout_s),
        device_id=device if device.type == "cuda" else None,
    )
    try:
        yield Ranks(dist.get_rank(), dist.get_world_size())
    finally:
        dist.destroy_process_group()


def rank_device(device: torch.device) -> torch.device:
    """Under ``torchrun``, ``cuda`` means this process's GPU, ``cuda:$LOCAL_RANK``."""
    local = os.environ.get("LOCAL_RANK")
    if device.type != "cuda" or device.index is not None or local is None:
        return device
    resolved = torch.device("cuda", int(local))
    torch.cuda.set_device(resolved)
    return resolved


def _collective(name: str, call: Any, *args: Any, **kwargs: Any) -> None:
    try:
        call(*args, **kwargs)
    except RuntimeError as error:  # gloo and NCCL errors, timeouts included (DistError)
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RankLost(
            f"rank {dist.get_rank()}: {name} failed ({reason}): another rank died or hangs; "
            "the run stopped, and --resume continues from its last checkpoint with the same "
            "number of ranks"
        ) from error
