"""How fast the CLI answers: ``--help`` and the ``list`` commands, each in a fresh process.

    python benchmarks/startup.py [--repeats 10]

Target: well under a second. Heavy libraries (pandas, matplotlib, plotly, torch) are imported
only by the commands that draw or train; the baseline row is a bare ``python -c pass``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "galleryforge --help": [sys.executable, "-m", "galleryforge", "--help"],
    "galleryforge list renderings": [sys.executable, "-m", "galleryforge", "list", "renderings"],
    "galleryforge list themes": [sys.executable, "-m", "galleryforge", "list", "themes"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeats):  # interleaved, so load changes hit every command alike
        for name, command in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    print("| command | median | max |")
    print("| --- | --- | --- |")
    for name, values in times.items():
        print(f"| `{name}` | {statistics.median(values):.2f} s | {max(values):.2f} s |")


if __name__ == "__main__":
    main()
