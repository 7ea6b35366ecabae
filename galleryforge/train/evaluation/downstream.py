"""Downstream fidelity: how much of the model's output survives when an SAE's reconstruction
replaces the activation it reads (SAELens's ``ce_loss_score``; Bricken et al. 2023, "Towards
Monosemanticity", call it the loss recovered).

For a causal language model, over next-token predictions whose position and target are both
ordinary tokens, ``CE`` is the mean cross-entropy of the next token and ``KL(p‖q)`` the mean
KL divergence of the next-token distributions, with

- ``ce_clean``: the unmodified model; ``ce_spliced``: the layer's activation replaced by x̂ at the
  ordinary tokens (special tokens keep theirs, as SAELens does for its ``ignore_tokens``);
- ``ce_ablated``: the activation replaced by zeros at **every** position, special tokens included
  (SAELens's ``ce_loss_with_ablation``); ``ce_ablated_ordinary``: zeros at the ordinary tokens only;
- ``ce_loss_score`` = (CE_ablated − CE_spliced) / (CE_ablated − CE_clean): SAELens's; 1 when
  splicing costs nothing, 0 when it is as bad as deleting the layer's activation.
  ``ce_loss_score_ordinary``: the same with ``ce_ablated_ordinary`` (galleryforge's score before
  it followed SAELens: a milder baseline, so a lower score for the same SAE);
- ``kl_div`` = KL(clean ‖ spliced), ``kl_div_ablated`` = KL(clean ‖ ablated) and
  ``kl_div_score`` = (KL_ablated − KL_spliced) / KL_ablated: SAELens's ``kl_div_with_sae``,
  ``kl_div_with_ablation`` and ``kl_div_score``.

For an encoder without a language-model head (all-MiniLM-L6-v2) the same construction runs on its
own output, the mean-pooled sentence embedding (pooled over ordinary tokens). Zeros are no
baseline there (a zeroed stream can pool to 0, whose cosine is 0 by convention), so the ablated
pass replaces the activation at every position by the layer's **mean** activation (over the
ordinary tokens of the first batch of fidelity contexts, fixed after it):
``embedding_cos_spliced`` and ``embedding_cos_mean_ablated`` are the mean cosine of each
context's embedding with the clean one, ``embedding_cos_distance`` = 1 − cos_spliced (the damage
itself), and ``embedding_recovered`` = (cos_spliced − cos_mean_ablated) / (1 − cos_mean_ablated).
A task-level check of the same passes, what a user of a sentence encoder would notice:
``embedding_pair_spearman`` is the Spearman correlation, over the pairs of fidelity contexts in a
batch, between their clean cosine similarities and their spliced ones (1: splicing keeps the
ranking of which texts are most alike), ``embedding_pair_spearman_mean_ablated`` the same under
the mean ablation.

``FidelityPasses`` runs them for one batch's fidelity contexts: for each SAE the model runs again
with the SAE's reconstruction spliced in at its hook, and, once per hook, with the activation there
ablated; ``FidelitySums`` adds up what they give.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F

from galleryforge.train.data.hooks import (
    Edit,
    HookPoint,
    StopForward,
    hooked,
    replay_upto,
    replayed,
)
from galleryforge.train.data.model import LoadedModel

LM_COLUMNS = (
    "ce_clean",
    "ce_spliced",
    "ce_ablated",
    "ce_loss_score",
    "ce_ablated_ordinary",
    "ce_loss_score_ordinary",
    "kl_div",
    "kl_div_ablated",
    "kl_div_score",
)
EMBEDDING_COLUMNS = (
    "embedding_cos_spliced",
    "embedding_cos_mean_ablated",
    "embedding_cos_distance",
    "embedding_recovered",
    "embedding_pair_spearman",
    "embedding_pair_spearman_mean_ablated",
)
LOG_PROB_CHUNK_ELEMENTS = 2**22
"""Positions × vocabulary of float64 log-probabilities computed at a time (32 MiB): at Pythia's
vocabulary of 50,304, 83 positions."""


def next_token_targets(ids: torch.Tensor, ordinary: torch.Tensor) -> torch.Tensor:
    """``[batch, seq]`` mask of the positions whose next-token prediction counts: the position and
    the token after it are ordinary (not special); the last position has no target."""
    counted = torch.zeros_like(ordinary)
    counted[:, :-1] = ordinary[:, :-1] & ordinary[:, 1:]
    return counted


def counted_logits(logits: torch.Tensor, counted: torch.Tensor) -> torch.Tensor:
    """``[n, vocab]`` the logits at the counted positions, as the model gave them."""
    return logits.reshape(-1, logits.shape[-1])[_counted_rows(logits, counted)]


def log_probs(logits: torch.Tensor) -> torch.Tensor:
    """Float64 log-probabilities of a chunk of logit rows."""
    return F.log_softmax(logits.double(), dim=-1)


class Compared(NamedTuple):
    """Sums over the counted positions of one pass."""

    ce: float
    """Σ −log q(target)."""
    kl: float
    """Σ KL(clean ‖ q) over the vocabulary."""


def clean_ce(clean: torch.Tensor, targets: torch.Tensor) -> float:
    """Σ −log p(target) of the clean pass, from its ``counted_logits``."""
    total = torch.zeros((), dtype=torch.float64, device=clean.device)
    for begin, end in _chunks(len(clean), clean.shape[-1]):
        total -= log_probs(clean[begin:end]).gather(1, targets[begin:end, None]).sum()
    return float(total)


def compared(
    logits: torch.Tensor, counted: torch.Tensor, targets: torch.Tensor, clean: torch.Tensor
) -> Compared:
    """A pass's cross-entropy and KL divergence from the clean pass (``clean``, its
    ``counted_logits``), summed over the counted positions. Log-probabilities are float64, as
    the sums are, but only ``LOG_PROB_CHUNK_ELEMENTS`` of them at a time: never a whole
    [positions, vocabulary] float64 tensor."""
    rows = _counted_rows(logits, counted)
    flat = logits.reshape(-1, logits.shape[-1])
    # Summed on the device, read once: a read a chunk would wait for the device each time.
    ce = torch.zeros((), dtype=torch.float64, device=logits.device)
    kl = torch.zeros_like(ce)
    for begin, end in _chunks(len(rows), logits.shape[-1]):
        log_q = log_probs(flat[rows[begin:end]])
        log_p = log_probs(clean[begin:end])
        ce -= log_q.gather(1, targets[begin:end, None]).sum()
        kl += (log_p.exp() * (log_p - log_q)).sum()
    return Compared(float(ce), float(kl))


def _counted_rows(logits: torch.Tensor, counted: torch.Tensor) -> torch.Tensor:
    """Flat indices of the counted positions into ``logits`` viewed as [positions, vocab]."""
    return counted.reshape(-1).nonzero().squeeze(1).to(logits.device)


def _chunks(n: int, vocab: int) -> list[tuple[int, int]]:
    size = max(1, LOG_PROB_CHUNK_ELEMENTS // max(vocab, 1))
    return [(begin, min(begin + size, n)) for begin in range(0, n, size)]


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
        self.ablated_ordinary = torch.zeros(n_layers, dtype=torch.float64)
        self.kl = torch.zeros(n_layers, dtype=torch.float64)
        self.kl_ablated = torch.zeros(n_layers, dtype=torch.float64)
        self.means: dict[HookPoint, torch.Tensor] = {}
        """Each hook's mean activation, the encoder's ablation baseline (first batch's)."""
        self.pairs_clean: list[torch.Tensor] = []
        """Encoders: the cosine similarities of each batch's pairs of contexts, clean; then
        spliced and mean-ablated, per SAE."""
        self.pairs_spliced: list[list[torch.Tensor]] = [[] for _ in range(n_layers)]
        self.pairs_ablated: list[list[torch.Tensor]] = [[] for _ in range(n_layers)]

    def add_clean(self, clean: torch.Tensor, targets: torch.Tensor) -> None:
        """The clean pass of an LM batch: its ``counted_logits``, and ``targets``, the next
        tokens at the counted positions."""
        self.count += len(targets)
        self.clean += clean_ce(clean, targets)

    def add_lm(
        self, layer: int, spliced: Compared, ablated: Compared, ablated_ordinary: Compared
    ) -> None:
        """One SAE's spliced pass and its hook's two ablated passes, over one batch."""
        self.spliced[layer] += spliced.ce
        self.ablated[layer] += ablated.ce
        self.ablated_ordinary[layer] += ablated_ordinary.ce
        self.kl[layer] += spliced.kl
        self.kl_ablated[layer] += ablated.kl

    def add_contexts(self, clean: torch.Tensor) -> None:
        """The clean pooled embeddings ``[batch, d]`` of one batch of fidelity contexts."""
        self.count += len(clean)
        self.pairs_clean.append(pair_cosines(clean))

    def add_embedding(
        self, layer: int, clean: torch.Tensor, spliced: torch.Tensor, ablated: torch.Tensor
    ) -> None:
        """Pooled embeddings ``[batch, d]`` of one batch of contexts."""
        clean, spliced, ablated = clean.double(), spliced.double(), ablated.double()
        self.spliced[layer] += float(F.cosine_similarity(spliced, clean, dim=-1).sum())
        self.ablated[layer] += float(F.cosine_similarity(ablated, clean, dim=-1).sum())
        self.pairs_spliced[layer].append(pair_cosines(spliced))
        self.pairs_ablated[layer].append(pair_cosines(ablated))

    def metrics(self) -> dict[str, torch.Tensor]:
        n = max(self.count, 1)
        spliced, ablated = self.spliced / n, self.ablated / n
        if not self.language_model:
            return {
                "embedding_cos_spliced": spliced,
                "embedding_cos_mean_ablated": ablated,
                "embedding_cos_distance": 1.0 - spliced,
                "embedding_recovered": (spliced - ablated) / (1.0 - ablated),
                "embedding_pair_spearman": self._pair_spearman(self.pairs_spliced),
                "embedding_pair_spearman_mean_ablated": self._pair_spearman(self.pairs_ablated),
            }
        clean = torch.full_like(spliced, self.clean / n)
        ordinary = self.ablated_ordinary / n
        kl, kl_ablated = self.kl / n, self.kl_ablated / n
        return {
            "ce_clean": clean,
            "ce_spliced": spliced,
            "ce_ablated": ablated,
            "ce_loss_score": (ablated - spliced) / (ablated - clean),
            "ce_ablated_ordinary": ordinary,
            "ce_loss_score_ordinary": (ordinary - spliced) / (ordinary - clean),
            "kl_div": kl,
            "kl_div_ablated": kl_ablated,
            "kl_div_score": (kl_ablated - kl) / kl_ablated,
        }

    def _pair_spearman(self, per_sae: list[list[torch.Tensor]]) -> torch.Tensor:
        """Each SAE's Spearman correlation of its pairs' cosines with the clean ones; NaN with
        fewer than three pairs or when either side is constant (no ranking to compare)."""
        from scipy.stats import spearmanr

        clean = torch.cat(self.pairs_clean) if self.pairs_clean else torch.zeros(0)
        values = []
        for pairs in per_sae:
            other = torch.cat(pairs) if pairs else torch.zeros(0)
            # Cosines equal to rounding (a tiny random model's texts all alike) rank nothing.
            if len(clean) < 3 or float(clean.std()) < 1e-9 or float(other.std()) < 1e-9:
                values.append(math.nan)
                continue
            values.append(float(spearmanr(clean.numpy(), other.numpy()).statistic))
        return torch.tensor(values, dtype=torch.float64)


def pair_cosines(embeddings: torch.Tensor) -> torch.Tensor:
    """The cosine similarity of every pair (i < j) of the rows of ``embeddings [n, d]``."""
    unit = F.normalize(embeddings.double(), dim=-1)
    i, j = torch.triu_indices(len(unit), len(unit), offset=1)
    return (unit[i] * unit[j]).sum(-1)


def forward_pass(loaded: LoadedModel, ids: torch.Tensor) -> Any:
    """The model on ``ids`` with every position attended (packed contexts have no padding)."""
    return loaded.model(input_ids=ids, attention_mask=torch.ones_like(ids))


def forward_until(loaded: LoadedModel, ids: torch.Tensor) -> None:
    """``forward_pass`` for what its hooks record, stopped after the last point (``hooked`` with
    ``stop``): the blocks after it and the head do not run."""
    with contextlib.suppress(StopForward):
        forward_pass(loaded, ids)


class FidelityPasses:
    """The clean reference of one batch's fidelity contexts, and the spliced and ablated passes.

    Each pass edits the stream at one block; the blocks before it compute what they computed in
    the clean pass, so their outputs (``block_outputs``, recorded then) are replayed, not
    recomputed: a pass costs the blocks from its hook on and the head.
    """

    def __init__(
        self,
        loaded: LoadedModel,
        ids: torch.Tensor,
        ordinary: torch.Tensor,
        clean: Any,
        chosen: torch.Tensor,
        sums: FidelitySums,
        block_outputs: list[Any],
    ) -> None:
        self.loaded, self.ids, self.ordinary, self.sums = loaded, ids, ordinary, sums
        every = bool(chosen.all())
        self.block_outputs = block_outputs if every else [_rows(o, chosen) for o in block_outputs]
        # The ablated passes depend on the hook only: the SAEs of several runs share them. An
        # LM's keep their sums (cross-entropy and KL, with zeros everywhere and at the ordinary
        # tokens), an encoder's its pooled embeddings.
        self.ablated: dict[HookPoint, tuple[Any, Any]] = {}
        if sums.language_model:
            self.counted = next_token_targets(ids, ordinary)
            self.targets = target_ids(ids, self.counted)
            self.clean = counted_logits(clean.logits[chosen], self.counted)
            sums.add_clean(self.clean, self.targets)
        else:
            self.clean = mean_pooled(clean.last_hidden_state[chosen], ordinary)
            sums.add_contexts(self.clean)

    def measure(
        self, index: int, hook: HookPoint, recon: torch.Tensor, activation: torch.Tensor
    ) -> None:
        """SAE ``index`` at ``hook``: its reconstruction and the clean ``activation`` there,
        both ``[contexts, seq, d]`` of this batch's fidelity contexts."""
        mask = self.ordinary[..., None]

        def splice(hidden: torch.Tensor) -> torch.Tensor:
            return torch.where(mask, recon.to(hidden.dtype), hidden)

        if hook not in self.ablated:
            self.ablated = {hook: self._ablated(hook, activation)}  # one layer's at a time
        spliced = self._output(self._run(hook, splice))
        ablated, ablated_ordinary = self.ablated[hook]
        if self.sums.language_model:
            self.sums.add_lm(index, spliced, ablated, ablated_ordinary)
        else:
            self.sums.add_embedding(index, self.clean, spliced, ablated)

    def _ablated(self, hook: HookPoint, activation: torch.Tensor) -> tuple[Any, Any]:
        """What the passes with the activation ablated give: for an LM its sums with zeros at
        every position and with zeros at the ordinary tokens only; for an encoder the pooled
        embedding with the layer's mean activation everywhere (and None)."""
        mask = self.ordinary[..., None]
        if not self.sums.language_model:
            mean = self.sums.means.setdefault(hook, activation[self.ordinary].mean(0))

            def mean_ablate(hidden: torch.Tensor) -> torch.Tensor:
                return mean.to(hidden.dtype).expand_as(hidden)

            return self._output(self._run(hook, mean_ablate)), None

        def zero_ablate(hidden: torch.Tensor) -> torch.Tensor:
            return torch.zeros_like(hidden)

        def zero_ablate_ordinary(hidden: torch.Tensor) -> torch.Tensor:
            return torch.where(mask, torch.zeros_like(hidden), hidden)

        return (
            self._output(self._run(hook, zero_ablate)),
            self._output(self._run(hook, zero_ablate_ordinary)),
        )

    def _output(self, output: Any) -> Any:
        """What the metrics compare: an LM's sums against the clean pass (``Compared``), an
        encoder's pooled embedding."""
        if self.sums.language_model:
            return compared(output.logits, self.counted, self.targets, self.clean)
        return mean_pooled(output.last_hidden_state, self.ordinary)

    def _run(self, hook: HookPoint, edit: Edit) -> Any:
        blocks = self.loaded.blocks
        with (
            replayed(blocks, self.block_outputs, replay_upto(hook)),
            hooked(blocks, [], {hook: edit}),
        ):
            return forward_pass(self.loaded, self.ids)


def _rows(output: Any, chosen: torch.Tensor) -> Any:
    """A recorded block output (a tensor, or a tuple holding tensors) at the contexts ``chosen``."""
    if isinstance(output, torch.Tensor):
        return output[chosen]
    if isinstance(output, tuple):
        return tuple(_rows(part, chosen) for part in output)
    return output
