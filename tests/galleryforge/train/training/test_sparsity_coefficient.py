from __future__ import annotations

import torch

from galleryforge.train.training.metrics import loss_terms
from galleryforge.train.training.sae import StackedSAE
from galleryforge.train.training.sparsity_coefficient import SparsityCoefficient


def test_fixed_coefficient_never_moves() -> None:
    l1 = SparsityCoefficient(1e-3, 2)
    l1.update(torch.tensor([100.0, 1.0]))
    assert l1.coefs.tolist() == [1e-3, 1e-3]


def test_update_rule_is_proportional_and_bounded() -> None:
    l1 = SparsityCoefficient(1.0, 3, target_l0=10.0, rate=0.1)
    l1.update(torch.tensor([15.0, 10.0, 1000.0]))
    expected = torch.exp(torch.tensor([0.1 * 0.5, 0.0, 0.1 * 1.0], dtype=torch.float64))
    torch.testing.assert_close(l1.coefs, expected)


def test_controller_brings_l0_to_its_target_on_a_small_problem() -> None:
    """Sparse synthetic data, two layers with different scales: each layer's L0 reaches 6."""
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(2, 64, 16, generator=generator)
    sae = StackedSAE([0, 1], 16, 64, generator)
    optimizer = torch.optim.Adam(sae.parameters(), lr=1e-2)
    l1 = SparsityCoefficient(1e-3, 2, target_l0=6.0, rate=0.05)
    recent = []
    for step in range(400):
        codes = torch.rand(2, 256, 64, generator=generator) * (
            torch.rand(2, 256, 64, generator=generator) < 0.15
        )
        x = torch.bmm(codes, features) * torch.tensor([1.0, 4.0])[:, None, None]
        out = sae(x)
        terms = loss_terms(sae, x, out, "decoder_norm_sum")
        optimizer.zero_grad()
        terms.loss(l1.coefs.float()).sum().backward()
        sae.remove_parallel_grads()
        optimizer.step()
        sae.normalize_decoder()
        l1.update(terms.l0.detach())
        if step >= 300:
            recent.append(terms.l0.detach())
    mean_l0 = torch.stack(recent).mean(0)
    torch.testing.assert_close(mean_l0, torch.full((2,), 6.0), atol=1.0, rtol=0)


def test_state_round_trips() -> None:
    l1 = SparsityCoefficient(2e-3, 2, target_l0=5, rate=0.1)
    l1.update(torch.tensor([9.0, 1.0]))
    other = SparsityCoefficient(2e-3, 2, target_l0=5, rate=0.1)
    other.load_state_dict(l1.state_dict())
    assert torch.equal(other.coefs, l1.coefs)
