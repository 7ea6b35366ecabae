"""Passes of a model over evaluation text, every SAE read from the same forward pass.

``evaluate_saes``, per batch of contexts: one clean forward pass records the activation at every
SAE's hook point (and the model's output); each SAE encodes and decodes its activation, and its
reconstruction metrics (``evaluation.reconstruction``) take the counted tokens. On the contexts
marked for downstream fidelity (``evaluation.downstream``) each SAE then gets more passes, its
reconstruction spliced in and its activation ablated.

``count_latents`` runs over a separate, larger text (``latent_tokens``, enough to resolve rare
latents) with the encoders alone, into each SAE's latent statistics
(``evaluation.latent_stats``). Only sums and running top-N lists outlive a batch in either, so
memory follows the batch, not the text.

``train`` measures its final checkpoint through this same function, ``galleryforge evaluate``
measures any SAELens-format checkpoint with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from galleryforge.train.data.eval_text import EvalBatch, EvalText
from galleryforge.train.data.hooks import HookPoint, hooked, recorded
from galleryforge.train.data.model import LoadedModel
from galleryforge.train.evaluation.downstream import (
    FidelityPasses,
    FidelitySums,
    forward_pass,
    forward_until,
)
from galleryforge.train.evaluation.latent_stats import LatentStats
from galleryforge.train.evaluation.reconstruction import ReconstructionSums
from galleryforge.train.evaluation.saelens import InferenceSAE

DEAD_LOG_SPARSITY = -9.5
"""log10 firing frequencies at or below this are dead (SAELens writes log10(0 + 1e-10) = -10)."""


@dataclass
class Evaluation:
    """What ``evaluate_saes`` measured: per-SAE metric arrays and reconstruction sums."""

    measured: dict[str, torch.Tensor]
    reconstruction: list[ReconstructionSums]
    language_model: bool
    contexts: int

    def split(self, sizes: list[int]) -> list[Evaluation]:
        """The evaluations of consecutive groups of ``sizes`` SAEs (one run's layers each)."""
        parts, start = [], 0
        for size in sizes:
            part = slice(start, start + size)
            measured = {name: values[part] for name, values in self.measured.items()}
            parts.append(
                Evaluation(
                    measured,
                    self.reconstruction[part],
                    self.language_model,
                    self.contexts,
                )
            )
            start += size
        return parts


@torch.no_grad()
def evaluate_saes(
    loaded: LoadedModel,
    saes: list[InferenceSAE],
    text: EvalText,
    *,
    on_batch: Callable[[int], None] | None = None,
) -> Evaluation:
    """Run the pass; ``on_batch(tokens counted so far)`` after each batch."""
    device = next(loaded.model.parameters()).device
    sums = [ReconstructionSums(1, sae.d_sae) for sae in saes]
    fidelity: FidelitySums | None = None
    contexts = 0
    for batch in text.batches:
        contexts += len(batch.ids)
        fidelity = _evaluate_batch(loaded, saes, batch, device, sums, fidelity)
        if on_batch is not None:
            on_batch(sums[0].tokens)
    measured = _stack(
        [
            s.metrics(sae.l1_form, torch.tensor([sae.l1_coefficient]), input_scale=sae.input_scale)
            for s, sae in zip(sums, saes, strict=True)
        ]
    )
    if fidelity is not None and fidelity.count:
        measured.update(fidelity.metrics())
    measured["dead"] = torch.tensor([_dead(sae, s) for sae, s in zip(saes, sums, strict=True)])
    language_model = fidelity.language_model if fidelity is not None else False
    return Evaluation(measured, sums, language_model, contexts)


@torch.no_grad()
def count_latents(
    loaded: LoadedModel,
    saes: list[InferenceSAE],
    text: EvalText,
    *,
    top_n: int = 20,
    n_random: int = 3,
    on_batch: Callable[[int], None] | None = None,
    seeds: list[int] | None = None,
) -> list[LatentStats]:
    """Each SAE's latent statistics over ``text``, its encoder alone; ``on_batch(tokens counted
    so far)``. ``seeds`` pick each SAE's random examples (by default its index)."""
    device = next(loaded.model.parameters()).device
    seeds = list(range(len(saes))) if seeds is None else seeds
    latents = [
        LatentStats(sae.d_sae, top_n, n_random, seed=seed)
        for sae, seed in zip(saes, seeds, strict=True)
    ]
    for batch in text.batches:
        ids = batch.ids.to(device)
        with hooked(loaded.blocks, [sae.hook for sae in saes], stop=True) as seen:
            forward_until(loaded, ids)
        for sae, stats in zip(saes, latents, strict=True):
            feats = sae.encode(seen[sae.hook].float())
            stats.add(feats, batch.ids, batch.counted, batch.ordinary, batch.first_context)
        if on_batch is not None:
            on_batch(latents[0].tokens)
    return latents


def _evaluate_batch(
    loaded: LoadedModel,
    saes: list[InferenceSAE],
    batch: EvalBatch,
    device: torch.device,
    sums: list[ReconstructionSums],
    fidelity: FidelitySums | None,
) -> FidelitySums | None:
    ids = batch.ids.to(device)
    counted, ordinary = batch.counted.to(device), batch.ordinary.to(device)
    with (
        hooked(loaded.blocks, [sae.hook for sae in saes]) as seen,
        recorded(loaded.blocks) as outputs,
    ):
        clean = forward_pass(loaded, ids)
    chosen = batch.fidelity.to(device)
    run_fidelity = bool(chosen.any())
    if fidelity is None:
        fidelity = FidelitySums(len(saes), language_model=hasattr(clean, "logits"))
    if run_fidelity:
        downstream = FidelityPasses(
            loaded, ids[chosen], ordinary[chosen], clean, chosen, fidelity, outputs
        )
    for index in _grouped_by_hook(saes):
        sae = saes[index]
        x = seen[sae.hook].float()
        # The SAE runs on the counted tokens (a sample of the held-out contexts) and on the
        # fidelity contexts, not on every position it was given.
        at = x[counted]
        _estimate_scaling(sae, at)
        recon, feats = sae(at)
        sums[index].add(at[None], recon[None], feats[None], sae.decoder_norms()[None])
        if run_fidelity:
            spliced = sae(x[chosen])[0]
            downstream.measure(index, sae.hook, spliced.to(x.dtype), x[chosen])
    return fidelity


def _grouped_by_hook(saes: list[InferenceSAE]) -> list[int]:
    """SAE indices with the SAEs of each hook together, so the ablated pass runs once a hook."""
    groups: dict[HookPoint, list[int]] = {}
    for index, sae in enumerate(saes):
        groups.setdefault(sae.hook, []).append(index)
    return [index for indices in groups.values() for index in indices]


def _estimate_scaling(sae: InferenceSAE, x: torch.Tensor) -> None:
    """SAELens's ``expected_average_only_in`` factor √d_in / E‖x‖, from the first batch, when the
    cfg.json does not give it."""
    if sae.normalize_activations == "expected_average_only_in" and sae.norm_scaling_factor is None:
        sae.norm_scaling_factor = math.sqrt(sae.d_in) / float(x.norm(dim=-1).mean())


def _dead(sae: InferenceSAE, sums: ReconstructionSums) -> int:
    """Dead over training (``sparsity.safetensors``) when the checkpoint has it, else latents that
    never fired on the evaluation text."""
    if sae.log_sparsity is not None:
        return int((sae.log_sparsity <= DEAD_LOG_SPARSITY).sum())
    return int((sums.fired == 0).sum())


def _stack(per_sae: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {name: torch.cat([m[name].reshape(1) for m in per_sae]) for name in per_sae[0]}
