"""The model card (README.md of the Hub repo), rendered from ``templates/model_card.md.j2``.

Every number comes from the trial's tables: the per-layer rows of the final checkpoint and the
trial means of ``kd.trial_kd`` (means over layers of the per-layer values).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from galleryforge.numbers import format_metric
from galleryforge.publish.checkpoints import LayerCheckpoint
from galleryforge.resources import data_dir
from galleryforge.tables import TrialTables

TEMPLATE = "model_card.md.j2"
CARD_METRICS = ("l0", "alpha", "g_alpha", "d_star", "mse", "fvu", "explained_variance", "dead")
MEAN_METRICS = ("l0", "alpha", "g_alpha", "d_star", "mse", "dead")
# The Hub links ``base_model`` to a model page, so only an ``owner/name`` id may go there.
_HUB_MODEL_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


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
    model = str(trial.config.get("model", "a transformer"))
    example_layer = int(final["layer"].iloc[0])
    rows = [
        {
            "layer": int(row["layer"]),
            **{m: format_metric(m, float(row[m]), precise=True) for m in CARD_METRICS},
        }
        for _, row in final.iterrows()
    ]
    means = trial.kd
    return {
        "repo_id": repo_id,
        "trial": trial.trial,
        "model": model,
        "base_model": model if _HUB_MODEL_ID.match(model) else None,
        "license": license_id,
        "n_layers": trial.n_layers,
        "layer_list": ", ".join(str(layer) for layer in trial.layer_ids),
        "width": f"{int(final['width'].iloc[0]):,}",
        "checkpoints": checkpoints,
        "final_tokens": final_tokens,
        "example_id": f"{final_tokens}/layer_{example_layer}",
        "example_layer": example_layer,
        "tables": list(tables),
        "layers": rows,
        "means": {m: format_metric(m, getattr(means, m), precise=True) for m in MEAN_METRICS},
        "config_toml": config_toml.strip() if config_toml else None,
        "provenance_json": _json(trial.provenance),
    }


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
