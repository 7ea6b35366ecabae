"""The site's ``site.toml``: prose, author, base URL, Hub repo, feature pages.

The prose (title, description, intro) may use placeholders filled from the runs
(``site/prose.py``); an unknown one is an error here, before anything is built. The file is
validated whole before anything is built; every problem is one line naming the file, the key and
the value, because it is edited by hand (``site/toml_input.py``). ``gallery.toml`` is read by
``site/notes.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from galleryforge.errors import InputError
from galleryforge.site.prose import PROSE_KEYS, placeholders
from galleryforge.site.toml_input import check_keys, check_placeholders, read_toml

SITE_FILE = "site.toml"

# Placeholders a hand-written Hub path may use; anything else is a typo worth reporting.
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


def load_site_config(path: Path, prose: Mapping[str, str] | None = None) -> SiteConfig:
    """Read and check ``site.toml``; ``prose`` replaces its title, description or intro."""
    data = read_toml(path)
    check_keys(path, data, _SITE_KEYS, (), where=None)
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
    check_placeholders(path, "hub_path", values["hub_path"], HUB_PATH_FIELDS)
    pages = values.get("max_feature_pages", 0)
    if isinstance(pages, bool) or pages < 0:
        raise InputError(
            path, f"expected a whole number >= 0, got {pages!r}", field="max_feature_pages"
        )
    return SiteConfig(**values)
