"""Themes: data files merged base → named theme → user overrides, then handed to a backend."""

from galleryforge.themes.theme import Theme, available_themes, load_theme

__all__ = ["Theme", "available_themes", "load_theme"]
