"""The site's ``gallery.toml``: one entry per rendering, with its caption, alt sentence, where it
was used, whether it was picked and why.

Every registered rendering must have an entry and every entry must name a registered rendering:
the gallery says, for every figure, why it was or was not picked. The file is validated whole
before anything is built, one line per problem naming the file, the key and the value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from galleryforge.errors import InputError, unknown_name
from galleryforge.site.toml_input import check_keys, check_placeholders, read_toml

GALLERY_FILE = "gallery.toml"

# Placeholders a hand-written alt sentence may use; anything else is a typo worth reporting.
ALT_FIELDS = frozenset({"trial", "title"})


@dataclass(frozen=True)
class FigureNote:
    """What the gallery says about one rendering, whichever trial it is drawn for."""

    rendering: str
    section: str
    caption: str
    alt: str
    used_in: tuple[str, ...]
    picked: bool
    rationale: str

    def alt_for(self, trial: str, title: str) -> str:
        return self.alt.format(trial=trial, title=title)


_NOTE_KEYS: dict[str, type] = {
    "section": str,
    "caption": str,
    "alt": str,
    "used_in": list,
    "picked": bool,
    "rationale": str,
}


def load_gallery_notes(path: Path, rendering_ids: Iterable[str]) -> dict[str, FigureNote]:
    """Every entry of ``gallery.toml``, checked against the registry's rendering ids.

    An entry for an unknown id and a rendering without an entry are both errors: the gallery must
    say, for every figure, why it was or was not picked.
    """
    known = list(rendering_ids)
    data = read_toml(path)
    notes: dict[str, FigureNote] = {}
    for rendering, entry in data.items():
        if rendering not in known:
            error = unknown_name("rendering", rendering, known)
            raise InputError(path, f"entry for an {error}", field=rendering)
        if not isinstance(entry, dict):
            raise InputError(
                path, f"expected a table [{rendering}], got {entry!r}", field=rendering
            )
        check_keys(path, entry, _NOTE_KEYS, tuple(_NOTE_KEYS), where=rendering)
        for key in ("section", "caption", "alt", "rationale"):
            if not entry[key].strip():
                raise InputError(path, "must not be empty", field=f"{rendering}.{key}")
        used_in = entry["used_in"]
        if not all(isinstance(item, str) and item.strip() for item in used_in):
            raise InputError(
                path, f"expected a list of names, got {used_in!r}", field=f"{rendering}.used_in"
            )
        check_placeholders(path, f"{rendering}.alt", entry["alt"], ALT_FIELDS)
        notes[rendering] = FigureNote(
            rendering=rendering,
            section=entry["section"].strip(),
            caption=entry["caption"].strip(),
            alt=entry["alt"].strip(),
            used_in=tuple(item.strip() for item in used_in),
            picked=entry["picked"],
            rationale=entry["rationale"].strip(),
        )
    missing = [r for r in known if r not in notes]
    if missing:
        raise InputError(
            path,
            f"no entry for rendering(s) {', '.join(missing)}; add a "
            f"[{missing[0]}] table with {', '.join(_NOTE_KEYS)}",
        )
    return notes
