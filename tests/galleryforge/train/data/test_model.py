from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.model import LoadedModel, load_model, residual_streams
from tests.galleryforge.train.helpers import MINILM

CPU = torch.device("cpu")


def _hidden_states(loaded: LoadedModel, ids: torch.Tensor) -> tuple[torch.Tensor, ...]:
    with torch.no_grad():
        return loaded.model(input_ids=ids, output_hidden_states=True).hidden_states


def test_neox_hooks_match_hidden_states_but_the_final_layer_norm(tiny_neox: Path) -> None:
    loaded = load_model(str(tiny_neox), CPU, torch.float32)
    assert loaded.block_path in ("layers", "gpt_neox.layers") and loaded.n_layers == 3
    ids = torch.randint(100, 2000, (2, 9))
    streams = residual_streams(loaded, ids, [0, 1, 2])
    hidden = _hidden_states(loaded, ids)
    assert len(hidden) == 4  # embeddings, then one per block
    for layer in (0, 1):
        torch.testing.assert_close(streams[layer], hidden[layer + 1])
    # The last entry of hidden_states has GPT-NeoX's final LayerNorm applied; the block's does not.
    assert not torch.allclose(streams[2], hidden[3], atol=1e-3)
    # A causal LM loads with its head (for downstream fidelity): the norm is in its base model.
    final_norm = cast(torch.nn.Module, loaded.model.gpt_neox.final_layer_norm)
    torch.testing.assert_close(final_norm(streams[2]), hidden[3])


def test_bert_hooks_match_every_hidden_state() -> None:
    loaded = load_model(MINILM, CPU, torch.float32)
    assert (loaded.block_path, loaded.n_layers, loaded.d_model) == ("encoder.layer", 6, 384)
    ids = torch.randint(1000, 5000, (2, 7))
    streams = residual_streams(loaded, ids, [1, 5])
    hidden = _hidden_states(loaded, ids)
    torch.testing.assert_close(streams[0], hidden[2])
    torch.testing.assert_close(streams[1], hidden[6])


def test_a_model_that_cannot_be_loaded_names_the_offline_alternative(tmp_path: Path) -> None:
    with pytest.raises(GalleryforgeError, match=r"cannot load model .*A-small"):
        load_model("no-such-org/no-such-model-" + tmp_path.name, CPU, torch.float32)


def test_missing_package_model_says_what_to_install() -> None:
    with pytest.raises(GalleryforgeError, match="pip install no-such-package"):
        load_model("pip:no_such_package", CPU, torch.float32)
