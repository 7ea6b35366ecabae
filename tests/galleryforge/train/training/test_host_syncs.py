"""A training step outside the logged steps never waits for the device.

On CUDA the host queues work ahead of the GPU; anything that reads a value back (``.item()``,
``float()``, ``bool()`` of a tensor, ``.tolist()``, a data-dependent shape such as ``nonzero``)
makes it wait for every kernel before it. On the CPU the same calls show as the operators below,
so counting them in a few steps of each architecture (and of the controller) finds such a wait
before a GPU does. The CUDA variant uses CUDA's own detector.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.presets import load_preset
from galleryforge.train.training.sae import Activation, StackedSAE
from galleryforge.train.training.trainer import Trainer
from galleryforge.train.training.trial import TrialState, trial_state

READS_BACK = {
    "aten::_local_scalar_dense",  # .item(), float(), int(), bool() of a tensor
    "aten::item",
    "aten::is_nonzero",
    "aten::nonzero",  # and boolean indexing, which calls it
    "aten::masked_select",
    "aten::_unique2",
    "aten::unique_consecutive",
    "aten::unique_dim",
}
LAYERS, D, WIDTH, BATCH, STEPS = 2, 16, 64, 32, 6


class SyncCounter(TorchDispatchMode):
    """Records every operator that reads a tensor's value back to the host, every copy from one
    device to another, and ``.tolist()``/``.numpy()`` (they read the data without an operator)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._methods = {name: getattr(torch.Tensor, name) for name in ("tolist", "numpy")}

    def __enter__(self) -> SyncCounter:
        for name, method in self._methods.items():
            setattr(torch.Tensor, name, self._flagged(name, method))
        return super().__enter__()  # type: ignore[no-any-return]

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        for name, method in self._methods.items():
            setattr(torch.Tensor, name, method)

    def _flagged(self, name: str, method: Any) -> Any:
        def flagged(tensor: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
            self.found.append(f"Tensor.{name}")
            return method(tensor, *args, **kwargs)

        return flagged

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        name = func._schema.name
        if name in READS_BACK:
            self.found.append(name)
        elif name in ("aten::index", "aten::index_put", "aten::index_put_") and any(
            index is not None and index.dtype == torch.bool for index in args[1]
        ):
            self.found.append(f"{name} by a mask")  # a mask's positions: nonzero on CUDA
        elif name in ("aten::_to_copy", "aten::copy_"):
            devices = {a.device for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)}
            if kwargs.get("device") is not None:
                devices.add(torch.device(kwargs["device"]))
            if len(devices) > 1:
                self.found.append(f"{name} {sorted(map(str, devices))}")
        return func(*args, **kwargs)


class Enough(Exception):
    """Ends ``Trainer.fit`` after the steps counted."""


def step_configs() -> dict[str, TrialConfig]:
    """One config per step kind, none of whose first ``STEPS`` steps is logged or checkpointed,
    the L1 ramp over (the controller moves from the first step)."""
    small = [f"width={WIDTH}", f"batch_tokens={BATCH}", f"tokens={1000 * BATCH}"]
    small += ["log_every=100", "l1_warmup_tokens=0", f"dead_window_tokens={1000 * BATCH}"]
    names = {
        "relu": "A-small",
        "controller": "C-small",
        "topk": "topk-small",
        "batchtopk": "batchtopk-small",
        "jumprelu": "jumprelu-small",
    }
    configs = {kind: load_preset(name, small) for kind, name in names.items()}
    configs["topk"] = replace(configs["topk"], k=8)
    configs["batchtopk"] = replace(configs["batchtopk"], k=8)
    # A window of two steps and more latents than two batches fire: aux-k runs, on dead
    # latents, in every counted step after the first two.
    for kind in ("topk", "batchtopk"):
        aux = replace(configs[kind], dead_window_tokens=2 * BATCH, width=8 * WIDTH)
        configs[f"{kind}-aux"] = aux
    return configs


def sae_for(cfg: TrialConfig, device: torch.device) -> StackedSAE:
    scale = math.sqrt(D)  # as training sets JumpReLU's scale (session._new_trial)
    rule = Activation(cfg.architecture, cfg.k, cfg.bandwidth * scale, cfg.threshold_init * scale)
    sae = StackedSAE(list(range(LAYERS)), D, cfg.width, seed=0, activation=rule)
    return sae.to(device)


def counted_steps(
    cfg: TrialConfig, device: torch.device, counter: Callable[[], AbstractContextManager[Any]]
) -> TrialState:
    """``STEPS`` steps of ``Trainer.fit``, all but the first (the optimizer's set-up) inside the
    context ``counter`` returns."""
    trial = trial_state(cfg, Path("unused"), sae_for(cfg, device), torch.zeros(LAYERS, D))
    generator = torch.Generator().manual_seed(1)
    pool = [torch.randn(LAYERS, BATCH, D, generator=generator).to(device) for _ in range(3)]

    def batches() -> Iterator[torch.Tensor]:
        yield pool[0]
        with counter():
            for step in range(1, STEPS):
                yield pool[step % len(pool)]
            yield pool[0]  # fit asks for this one once the last counted step is done
        raise Enough

    with pytest.raises(Enough):
        Trainer([trial], lambda *_: None).fit(batches())
    assert all(torch.isfinite(p).all() for p in trial.sae.parameters())
    return trial


KINDS = ["relu", "controller", "topk", "batchtopk", "jumprelu", "topk-aux", "batchtopk-aux"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_step_reads_nothing_back_from_the_device(kind: str) -> None:
    counter = SyncCounter()
    trial = counted_steps(step_configs()[kind], torch.device("cpu"), lambda: counter)
    assert counter.found == []
    if kind.endswith("-aux"):  # the aux-k loss ran, on dead latents
        dead = trial.dead.dead_mask()
        assert dead is not None and int(dead.sum()) > 0


def test_the_counter_sees_what_a_logged_step_reads_back() -> None:
    """The detector itself: the reads a logged step makes (its curve rows) are caught."""
    counter = SyncCounter()
    values = torch.arange(3.0)
    with counter:
        float(values.mean())
        values[values > 0].sum()
        values.nonzero()
        values.tolist()
    assert counter.found == [
        "aten::_local_scalar_dense",
        "aten::index by a mask",
        "aten::nonzero",
        "Tensor.tolist",
    ]


@pytest.mark.cuda
@pytest.mark.parametrize("kind", KINDS)
def test_a_cuda_step_never_synchronises(kind: str) -> None:
    """CUDA's own detector: a synchronising call inside the counted steps raises."""

    class Strict:
        def __enter__(self) -> None:
            torch.cuda.set_sync_debug_mode("error")

        def __exit__(self, *exc: object) -> None:
            torch.cuda.set_sync_debug_mode("default")

    counted_steps(step_configs()[kind], torch.device("cuda"), Strict)
