"""Themes: layering, validation, user themes, and what each built-in theme promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from galleryforge.errors import GalleryforgeError, InputError
from galleryforge.themes.theme import available_themes, load_theme

BUILT_IN = {"paper", "presentation", "blog", "dark", "social"}


def test_built_in_themes() -> None:
    assert set(available_themes()) == BUILT_IN
    for name in BUILT_IN:
        assert load_theme(name).name == name


def test_paper_is_print_ready() -> None:
    paper = load_theme("paper")
    assert paper.figure.width_in == 5.5
    assert paper.figure.formats[0] == "pdf"
    assert paper.output.embed_fonts
    # Okabe–Ito, the colour-blind-safe categorical palette.
    assert paper.palette.categorical[:3] == ("#0072B2", "#E69F00", "#009E73")


def test_social_is_exactly_a_linkedin_card() -> None:
    social = load_theme("social")
    width, height = social.figsize(aspect=3.0)  # renderings cannot change a fixed size
    assert (round(width * social.figure.dpi), round(height * social.figure.dpi)) == (1200, 627)


def _contrast(a: str, b: str) -> float:
    def lum(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_dark_is_a_real_dark_design() -> None:
    dark = load_theme("dark")
    assert dark.is_dark
    assert len(dark.colors.background) == 7  # opaque: no alpha channel to vanish on white
    assert _contrast(dark.colors.text, dark.colors.background) >= 7  # WCAG AAA body text
    assert _contrast(dark.colors.muted, dark.colors.background) >= 4.5
    for colour in dark.palette.categorical[:4]:
        assert _contrast(colour, dark.colors.panel) >= 3


def test_extends_merges_only_named_keys(tmp_path: Path) -> None:
    theme = tmp_path / "mine.toml"
    theme.write_text('extends = "paper"\n[colors]\naccent = "#123456"\n')
    mine = load_theme(theme)
    paper = load_theme("paper")
    assert mine.colors.accent == "#123456"
    assert mine.figure == paper.figure
    assert mine.colors.background == paper.colors.background


def test_overrides_apply_last() -> None:
    theme = load_theme("paper", overrides={"font": {"size": 11}})
    assert theme.font.size == 11.0
    assert theme.font.title_size == load_theme("paper").font.title_size


def test_user_theme_folder_works_like_built_ins(tmp_path: Path) -> None:
    (tmp_path / "poster.toml").write_text(
        'extends = "presentation"\ndescription = "A0 poster"\n[figure]\nwidth_in = 30\n'
    )
    assert "poster" in available_themes([tmp_path])
    poster = load_theme("poster", search=[tmp_path])
    assert poster.figure.width_in == 30.0
    assert poster.font.size == load_theme("presentation").font.size


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[figure]\nwidht_in = 3\n",
            "'figure.widht_in': unknown key (did you mean 'figure.width_in'?)",
        ),
        ("colour = 1\n", "'colour': unknown key (did you mean 'colors'?)"),
        ('[colors]\ntext = "red"\n', "'colors.text': expected a colour like '#1f77b4', got 'red'"),
        ('[font]\nsize = "big"\n', "'font.size': expected a number, got 'big'"),
        ("[figure]\ndpi = -5\n", "'figure.dpi': must be positive, got -5"),
        ('extends = "nope"\n', "unknown theme 'nope'"),
    ],
)
def test_bad_theme_files_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(GalleryforgeError) as caught:
        load_theme(path)
    assert message in str(caught.value)
    if isinstance(caught.value, InputError):
        assert str(caught.value).startswith(str(path))


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b"\n')
    (tmp_path / "b.toml").write_text('extends = "a"\n')
    with pytest.raises(InputError, match="cycle"):
        load_theme(tmp_path / "a.toml")


def test_unknown_theme_names_close_matches() -> None:
    with pytest.raises(GalleryforgeError, match="did you mean 'paper'"):
        load_theme("papr")
