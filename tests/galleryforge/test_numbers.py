"""Number text: what a reader sees for a measured value, checked on hand-picked cases."""

from __future__ import annotations

import pytest

from galleryforge.numbers import format_metric, format_tokens


@pytest.mark.parametrize(
    ("metric", "value", "short", "precise"),
    [
        ("l0", 152.37, "152", "152.4"),
        ("l0", 1.5851, "2", "1.585"),  # a tiny mean L0 keeps 4 significant figures when precise
        ("dead", 7000.0, "7,000", "7,000"),
        ("alpha", 0.99412, "0.994", "0.9941"),
        ("mse", 0.0671, "0.0671", "0.0671"),
        ("mse", 0.004, "4.0e-03", "0.004"),
        ("mse", 0.0, "0", "0"),
        ("d_star", 5487.4, "5,487", "5,487.4"),
    ],
)
def test_metric_text(metric: str, value: float, short: str, precise: str) -> None:
    assert format_metric(metric, value) == short
    assert format_metric(metric, value, precise=True) == precise


@pytest.mark.parametrize(
    ("tokens", "short", "exact"),
    [
        (50_000_000, "50M", "50M"),
        (300_000_000, "300M", "300M"),
        (1_500_000_000, "1.5B", "1.5B"),
        (184_320, "184k", "184,320"),
        (153_600, "154k", "153,600"),
        (150_000, "150k", "150k"),
        (999, "999", "999"),
    ],
)
def test_token_text(tokens: int, short: str, exact: str) -> None:
    assert format_tokens(tokens) == short
    assert format_tokens(tokens, exact=True) == exact


def test_shares_have_three_significant_digits_and_no_exponent() -> None:
    from galleryforge.numbers import format_share

    assert format_share(0.143066) == "14.3%"
    assert format_share(1.23e-7) == "0.0000123%"  # one in 8 million tokens: no "1.23e-05%"
    assert (format_share(1.0), format_share(0.0), format_share(1e-5)) == ("100%", "0%", "0.001%")
