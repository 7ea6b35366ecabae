"""The per-layer coefficient of a trial's sparsity penalty: fixed, or steered to a target L0 by a
proportional controller. The penalty is the L1 of a ``relu`` trial (trial C steers it) or the
sparsity loss of a ``jumprelu`` one; ``topk`` and ``batchtopk`` have none (their coefficient is
0).

Proportional control of the log-coefficient, once per optimizer step and per layer:

    error  = clamp((L0 - target) / target, -1, 1)
    coef  <- coef * exp(rate * error)

L0 is the training batch's mean number of active latents per token. Too many active latents raise
the coefficient, too few lower it; the clamp bounds a step's change to a factor exp(±rate), so a
far-off start moves at a steady geometric pace instead of jumping. The controller holds still during
the penalty's warm-up (``l1_warmup_tokens``: the ramp, not the coefficient, is what limits
sparsity then).

Only ``relu`` trials use the controller. A ``jumprelu`` trial with a ``target_l0`` puts the
target in its loss instead, (L0/target − 1)² (``training.metrics.loss_terms``), whose
straight-through gradient moves only the thresholds: the latents that stay on are not shrunk,
where steering the L1 coefficient shrinks every active latent on the way to the target.
"""

from __future__ import annotations

from typing import Any

import torch


class SparsityCoefficient:
    def __init__(
        self,
        initial: float,
        n_layers: int,
        *,
        target_l0: float = 0.0,
        rate: float = 0.0,
        device: torch.device | None = None,
    ) -> None:
        """The coefficients live on the training ``device`` (default the CPU), in float64: the
        step reads them, and the controller moves them, without a copy to or from the host."""
        self.coefs = torch.full((n_layers,), float(initial), dtype=torch.float64, device=device)
        self.target_l0 = target_l0
        self.rate = rate

    @property
    def adaptive(self) -> bool:
        return self.rate > 0 and self.target_l0 > 0

    def update(self, l0: torch.Tensor) -> None:
        """One control step from each layer's L0 on the last batch (``[n_layers]``)."""
        if not self.adaptive:
            return
        error = ((l0.double() - self.target_l0) / self.target_l0).clamp(-1.0, 1.0)
        self.coefs *= torch.exp(self.rate * error)

    def state_dict(self) -> dict[str, Any]:
        return {"coefs": self.coefs.cpu().clone()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.coefs = state["coefs"].to(self.coefs.device, torch.float64, copy=True)
