from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from galleryforge.train.training.metrics import DeadCounter, heldout_metrics, loss_terms
from galleryforge.train.training.sae import Activation, SAEOutput, StackedSAE


def _fired(latents: list[int], width: int = 6) -> torch.Tensor:
    """One layer; the counts of a two-token step where ``latents`` fire on the first token."""
    fired = torch.zeros(1, width, dtype=torch.int64)
    fired[0, latents] = 1
    return fired


def test_dead_window_is_exact_for_short_windows() -> None:
    counter = DeadCounter(1, 6, window_steps=3, device=torch.device("cpu"))
    for fired in ([0, 1], [2], [3]):
        counter.update(_fired(fired), 2)
    assert int(counter.dead()[0]) == 2  # 4 and 5 never fired
    counter.update(_fired([3]), 2)  # latents 0 and 1 fired 4 steps ago: now outside the window
    assert int(counter.dead()[0]) == 4
    sparsity = counter.log_sparsity()[0]
    assert torch.isclose(sparsity[3], torch.log10(torch.tensor(2 / 6 + 1e-10)))
    assert (sparsity[[0, 1, 4, 5]] <= -9.99).all()


def test_state_round_trips() -> None:
    counter = DeadCounter(2, 6, window_steps=200, device=torch.device("cpu"))
    for _ in range(13):
        counter.update((torch.rand(2, 6) < 0.3).long(), 4)
    other = DeadCounter(2, 6, window_steps=200, device=torch.device("cpu"))
    other.load_state_dict(counter.state_dict())
    assert torch.equal(other.dead(), counter.dead())
    assert (other.slot, other.steps_in_slot) == (counter.slot, counter.steps_in_slot)


def test_heldout_metrics_match_direct_formulas() -> None:
    sae = StackedSAE([0, 1], 8, 16, torch.Generator().manual_seed(1))
    x = torch.randn(2, 300, 8) + 2.0
    coefs = torch.tensor([1e-2, 2e-2], dtype=torch.float64)
    got = heldout_metrics(sae, x, coefs, "mean", chunk=64)
    with torch.no_grad():
        out = sae(x)
        error = (out.recon - x).double().pow(2)
        fvu = error.sum((1, 2)) / (x - x.mean(1, keepdim=True)).double().pow(2).sum((1, 2))
        terms = loss_terms(sae, x, out, "mean")
    torch.testing.assert_close(got["mse"], error.mean((1, 2)))
    torch.testing.assert_close(got["fvu"], fvu)
    torch.testing.assert_close(got["explained_variance"], 1 - fvu)
    torch.testing.assert_close(got["l0"], (out.feats > 0).double().sum(-1).mean(-1))
    torch.testing.assert_close(got["l1"], terms.l1.double(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(got["loss"], got["mse"] + coefs * got["l1"])


def test_firing_counts_are_exact_int64_counts_under_bf16_autocast_too() -> None:
    # 600 tokens: past 256, where a bf16 count would start rounding.
    sae = StackedSAE([0, 1], 8, 16, torch.Generator().manual_seed(2))
    x = torch.randn(2, 600, 8)
    for autocast in (False, True):
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            out = sae(x)
            terms = loss_terms(sae, x, out, "mean")
        assert terms.fired.dtype == torch.int64
        assert torch.equal(terms.fired, (out.feats > 0).sum(dim=1))
        assert int(terms.fired.max()) > 256


@pytest.mark.parametrize("l1_form", ["mean", "decoder_norm_sum"])
@pytest.mark.parametrize("autocast", [False, True])
def test_the_l1_gradient_is_autograds_to_the_bit_without_a_latent_sized_buffer(
    l1_form: str, autocast: bool
) -> None:
    """The L1's gradient reaches the latents as a view broadcast over the batch (stride 0), and
    the weights' gradients equal those of the L1 written with autograd's own mean and bmm."""
    generator = torch.Generator().manual_seed(0)
    sae = StackedSAE([0, 1], 8, 24, generator)
    x = torch.randn(2, 16, 8, generator=generator)

    def grads(l1: Callable[[SAEOutput], torch.Tensor]) -> dict[str, torch.Tensor]:
        sae.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            out = sae(x)
            seen = out.feats.register_hook(lambda grad: strides.append(grad.stride()))
            l1(out).sum().backward()
            seen.remove()
        return {name: p.grad.clone() for name, p in sae.named_parameters() if p.grad is not None}

    strides: list[tuple[int, ...]] = []
    ours = grads(lambda out: loss_terms(sae, x, out, l1_form).l1)
    assert strides[0][1] == 0  # broadcast over the batch

    def by_autograd(out: SAEOutput) -> torch.Tensor:
        if l1_form == "mean":
            return out.feats.mean(dim=(1, 2))
        return torch.bmm(out.feats, sae.W_dec.norm(dim=-1)[:, :, None]).mean(dim=(1, 2))

    reference = grads(by_autograd)
    assert ours.keys() == reference.keys()
    for name, grad in reference.items():
        assert torch.equal(ours[name], grad), name


def test_latents_without_a_penalty_get_no_gradient_buffer() -> None:
    """TopK's loss does not use the latents (its L1 is only reported), so no buffer of zeros is
    made for their gradient: the step's backward starts from the reconstruction's alone."""
    generator = torch.Generator().manual_seed(0)
    sae = StackedSAE([0, 1], 8, 24, generator, activation=Activation("topk", k=4))
    x = torch.randn(2, 16, 8, generator=generator)
    out = sae(x)
    loss = loss_terms(sae, x, out, "mean").loss(torch.zeros(2)).sum()

    shapes: list[tuple[int, ...]] = []

    class ZeroFills(TorchDispatchMode):
        def __torch_dispatch__(
            self, func: Any, types: Any, args: Any = (), kwargs: Any = None
        ) -> Any:
            result = func(*args, **(kwargs or {}))
            if func._schema.name in ("aten::zeros", "aten::zeros_like", "aten::new_zeros"):
                shapes.append(tuple(result.shape))
            return result

    with ZeroFills():
        loss.backward()
    assert tuple(out.feats.shape) not in shapes
    assert sae.W_enc.grad is not None and bool(sae.W_enc.grad.abs().sum() > 0)


@pytest.mark.parametrize(("window_steps", "steps"), [(6, 3), (200, 5), (200, 40), (10, 30)])
def test_the_dead_bound_holds_for_every_step_it_covers(window_steps: int, steps: int) -> None:
    """Random firing, each latent at its own rate (many go quiet): at every point, the bound read
    for the next ``steps`` updates is at least each of those steps' dead count (the dead mask a
    step sees, before its own update), and it is reached when nothing more fires."""
    generator = torch.Generator().manual_seed(window_steps + steps)
    rates = torch.rand(2, 64, generator=generator).pow(6)
    counter = DeadCounter(2, 64, window_steps, torch.device("cpu"))
    for _ in range(3 * window_steps):
        bound = counter.dead_bound(steps)
        future = copy.deepcopy(counter)
        most = 0
        for _ in range(steps):
            mask = future.dead_mask()
            most = max(most, int(mask.sum(-1).max()) if mask is not None else 0)
            future.update(torch.zeros(2, 64, dtype=torch.int64), 8)
        silent = copy.deepcopy(counter)
        for _ in range(steps):
            silent.update(torch.zeros(2, 64, dtype=torch.int64), 8)
        assert most <= bound
        if all(silent.tokens):  # nothing fired since: the last step's dead count is the bound
            assert int(silent.dead_mask().sum(-1).max()) == bound  # type: ignore[union-attr]
        fired = (torch.rand(2, 64, generator=generator) < rates).long() * 3
        counter.update(fired, 8)
