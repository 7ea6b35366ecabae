"""Width families: one regime trained at several dictionary widths, read back for the renderings.

``galleryforge train`` writes each member of a family as its own run (``<family>-F<width>``), and
its ``trial.toml`` names the ``family`` and lists its ``widths``; a trial's fellow members are the
runs of the same folder that name the same family. ``family_table`` gathers each member's final
checkpoint, one row per (layer, width).

The **knee** of a layer's measured curve is the narrowest member width from which the final
held-out MSE falls by less than ``KNEE_DROP`` (5%) per doubling of the width at every further
member: where the curve has levelled off, the measured counterpart of the flat part the KD model
predicts beyond d*_S. A drop per doubling between widths w₁ < w₂ is
1 − (MSE₂/MSE₁)^(1/log₂(w₂/w₁)). When the last step still drops by 5% or more, the knee lies beyond
the widest width: it is *censored*, and the widest width is a lower bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from galleryforge.tables import TrialTables

KNEE_DROP = 0.05
"""A curve has levelled off where a doubling of the width lowers the MSE by less than this."""
FAMILY_COLUMNS = ("trial", "layer", "width", "tokens", "mse", "l0", "dead", "d_star")


def family_name(trial: TrialTables) -> str:
    """The width family ``trial`` belongs to ("" for none), from its ``trial.toml``."""
    return str(trial.config.get("family", "") or "")


def member_width(trial: TrialTables) -> int:
    return int(trial.final["width"].max())


def family_members(
    trial: TrialTables, trials: Mapping[str, TrialTables]
) -> tuple[TrialTables, ...]:
    """``trial``'s family members among ``trials`` (itself included), narrowest first; empty when
    it belongs to no family."""
    name = family_name(trial)
    if not name:
        return ()
    found = {t.trial: t for t in trials.values() if family_name(t) == name}
    found[trial.trial] = trial
    return tuple(sorted(found.values(), key=member_width))


def family_table(members: Sequence[TrialTables]) -> pd.DataFrame:
    """Each member's final checkpoint, one row per (layer, width), ordered by layer then width."""
    import pandas as pd

    frames = [m.final[list(FAMILY_COLUMNS)] for m in members]
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["layer", "width"]).reset_index(drop=True)


def by_layer(table: pd.DataFrame) -> list[tuple[int, pd.DataFrame]]:
    """(layer, its rows) of a ``family_table``, in layer order."""
    return [(int(str(layer)), rows) for layer, rows in table.groupby("layer", sort=True)]


@dataclass(frozen=True)
class Knee:
    layer: int
    width: int
    """The knee width; the widest member width when ``censored``."""
    censored: bool
    """The MSE still fell by ``KNEE_DROP`` or more per doubling at the widest width."""
    rises: bool = False
    """A wider member ended with an MSE more than ``KNEE_DROP`` above the knee's (the wider SAEs
    trained to a worse loss: a sign they had not converged)."""


def drop_per_doubling(widths: Sequence[float], mses: Sequence[float]) -> np.ndarray:
    """1 − (MSE_{i+1}/MSE_i)^(1/log₂(w_{i+1}/w_i)) between consecutive widths."""
    w, m = np.asarray(widths, dtype=np.float64), np.asarray(mses, dtype=np.float64)
    doublings = np.log2(w[1:] / w[:-1])
    return 1.0 - np.power(m[1:] / m[:-1], 1.0 / doublings)


def knee_width(
    widths: Sequence[float], mses: Sequence[float], drop: float = KNEE_DROP
) -> tuple[int, bool]:
    """(knee width, censored) of one curve, widths ascending (see the module docstring)."""
    drops = drop_per_doubling(widths, mses)
    steep = np.flatnonzero(drops >= drop)
    if steep.size and steep[-1] == len(drops) - 1:
        return int(widths[-1]), True
    first_flat = 0 if not steep.size else int(steep[-1]) + 1
    return int(widths[first_flat]), False


def layer_knees(table: pd.DataFrame, drop: float = KNEE_DROP) -> list[Knee]:
    """One knee per layer of a ``family_table``."""
    knees = []
    for layer, rows in by_layer(table):
        width, censored = knee_width(rows["width"].tolist(), rows["mse"].tolist(), drop)
        at_knee = float(rows.loc[rows["width"] == width, "mse"].iloc[0])
        beyond = rows.loc[rows["width"] > width, "mse"]
        knees.append(Knee(layer, width, censored, bool((beyond > at_knee * (1 + drop)).any())))
    return knees


def knee_finding(knees: Sequence[Knee], d_star: Mapping[int, float], trial: str) -> str:
    """How far the measured knees sit from ``trial``'s d*_S (per layer), generated from them."""
    ratios = {k.layer: k.width / d_star[k.layer] for k in knees}
    found = [k for k in knees if not k.censored]
    beyond = [k for k in knees if k.censored]
    parts = []
    if found:
        found_ratios = [ratios[k.layer] for k in found]
        widths = _span([k.width for k in found], "{:,}")
        parts.append(
            f"in {len(found)} of {len(knees)} layers at F = {widths}, "
            f"{_span(found_ratios, '{:.1f}')}× trial {trial}'s d*_S "
            f"(median {float(np.median(found_ratios)):.1f}×)"
        )
    if beyond:
        parts.append(
            f"in {len(beyond)} of {len(knees)} layers beyond the widest width F = "
            f"{beyond[0].width:,} (the MSE still fell by {KNEE_DROP:.0%} or more per doubling "
            f"there), so at least {min(ratios[k.layer] for k in beyond):.1f}× trial {trial}'s "
            "d*_S (a lower bound)"
        )
    rising = sum(k.rises for k in knees)
    if rising:
        parts.append(
            f"in {rising} of {len(knees)} layers a wider SAE ended with an MSE more than "
            f"{KNEE_DROP:.0%} above the knee's (the wider SAEs had not converged)"
        )
    return (
        f"Knee: the narrowest width from which the MSE falls by less than {KNEE_DROP:.0%} per "
        f"doubling. Measured {'; '.join(parts)}."
    )


def _span(values: Sequence[float], fmt: str) -> str:
    low, high = min(values), max(values)
    return (
        fmt.format(low)
        if fmt.format(low) == fmt.format(high)
        else f"{fmt.format(low)}–{fmt.format(high)}"
    )


def knee_note(trial: TrialTables, knees: Sequence[Knee]) -> str:
    """The finding in a few words, for a figure's title: the median knee / d*_S of ``trial``
    over the layers whose knee was found, or the lower bound when none was."""
    final = trial.final
    d_star = {int(a): float(b) for a, b in zip(final["layer"], final["d_star"], strict=True)}
    found = [k for k in knees if not k.censored]
    of = f"d*_S of F = {member_width(trial):,}"
    if not found:
        bound = float(np.median([k.width / d_star[k.layer] for k in knees]))
        return f"no knee up to F = {knees[0].width:,}: median ≥ {bound:.1f}× {of}"
    ratio = float(np.median([k.width / d_star[k.layer] for k in found]))
    beyond = len(knees) - len(found)
    lead = f"knee ({beyond} of {len(knees)} layers beyond the widest width)" if beyond else "knee"
    return f"{lead}: median {ratio:.1f}× {of}"


def family_finding(trial: TrialTables, members: Sequence[TrialTables]) -> str:
    """``knee_finding`` for ``trial`` (a member) against its family's measured curves."""
    final = trial.final
    d_star = {int(a): float(b) for a, b in zip(final["layer"], final["d_star"], strict=True)}
    return knee_finding(layer_knees(family_table(members)), d_star, trial.trial)
