"""Width families: one regime trained at several dictionary widths, read back for the renderings.

``galleryforge train`` writes each member of a family as its own run (``<family>-F<width>``, or
``<family>-F<width>-s<seed>`` with several seeds), and its ``trial.toml`` names the ``family``
and lists its ``widths``; a trial's fellow members are the runs of the same folder that name the
same family. ``family_table`` gathers each member's final checkpoint, one row per (layer, width,
seed); ``layer_fits`` fits L(F) = a·F^(−b) + L∞ to each layer's seed means and reads the knee
from the fit (``width_fit``); ``declared_prediction`` is the d*_S the knee is tested against,
as the family's ``trial.toml`` declared it before training:

- ``predict_from = "target"``: d*_S = L0·ln(F/L0) from the target L0 (``k`` or ``target_l0``) and
  F = ``predict_width``: fixed before training, the same for every layer;
- ``predict_from = "member"``: each layer's measured d*_S at the end of the members of width
  ``predict_width``, the mean over their seeds;
- none declared (a family trained before the protocol): the drawn trial's own d*_S, said so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from galleryforge.width_fit import KNEE_SHARE, LayerFit, fit_layer

if TYPE_CHECKING:
    import pandas as pd

    from galleryforge.tables import TrialTables

FAMILY_COLUMNS = ("trial", "layer", "width", "tokens", "mse", "l0", "dead", "d_star")
PROTOCOL_COLUMNS = ("converged", "l0_off_target", "target_l0")
"""Columns a member under the protocol adds (``converged`` with the convergence rule, the L0
target's with sparsity held fixed); a member without them gets them empty."""


def family_name(trial: TrialTables) -> str:
    """The width family ``trial`` belongs to ("" for none), from its ``trial.toml``."""
    return str(trial.config.get("family", "") or "")


def member_width(trial: TrialTables) -> int:
    return int(trial.final["width"].max())


def member_seed(trial: TrialTables) -> int:
    """The seed of the member's SAE initialisation (``sae_seed``, else ``seed``, else 0)."""
    sae_seed = int(trial.config.get("sae_seed", -1))
    return sae_seed if sae_seed >= 0 else int(trial.config.get("seed", 0))


def family_members(
    trial: TrialTables, trials: Mapping[str, TrialTables]
) -> tuple[TrialTables, ...]:
    """``trial``'s family members among ``trials`` (itself included), narrowest first, then by
    seed; empty when it belongs to no family."""
    name = family_name(trial)
    if not name:
        return ()
    found = {t.trial: t for t in trials.values() if family_name(t) == name}
    found[trial.trial] = trial
    return tuple(sorted(found.values(), key=lambda t: (member_width(t), member_seed(t))))


def family_table(members: Sequence[TrialTables]) -> pd.DataFrame:
    """Each member's final checkpoint, one row per (layer, width, seed), ordered by layer, width
    and seed, with its ``seed`` and the protocol's columns (empty where a member has none)."""
    import pandas as pd

    frames = []
    for member in members:
        final = member.final
        frame = final[list(FAMILY_COLUMNS)].assign(seed=member_seed(member))
        for column in PROTOCOL_COLUMNS:
            frame[column] = final[column] if column in final.columns else np.nan
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["layer", "width", "seed"]).reset_index(drop=True)


def by_layer(table: pd.DataFrame) -> list[tuple[int, pd.DataFrame]]:
    """(layer, its rows) of a ``family_table`` (or of ``seed_means``), in layer order."""
    return [(int(str(layer)), rows) for layer, rows in table.groupby("layer", sort=True)]


def seed_means(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (layer, width): the mean, lowest and highest final MSE and L0 over seeds, the
    mean d*_S, and the number of seeds."""
    grouped = table.groupby(["layer", "width"], sort=True)
    out = grouped.agg(
        mse=("mse", "mean"),
        mse_low=("mse", "min"),
        mse_high=("mse", "max"),
        l0=("l0", "mean"),
        l0_low=("l0", "min"),
        l0_high=("l0", "max"),
        d_star=("d_star", "mean"),
        seeds=("seed", "nunique"),
    )
    return out.reset_index()


def layer_fits(table: pd.DataFrame) -> dict[int, LayerFit]:
    """Each layer's fitted curve, knee and bootstrap intervals over seeds (``width_fit``)."""
    fits = {}
    for layer, rows in by_layer(table):
        widths = sorted(int(w) for w in rows["width"].unique())
        losses = [rows.loc[rows["width"] == w, "mse"].tolist() for w in widths]
        fits[layer] = fit_layer(widths, losses)
    return fits


@dataclass(frozen=True)
class Prediction:
    d_star: dict[int, float]
    """The predicted d*_S per layer."""
    source: str
    """Where it comes from, in words (for the sentences and captions)."""
    declared: bool
    """Declared in ``trial.toml`` before training (else the drawn trial's own d*_S)."""


def declared_prediction(trial: TrialTables, table: pd.DataFrame) -> Prediction:
    """The d*_S the family's ``trial.toml`` declared (see the module docstring)."""
    config = trial.config
    width = int(config.get("predict_width", 0) or 0)
    layers = sorted(int(layer) for layer in table["layer"].unique())
    if width and config.get("predict_from", "target") == "target":
        l0 = _target(config)
        star = l0 * math.log(width / l0)
        return Prediction(
            dict.fromkeys(layers, star),
            f"declared d*_S = L0·ln(F/L0) = {star:,.0f} (target L0 {l0:g}, F = {width:,})",
            True,
        )
    if width:
        rows = table[table["width"] == width]
        means = rows.groupby("layer")["d_star"].mean()
        seeds = int(rows["seed"].nunique())
        return Prediction(
            {int(str(k)): float(v) for k, v in means.items()},
            f"declared d*_S measured at F = {width:,} (mean over {seeds} seed"
            f"{'s' if seeds != 1 else ''})",
            True,
        )
    final = trial.final
    return Prediction(
        {int(a): float(b) for a, b in zip(final["layer"], final["d_star"], strict=True)},
        f"d*_S of trial {trial.trial} (F = {member_width(trial):,}; no prediction declared)",
        False,
    )


def _target(config: Mapping[str, object]) -> float:
    """The L0 a member is held at: ``k`` (TopK, BatchTopK) or ``target_l0``."""
    k = float(str(config.get("k", 0) or 0))
    return k if k > 0 else float(str(config.get("target_l0", 0) or 0))


def knee_text(fit: LayerFit) -> str:
    """A knee and its interval in words: "F ≈ 1,234 (95% 900–1,800)", "F > 8,192 (a lower
    bound)", "F ≈ 1,234 (no interval: one seed)"."""
    if fit.censored:
        return f"beyond F = {fit.knee:,.0f} (a lower bound)"
    if math.isnan(fit.knee_low):
        interval = "no interval: one seed"
    else:
        high = "∞" if math.isinf(fit.knee_high) else f"{fit.knee_high:,.0f}"
        interval = f"95% {fit.knee_low:,.0f}–{high}"
    below = ", below the narrowest width" if fit.below_narrowest else ""
    return f"F ≈ {fit.knee:,.0f} ({interval}{below})"


def ratio_text(fit: LayerFit, star: float) -> str:
    """The knee over d*_S, with its interval: "1.6× (1.2–2.3)", "≥ 10.5×"."""
    if fit.censored:
        return f"≥ {fit.knee / star:.1f}×"
    if math.isnan(fit.knee_low):
        return f"{fit.knee / star:.1f}×"
    high = "∞" if math.isinf(fit.knee_high) else f"{fit.knee_high / star:.1f}"
    return f"{fit.knee / star:.1f}× ({fit.knee_low / star:.1f}–{high})"


def family_finding(trial: TrialTables, members: Sequence[TrialTables]) -> str:
    """The fitted knees against the declared d*_S, per layer, and how the protocol held: L0 at
    its target, members converged. Generated from the members' tables."""
    table = family_table(members)
    fits = layer_fits(table)
    prediction = declared_prediction(trial, table)
    seeds = int(table.groupby(["layer", "width"])["seed"].nunique().min())
    layers = "; ".join(
        f"layer {layer} {knee_text(fit)}, {ratio_text(fit, prediction.d_star[layer])} d*_S"
        for layer, fit in fits.items()
    )
    parts = [
        f"Knee (where the fitted L(F) = a·F^−b + L∞ comes within {KNEE_SHARE:.0%} of L∞, fitted "
        f"to the mean over {seeds} seed{'s' if seeds != 1 else ''} a width) against the "
        f"{prediction.source}: {layers}."
    ]
    parts += protocol_notes(table)
    return " ".join(parts)


def protocol_notes(table: pd.DataFrame) -> list[str]:
    """Sentences on the sparsity target and the convergence rule, where the members record them."""
    notes = []
    members = len(table["trial"].unique())
    if table["target_l0"].notna().all():
        off = _members_where(table, table["l0_off_target"] == 1)
        target = float(table["target_l0"].iloc[0])
        notes.append(
            f"L0 within 5% of its target {target:g} in every layer of all {members} members."
            if not off
            else f"L0 more than 5% off its target {target:g} in {len(off)} of {members} "
            f"members: {', '.join(off)}."
        )
    if table["converged"].notna().all():
        capped = _members_where(table, table["converged"] == 0)
        notes.append(
            f"All {members} members met the convergence rule."
            if not capped
            else f"{len(capped)} of {members} members reached the token cap unconverged: "
            f"{', '.join(capped)}."
        )
    return notes


def _members_where(table: pd.DataFrame, rows: pd.Series) -> list[str]:
    """The names of the members with at least one row where ``rows`` holds, sorted."""
    return sorted(str(name) for name in table.loc[rows, "trial"].unique())


def knee_note(trial: TrialTables, members: Sequence[TrialTables]) -> str:
    """The finding in a few words, for a figure's title: the median knee / d*_S over the layers
    whose knee was found, or the lower bound when none was."""
    table = family_table(members)
    fits = layer_fits(table)
    prediction = declared_prediction(trial, table)
    word = "declared d*_S" if prediction.declared else f"d*_S of F = {member_width(trial):,}"
    ratios = {layer: fit.knee / prediction.d_star[layer] for layer, fit in fits.items()}
    found = [ratios[layer] for layer, fit in fits.items() if not fit.censored]
    if not found:
        return f"no knee up to F = {max(f.knee for f in fits.values()):,.0f}: ≥ " + (
            f"{min(ratios.values()):.1f}× {word}"
        )
    beyond = len(fits) - len(found)
    lead = f"fitted knee ({beyond} of {len(fits)} layers beyond the widest width)"
    return f"{lead if beyond else 'fitted knee'}: median {float(np.median(found)):.1f}× {word}"


def verdict(fit: LayerFit, star: float) -> str:
    """How the fitted knee stands to the predicted d*_S: ``later`` (still falling beyond it: the
    knee or its whole interval above d*_S, or no flattening within the widths), ``earlier`` (the
    interval wholly below it), ``consistent`` (the interval holds it; with one seed, no interval,
    the knee within a factor 1.25 of it)."""
    if fit.censored:
        return "later"
    low, high = (fit.knee_low, fit.knee_high)
    if math.isnan(low):
        low, high = fit.knee / 1.25, fit.knee * 1.25
    if low > star:
        return "later"
    return "earlier" if high < star else "consistent"


VERDICTS = {
    "later": "the loss kept falling beyond d*_S (the knee lies above it)",
    "earlier": "the loss had flattened before d*_S (the knee lies below it)",
    "consistent": "the knee's interval holds d*_S, as predicted",
}
SHORT = {"later": "flatten later", "earlier": "flatten earlier", "consistent": "agree"}


def prediction_finding(trial: TrialTables, members: Sequence[TrialTables]) -> str:
    """Per layer, where the KD prediction (the loss flat from the declared d*_S on) agrees with
    the fitted curve: the fitted excess over L∞ at d*_S (the prediction: under the knee's share)
    and the knee's verdict. Generated from the members' tables."""
    table = family_table(members)
    fits = layer_fits(table)
    prediction = declared_prediction(trial, table)
    parts = []
    for layer, fit in fits.items():
        star = prediction.d_star[layer]
        if fit.censored:
            parts.append(
                f"layer {layer}: the fitted curve has not flattened by F = {fit.knee:,.0f} (the "
                f"knee a lower bound): {VERDICTS['later']}"
            )
            continue
        excess = (float(fit.curve(star)) - fit.curve.floor) / fit.curve.floor
        parts.append(
            f"layer {layer}: at d*_S = {star:,.0f} the fitted loss is {excess:.0%} above its "
            f"floor L∞; knee {knee_text(fit)}: {VERDICTS[verdict(fit, star)]}"
        )
    verdicts = [verdict(fit, prediction.d_star[layer]) for layer, fit in fits.items()]
    counts = {v: verdicts.count(v) for v in VERDICTS}
    summary = ", ".join(f"{n} of {len(fits)} layers {SHORT[v]}" for v, n in counts.items() if n)
    return (
        f"Against the {prediction.source} (the prediction: flat from there, within "
        f"{KNEE_SHARE:.0%} of L∞): {summary}. " + "; ".join(parts) + "."
    )
