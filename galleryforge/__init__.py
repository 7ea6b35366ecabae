"""galleryforge: from SAE training runs to the published figure gallery."""

__version__ = "0.1.0"
