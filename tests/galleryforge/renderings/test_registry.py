"""The registry refuses a name used twice and finds renderings by id or alias."""

from __future__ import annotations

import pytest

from galleryforge.errors import GalleryforgeError
from galleryforge.renderings import registry


@pytest.fixture
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh registry for the test, so test renderings never join the real catalogue."""
    monkeypatch.setattr(registry, "REGISTRY", {})
    monkeypatch.setattr(registry, "_ALIASES", {})


def _describe(_ctx: object) -> str:
    return "a test rendering"


def _draw(_ctx: object) -> None:
    return None


@pytest.mark.usefixtures("empty_registry")
@pytest.mark.parametrize(
    ("second_id", "second_aliases", "clash"),
    [
        ("first", (), "first"),  # the same id again
        ("second", ("first",), "first"),  # an alias that is another rendering's id
        ("second", ("Fig_A",), "Fig_A"),  # an alias another rendering already has
        ("Fig_A", (), "Fig_A"),  # an id that is another rendering's alias
    ],
)
def test_a_name_registered_twice_raises_and_names_it(
    second_id: str, second_aliases: tuple[str, ...], clash: str
) -> None:
    registry.register("first", title="First", describe=_describe, aliases=("Fig_A",))(_draw)
    with pytest.raises(GalleryforgeError, match=f"rendering name '{clash}' is registered twice"):
        registry.register(second_id, title="Second", describe=_describe, aliases=second_aliases)(
            _draw
        )
    assert list(registry.REGISTRY) == ["first"]  # the refused one left nothing behind


def test_the_real_catalogue_has_no_shared_names() -> None:
    renderings = registry.all_renderings()
    names = [name for r in renderings for name in (r.id, *r.aliases)]
    assert len(names) == len(set(names))
    assert registry.get_rendering("sae_premium_heatmap").id == "premium-heatmap"
