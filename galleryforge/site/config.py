"""The site's sources: ``site.toml`` (prose, author, base URL, Hub repo) and ``gallery.toml``
(one entry per rendering: caption, alt sentence, where it was used, whether it was picked, why).

``site.toml``'s prose (title, description, intro) may use placeholders filled from the runs
(``site/prose.py``); an unknown one is an error here, before anything is built.

Both are validated whole before anything is built; every problem is one line naming the file, the
key and the value, because these files are edited by hand.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from galleryforge.errors import InputError, unknown_name
from galleryforge.site.prose import PROSE_KEYS, placeholders

SITE_FILE = "site.toml"
GALLERY_FILE = "gallery.toml"

# Placeholders a hand-written sentence may use; anything else is a typo worth reporting.
ALT_FIELDS = frozenset({"trial", "title"})
HUB_PATH_FIELDS = frozenset({"trial", "tokens", "layer"})


@dataclass(frozen=True)
class SiteConfig:
    title: str
    """Prose, with placeholders until the build fills them ('' = written from the runs)."""
    description: str
    author: str
    """'' = no author shown (the build warns: a published site should name one)."""
    lab: str
    base_url: str
    """Absolute URL the site is served from ('' = relative URLs only, e.g. opened from file://)."""
    intro: str
    hub_repo: str
    """Hugging Face repo id holding the checkpoints ('' = no Hub links)."""
    hub_path: str
    """Folder of one checkpoint inside the Hub repo, with {trial}, {tokens}, {layer}."""
    max_feature_pages: int = 0
    """Feature pages per trial and layer: the latents that fired most often (0: every latent
    with examples)."""

    def absolute(self, path: str) -> str | None:
        """``base_url`` + ``path``, or None when no base URL is set."""
        if not self.base_url:
            return None
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def publishing_warnings(self) -> list[str]:
        """One line per unset field that a published site needs."""
        warnings = []
        if not self.author:
            warnings.append("author is empty: no page names who made the study; set it to publish")
        if not self.base_url:
            warnings.append(
                "base_url is empty: Open Graph images and page URLs stay relative, and link "
                "previews need absolute ones; set it to publish"
            )
        return warnings

    def hub_url(self, trial: str, tokens: int, layer: int) -> str | None:
        if not self.hub_repo:
            return None
        folder = self.hub_path.format(trial=trial, tokens=tokens, layer=layer)
        return f"https://huggingface.co/{self.hub_repo}/tree/main/{folder}"


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


_SITE_KEYS: dict[str, type] = {
    "title": str,
    "description": str,
    "author": str,
    "lab": str,
    "base_url": str,
    "intro": str,
    "hub_repo": str,
    "hub_path": str,
    "max_feature_pages": int,
}
_SITE_DEFAULTS = {
    "title": "",
    "description": "",
    "author": "",
    "lab": "",
    "base_url": "",
    "intro": "",
    "hub_repo": "",
    "hub_path": "{trial}/{tokens}/layer_{layer}",
}

_NOTE_KEYS: dict[str, type] = {
    "section": str,
    "caption": str,
    "alt": str,
    "used_in": list,
    "picked": bool,
    "rationale": str,
}


def load_site_config(path: Path, prose: Mapping[str, str] | None = None) -> SiteConfig:
    """Read and check ``site.toml``; ``prose`` replaces its title, description or intro."""
    data = _read_toml(path)
    _check_keys(path, data, _SITE_KEYS, (), where=None)
    values = {**_SITE_DEFAULTS, **data, **(prose or {})}
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    for key in PROSE_KEYS:
        placeholders(values[key], path, key)
    base_url = values["base_url"]
    if base_url and not base_url.startswith(("https://", "http://")):
        raise InputError(
            path, f"expected an http(s):// URL or '', got {base_url!r}", field="base_url"
        )
    hub_repo = values["hub_repo"]
    if hub_repo and (hub_repo.count("/") != 1 or " " in hub_repo):
        raise InputError(path, f"expected 'owner/name' or '', got {hub_repo!r}", field="hub_repo")
    _check_placeholders(path, "hub_path", values["hub_path"], HUB_PATH_FIELDS)
    pages = values.get("max_feature_pages", 0)
    if isinstance(pages, bool) or pages < 0:
        raise InputError(
            path, f"expected a whole number >= 0, got {pages!r}", field="max_feature_pages"
        )
    return SiteConfig(**values)


def load_gallery_notes(path: Path, rendering_ids: Iterable[str]) -> dict[str, FigureNote]:
    """Every entry of ``gallery.toml``, checked against the registry's rendering ids.

    An entry for an unknown id and a rendering without an entry are both errors: the gallery must
    say, for every figure, why it was or was not picked.
    """
    known = list(rendering_ids)
    data = _read_toml(path)
    notes: dict[str, FigureNote] = {}
    for rendering, entry in data.items():
        if rendering not in known:
            error = unknown_name("rendering", rendering, known)
            raise InputError(path, f"entry for an {error}", field=rendering)
        if not isinstance(entry, dict):
            raise InputError(
                path, f"expected a table [{rendering}], got {entry!r}", field=rendering
            )
        _check_keys(path, entry, _NOTE_KEYS, tuple(_NOTE_KEYS), where=rendering)
        for key in ("section", "caption", "alt", "rationale"):
            if not entry[key].strip():
                raise InputError(path, "must not be empty", field=f"{rendering}.{key}")
        used_in = entry["used_in"]
        if not all(isinstance(item, str) and item.strip() for item in used_in):
            raise InputError(
                path, f"expected a list of names, got {used_in!r}", field=f"{rendering}.used_in"
            )
        _check_placeholders(path, f"{rendering}.alt", entry["alt"], ALT_FIELDS)
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


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(path, "missing")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"not valid TOML ({error})") from error


def _check_keys(
    path: Path,
    data: Mapping[str, Any],
    schema: Mapping[str, type],
    required: Iterable[str],
    where: str | None,
) -> None:
    prefix = f"{where}." if where else ""
    for key, value in data.items():
        if key not in schema:
            error = unknown_name("key", key, schema)
            raise InputError(path, str(error), field=f"{prefix}{key}")
        expected = schema[key]
        if not isinstance(value, expected):
            raise InputError(
                path, f"expected {_type_name(expected)}, got {value!r}", field=f"{prefix}{key}"
            )
    for key in required:
        if key not in data:
            raise InputError(path, "missing required key", field=f"{prefix}{key}")


def _check_placeholders(path: Path, key: str, text: str, allowed: frozenset[str]) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise InputError(path, f"bad placeholder in {text!r} ({error})", field=key) from error
    unknown = sorted(names - allowed)
    if unknown:
        raise InputError(
            path,
            f"unknown placeholder {{{unknown[0]}}} in {text!r}; known: "
            f"{', '.join('{' + a + '}' for a in sorted(allowed))}",
            field=key,
        )


def _type_name(kind: type) -> str:
    return {str: "a string", bool: "true or false", list: "a list"}.get(kind, kind.__name__)
