"""Display names of the metrics, shared by tables, figures, cards and pages (no heavy imports)."""

from __future__ import annotations

# The order metrics appear in figures; extra numeric columns follow in table order.
METRIC_ORDER = (
    "l0",
    "alpha",
    "g_alpha",
    "d_star",
    "mse",
    "fvu",
    "explained_variance",
    "l1",
    "loss",
    "dead",
    "alive_frac",
    "l1_coef",
)
METRIC_LABELS = {
    "l0": "L0",
    "alpha": "α",
    "g_alpha": "g(α)",
    "d_star": "d*_S",
    "mse": "MSE",
    "fvu": "FVU",
    "explained_variance": "Explained var.",
    "l1": "L1",
    "loss": "Loss",
    "dead": "Dead",
    "alive_frac": "Alive frac.",
    "l1_coef": "L1 coef.",
    # Added by train and evaluate (docs/evaluate.md).
    "cosine_similarity": "Cosine sim.",
    "l2_ratio": "L2 ratio",
    "relative_reconstruction_bias": "Rel. recon. bias",
    "dense": "Dense",
    "dense_frac": "Dense frac.",
    "explained_variance_saelens": "Expl. var. (SAELens)",
    "ce_clean": "CE clean",
    "ce_spliced": "CE spliced",
    "ce_ablated": "CE ablated",
    "ce_loss_score": "CE loss score",
    "ce_ablated_ordinary": "CE ablated (ord.)",
    "ce_loss_score_ordinary": "CE score (ord.)",
    "kl_div": "KL div.",
    "kl_div_ablated": "KL div. ablated",
    "kl_div_score": "KL div. score",
    "embedding_cos_spliced": "Emb. cos spliced",
    "embedding_cos_mean_ablated": "Emb. cos mean-abl.",
    "embedding_cos_distance": "Emb. 1 − cos",
    "embedding_recovered": "Emb. recovered",
    "embedding_pair_spearman": "Pair ranking ρ",
    "embedding_pair_spearman_mean_ablated": "Pair ranking ρ mean-abl.",
    "decoder_norm_p05": "Dec. norm p5",
    "decoder_norm_median": "Dec. norm median",
    "decoder_norm_p95": "Dec. norm p95",
}


# matplotlib mathtext for the symbols; other labels are the same as METRIC_LABELS.
METRIC_MATH = {"alpha": r"$\alpha$", "g_alpha": r"$g(\alpha)$", "d_star": r"$d^*_S$"}


def metric_label(name: str, math: bool = False) -> str:
    """A metric's display name; ``math=True`` gives matplotlib mathtext for the KD symbols."""
    if math and name in METRIC_MATH:
        return METRIC_MATH[name]
    return METRIC_LABELS.get(name, name.replace("_", " "))
