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
    """One per (read-out, α, F): censored cells read '> widest width' and '> ratio'."""
    fits: tuple[dict[str, str], ...]
    """One per read-out: c, its interval, the slope, censored cells, converged share."""
    finding: str
    epsilon: str
    onset: str


def toy_rows(toy: ToyTables) -> ToyView:
    """The toy summary as the toy page shows it."""
    from galleryforge.renderings.toy_readouts import fits, readouts, toy_finding

    summary = toy.summary
    rows = []
    for decoder in readouts(summary):
        for item in summary[summary["decoder"] == decoder].to_dict("records"):
            bound = "> " if int(item["censored"]) else ""
            onset_bound = "> " if int(item.get("onset_censored", 0)) else ""
            rows.append(
                {
                    "decoder": decoder,
                    "alpha": f"{float(item['alpha']):g}",
                    "features": f"{int(item['features']):,}",
                    "k": f"{float(item['k']):.3g}",
                    "d_star": f"{float(item['d_star']):.1f}",
                    "transition": f"{bound}{float(item['transition_width']):.1f}",
                    "ratio": f"{bound}{float(item['ratio']):.2f}",
                    "onset": f"{onset_bound}{float(item['onset_width']):.1f}"
                    if "onset_width" in item
                    else "–",
                    "converged": _share(item.get("converged_frac")),
                    "censored": "yes" if bound else "",
                }
            )
    fit_rows = []
    for fit in fits(summary):
        interval = (
            f"{fit.c_low:.2f}–{fit.c_high:.2f}"
            if np.isfinite(fit.c_low) and np.isfinite(fit.c_high)
            else "–"
        )
        fit_rows.append(
            {
                "decoder": fit.decoder,
                "c": f"{fit.c:.2f}" if fit.fitted else "–",
                "interval": interval,
                "slope": f"{fit.slope:.2f}" if np.isfinite(fit.slope) else "–",
                "censored": f"{fit.censored} of {fit.cells}",
                "converged": _share(fit.converged_frac),
            }
        )
    epsilon = f"{float(summary['epsilon'].iloc[0]):g}" if "epsilon" in summary else "0.01"
    onset = f"{float(summary['onset_level'].iloc[0]):g}" if "onset_level" in summary else "0.5"
    return ToyView(tuple(rows), tuple(fit_rows), toy_finding(summary), epsilon, onset)


def _share(value: object) -> str:
    return (
        f"{100 * float(value):.0f}%" if isinstance(value, int | float) and value == value else "–"
    )
