"""The compressed-sensing reference read-out: non-negative least squares on a random projection.

W: [d_S, F] with i.i.d. N(0, 1/d_S) entries, never trained; the read-out of x is

    x̂ = argmin over z ≥ 0 of ‖W z − W x‖²,

the recovery for which k·ln(F/k) measurements are the known scaling: above a sharp transition in
d_S a k-sparse non-negative x is the unique solution, so x̂ = x exactly.

Solver: FISTA (accelerated projected gradient, Beck & Teboulle 2009) from z = 0 with step 1/L,
L = ‖W‖₂² the largest eigenvalue of WᵀW, and the gradient restart of O'Donoghue & Candès (2015)
(momentum is reset for a sample whose step turned against its gradient). Batched over samples
and seeds in torch, in float32 (the default tolerance sits well above its rounding).

Stopping rule, per sample: the projected gradient (∇ where z > 0, min(∇, 0) where z = 0, with
∇ = Wᵀ(Wz − Wx)) has no entry larger than ``tol`` in absolute value — the KKT conditions of the
problem to that tolerance — or ``max_iter`` iterations have run. Samples that meet the rule are
set aside (checked every ``CHECK_EVERY`` iterations), so the cost follows the hard ones. Below
the transition the minimiser need not be unique (many z ≥ 0 fit Wx exactly); FISTA from z = 0
returns one of them.

Known problem: in these underdetermined problems the landscape is so flat that the stopping rule
is met far from the sparse solution an exact active-set solver finds (docs/toy.md); the losses
below full width are then too high.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch

from train.toy_data import NNLS_STREAM, generator

CHECK_EVERY = 10


@dataclass(frozen=True)
class NnlsResult:
    """The read-out of every sample: x̂ [m, n, F]; iterations used; share of samples that met
    the stopping rule, per model [m]."""

    recovered: torch.Tensor
    iterations: int
    converged: torch.Tensor


def random_projection(width: int, features: int, alpha: float, seed: int) -> torch.Tensor:
    """W [d_S, F], entries i.i.d. N(0, 1/d_S), from its own stream per (α, F, seed, width)."""
    gen = generator(NNLS_STREAM, alpha, features, seed, width)
    return torch.randn(width, features, generator=gen) / width**0.5


def projected_gradient(z: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    """The gradient's part that a feasible step could still use: the KKT residual of z ≥ 0."""
    return torch.where(z > 0, grad, grad.clamp(max=0))


def nnls(W: torch.Tensor, x: torch.Tensor, max_iter: int, tol: float) -> NnlsResult:
    """argmin_{z ≥ 0} ‖W z − W x‖² for every model W [m, d, F] and every sample x [n, F]."""
    m, width, features = W.shape
    gram = W.transpose(1, 2) @ W  # [m, F, F]
    # ∇ = z WᵀW − x WᵀW per sample (row vectors); through W itself when that is cheaper.
    factored = 2 * width < features

    def times_gram(rows: torch.Tensor, j: int) -> torch.Tensor:
        return (rows @ W[j].T) @ W[j] if factored else rows @ gram[j]

    target = torch.stack([times_gram(x, j) for j in range(m)])  # [m, n, F]
    step = 1 / torch.linalg.matrix_norm(W, ord=2).pow(2)  # 1 / L per model
    out = torch.zeros_like(target)
    converged = torch.ones(m)
    iterations = 0
    for j in range(m):
        z, used, ok = _fista(partial(times_gram, j=j), target[j], float(step[j]), max_iter, tol)
        out[j], iterations = z, max(iterations, used)
        converged[j] = ok
    return NnlsResult(out, iterations, converged)


def _fista(
    times_gram: Callable[[torch.Tensor], torch.Tensor],
    b: torch.Tensor,
    step: float,
    max_iter: int,
    tol: float,
) -> tuple[torch.Tensor, int, float]:
    """FISTA with gradient restart on min ½ zᵀGz − bᵀz, z ≥ 0, one row per sample.

    Returns the solutions, the iterations the slowest sample used, and the share of samples
    that met the stopping rule.
    """
    n = b.shape[0]
    out = torch.zeros_like(b)
    rows = torch.arange(n)
    z = torch.zeros_like(b)
    y, t = z.clone(), torch.ones(n, 1)
    iterations, missed = 0, 0
    for iterations in range(1, max_iter + 1):
        z_next = times_gram(y).sub_(b).mul_(-step).add_(y).clamp_(min=0)
        diff = z_next - z
        # Gradient restart: reset momentum where the step opposes the descent direction.
        restart = ((y - z_next) * diff).sum(1, keepdim=True) > 0
        t_next = torch.where(restart, 1.0, (1 + torch.sqrt(1 + 4 * t * t)) / 2)
        momentum = torch.where(restart, 0.0, (t - 1) / t_next)
        y = torch.addcmul(z_next, momentum, diff)
        z, t = z_next, t_next
        if iterations % CHECK_EVERY and iterations < max_iter:
            continue
        residual = projected_gradient(z, times_gram(z) - b)
        done = residual.abs().amax(1) <= tol
        out[rows] = z
        if iterations == max_iter:
            missed = int((~done).sum())
            break
        rows, z, y, t, b = (a[~done] for a in (rows, z, y, t, b))
        if len(rows) == 0:
            break
    return out, iterations, 1 - missed / n
