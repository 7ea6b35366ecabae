"""Where the shipped data folders (themes, templates, site sources) are.

In a checkout they sit at the repository's top level; an installed wheel carries them inside the
package as ``galleryforge/_data/<name>`` (see pyproject.toml). The wheel copy wins when present.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``themes``, ``templates``, ``site`` or ``presets``, from the wheel or the
    checkout."""
    for candidate in (PACKAGE_DIR / "_data" / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"galleryforge's '{name}' folder is missing from this installation")
