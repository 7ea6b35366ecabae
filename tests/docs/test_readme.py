"""Every command the README shows exists and parses: sub-commands, options and their values."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from galleryforge.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_lines() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line]


def _galleryforge_commands() -> list[list[str]]:
    commands = []
    for line in _code_lines():
        for part in line.split("&&"):
            words = shlex.split(part)
            if words and words[0].endswith("galleryforge"):
                commands.append(words[1:])
    return commands


COMMANDS = _galleryforge_commands()


def test_readme_shows_the_two_start_commands() -> None:
    lines = _code_lines()
    assert lines[0] == "bash scripts/setup.sh && .venv/bin/galleryforge demo"
    assert lines[1] == "bash scripts/setup.sh && bash scripts/test.sh"
    assert (ROOT / "scripts" / "setup.sh").exists() and (ROOT / "scripts" / "test.sh").exists()
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _parse(command: Any, args: list[str], parent: Any = None, name: str = "galleryforge") -> None:
    """Let click parse ``args`` level by level, as it would before running the command."""
    context = command.make_context(name, list(args), parent=parent)
    rest = [*getattr(context, "_protected_args", []), *context.args]
    if hasattr(command, "resolve_command"):
        sub_name, sub_command, sub_args = command.resolve_command(context, rest)
        assert sub_command is not None, f"no command {sub_name}"
        _parse(sub_command, sub_args, context, sub_name or "")
    else:
        assert not rest, f"unexpected arguments {rest}"


@pytest.mark.parametrize("words", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_readme_command_parses(words: list[str]) -> None:
    _parse(typer.main.get_command(app), words)
