"""Peak tensor memory on the CPU, measured by torch's own allocator accounting, phase by phase.

``tracked()`` runs a block under ``torch.profiler`` with ``profile_memory``: from then on torch's
CPU allocator reports every allocation and free, each with the bytes it holds live in total
(``total_allocated``: blocks allocated while profiling and not yet freed). That counts what
kernels allocate inside themselves too (a reduction's upcast copy, a softmax's buffer), which a
count of the tensors Python sees would miss; it does not count memory torch did not allocate
(mmapped files, Python's own objects, safetensors' byte strings). Start it before the model
loads and it holds everything the run allocated.

A phase is the time spent inside ``torch.profiler.record_function(name)`` ranges of that name
(the tests wrap library functions in them); ``peaks`` gives each phase's largest live total, and
``OTHER`` the largest outside every named range.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from torch._C._profiler import _EventType
from torch.profiler import ProfilerActivity, profile

OTHER = "other"


@dataclass
class Tracked:
    peaks: dict[str, int] = field(default_factory=dict)
    """Each named phase's peak of live tracked bytes, and ``OTHER``'s."""


@contextmanager
def tracked(names: tuple[str, ...]) -> Iterator[Tracked]:
    """Track allocations in the block; on exit ``Tracked.peaks`` holds each phase's peak."""
    result = Tracked()
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        yield result
    result.peaks = peaks(prof.profiler.kineto_results.experimental_event_tree(), names)  # type: ignore[union-attr]


def peaks(roots: list[Any], names: tuple[str, ...]) -> dict[str, int]:
    ranges: dict[str, list[tuple[int, int]]] = {name: [] for name in names}
    allocations: list[tuple[int, int]] = []
    stack = list(roots)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.typed[0] == _EventType.Allocation:
            fields = node.typed[1]
            if fields.alloc_size > 0 and fields.device.type == "cpu":
                allocations.append((node.start_time_ns, fields.total_allocated))
        elif node.name in ranges:
            ranges[node.name].append((node.start_time_ns, node.end_time_ns))
    found = {name: 0 for name in (*names, OTHER)}
    for time, total in allocations:
        phase = next(
            (n for n, spans in ranges.items() if any(a <= time <= b for a, b in spans)), OTHER
        )
        found[phase] = max(found[phase], total)
    return found


def in_phase(name: str, function: Any) -> Any:
    """``function`` run inside a ``record_function(name)`` range."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with torch.profiler.record_function(name):
            return function(*args, **kwargs)

    return wrapped
