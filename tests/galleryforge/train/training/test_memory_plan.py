"""The memory plan against tracked peaks of a real run on the CPU, and at full scale against the
arithmetic a user would do: three trials' trainable state alone, the H100's 80 GB."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

import galleryforge.train.training.milestone as milestone
from galleryforge.cli.main import main
from galleryforge.train.data.model import load_model
from galleryforge.train.training.memory_plan import (
    GIB,
    KNOWN_MODELS,
    ModelShape,
    model_shape,
    plan_memory,
    shape_of,
    threshold_estimate,
)
from galleryforge.train.training.presets import load_trials
from galleryforge.train.training.sae import Activation, StackedSAE
from galleryforge.train.training.session import train_trials
from tests.galleryforge.train.helpers import build_trio
from tests.galleryforge.train.memory_tracking import OTHER, in_phase, tracked

PHASES = {
    "milestone evaluation": "heldout_metrics",
    "checkpoint write": "save_checkpoint",
    "final measurement": "measure_final_checkpoints",
}
CUDA = torch.device("cuda")
H100 = 80e9  # bytes: "80 GB"


@pytest.mark.slow
@pytest.mark.parametrize("width", [1024, 128])
def test_each_phase_is_predicted_within_ten_percent_of_its_tracked_peak(
    tiny_neox: Path,
    text_corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    width: int,
) -> None:
    """Trials A and B (both L1 forms) on a tiny GPT-NeoX, every allocation tracked from before
    the model loads. Wide SAEs put the final measurement's peak in its per-latent statistics
    and logit effects, narrow ones in its fidelity passes' log-probabilities."""
    for phase, function in PHASES.items():
        monkeypatch.setattr(milestone, function, in_phase(phase, getattr(milestone, function)))
    configs = build_trio(
        model=str(tiny_neox),
        dataset=str(text_corpus),
        model_weights="random",  # allocated by torch, not mapped from the weights file
        width=width,
        batch_tokens=256,
        tokens=1024,
        buffer_tokens=1024,
        heldout_tokens=256,
        checkpoint_every=512,
    )[:2]
    with tracked(tuple(PHASES)) as measured:
        train_trials(configs, tmp_path, device="cpu")
    model = load_model(str(tiny_neox), torch.device("cpu"), torch.float32).model
    plan = plan_memory(configs, shape_of(model), torch.device("cpu"))
    predicted = {peak.phase: peak.predicted for peak in plan.phases}
    measured.peaks["training steps"] = measured.peaks.pop(OTHER)
    for phase, peak in measured.peaks.items():
        assert predicted[phase] == pytest.approx(peak, rel=0.10), phase


@pytest.mark.parametrize(
    ("name", "d_model", "n_layers", "heads"),
    [
        ("EleutherAI/pythia-410m", 1024, 24, 16),
        ("EleutherAI/pythia-1.4b", 2048, 24, 16),
        ("EleutherAI/pythia-2.8b", 2560, 32, 32),
    ],
)
def test_known_model_shapes_are_their_configs(
    name: str, d_model: int, n_layers: int, heads: int
) -> None:
    """The table that lets a plan run offline holds what the published configs build (counted
    on the meta device: no weights, no download)."""
    config = GPTNeoXConfig(
        vocab_size=50_304,
        hidden_size=d_model,
        num_hidden_layers=n_layers,
        num_attention_heads=heads,
        intermediate_size=4 * d_model,
        tie_word_embeddings=False,
    )
    with torch.device("meta"):
        built = GPTNeoXForCausalLM(config)
    assert shape_of(built) == KNOWN_MODELS[name] == model_shape(name)


def test_trials_a_b_c_together_are_refused_on_an_80_gb_gpu() -> None:
    configs = [cfg for name in "ABC" for cfg in load_trials(name)]
    plan = plan_memory(configs, model_shape("EleutherAI/pythia-410m"), CUDA, int(H100))
    steps = next(p for p in plan.phases if p.phase == "training steps")
    # Their trainable state alone (fp32 weights, gradients, Adam's two moments of 24 SAEs of
    # 2·1024·32,768 + 32,768 + 1024 parameters each) is 77.3 GB; the step adds its latents.
    trainable = 3 * 4 * 24 * (2 * 1024 * 32_768 + 32_768 + 1024) * 4
    assert trainable == pytest.approx(77.3e9, rel=1e-3)
    assert steps.predicted > trainable + 3 * 24 * 4000 * 32_768 * 2
    refusal = plan.refusal()
    assert refusal is not None and "\n" not in refusal
    assert "training steps of A+B+C" in refusal and f"{steps.predicted / GIB:.1f} GiB" in refusal
    assert "74.5 GiB available" in refusal and "one trial per GPU" in refusal


def test_trial_a_fits_an_80_gb_gpu_and_its_final_measurement_fits_easily() -> None:
    configs = load_trials("A")
    plan = plan_memory(configs, model_shape("EleutherAI/pythia-410m"), CUDA, int(H100))
    assert plan.refusal() is None
    final = next(p for p in plan.phases if p.phase == "final measurement")
    # At least the model in bf16 and fp32 and the 24 SAEs read back in fp32; far below the
    # 33 GB of weights and Adam states it once started beside.
    floor = 405_334_016 * (2 + 4) + 24 * (2 * 1024 * 32_768 + 32_768 + 1024) * 4
    assert floor < final.predicted < H100 / 2


def test_plan_prints_every_phase_and_trains_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["train", "--preset", "A,B,C", "--plan", "--device", "cuda", "--device-gib", "79"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for phase in ("training steps", "milestone evaluation", "checkpoint write"):
        assert phase in out
    assert "final measurement" in out and "79.00 GiB" in out and "DOES NOT FIT" in out
    assert list(tmp_path.iterdir()) == []


def test_a_run_that_cannot_fit_stops_with_one_line_and_writes_nothing(
    tiny_neox: Path, text_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preset = tmp_path / "tiny.toml"
    cfg = build_trio(model=str(tiny_neox), dataset=str(text_corpus))[0]
    fields = ("model", "dataset", "context_size", "model_batch", "tokens", "batch_tokens")
    fields += ("buffer_tokens", "heldout_tokens", "latent_tokens", "checkpoint_every", "width")
    preset.write_text("".join(f"{f} = {getattr(cfg, f)!r}\n" for f in fields).replace("'", '"'))
    out = tmp_path / "runs"
    args = ["--out", str(out), "--device", "cpu", "--device-gib", "0.001", "--quiet"]
    code = main(["train", "--preset", str(preset), *args])
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert "memory plan: the training steps of tiny peak at" in lines[0]
    assert "more than the 0.0 GiB available on cpu" in lines[0]
    assert not out.exists() or list(out.rglob("*")) == []


def test_an_encoder_has_no_logits_to_plan_for() -> None:
    """A sentence encoder's final measurement pools its output: no vocabulary-sized terms."""
    cfg = replace(load_trials("A")[0], model="encoder")
    lm = ModelShape(1024, 24, 50_304, 405_334_016)
    encoder = replace(lm, vocab=0)
    final = {s.phase: s.predicted for s in plan_memory([cfg], encoder, CUDA).phases}
    with_head = {s.phase: s.predicted for s in plan_memory([cfg], lm, CUDA).phases}
    assert final["final measurement"] < with_head["final measurement"]
    assert final["training steps"] == with_head["training steps"]


@pytest.mark.parametrize(("tokens", "k"), [(4096, 16), (1536, 200), (512, 4)])
def test_batchtopks_threshold_estimate_is_predicted_within_ten_percent(tokens: int, k: int) -> None:
    """What the inference threshold allocates, tracked, against the plan's term for it: the
    largest k·tokens pre-activations kept while each chunk's are merged in (full scale: 0.2 GiB
    kept and 3 GiB a chunk, where holding them all was 48 GiB, twice)."""
    sae = StackedSAE([0, 1, 2], 32, 2048, seed=0, activation=Activation("batchtopk", k))
    x = torch.randn(3, tokens, 32, generator=torch.Generator().manual_seed(0))
    with tracked(()) as measured:
        sae.estimate_threshold(x)
    predicted = threshold_estimate(3, tokens, 2048, k)
    assert predicted == pytest.approx(measured.peaks[OTHER], rel=0.10)
