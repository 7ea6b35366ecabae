"""TransformerLens hook names on Hugging Face models: read or replace the residual stream.

SAELens names where an SAE reads in TransformerLens form. Two of them are the residual stream,
which every Hugging Face transformer exposes at its blocks (``data.model.BLOCK_PATHS``: GPT-NeoX
and Pythia, GPT-2, Llama-like, BERT-like):

- ``blocks.L.hook_resid_post``: the output of block L (a forward hook on the block);
- ``blocks.L.hook_resid_pre``: the input of block L (a forward pre-hook on the block), which is
  the embedding output for L = 0 and block L − 1's output otherwise.

Other hook points (attention or MLP outputs, ``hook_z``) differ between architectures and are
refused with the name of the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from galleryforge.errors import InputError

_PATTERN = re.compile(r"blocks\.(\d+)\.hook_resid_(pre|post)")


@dataclass(frozen=True, order=True)
class HookPoint:
    layer: int
    side: str
    """``post`` (block output) or ``pre`` (block input)."""

    @property
    def name(self) -> str:
        return f"blocks.{self.layer}.hook_resid_{self.side}"


def parse_hook_name(name: object, source: str | Path) -> HookPoint:
    """The hook point named in ``source`` (a cfg.json), or a one-line error naming the field."""
    match = _PATTERN.fullmatch(str(name)) if isinstance(name, str) else None
    if match is None:
        raise InputError(
            source,
            f"{name!r}: galleryforge reads SAEs on the residual stream, "
            "'blocks.L.hook_resid_post' or 'blocks.L.hook_resid_pre'",
            field="hook_name",
        )
    return HookPoint(int(match.group(1)), match.group(2))


Edit = Callable[[torch.Tensor], torch.Tensor]


class StopForward(Exception):
    """Raised after the last hook point wanted, to skip the rest of a forward pass."""


@contextmanager
def hooked(
    blocks: nn.ModuleList,
    points: list[HookPoint],
    edits: dict[HookPoint, Edit] | None = None,
    *,
    stop: bool = False,
) -> Iterator[dict[HookPoint, torch.Tensor]]:
    """Within the block, forward passes record the residual stream at ``points`` (in the dict
    yielded) and replace it by ``edits[point](activation)`` where an edit is given. With ``stop``,
    the last point raises ``StopForward`` once recorded (``forward_until``)."""
    edits = edits or {}
    seen: dict[HookPoint, torch.Tensor] = {}
    handles = []
    wanted = set(points) | set(edits)
    last = max(wanted, key=_in_pass_order) if stop and wanted else None
    for point in sorted(wanted):
        block = blocks[point.layer]
        if point.side == "post":
            hook = _post_hook(point, seen, edits.get(point), point == last)
            handles.append(block.register_forward_hook(hook))
        else:
            hook = _pre_hook(point, seen, edits.get(point), point == last)
            handles.append(block.register_forward_pre_hook(hook, with_kwargs=True))
    try:
        yield seen
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def recorded(blocks: nn.ModuleList) -> Iterator[list[Any]]:
    """Within the block, a forward pass records every block's output (in the list yielded), for
    ``replayed``."""
    outputs: list[Any] = [None] * len(blocks)

    def record(index: int) -> Any:
        def hook(_module: nn.Module, _inputs: Any, output: Any) -> None:
            outputs[index] = output

        return hook

    handles = [block.register_forward_hook(record(i)) for i, block in enumerate(blocks)]
    try:
        yield outputs
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def replayed(blocks: nn.ModuleList, outputs: list[Any], upto: int) -> Iterator[None]:
    """Within the block, blocks ``0 … upto − 1`` return their recorded ``outputs`` instead of
    computing them. A pass that edits the stream at block ``upto`` or later computes the same
    blocks before it as the clean pass did, so they need not run again; the blocks' hooks still
    fire on the outputs returned."""
    saved = [blocks[i].__dict__.get("forward") for i in range(upto)]
    for i in range(upto):
        blocks[i].forward = _returning(outputs[i])
    try:
        yield
    finally:
        for i, forward in enumerate(saved):
            if forward is None:
                del blocks[i].forward
            else:
                blocks[i].forward = forward


def replay_upto(point: HookPoint) -> int:
    """The blocks a pass editing ``point`` can replay: those before it, the block itself for its
    output (its forward hook edits the replayed output)."""
    return point.layer + 1 if point.side == "post" else point.layer


def _returning(output: Any) -> Callable[..., Any]:
    def forward(*_args: Any, **_kwargs: Any) -> Any:
        return output

    return forward


def _in_pass_order(point: HookPoint) -> tuple[int, int]:
    """Where the point is reached in a forward pass: block L's input before its output."""
    return point.layer, 0 if point.side == "pre" else 1


def _post_hook(
    point: HookPoint, seen: dict[HookPoint, torch.Tensor], edit: Edit | None, last: bool
) -> Any:
    def hook(_module: nn.Module, _inputs: Any, output: Any) -> Any:
        hidden = output[0] if isinstance(output, tuple) else output
        seen[point] = hidden
        if last:
            raise StopForward
        if edit is None:
            return None
        new = edit(hidden)
        return (new, *output[1:]) if isinstance(output, tuple) else new

    return hook


def _pre_hook(
    point: HookPoint, seen: dict[HookPoint, torch.Tensor], edit: Edit | None, last: bool
) -> Any:
    def hook(_module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        hidden = args[0] if args else kwargs["hidden_states"]
        seen[point] = hidden
        if last:
            raise StopForward
        if edit is None:
            return None
        if args:
            return (edit(hidden), *args[1:]), kwargs
        return args, {**kwargs, "hidden_states": edit(hidden)}

    return hook
