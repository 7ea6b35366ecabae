"""Progress on output that is no terminal: plain lines at a steady interval, one more at the end."""

from __future__ import annotations

import io

from rich.console import Console

from galleryforge.cli.plain_progress import PlainProgress
from galleryforge.cli.progress import rich_progress


def test_no_terminal_gets_a_plain_line_every_interval_and_at_the_end() -> None:
    out, now = io.StringIO(), [0.0]
    console = Console(file=out, width=200)  # a StringIO is no terminal
    with rich_progress(True, console, every_s=30, clock=lambda: now[0]) as progress:
        task = progress.add_task("train", total=1000, unit="tokens", label="")
        # 10 tokens a second until t = 61, then a burst; a line is due at t >= 30, then 30 s later.
        for t, done in [(10, 100), (20, 200), (31, 310), (45, 450), (61, 610), (62, 640)]:
            now[0] = t
            progress.update(task, completed=done, label=f"L0 {t}")
        now[0] = 70
        progress.update(task, completed=1000, label="done")
    assert out.getvalue().splitlines() == [
        # 690 tokens left at 10 tokens/s: 69 s; then 390 at 10/s: 39 s.
        "train: 310/1,000 tokens (31%), 0:00:31 elapsed, 0:01:09 left, L0 31",
        "train: 610/1,000 tokens (61%), 0:01:01 elapsed, 0:00:39 left, L0 61",
        "train: 1,000/1,000 tokens (100%), 0:01:10 elapsed, 0:00:00 left, done",
    ]


def test_a_task_that_did_not_move_prints_nothing_and_a_terminal_gets_the_bar() -> None:
    out, now = io.StringIO(), [0.0]
    with rich_progress(console=Console(file=out), every_s=1, clock=lambda: now[0]) as progress:
        progress.add_task("Rendering", total=3, label="")
        now[0] = 5
    assert out.getvalue() == ""
    terminal = Console(file=io.StringIO(), force_terminal=True)
    assert not isinstance(rich_progress(console=terminal), PlainProgress)
