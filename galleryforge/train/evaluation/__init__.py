"""Measuring SAEs on a text: one pass of the model with every SAE, the reconstruction and
downstream metrics, the per-latent tables, and reading SAELens-format checkpoints.

Builds on ``data``; ``training`` calls it at the final milestone, and ``galleryforge evaluate``
calls it without training anything."""
