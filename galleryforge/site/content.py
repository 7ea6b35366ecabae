"""What the pages show, read from the runs: each trial's summary and setup, the toy page's table,
the reproducibility records, and the site's prose filled from the runs' facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from galleryforge.controls import controlled_by, controls_of
from galleryforge.site.config import SiteConfig
from galleryforge.site.figures import GalleryIndex
from galleryforge.site.prose import PROSE_KEYS, default_prose, fill, study_values
from galleryforge.site.run_records import RunRecord, run_record
from galleryforge.site.toy_view import ToyView, toy_rows
from galleryforge.site.views import TOY, TrialSummary, trial_summary
from galleryforge.study import TrialFacts, trial_facts
from galleryforge.tables import TrialTables, load_toy_tables


@dataclass(frozen=True)
class SiteContent:
    """Everything read from the runs that pages show, gathered by the builder."""

    trials: Sequence[TrialSummary]
    toy_rows: ToyView | None
    runs: Sequence[RunRecord]
    facts: Sequence[TrialFacts] = ()

    @property
    def mixed_models(self) -> bool:
        """Whether the trials ran on different models (the overview then names each one's)."""
        return len({f.model for f in self.facts}) > 1


def site_content(
    runs: Path, index: GalleryIndex, site: SiteConfig, tables: Mapping[str, TrialTables]
) -> SiteContent:
    records = [run_record(t, tb.root, tb.config, tb.provenance, site) for t, tb in tables.items()]
    rows = None
    if TOY in index.trials:
        toy = load_toy_tables(runs / TOY)
        rows = toy_rows(toy)
        records.append(run_record(TOY, toy.root, toy.config, toy.provenance, site))
    facts = [trial_facts(tb) for tb in tables.values()]
    summaries = [
        replace(
            trial_summary(tb, f),
            controls=tuple(c.trial for c in controls_of(tb, tables)),
            control_of=getattr(controlled_by(tb, tables), "trial", None),
        )
        for tb, f in zip(tables.values(), facts, strict=True)
    ]
    return SiteContent(trials=summaries, toy_rows=rows, runs=records, facts=facts)


def with_prose(site: SiteConfig, content: SiteContent, source: Path) -> SiteConfig:
    """The site with its prose filled from the runs, or written from them where it is empty."""
    values = study_values(content.facts)
    defaults = default_prose(content.facts, content.toy_rows is not None)
    prose: dict[str, Any] = {}  # text fields only; SiteConfig also holds an int
    for key in PROSE_KEYS:
        text = getattr(site, key)
        prose[key] = fill(text, values, source, key) if text else defaults.get(key, "")
    return replace(site, **prose)
