"""parts.alt_text: metric names in sentences and the trial's means, read against the table."""

from __future__ import annotations

from galleryforge.renderings.parts import alt_text
from tests.contexts import BuildRenderContext


def test_metric_names_mid_sentence_and_at_its_end() -> None:
    assert alt_text.metric_list(["l0", "alpha", "alive_frac"]) == "L0, α, Alive frac."
    assert alt_text.metric_names(["l0", "alpha", "alive_frac"]) == "L0, α, Alive frac"


def test_trial_means_are_the_layer_means_of_the_final_checkpoint(
    build_render_context: BuildRenderContext,
) -> None:
    trial = build_render_context(trial="A").trial
    final = trial.final
    l0, alpha, mse = final["l0"].mean(), final["alpha"].mean(), final["mse"].mean()
    d_star = final["d_star"].mean()
    assert alt_text.trial_means(trial, ("l0", "alpha", "mse")) == (
        f"Mean L0 {l0:,.0f}, mean alpha {alpha:.3f}, mean MSE {mse:.3g}."
    )
    assert alt_text.trial_means(trial, ("d_star",)) == f"Mean predicted width d*_S {d_star:,.0f}."
