"""Keep freed memory in the process, so large tensors stop costing page faults.

glibc's ``malloc`` serves every block above a threshold (128 KiB to 32 MiB) with its own ``mmap``
and gives it back on ``free``. Training allocates and frees tensors of tens of MB every step (the
latents of a stacked SAE, ``[layers, batch, F]``), so each step faulted in fresh zeroed pages: a
six-width family on the CPU spent 13% of its time in the kernel. Serving every block from the heap
and never trimming it reuses the pages; the cost is a peak resident size that stays at the peak
(docs/benchmarks.md gives both sides). A process entry point calls this once, before the work;
where the allocator is not glibc's, or the user set glibc's own ``MALLOC_MMAP_MAX_`` or
``MALLOC_TRIM_THRESHOLD_``, nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

# mallopt's parameter numbers, from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_USER_SETTINGS = ("MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_")


def keep_freed_memory() -> bool:
    """Turn off glibc's per-block ``mmap`` and heap trimming; whether it was done."""
    if any(name in os.environ for name in _USER_SETTINGS):
        return False
    path = ctypes.util.find_library("c")
    if path is None:
        return False
    try:
        mallopt = ctypes.CDLL(path).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): its allocator stays as it is
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    # The trim threshold is an int: its largest value leaves the heap untrimmed in practice.
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, 2**31 - 1))
