"""What each metric table must hold: its columns, their kinds, and the columns that key a row.

Every table's columns are documented in docs/tables.md (trial and toy tables) and docs/evaluate.md
(the per-latent tables).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    name: str
    # "text", "count" (non-negative integer), "real" (finite), "nonneg" (finite, >= 0),
    # "measured" (finite, or empty where it was not measured: downstream metrics before the last
    # checkpoint of a training run)
    kind: str


@dataclass(frozen=True)
class Schema:
    """Columns a table must hold, the columns that identify a row, and optional derived columns."""

    name: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...]
    optional: tuple[Column, ...] = ()
    holds: str = ""
    """What a row is, as docs/tables.md's layout says it (the model card's files table too)."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _cols(spec: str) -> tuple[Column, ...]:
    return tuple(Column(*item.split(":")) for item in spec.split())


LAYERS = Schema(
    "layers",
    _cols(
        "trial:text layer:count tokens:count width:count l1_coef:nonneg mse:nonneg fvu:nonneg "
        "l1:nonneg loss:nonneg l0:nonneg dead:count explained_variance:real"
    ),
    keys=("trial", "layer", "tokens"),
    holds="one row per (layer, checkpoint)",
    # Computed with kd.py when a table made elsewhere leaves them out; then the metrics train and
    # evaluate add (galleryforge/train/evaluation/reconstruction.py,
    # galleryforge/train/evaluation/downstream.py).
    optional=_cols(
        "alive_frac:nonneg alpha:nonneg g_alpha:nonneg d_star:nonneg cosine_similarity:real "
        "l2_ratio:nonneg relative_reconstruction_bias:real dense:count dense_frac:nonneg "
        "explained_variance_saelens:measured ce_clean:measured ce_spliced:measured "
        "ce_ablated:measured ce_loss_score:measured ce_ablated_ordinary:measured "
        "ce_loss_score_ordinary:measured kl_div:measured kl_div_ablated:measured "
        "kl_div_score:measured embedding_cos_spliced:measured "
        "embedding_cos_mean_ablated:measured embedding_cos_distance:measured "
        "embedding_recovered:measured embedding_pair_spearman:measured "
        "embedding_pair_spearman_mean_ablated:measured target_l0:nonneg l0_off_target:count "
        "mse_gain:measured converged:count"
    ),
)
CURVES = Schema(
    "curves",
    _cols(
        "trial:text layer:count step:count tokens:count mse:nonneg l1:nonneg loss:nonneg "
        "l0:nonneg l1_coef:nonneg"
    ),
    keys=("trial", "layer", "step"),
    holds="one row per (layer, logged step)",
)
# Per-latent tables (galleryforge/train/evaluation/table_rows.py; docs/evaluate.md documents
# every column).
FEATURES = Schema(
    "features",
    _cols(
        "trial:text layer:count latent:count latent_tokens:count frequency:nonneg "
        "fired_tokens:count mean_activation:real max_activation:real decoder_norm:nonneg"
    ),
    keys=("trial", "layer", "latent"),
    holds="one row per (layer, latent)",
)
EXAMPLES = Schema(
    "examples",
    _cols(
        "trial:text layer:count latent:count kind:text rank:count activation:real "
        "context:count position:count focus:count"
    ),
    keys=("trial", "layer", "latent", "kind", "rank"),
    holds="activating contexts per latent",
    # The edges of a ``bin`` row's activation bin; empty on the other kinds' rows, and absent
    # from tables written before the bins were.
    optional=_cols("bin_low:measured bin_high:measured"),
)
EXAMPLE_KINDS = ("top", "random", "bin")
"""In page order: the top examples, the random ones, then those drawn from activation bins."""
LOGITS = Schema(
    "logits",
    _cols(
        "trial:text layer:count latent:count sign:text rank:count token_id:count token:text "
        "effect:real"
    ),
    keys=("trial", "layer", "latent", "sign", "rank"),
    holds="top logit effects per latent (causal LMs)",
)
LOGIT_SIGNS = ("positive", "negative")
TOY_SWEEP = Schema(
    "sweep",
    _cols(
        "decoder:text alpha:nonneg features:count seed:count width:count loss:nonneg "
        "normalised_loss:nonneg"
    ),
    keys=("decoder", "alpha", "features", "seed", "width"),
    # exact_frac is empty (NaN) for the trained read-outs, whose output is never exact.
    optional=_cols("k:nonneg steps:count converged:nonneg exact_frac:measured"),
)
TOY_SUMMARY = Schema(
    "summary",
    _cols(
        "decoder:text alpha:nonneg features:count k:nonneg d_star:nonneg "
        "transition_width:nonneg censored:count ratio:nonneg"
    ),
    keys=("decoder", "alpha", "features"),
    # Written by ``galleryforge toy``; a summary made elsewhere may leave them out. The 50% width
    # is empty (NaN) for the trained read-outs, the per-read-out fit (c, a, b and their
    # intervals) where it cannot be computed (no uncensored cell; one d*_S for a and b).
    optional=_cols(
        "data:text delta:nonneg transition_e1:nonneg censored_e1:count transition_e2:nonneg "
        "censored_e2:count transition_e3:nonneg censored_e3:count "
        "exact_half_width:measured exact_half_censored:measured exact_half_ratio:measured "
        "onset_width:nonneg onset_censored:count epsilon:nonneg onset_level:nonneg "
        "narrowest_width:count widest_width:count width_cap:nonneg widths_measured:count "
        "zero_loss:nonneg converged_frac:nonneg cpu_s:measured fitted_cells:count "
        "c:measured c_low:measured c_high:measured a:measured a_low:measured a_high:measured "
        "b:measured b_low:measured b_high:measured"
    ),
)
TOY_READOUTS = ("lp", "active-set", "untied", "tied")
"""The toy read-outs in display order (a table may hold others, shown after these)."""


def ordered(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Schema columns first in contract order, then optional ones, then any extras."""
    first = [*schema.names, *(c.name for c in schema.optional if c.name in frame.columns)]
    return frame[first + [c for c in frame.columns if c not in first]]
