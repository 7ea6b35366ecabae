"""The spliced and ablated passes behind downstream fidelity, for one batch's fidelity contexts.

For each SAE the model runs again with the SAE's reconstruction spliced in at its hook (ordinary
tokens only), and, once per hook, with the activation there zero-ablated; the metrics compare both
with the clean pass (``evaluation.downstream``): next-token log-probabilities for a language model,
the mean-pooled output embedding for an encoder.
"""

from __future__ import annotations

from typing import Any

import torch

from galleryforge.train.data.hooks import Edit, HookPoint, hooked
from galleryforge.train.data.model import LoadedModel
from galleryforge.train.evaluation.downstream import (
    FidelitySums,
    mean_pooled,
    next_token_log_probs,
    next_token_targets,
    target_ids,
)


def forward_pass(loaded: LoadedModel, ids: torch.Tensor) -> Any:
    """The model on ``ids`` with every position attended (packed contexts have no padding)."""
    return loaded.model(input_ids=ids, attention_mask=torch.ones_like(ids))


class FidelityPasses:
    """The clean reference of one batch's fidelity contexts, and the spliced and ablated passes."""

    def __init__(
        self,
        loaded: LoadedModel,
        ids: torch.Tensor,
        ordinary: torch.Tensor,
        clean: Any,
        chosen: torch.Tensor,
        sums: FidelitySums,
    ) -> None:
        self.loaded, self.ids, self.ordinary, self.sums = loaded, ids, ordinary, sums
        # The zero-ablated pass depends on the hook only: the SAEs of several runs share it.
        self.ablated: dict[HookPoint, torch.Tensor] = {}
        if sums.language_model:
            self.counted = next_token_targets(ids, ordinary)
            self.targets = target_ids(ids, self.counted)
            self.clean = next_token_log_probs(clean.logits[chosen], self.counted)
            sums.add_clean(self.clean, self.targets)
        else:
            self.clean = mean_pooled(clean.last_hidden_state[chosen], ordinary)
            sums.add_contexts(len(ids))

    def measure(self, index: int, hook: HookPoint, recon: torch.Tensor) -> None:
        mask = self.ordinary[..., None]

        def splice(hidden: torch.Tensor) -> torch.Tensor:
            return torch.where(mask, recon.to(hidden.dtype), hidden)

        def ablate(hidden: torch.Tensor) -> torch.Tensor:
            return torch.where(mask, torch.zeros_like(hidden), hidden)

        if hook not in self.ablated:
            self.ablated = {hook: self._output(self._run(hook, ablate))}  # one layer's at a time
        spliced, ablated = self._output(self._run(hook, splice)), self.ablated[hook]
        if self.sums.language_model:
            self.sums.add_lm(index, self.clean, spliced, ablated, self.targets)
        else:
            self.sums.add_embedding(index, self.clean, spliced, ablated)

    def _output(self, output: Any) -> torch.Tensor:
        """What the metrics compare: next-token log-probabilities, or the pooled embedding."""
        if self.sums.language_model:
            return next_token_log_probs(output.logits, self.counted)
        return mean_pooled(output.last_hidden_state, self.ordinary)

    def _run(self, hook: HookPoint, edit: Edit) -> Any:
        with hooked(self.loaded.blocks, [], {hook: edit}):
            return forward_pass(self.loaded, self.ids)
