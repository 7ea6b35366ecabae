"""Number text: one set of rules for every place that shows a measurement.

Figures, the site, the ``check`` report, social cards and the model card all format through here,
so a value reads the same wherever a reader meets it.
"""

from __future__ import annotations

COUNT_METRICS = frozenset({"l0", "d_star", "dead", "width", "dense"})
"""Counts (or means of counts): whole numbers with thousands separators."""
FRACTION_METRICS = frozenset({"alpha", "g_alpha", "alive_frac", "explained_variance", "fvu"})
"""Metrics on [0, 1]: a fixed number of decimals, so a column of them lines up."""


def format_metric(metric: str, value: float, precise: bool = False) -> str:
    """Compact, metric-aware text for a measured value.

    ``precise`` keeps enough digits to repeat a table's value (four significant figures, counts
    to one decimal), for places a reader may check against the table: the model card, the
    ``check`` report, the site's tables. Without it, annotations stay short.
    """
    value = float(value)
    if precise:
        return _precise(metric, value)
    if metric in COUNT_METRICS or abs(value) >= 1000:
        return f"{value:,.0f}"
    if metric in FRACTION_METRICS:
        return f"{value:.3f}"
    if value == 0:
        return "0"
    return f"{value:.1e}" if abs(value) < 0.01 else f"{value:.3g}"


def _precise(metric: str, value: float) -> str:
    if value.is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    if metric in FRACTION_METRICS:
        return f"{value:.4f}"
    return f"{value:.4g}"


def format_share(share: float) -> str:
    """A share as a percentage with three significant digits, as figures print one: 14.3%,
    0.0123%, 100%, 0% (never 14.3066%: the digits past the third are not measured)."""
    import numpy as np

    percent = float(share) * 100
    digits = np.format_float_positional(percent, precision=3, fractional=False, trim="-")
    return f"{digits}%"


def format_tokens(tokens: float, exact: bool = False) -> str:
    """Token counts as people say them: 50M, 1.5B, 150k.

    ``exact`` never drops a digit: 300M and 1.5B stay short, 184,320 and 153,600 are written out
    (configs and reproducibility records, where the number must be the one that was run). Only
    millions and billions take a decimal, so a list such as 122,880, 153,600, 184,320 keeps
    one form.
    """
    for size, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if abs(tokens) < size:
            continue
        if not exact:
            return f"{tokens / size:.3g}{suffix}"
        step = size // 10 if size >= 10**6 else size
        if float(tokens).is_integer() and int(tokens) % step == 0:
            return f"{tokens / size:g}{suffix}"
        break
    return f"{tokens:,.0f}"
