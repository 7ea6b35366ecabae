"""The model card (README.md of the Hub repo), rendered from ``templates/model_card.md.j2``.

Every number comes from the trial's tables: the per-layer rows of the final checkpoint and the
trial means of ``kd.trial_kd`` (means over layers of the per-layer values). What the SAEs were
trained on (model, d_model, regime, corpus) comes from the run's records (``galleryforge.study``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from galleryforge.numbers import format_metric
from galleryforge.publish.checkpoints import LayerCheckpoint
from galleryforge.resources import data_dir
from galleryforge.study import trial_facts
from galleryforge.tables import CURVES, EXAMPLES, FEATURES, LAYERS, LOGITS, TrialTables

TEMPLATE = "model_card.md.j2"
CARD_METRICS = ("l0", "alpha", "g_alpha", "d_star", "mse", "fvu", "explained_variance", "dead")
MEAN_METRICS = ("l0", "alpha", "g_alpha", "d_star", "mse", "dead")
# Written by trials with free decoder norms (the decoder_norm_sum L1): their spread over latents.
DECODER_NORM_COLUMNS = ("decoder_norm_p05", "decoder_norm_median", "decoder_norm_p95")
# The Hub links ``base_model`` and ``datasets`` to their pages, so only ``owner/name`` ids may go
# there (a pip-packaged model is named by the Hub id it packages, see galleryforge/study.py).
_HUB_MODEL_ID = re.compile(r"^[\w.-]+/[\w.-]+$")
_TABLES = {schema.name: schema for schema in (LAYERS, CURVES, FEATURES, EXAMPLES, LOGITS)}


def card_context(
    trial: TrialTables,
    repo_id: str,
    saes: Sequence[LayerCheckpoint],
    config_toml: str | None,
    tables: Sequence[str],
    license_id: str = "other",
) -> dict[str, Any]:
    """What the template needs; ``saes`` are the staged checkpoints, in order."""
    checkpoints = sorted({sae.tokens for sae in saes})
    final_tokens = checkpoints[-1]
    final = trial.final
    facts = trial_facts(trial)
    model = facts.model or "a transformer"
    dataset = str(trial.config.get("dataset", ""))
    example_layer = int(final["layer"].iloc[0])
    rows = [
        {
            "layer": int(row["layer"]),
            **{m: format_metric(m, float(row[m]), precise=True) for m in CARD_METRICS},
        }
        for _, row in final.iterrows()
    ]
    means = trial.kd
    spread = [column for column in DECODER_NORM_COLUMNS if column in final.columns]
    decoder_norms = [
        {"layer": int(row["layer"]), **{c: f"{float(row[c]):.3g}" for c in spread}}
        for _, row in final.iterrows()
    ]
    return {
        "repo_id": repo_id,
        "trial": trial.trial,
        "model": model,
        # A control's SAEs read a re-initialised model, not the published one.
        "base_model": model if _HUB_MODEL_ID.match(model) and not facts.weights_text else None,
        "model_weights": facts.weights_text,
        "dataset": dataset if _HUB_MODEL_ID.match(dataset) else None,
        "corpus": facts.corpus,
        "d_model": format_metric("width", facts.d_model) if facts.d_model else None,
        "regime": facts.regime,
        "architecture": facts.architecture,
        "architecture_text": facts.architecture_text,
        "arithmetic": facts.arithmetic,
        "unit_norm_decoder": facts.l1_form == "mean",
        "license": license_id,
        "n_layers": trial.n_layers,
        "layer_list": ", ".join(str(layer) for layer in trial.layer_ids),
        "width": f"{int(final['width'].iloc[0]):,}",
        "checkpoints": checkpoints,
        "final_tokens": final_tokens,
        "example_id": f"{final_tokens}/layer_{example_layer}",
        "example_layer": example_layer,
        "tables": [{"file": name, "holds": table_holds(name)} for name in tables],
        "layers": rows,
        "means": {m: format_metric(m, getattr(means, m), precise=True) for m in MEAN_METRICS},
        "free_decoder_norms": trial.config.get("l1_form") == "decoder_norm_sum",
        "decoder_norms": decoder_norms if len(spread) == len(DECODER_NORM_COLUMNS) else None,
        "config_toml": config_toml.strip() if config_toml else None,
        "provenance_json": _json(trial.provenance),
    }


def table_holds(file_name: str) -> str:
    """What a staged table holds, from its schema (docs/tables.md's words); a table of the run
    that no schema describes is said to be one."""
    schema = _TABLES.get(file_name.rsplit(".", 1)[0])
    return (
        schema.holds if schema is not None else "a further table of the run (not in docs/tables.md)"
    )


def render_card(context: Mapping[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(data_dir("templates")),
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty cell
        keep_trailing_newline=True,
        trim_blocks=True,  # a block tag's own line break is not output (table rows)
        autoescape=False,  # Markdown, not HTML
    )
    return env.get_template(TEMPLATE).render(**context)


def _json(data: Mapping[str, Any]) -> str | None:
    return json.dumps(dict(data), indent=2, sort_keys=False) if data else None
