"""Train the SAEs of one or several trials in lockstep from the same activation batches.

SAELens-style: the trainer is handed its trials, a batch iterator, a checkpoint function and a
progress callback; ``fit`` only loops, and ``_train_step``, ``_log_step`` and
``_checkpoint_if_needed`` do the work. A step takes the activations of the layers the trial's SAE
owns (``[n_layers, batch, d_in]``), so a rank that owns a subset of layers runs the same step.

A step never waits for the device (on CUDA the host queues the next step while this one runs):
the sparsity coefficients live on the device, and a non-finite loss is recorded there, with its
step, and checked at the next logged step, where the curve rows read the device anyway. The
aux-k loss of ``topk``/``batchtopk`` gathers as many columns as latents can be dead before the
next logged step (``DeadCounter.dead_bound``, read at the logged step), not the dead count of
the step itself.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.train.training.config import TrialConfig, resolved_precision
from galleryforge.train.training.metrics import LossTerms, curve_rows, loss_terms
from galleryforge.train.training.sae import StackedSAE
from galleryforge.train.training.trial import TrialState


class NonFiniteLoss(GalleryforgeError):
    """A loss went NaN or infinite: the run stops at the next logged step, before it writes that
    step's rows or a checkpoint, and keeps the last checkpoint."""


@dataclass(frozen=True)
class Progress:
    step: int
    steps: int
    tokens: int
    total_tokens: int
    tokens_per_s: float
    mean_l0: dict[str, float]
    """Each trial's L0 on its last logged batch, averaged over layers."""


class Trainer:
    def __init__(
        self,
        trials: list[TrialState],
        checkpoint: Callable[[list[TrialState], int, int], None],
        on_progress: Callable[[Progress], None] | None = None,
        step: int = 0,
    ) -> None:
        self.trials = trials
        self.cfg = trials[0].cfg  # the trials share every field of SOURCE_FIELDS
        self.checkpoint = checkpoint
        self.on_progress = on_progress
        self.step = step
        self.milestones = set(self.cfg.milestone_steps())
        self._started = (time.perf_counter(), step)
        self._nonfinite: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        """Per trial, on the device: the step at which each layer's loss first went non-finite
        (0: never) and that loss."""
        self._aux_widths: dict[str, int] = {}
        """Per TopK/BatchTopK trial, how many columns its aux-k loss gathers until the next
        logged step (``DeadCounter.dead_bound``), so a step need not read the dead count."""

    @property
    def tokens(self) -> int:
        return self.step * self.cfg.batch_tokens

    @property
    def training(self) -> list[TrialState]:
        """The trials still stepping: all but those the convergence rule stopped, whose SAEs stay
        as they were at their last checkpoint while the others train on."""
        return [trial for trial in self.trials if trial.stopped_at is None]

    def fit(self, batches: Iterator[torch.Tensor]) -> None:
        self._bound_aux_widths(self.training)
        while self.step < self.cfg.steps and self.training:
            batch = next(batches)
            trials = self.training
            terms = [self._train_step(trial, batch) for trial in trials]
            self.step += 1
            self._log_step(trials, terms)
            self._checkpoint_if_needed()

    def tokens_per_s(self) -> float:
        began, first_step = self._started
        elapsed = time.perf_counter() - began
        return (self.step - first_step) * self.cfg.batch_tokens / max(elapsed, 1e-9)

    def _train_step(self, trial: TrialState, x: torch.Tensor) -> tuple[LossTerms, torch.Tensor]:
        cfg, sae = trial.cfg, trial.sae
        coefs = trial.sparsity.coefs * self._ramp(cfg.l1_warmup_tokens)
        dead = trial.dead.dead_mask() if cfg.architecture in ("topk", "batchtopk") else None
        with _autocast(x.device, cfg.precision):
            out = sae(x)
            terms = loss_terms(
                sae,
                x,
                out,
                cfg.l1_form,
                dead=dead,
                aux_k=cfg.aux_k,
                aux_coef=cfg.aux_coef,
                aux_width=self._aux_widths.get(cfg.name),
                target_l0=cfg.target_l0 if cfg.architecture == "jumprelu" else 0.0,
            )
        losses = terms.loss(coefs.to(torch.float32))
        self._record_nonfinite(trial, losses.detach())
        for group in trial.optimizer.param_groups:
            group["lr"] = cfg.lr * self._lr_factor(cfg) * group.get("lr_scale", 1.0)
        trial.optimizer.zero_grad(set_to_none=True)
        losses.sum().backward()  # layers are independent: each gets its own loss's gradient
        if cfg.unit_decoder_rows:
            sae.remove_parallel_grads()
        if cfg.grad_clip > 0:
            clip_per_layer(sae, cfg.grad_clip)
        trial.optimizer.step()
        if cfg.unit_decoder_rows:
            sae.normalize_decoder()
        trial.dead.update(terms.fired, x.shape[1])
        if self.tokens >= cfg.l1_warmup_tokens:
            trial.sparsity.update(terms.l0.detach())
        return LossTerms(*(t.detach() for t in terms)), coefs

    def _log_step(
        self, trials: list[TrialState], terms: list[tuple[LossTerms, torch.Tensor]]
    ) -> None:
        # Checkpoint steps are always logged, so every checkpoint has its curve rows, and no
        # checkpoint is written after a non-finite loss.
        if self.step % self.cfg.log_every and self.step not in self.milestones:
            return
        self._stop_if_nonfinite()
        self._bound_aux_widths(trials)
        for trial, (trial_terms, coefs) in zip(trials, terms, strict=True):
            trial.logged_rows.append(
                curve_rows(
                    trial.cfg.name,
                    trial.sae.layer_ids,
                    self.step,
                    self.tokens,
                    trial_terms,
                    coefs,
                    trial.cfg.architecture,
                )
            )
            trial.last_l0 = float(trial_terms.l0.mean())
        if self.on_progress is not None:
            self.on_progress(
                Progress(
                    self.step,
                    self.cfg.steps,
                    self.tokens,
                    self.cfg.steps * self.cfg.batch_tokens,
                    self.tokens_per_s(),
                    {t.cfg.name: t.last_l0 for t in self.trials},
                )
            )

    def _bound_aux_widths(self, trials: list[TrialState]) -> None:
        """Read, where the step may (the start, a logged step), how many latents of any layer
        can be dead before the next logged step: no more than ``log_every`` steps away, since
        milestones are logged too. A resumed run reads the same bound at its start as the
        uninterrupted run read at that step."""
        for trial in trials:
            cfg = trial.cfg
            if cfg.architecture in ("topk", "batchtopk") and cfg.aux_k > 0 and cfg.aux_coef > 0:
                self._aux_widths[cfg.name] = trial.dead.dead_bound(self.cfg.log_every)

    def _checkpoint_if_needed(self) -> None:
        if self.step in self.milestones:
            # All trials at once: their final checkpoints are measured in one pass of the model.
            self.checkpoint(self.trials, self.step, self.tokens)

    def _ramp(self, warmup_tokens: int) -> float:
        """Linear warm-up factor for the step about to run."""
        done = (self.step + 1) * self.cfg.batch_tokens
        return 1.0 if done >= warmup_tokens else done / warmup_tokens

    def _lr_factor(self, cfg: TrialConfig) -> float:
        """Linear warm-up, then constant, then a linear decay to 0 over the last tokens."""
        left = (cfg.steps - self.step) * cfg.batch_tokens
        decay = min(1.0, left / cfg.lr_decay_tokens) if cfg.lr_decay_tokens else 1.0
        return self._ramp(cfg.lr_warmup_tokens) * decay

    def _record_nonfinite(self, trial: TrialState, losses: torch.Tensor) -> None:
        """Mark, on the device, the layers whose loss of the step about to run is first NaN or
        infinite (no host sync: ``_stop_if_nonfinite`` reads the marks)."""
        if trial.cfg.name not in self._nonfinite:
            self._nonfinite[trial.cfg.name] = (
                torch.zeros(losses.shape, dtype=torch.int64, device=losses.device),
                torch.zeros_like(losses),
            )
        steps, values = self._nonfinite[trial.cfg.name]
        first = ~torch.isfinite(losses) & (steps == 0)
        steps.masked_fill_(first, self.step + 1)
        values.copy_(torch.where(first, losses, values))

    def _stop_if_nonfinite(self) -> None:
        """Raise ``NonFiniteLoss`` for the earliest non-finite loss recorded (trial order, then
        layer order, among those of one step)."""
        found = []
        for order, trial in enumerate(self.trials):
            if trial.cfg.name not in self._nonfinite:
                continue
            steps, values = self._nonfinite[trial.cfg.name]
            for index, (step, value) in enumerate(
                zip(steps.tolist(), values.tolist(), strict=True)
            ):
                if step:
                    found.append((step, order, index, value))
        if not found:
            return
        step, order, index, value = min(found)
        trial = self.trials[order]
        kept = "none yet"
        if trial.checkpoint_rows:
            last = trial.checkpoint_rows[-1]["tokens"].max()  # the rows of every checkpoint
            kept = str(trial.run_dir / "checkpoints" / str(last))
        raise NonFiniteLoss(
            f"trial {trial.cfg.name!r}, layer {trial.sae.layer_ids[index]}: loss is "
            f"{value} at step {step} ({(step - 1) * self.cfg.batch_tokens} tokens); stopped, "
            f"last good checkpoint: {kept}; lower lr or l1_coef and start again, or --resume"
        )


@torch.no_grad()
def clip_per_layer(sae: StackedSAE, max_norm: float) -> None:
    """Clip each layer's gradient norm on its own (a global norm would couple the layers)."""
    grads = [p.grad for p in sae.parameters() if p.grad is not None]
    norms = torch.stack([torch.linalg.vector_norm(g.flatten(1), dim=1) for g in grads])
    factor = (max_norm / (torch.linalg.vector_norm(norms, dim=0) + 1e-6)).clamp(max=1.0)
    for grad in grads:
        grad.mul_(factor.view(-1, *([1] * (grad.dim() - 1))))


def _autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[object]:
    """The SAE step's autocast for a trial's ``precision`` (``TrialConfig.precision``)."""
    if resolved_precision(precision, device.type) == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()
