"""The machine line every training benchmark prints above its table."""

from __future__ import annotations

import os
import platform
from datetime import datetime

import torch


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo, else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            return next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def now() -> str:
    return f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"


def cpu_machine() -> str:
    """Date, cores, CPU, torch version and threads."""
    return (
        f"{now()}, {os.cpu_count()} cores ({cpu_name()}), "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
