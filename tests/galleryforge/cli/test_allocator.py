"""The CLI's allocator setting: a large block freed and allocated again costs no new page faults.

Each case runs in its own interpreter, since the setting is process-wide.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import resource, sys
import numpy as np
from galleryforge.cli.allocator import keep_freed_memory
changed = keep_freed_memory() if sys.argv[1] == "keep" else False
faults = []
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = np.ones(64 * 2**20 // 8)  # 64 MiB, written through: every page is touched
    del block
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(changed, *faults)
"""


def faults(mode: str) -> tuple[bool, list[int]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True
    )
    changed, *counts = done.stdout.split()
    return changed == "True", [int(c) for c in counts]


def test_freed_blocks_are_reused_instead_of_faulted_in_again() -> None:
    changed, kept = faults("keep")
    if not changed:
        pytest.skip("not glibc: the setting does nothing here")
    _, default = faults("default")
    # glibc's default maps each 64 MiB block afresh: it faults in as many pages every time (how
    # many depends on the kernel's page size, transparent huge pages included).
    assert default[0] > 0 and all(count >= 0.9 * default[0] for count in default)
    # Kept: the first block faults its pages in; the next two reuse them.
    assert kept[0] >= 0.9 * default[0]
    assert all(count < kept[0] / 10 for count in kept[1:])


def test_glibc_settings_the_user_chose_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from galleryforge.cli.allocator import keep_freed_memory

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    assert keep_freed_memory() is False
