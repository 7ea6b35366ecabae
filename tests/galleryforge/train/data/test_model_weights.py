"""The random-weights control: a re-initialised model, seeded, with or without its embeddings.

Checked on all-MiniLM-L6-v2 (real trained weights) against BERT's initialisation as its config
states it: every Linear and Embedding weight normal(0, initializer_range), biases 0, LayerNorms
weight 1 and bias 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.model import LoadedModel, load_model, resolve_model_path
from galleryforge.train.training.session import source_groups
from tests.galleryforge.train.helpers import MINILM, build_trial_cfg

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def trained() -> LoadedModel:
    return load_model(MINILM, CPU, torch.float32)


@pytest.fixture(scope="module")
def initializer_range() -> float:
    config = json.loads((Path(resolve_model_path(MINILM)) / "config.json").read_text())
    return float(config.get("initializer_range", 0.02))


def assert_bert_initialisation(module: nn.Module, std: float) -> None:
    """Every weight as BERT's initialisation draws it, checked parameter by parameter."""
    checked = 0
    for name, sub in module.named_modules():
        if isinstance(sub, nn.Linear | nn.Embedding):
            weight = sub.weight.detach()
            if isinstance(sub, nn.Embedding) and sub.padding_idx is not None:
                weight = torch.cat([weight[: sub.padding_idx], weight[sub.padding_idx + 1 :]])
            # n ≥ 1,000 normal draws: the sample std is within 10% of σ with room to spare.
            assert abs(float(weight.std()) - std) < 0.1 * std, name
            assert abs(float(weight.mean())) < 0.1 * std, name
            if isinstance(sub, nn.Linear) and sub.bias is not None:
                assert torch.count_nonzero(sub.bias) == 0, name
            checked += 1
        elif isinstance(sub, nn.LayerNorm):
            assert torch.all(sub.weight == 1) and torch.all(sub.bias == 0), name
            checked += 1
    assert checked > 0


def test_random_weights_are_bert_initialisation_not_the_trained_ones(
    trained: LoadedModel, initializer_range: float
) -> None:
    control = load_model(MINILM, CPU, torch.float32, "random", 0)
    assert_bert_initialisation(control.model, initializer_range)
    ours = dict(trained.model.named_parameters())
    for name, param in control.model.named_parameters():
        if param.dim() > 1:  # a matrix (MiniLM's unused pooler keeps zero biases, as drawn)
            assert not torch.equal(param, ours[name]), name
    # The trained model is not at its initialisation: its LayerNorms have moved off (1, 0).
    layer_norm = trained.blocks[0].output.LayerNorm  # type: ignore[union-attr]
    assert not torch.all(layer_norm.weight == 1)


def test_the_seed_fixes_the_weights() -> None:
    first = load_model(MINILM, CPU, torch.float32, "random", 3)
    again = load_model(MINILM, CPU, torch.float32, "random", 3)
    other = load_model(MINILM, CPU, torch.float32, "random", 4)
    state, same, different = (m.model.state_dict() for m in (first, again, other))
    assert all(torch.equal(state[key], same[key]) for key in state)
    weight = "encoder.layer.0.attention.self.query.weight"
    assert not torch.equal(state[weight], different[weight])
    # Drawing the control leaves the caller's random stream where it was.
    torch.manual_seed(11)
    expected = torch.rand(3)
    torch.manual_seed(11)
    load_model(MINILM, CPU, torch.float32, "random", 3)
    assert torch.equal(torch.rand(3), expected)


def test_random_blocks_keep_the_embeddings_bit_for_bit(
    trained: LoadedModel, initializer_range: float
) -> None:
    control = load_model(MINILM, CPU, torch.float32, "random_blocks", 0)
    kept = trained.model.state_dict()
    for name, value in control.model.state_dict().items():
        if name.startswith("encoder.layer."):
            continue
        assert torch.equal(value, kept[name]), name  # embeddings, their LayerNorm, the pooler
    assert any(n.startswith("embeddings.word_embeddings") for n in kept)
    for block, ours in zip(control.blocks, trained.blocks, strict=True):
        assert_bert_initialisation(block, initializer_range)
        query = "attention.self.query.weight"
        assert not torch.equal(block.state_dict()[query], ours.state_dict()[query])


def test_bad_weights_are_refused_with_the_field() -> None:
    with pytest.raises(GalleryforgeError, match="config 'model_weights' = 'randm'"):
        build_trial_cfg(model_weights="randm")
    with pytest.raises(GalleryforgeError, match="config 'model_weights_seed' = -1"):
        build_trial_cfg(model_weights="random", model_weights_seed=-1)


def test_a_trial_and_its_controls_train_one_forward_pass_each() -> None:
    base = build_trial_cfg(name="B")
    random = build_trial_cfg(name="B-random", model_weights="random")
    blocks = build_trial_cfg(name="B-blocks", model_weights="random_blocks")
    other_seed = build_trial_cfg(name="B-random-1", model_weights="random", model_weights_seed=1)
    also_trained = build_trial_cfg(name="A", l1_coef=1.0)
    groups = source_groups([base, random, blocks, also_trained, other_seed])
    assert [[c.name for c in g] for g in groups] == [
        ["B", "A"],
        ["B-random"],
        ["B-blocks"],
        ["B-random-1"],
    ]
