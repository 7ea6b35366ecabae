"""TopK, BatchTopK and JumpReLU steps checked against independent computations of what each keeps,
and JumpReLU's straight-through threshold gradient against finite differences."""

from __future__ import annotations

import math
from pathlib import Path

import torch

from galleryforge.train.training.metrics import loss_terms
from galleryforge.train.training.sae import Activation, StackedSAE
from galleryforge.train.training.trainer import Trainer
from galleryforge.train.training.trial import trial_state
from tests.galleryforge.train.helpers import build_trial_cfg


def _sae(architecture: str, k: int = 0, d_in: int = 8, d_sae: int = 32, **kw: float) -> StackedSAE:
    activation = Activation(architecture, k, **kw)
    return StackedSAE([0, 1], d_in, d_sae, torch.Generator().manual_seed(0), activation=activation)


def _pre(sae: StackedSAE, x: torch.Tensor) -> torch.Tensor:
    """The pre-activations, written out per layer."""
    return torch.stack(
        [(x[i] - sae.b_dec[i]) @ sae.W_enc[i] + sae.b_enc[i] for i in range(sae.n_layers)]
    ).detach()


def test_topk_keeps_each_tokens_k_largest_pre_activations() -> None:
    sae = _sae("topk", k=5)
    with torch.no_grad():
        sae.b_enc.fill_(10.0)  # every pre-activation positive: the ReLU after TopK drops none
    x = torch.randn(2, 40, 8, generator=torch.Generator().manual_seed(1))
    feats = sae(x).feats.detach()
    pre = _pre(sae, x)
    assert ((feats > 0).sum(-1) == 5).all()
    for layer in range(2):
        for token in range(40):
            expected = set(sorted(range(32), key=lambda i: -pre[layer, token, i])[:5])
            kept = set(torch.nonzero(feats[layer, token]).flatten().tolist())
            assert kept == expected
            assert torch.allclose(
                feats[layer, token, sorted(kept)], pre[layer, token, sorted(kept)]
            )


def test_topk_drops_negative_pre_activations_after_choosing() -> None:
    sae = _sae("topk", k=5)
    with torch.no_grad():
        sae.b_enc.fill_(-10.0)  # every pre-activation negative: nothing survives the ReLU
    assert not sae(torch.randn(2, 10, 8)).feats.any()


def test_batchtopk_keeps_the_batchs_k_times_batch_largest() -> None:
    sae = _sae("batchtopk", k=3)
    with torch.no_grad():
        sae.b_enc.fill_(10.0)
    x = torch.randn(2, 25, 8, generator=torch.Generator().manual_seed(2))
    feats = sae(x).feats.detach()
    pre = _pre(sae, x)
    for layer in range(2):
        on = feats[layer] > 0
        assert int(on.sum()) == 3 * 25  # mean L0 over the batch is k
        assert pre[layer][on].min() >= pre[layer][~on].max()
    assert (feats > 0).sum(-1).float().std() > 0  # tokens differ: a per-token top-k would not


def test_batchtopk_threshold_gives_k_on_the_tokens_it_was_set_on() -> None:
    sae = _sae("batchtopk", k=4)
    x = torch.randn(2, 300, 8, generator=torch.Generator().manual_seed(3))
    sae.estimate_threshold(x, chunk=128)
    l0 = (sae(x, inference=True).feats > 0).sum(-1).float().mean(-1)
    torch.testing.assert_close(l0, torch.full((2,), 4.0))
    pre = _pre(sae, x)
    for layer in range(2):  # the (k·tokens + 1)-th largest pre-activation of the layer
        assert float(sae.threshold[layer]) == float(
            pre[layer].flatten().sort().values[-4 * 300 - 1]
        )


def _smoothed(z: torch.Tensor, theta: torch.Tensor, eps: float) -> tuple[torch.Tensor, ...]:
    """What the straight-through estimator differentiates, for fixed pre-activations ``z``: the
    step H(z − θ) smoothed into a ramp of width ε, and the latent z·H(z − θ) with its jump
    spread over the same window so that d/dθ is −(θ/ε) inside it (z at θ ≤ z − ε/2, 0 at
    θ ≥ z + ε/2, z − (θ² − (z − ε/2)²)/(2ε) between)."""
    step = ((z - theta) / eps + 0.5).clamp(0, 1)
    low = z - eps / 2
    inside = z - (theta.pow(2) - low.pow(2)) / (2 * eps)
    latent = torch.where(theta <= low, z, torch.where(theta >= z + eps / 2, 0.0, inside))
    return step, latent


def test_jumprelu_threshold_gradient_matches_finite_differences_of_the_smoothed_loss() -> None:
    eps, lam = 0.2, 0.7
    sae = _sae("jumprelu", bandwidth=eps, threshold_init=0.3)
    generator = torch.Generator().manual_seed(4)
    x = torch.randn(2, 200, 8, generator=generator)
    weight = torch.randn(2, 200, 32, generator=generator)
    out = sae(x)
    assert out.l0 is not None
    # A loss linear in the latents, so its gradient does not depend on where it is taken.
    ((weight * out.feats).sum() + lam * out.l0.sum()).backward()
    assert sae.log_threshold.grad is not None
    theta = sae.log_threshold.detach().exp()
    got = sae.log_threshold.grad / theta  # d/dθ from d/d(log θ)
    z = _pre(sae, x).double()

    def smoothed_loss(t: torch.Tensor) -> torch.Tensor:
        step, latent = _smoothed(z, t[:, None, :], eps)
        per_latent = (weight.double() * latent).sum(1) + lam * step.sum(1) / z.shape[1]
        return per_latent  # [layers, d_sae]: each latent's share, as θ_i moves alone

    h = 1e-5
    t = theta.double()
    expected = (smoothed_loss(t + h) - smoothed_loss(t - h)) / (2 * h)
    # A central difference straddling a window's edge (a kink) measures half a slope: leave out
    # the few latents with a pre-activation that close to one.
    kinked = (((z - t[:, None, :]).abs() - eps / 2).abs() < 10 * h).any(1)
    assert int(kinked.sum()) <= 4
    assert (expected[~kinked] != 0).sum() > 10  # enough pre-activations sit inside some window
    torch.testing.assert_close(got.double()[~kinked], expected[~kinked], rtol=1e-4, atol=1e-6)


def test_jumprelu_keeps_pre_activations_above_each_latents_threshold() -> None:
    sae = _sae("jumprelu", bandwidth=0.001, threshold_init=0.5)
    x = torch.randn(2, 50, 8, generator=torch.Generator().manual_seed(5))
    feats, pre = sae(x).feats.detach(), _pre(sae, x)
    torch.testing.assert_close(feats, torch.where(pre > 0.5, pre, 0.0))


def test_aux_k_loss_revives_latents_made_dead_on_purpose() -> None:
    """Data from 32 directions; the SAE starts on them, but the encoder columns of the last 8 are
    shrunk so far that TopK never picks them: their directions are left in the residual, which
    only the auxiliary loss asks anyone to explain."""
    assert _train_with_dead(aux_coef=1 / 32) >= 6
    assert _train_with_dead(aux_coef=0.0) <= 1


def _train_with_dead(aux_coef: float) -> int:
    """How many of the 8 latents fire on fresh data after training."""
    generator = torch.Generator().manual_seed(6)
    d_in, d_sae, k = 32, 32, 3
    sae = StackedSAE([0], d_in, d_sae, generator, activation=Activation("topk", k))
    directions = sae.W_dec.detach()[0].clone()
    dead = torch.zeros(1, d_sae, dtype=torch.bool)
    dead[0, 24:] = True
    with torch.no_grad():
        sae.W_enc[0, :, 24:] *= 1e-3
    optimizer = torch.optim.Adam(sae.parameters(), lr=3e-3)
    for _ in range(200):
        active = torch.rand(128, d_sae, generator=generator) < 2 / d_sae
        x = ((active * torch.rand(128, d_sae, generator=generator)) @ directions)[None]
        out = sae(x)
        terms = loss_terms(sae, x, out, "mean", dead=dead, aux_k=8, aux_coef=aux_coef)
        optimizer.zero_grad()
        terms.loss(torch.zeros(1)).sum().backward()
        sae.remove_parallel_grads()
        optimizer.step()
        sae.normalize_decoder()
    with torch.no_grad():
        active = torch.rand(2048, d_sae, generator=generator) < 2 / d_sae
        x = ((active * torch.rand(2048, d_sae, generator=generator)) @ directions)[None]
        fired = (sae(x).feats[0] > 0).sum(0)
    return int((fired[24:] > 0).sum())


def test_aux_k_loss_is_zero_without_dead_latents_and_names_its_normalisation() -> None:
    sae = _sae("topk", k=4)
    x = torch.randn(2, 64, 8, generator=torch.Generator().manual_seed(7))
    out = sae(x)
    none = torch.zeros(2, 32, dtype=torch.bool)
    terms = loss_terms(sae, x, out, "mean", dead=none, aux_k=8, aux_coef=1.0)
    assert torch.equal(terms.aux, torch.zeros(2))
    # One dead latent a layer, aux_k large: ê is that latent's ReLU'd pre-activation times its
    # decoder row, and the loss ‖e − ê‖² is divided by the residual's variance.
    dead = torch.zeros(2, 32, dtype=torch.bool)
    dead[:, 7] = True
    terms = loss_terms(sae, x, out, "mean", dead=dead, aux_k=8, aux_coef=1.0)
    pre = _pre(sae, x)
    for layer in range(2):
        residual = (x[layer] - out.recon[layer]).detach()
        estimate = pre[layer, :, 7:8].clamp_min(0) * sae.W_dec[layer, 7].detach()
        error = (estimate - residual).pow(2).sum(-1).mean()
        variance = (residual - residual.mean(0)).pow(2).sum(-1).mean()
        got = float(terms.aux[layer].detach())
        assert math.isclose(got, float(error / variance), rel_tol=1e-5)


def test_jumprelu_thresholds_step_at_threshold_lr_times_the_learning_rate(tmp_path: Path) -> None:
    """Adam's first step moves a parameter by lr·g/(|g| + 1e-8), lr times its gradient's sign:
    with ``threshold_lr`` = 10 the log-thresholds move ten times as far as the encoder does."""
    cfg = build_trial_cfg(
        width=32,
        architecture="jumprelu",
        l1_coef=0.0,
        l0_coef=1.0,
        target_l0=4.0,
        bandwidth=0.2,
        threshold_init=0.3,
        threshold_lr=10.0,
        lr=1e-3,
        lr_warmup_tokens=0,
        grad_clip=0.0,
    )
    sae = _sae("jumprelu", bandwidth=0.2, threshold_init=0.3)
    state = trial_state(cfg, tmp_path, sae, torch.zeros(2, 8))
    before = {name: p.detach().clone() for name, p in sae.named_parameters()}
    x = torch.randn(2, 64, 8, generator=torch.Generator().manual_seed(6))
    Trainer([state], checkpoint=lambda *args: None)._train_step(state, x)
    for name, lr in (("log_threshold", 1e-2), ("W_enc", 1e-3)):
        moved = (getattr(sae, name).detach() - before[name]).abs()
        moved = moved[moved > 0]
        assert moved.numel() > 10
        torch.testing.assert_close(moved, torch.full_like(moved, lr), rtol=1e-3, atol=0)
