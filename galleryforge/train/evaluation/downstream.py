"""Downstream fidelity: how much of the model's output survives when an SAE's reconstruction
replaces the activation it reads (SAELens's ``ce_loss_score``; Bricken et al. 2023, "Towards
Monosemanticity", call it the loss recovered).

For a causal language model, over next-token predictions whose position and target are both
ordinary tokens, ``CE`` is the mean cross-entropy of the next token, and

- ``ce_clean``: the unmodified model; ``ce_spliced``: the layer's activation replaced by x̂;
  ``ce_ablated``: the layer's activation replaced by zeros;
- ``ce_loss_score`` = (CE_ablated − CE_spliced) / (CE_ablated − CE_clean): 1 when splicing costs
  nothing, 0 when it is as bad as deleting the layer's activation;
- ``kl_div``: mean KL(clean ‖ spliced) of the next-token distributions.

For an encoder without a language-model head (all-MiniLM-L6-v2) the same construction runs on its
own output, the mean-pooled sentence embedding (pooled over ordinary tokens):
``embedding_cos_spliced`` and ``embedding_cos_ablated`` are the mean cosine of each context's
embedding with the clean one, and ``embedding_recovered`` = (cos_spliced − cos_ablated) /
(1 − cos_ablated), 1 when splicing leaves the embedding unchanged.

``FidelityPasses`` runs them for one batch's fidelity contexts: for each SAE the model runs again
with the SAE's reconstruction spliced in at its hook (ordinary tokens only), and, once per hook,
with the activation there zero-ablated; ``FidelitySums`` adds up what they give.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from galleryforge.train.data.hooks import Edit, HookPoint, hooked
from galleryforge.train.data.model import LoadedModel

LM_COLUMNS = ("ce_clean", "ce_spliced", "ce_ablated", "ce_loss_score", "kl_div")
EMBEDDING_COLUMNS = ("embedding_cos_spliced", "embedding_cos_ablated", "embedding_recovered")


def next_token_targets(ids: torch.Tensor, ordinary: torch.Tensor) -> torch.Tensor:
    """``[batch, seq]`` mask of the positions whose next-token prediction counts: the position and
    the token after it are ordinary (not special); the last position has no target."""
    counted = torch.zeros_like(ordinary)
    counted[:, :-1] = ordinary[:, :-1] & ordinary[:, 1:]
    return counted


def next_token_log_probs(logits: torch.Tensor, counted: torch.Tensor) -> torch.Tensor:
    """``[n, vocab]`` log-probabilities at the counted positions, in float64."""
    return F.log_softmax(logits[counted].double(), dim=-1)


def target_ids(ids: torch.Tensor, counted: torch.Tensor) -> torch.Tensor:
    """The token after each counted position."""
    following = torch.roll(ids, -1, dims=1)
    return following[counted]


def mean_pooled(hidden: torch.Tensor, ordinary: torch.Tensor) -> torch.Tensor:
    """``[batch, d]`` mean of the output over each context's ordinary tokens."""
    weights = ordinary.to(hidden.dtype)[..., None]
    return (hidden * weights).sum(1) / weights.sum(1).clamp_min(1.0)


class FidelitySums:
    """Running sums of the downstream metrics for ``n_layers`` SAEs (one head kind per run)."""

    def __init__(self, n_layers: int, language_model: bool) -> None:
        self.language_model = language_model
        self.count = 0  # predictions (LM) or contexts (encoder)
        self.clean = 0.0
        self.spliced = torch.zeros(n_layers, dtype=torch.float64)
        self.ablated = torch.zeros(n_layers, dtype=torch.float64)
        self.kl = torch.zeros(n_layers, dtype=torch.float64)

    def add_clean(self, clean_log_probs: torch.Tensor, targets: torch.Tensor) -> None:
        """The clean pass of an LM batch (``targets`` the next tokens at the counted positions)."""
        self.count += len(targets)
        self.clean += float(-clean_log_probs.gather(1, targets[:, None]).sum())

    def add_lm(
        self,
        layer: int,
        clean_log_probs: torch.Tensor,
        spliced_log_probs: torch.Tensor,
        ablated_log_probs: torch.Tensor,
        targets: torch.Tensor,
    ) -> None:
        index = targets[:, None]
        self.spliced[layer] += float(-spliced_log_probs.gather(1, index).sum())
        self.ablated[layer] += float(-ablated_log_probs.gather(1, index).sum())
        kl = (clean_log_probs.exp() * (clean_log_probs - spliced_log_probs)).sum(-1)
        self.kl[layer] += float(kl.sum())

    def add_contexts(self, n_contexts: int) -> None:
        self.count += n_contexts

    def add_embedding(
        self, layer: int, clean: torch.Tensor, spliced: torch.Tensor, ablated: torch.Tensor
    ) -> None:
        """Pooled embeddings ``[batch, d]`` of one batch of contexts."""
        clean, spliced, ablated = clean.double(), spliced.double(), ablated.double()
        self.spliced[layer] += float(F.cosine_similarity(spliced, clean, dim=-1).sum())
        self.ablated[layer] += float(F.cosine_similarity(ablated, clean, dim=-1).sum())

    def metrics(self) -> dict[str, torch.Tensor]:
        n = max(self.count, 1)
        spliced, ablated = self.spliced / n, self.ablated / n
        if not self.language_model:
            return {
                "embedding_cos_spliced": spliced,
                "embedding_cos_ablated": ablated,
                "embedding_recovered": (spliced - ablated) / (1.0 - ablated),
            }
        clean = torch.full_like(spliced, self.clean / n)
        return {
            "ce_clean": clean,
            "ce_spliced": spliced,
            "ce_ablated": ablated,
            "ce_loss_score": (ablated - spliced) / (ablated - clean),
            "kl_div": self.kl / n,
        }


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
