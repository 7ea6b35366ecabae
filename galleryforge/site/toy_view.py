"""What the toy page shows: the toy run's summary table as display strings, censored cells
marked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from galleryforge.tables import ToyTables


@dataclass(frozen=True)
class ToyView:
    """The toy page's numbers, as display strings, all read from the toy run's summary table."""

    rows: tuple[dict[str, str], ...]
    """One per (read-out, cell): censored cells read '> widest width' and '> ratio'."""
    fits: tuple[dict[str, str], ...]
    """One per read-out: the power law and its intervals, c and its interval, censored cells,
    the 50% widths over δ(k, F), converged share."""
    finding: str
    epsilon: str
    onset: str


def toy_rows(toy: ToyTables) -> ToyView:
    """The toy summary as the toy page shows it."""
    from galleryforge.renderings.toy_readouts import (
        bounded,
        deltas,
        fits,
        readouts,
        toy_finding,
    )

    summary = toy.summary
    summary = summary.assign(delta=deltas(summary))
    rows = []
    for decoder in readouts(summary):
        for item in summary[summary["decoder"] == decoder].to_dict("records"):
            bound = "> " if int(item["censored"]) else ""
            onset_bound = "> " if int(item.get("onset_censored", 0)) else ""
            rows.append(
                {
                    "decoder": decoder,
                    "alpha": f"{float(item['alpha']):.4g}",
                    "features": f"{int(item['features']):,}",
                    "k": f"{float(item['k']):.3g}",
                    "d_star": f"{float(item['d_star']):.1f}",
                    "delta": f"{float(item['delta']):.1f}",
                    "transition": f"{bound}{float(item['transition_width']):.1f}",
                    "ratio": f"{bound}{float(item['ratio']):.2f}",
                    "onset": f"{onset_bound}{float(item['onset_width']):.1f}"
                    if "onset_width" in item
                    else "–",
                    "levels": " / ".join(
                        bounded(item.get(f"transition_{s}"), item.get(f"censored_{s}"))
                        for s in ("e1", "e2", "e3")
                    ),
                    "half": bounded(item.get("exact_half_width"), item.get("exact_half_censored")),
                    "converged": _share(item.get("converged_frac")),
                    "censored": "yes" if bound else "",
                }
            )
    fit_rows = []
    for fit in fits(summary):
        fit_rows.append(
            {
                "decoder": fit.decoder,
                "law": f"e^{fit.a:.2f} · d*^{fit.b:.2f}" if fit.has_law else "–",
                "b_interval": _interval(fit.b_low, fit.b_high),
                "a_interval": _interval(fit.a_low, fit.a_high),
                "c": f"{fit.c:.2f}" if fit.fitted else "–",
                "interval": _interval(fit.c_low, fit.c_high),
                "censored": f"{len(fit.censored)} of {fit.cells}",
                "half": f"{min(fit.half_ratios):.2f}–{max(fit.half_ratios):.2f}"
                if fit.half_ratios
                else "–",
                "converged": _share(fit.converged_frac),
            }
        )
    epsilon = f"{float(summary['epsilon'].iloc[0]):g}" if "epsilon" in summary else "0.01"
    onset = f"{float(summary['onset_level'].iloc[0]):g}" if "onset_level" in summary else "0.5"
    return ToyView(tuple(rows), tuple(fit_rows), toy_finding(summary), epsilon, onset)


def _interval(low: float, high: float) -> str:
    return f"{low:.2f}–{high:.2f}" if np.isfinite(low) and np.isfinite(high) else "–"


def _share(value: object) -> str:
    return (
        f"{100 * float(value):.0f}%" if isinstance(value, int | float) and value == value else "–"
    )
