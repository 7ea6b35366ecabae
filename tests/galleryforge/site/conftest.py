"""One small site, built once for the site tests and the browser tests.

Built from generated tables (one 4-layer trial with per-latent tables for 2 layers × 64 latents,
examples for 3 a layer, one holding a script tag, and the toy run) and limited to three renderings,
so the gallery renders 9 jobs; gallery.toml gets a caption with markup to check escaping.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from galleryforge.resources import data_dir
from galleryforge.site import SiteRequest, SiteResult, build_site
from tests.factories import write_toy, write_trial
from tests.feature_factories import write_feature_tables

RENDERINGS = ("premium-heatmap", "kpi-summary", "toy-floor-vs-dstar")
HOSTILE_CAPTION = "<script>alert('caption')</script> & <b>bold</b>"


@dataclass(frozen=True)
class BuiltSite:
    runs: Path
    gallery: Path
    sources: Path
    out: Path
    result: SiteResult

    def request(self, **changes: object) -> SiteRequest:
        return site_request(self.gallery.parent, **{"sources": self.sources, **changes})

    def build_args(self, out: Path, *extra: str) -> list[str]:
        """``galleryforge site build`` of this site's runs and gallery into ``out``, quietly."""
        runs, gallery = str(self.runs), str(self.gallery)
        return [
            "site",
            "build",
            "--runs",
            runs,
            "--gallery",
            gallery,
            "--out",
            str(out),
            *extra,
            "-q",
        ]


def site_request(root: Path, **changes: object) -> SiteRequest:
    """A build of ``root/runs`` into ``root/site`` through the gallery ``root/gallery``, limited
    to ``RENDERINGS`` on two workers; ``changes`` replace any of those."""
    fields: dict[str, object] = {
        "runs": root / "runs",
        "gallery": root / "gallery",
        "out": root / "site",
        "renderings": RENDERINGS,
        "jobs": 2,
    }
    fields.update(changes)
    return SiteRequest(**fields)  # type: ignore[arg-type]


def site_sources(folder: Path) -> Path:
    """A copy of the shipped site sources, with a caption that holds markup."""
    shutil.copytree(data_dir("site"), folder)
    gallery = folder / "gallery.toml"
    text = gallery.read_text(encoding="utf-8")
    start = text.index("[premium-heatmap]")
    line = text.index("caption = ", start)
    end = text.index("\n", line)
    # A literal TOML string: the quotes and markup reach the site exactly as written.
    replaced = text[:line] + f"caption = '''{HOSTILE_CAPTION}'''" + text[end:]
    gallery.write_text(replaced, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    root = tmp_path_factory.mktemp("site")
    runs = root / "runs"
    write_trial(runs, "B", 4)
    write_feature_tables(
        runs / "B", 2, width=64, max_latents=3, hostile=True, bins=True, logits=True
    )
    write_toy(runs, ks=(2, 8), features=(64, 256))
    sources = site_sources(root / "sources")
    result = build_site(site_request(root, sources=sources))
    return BuiltSite(runs, root / "gallery", sources, root / "site", result)


def as_read(text: str) -> str:
    """``text`` as a page's text spells it once the KD symbols are typeset (``site.typeset``): a
    subscript loses its underscore, so d*_S reads d*S and F_alive reads Falive."""
    return text.replace("d*_S", "d*S").replace("F_alive", "Falive")
