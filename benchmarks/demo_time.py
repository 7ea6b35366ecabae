"""Wall time of ``galleryforge demo`` from nothing: the default size and ``--quick``.

    python benchmarks/demo_time.py [--skip-full] [--skip-quick]

Each run starts from empty folders (nothing reused) in a fresh process, offline. Target: the
default (which trains the width family too) under 12 minutes on a 2-core CPU machine; ``--quick``
has no budget of its own (its help gives the time measured). The corpus cache
(~/.cache/galleryforge) is kept, as on any machine after its first run; the load average is
printed beside each time because other work on the machine slows everything down.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date


def timed_demo(quick: bool) -> tuple[float, float, float]:
    """(wall s, CPU s of the demo process and its workers, load average at the start)."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "galleryforge",
            "demo",
            "--runs",
            f"{tmp}/runs",
            "--build",
            f"{tmp}/build",
            "--quiet",
        ]
        if quick:
            command.append("--quick")
        start = time.perf_counter()
        subprocess.run(command, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-full", action="store_true")
    parser.add_argument("--skip-quick", action="store_true")
    args = parser.parse_args()
    rows = []
    for quick, target in ((True, None), (False, 720.0)):
        if (quick and args.skip_quick) or (not quick and args.skip_full):
            continue
        wall, cpu, load = timed_demo(quick)
        budget = (
            "–"
            if target is None
            else f"{target:.0f} s: " + ("met" if wall <= target else "not met")
        )
        name = "demo --quick" if quick else "demo"
        rows.append(f"| `{name}` | {wall:.0f} s | {cpu:.0f} s | {load:.1f} | {budget} |")
    print(
        f"galleryforge demo from nothing, {date.today()}, {os.cpu_count()} cores "
        f"({platform.machine()}), Python {platform.python_version()}"
    )
    print()
    print("| command | wall | CPU | load average at start | target |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
