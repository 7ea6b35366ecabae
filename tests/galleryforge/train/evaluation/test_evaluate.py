"""``galleryforge evaluate`` end to end on a tiny random GPT-NeoX and SAELens-layout folders."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import torch

from galleryforge.cli.main import main
from galleryforge.tables import load_trial_tables, read_examples, read_features, read_logits
from galleryforge.train.data.eval_text import corpus_text
from galleryforge.train.data.model import load_model
from galleryforge.train.evaluation.logit_effects import TOP_TOKENS, logit_rows, readout
from galleryforge.train.evaluation.saelens import load_saes
from tests.galleryforge.train.evaluation.saelens_files import random_weights, write_sae

WIDTH = 24
LATENT_TOKENS = 300  # the per-latent tables' own text, longer than the 200 measured


def _checkpoints(root: Path, model: Path, layout: str) -> Path:
    for layer in range(3):
        write_sae(
            root / f"layer_{layer}",
            random_weights(32, WIDTH, seed=layer),
            f"blocks.{layer}.hook_resid_post",
            str(model),
            layout=layout,
        )
    return root


def _evaluate(checkpoints: Path, corpus: Path, out: Path, *extra: str) -> int:
    return main(
        [
            "evaluate",
            "--checkpoints",
            str(checkpoints),
            "--corpus",
            str(corpus),
            "--tokens",
            "200",
            "--latent-tokens",
            str(LATENT_TOKENS),
            "--context-size",
            "16",
            "--batch",
            "4",
            "--top-n",
            "3",
            "--out",
            str(out),
            "--device",
            "cpu",
            "--quiet",
            *extra,
        ]
    )


@pytest.fixture(scope="module")
def neox_run(tiny_neox: Path, text_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("neox-eval")
    checkpoints = _checkpoints(root / "v6", tiny_neox, "v6")
    assert _evaluate(checkpoints, text_corpus, root / "neox") == 0
    return root / "neox"


def test_neox_tables_hold_the_downstream_metrics(neox_run: Path) -> None:
    tables = load_trial_tables(neox_run)
    final = tables.final
    assert list(final["layer"]) == [0, 1, 2] and set(final["width"]) == {WIDTH}
    for row in final.itertuples():
        assert row.ce_loss_score == pytest.approx(
            (row.ce_ablated - row.ce_spliced) / (row.ce_ablated - row.ce_clean)
        )
        assert row.kl_div >= 0 and row.l2_ratio > 0 and -1 <= row.cosine_similarity <= 1
    assert final["ce_clean"].nunique() == 1  # one clean pass for every layer
    assert tables.config["source"] == "galleryforge evaluate"
    assert tables.provenance["evaluation_tokens"] == 200
    assert tables.provenance["latent_tokens"] == LATENT_TOKENS
    features = read_features(neox_run / "tables" / "features.parquet")
    assert set(features["latent_tokens"]) == {LATENT_TOKENS}


def test_flat_and_v6_layouts_give_the_same_tables(
    neox_run: Path, tiny_neox: Path, text_corpus: Path, tmp_path: Path
) -> None:
    checkpoints = _checkpoints(tmp_path / "flat", tiny_neox, "flat")
    assert _evaluate(checkpoints, text_corpus, tmp_path / "neox") == 0
    for name in ("layers", "features", "examples", "logits"):
        v6 = pd.read_parquet(neox_run / "tables" / f"{name}.parquet")
        flat = pd.read_parquet(tmp_path / "neox" / "tables" / f"{name}.parquet")
        pd.testing.assert_frame_equal(v6, flat)


def test_top_contexts_match_a_direct_recomputation(
    neox_run: Path, tiny_neox: Path, text_corpus: Path
) -> None:
    """Activations recomputed with output_hidden_states and the ReLU formula, no hooks."""
    loaded = load_model(str(tiny_neox), torch.device("cpu"), torch.float32)
    text = corpus_text(str(text_corpus), loaded.tokenizer, 16, LATENT_TOKENS, 4)
    found = []  # (activation, context, position) per layer and latent
    for batch in text.batches:
        hidden = loaded.model(input_ids=batch.ids, output_hidden_states=True).hidden_states
        for layer in range(2):  # blocks 0 and 1: hidden_states[i + 1] has no final norm
            w = random_weights(32, WIDTH, seed=layer)
            feats = torch.relu((hidden[layer + 1] - w["b_dec"]) @ w["W_enc"] + w["b_enc"])
            for c, p in batch.counted.nonzero().tolist():
                found.append((layer, batch.first_context + c, p, feats[c, p].tolist()))
    features = read_features(neox_run / "tables" / "features.parquet")
    examples = read_examples(neox_run / "tables" / "examples.parquet")
    for layer in range(2):
        rows = [f for f in found if f[0] == layer]
        for latent in (0, 5, 11):
            ranked = sorted(((r[3][latent], r[1], r[2]) for r in rows), reverse=True)[:3]
            ranked = [r for r in ranked if r[0] > 0]
            top = examples[
                (examples.layer == layer) & (examples.latent == latent) & (examples.kind == "top")
            ].sort_values("rank")
            assert top["activation"].tolist() == pytest.approx([r[0] for r in ranked], rel=1e-5)
            assert list(zip(top.context, top.position, strict=True)) == [r[1:] for r in ranked]
            for example in top.itertuples():
                assert example.token_activations[example.focus] == pytest.approx(
                    example.activation, rel=1e-6
                )
            stats = features[(features.layer == layer) & (features.latent == latent)].iloc[0]
            fired = [r[3][latent] for r in rows if r[3][latent] > 0]
            assert stats.fired_tokens == len(fired)
            assert stats.frequency == pytest.approx(len(fired) / len(rows))
            assert stats.max_activation == pytest.approx(max(fired, default=0.0), rel=1e-5)
            assert stats.mean_activation == pytest.approx(
                sum(fired) / len(fired) if fired else 0.0, rel=1e-5
            )
    assert math.isclose(len(found) / 2, LATENT_TOKENS)


def test_spliced_and_ablated_losses_match_a_direct_splice(
    neox_run: Path, tiny_neox: Path, text_corpus: Path
) -> None:
    """The model run whole with Hugging Face's own forward hook (no galleryforge hooks, every block
    computed): layer 1's reconstruction written over the ordinary tokens, or zeros everywhere; the
    mean next-token cross-entropy where the position and its target are ordinary. The table's
    passes replay the blocks before the hook and must give the same numbers."""
    loaded = load_model(str(tiny_neox), torch.device("cpu"), torch.float32)
    text = corpus_text(str(text_corpus), loaded.tokenizer, 16, 200, 4)
    w = random_weights(32, WIDTH, seed=1)
    block = loaded.model.gpt_neox.layers[1]
    totals = {"spliced": 0.0, "ablated": 0.0}
    count = 0
    for batch in text.batches:
        ordinary = batch.ordinary
        counted = torch.zeros_like(ordinary)
        counted[:, :-1] = ordinary[:, :-1] & ordinary[:, 1:]
        targets = batch.ids[:, 1:][counted[:, :-1]]
        count += len(targets)
        for name in totals:

            def edit(
                _m: object,
                _i: object,
                out: object,
                name: str = name,
                ordinary: torch.Tensor = ordinary,
            ) -> object:
                hidden = out[0] if isinstance(out, tuple) else out
                if name == "ablated":
                    new = torch.zeros_like(hidden)
                else:
                    feats = torch.relu((hidden - w["b_dec"]) @ w["W_enc"] + w["b_enc"])
                    recon = feats @ w["W_dec"] + w["b_dec"]
                    new = torch.where(ordinary[..., None], recon, hidden)
                return (new, *out[1:]) if isinstance(out, tuple) else new

            handle = block.register_forward_hook(edit)
            try:
                logits = loaded.model(input_ids=batch.ids).logits
            finally:
                handle.remove()
            log_probs = torch.log_softmax(logits[counted].double(), dim=-1)
            totals[name] += float(-log_probs.gather(1, targets[:, None]).sum())
    row = load_trial_tables(neox_run).final.set_index("layer").loc[1]
    assert row.ce_spliced == pytest.approx(totals["spliced"] / count, rel=1e-5)
    assert row.ce_ablated == pytest.approx(totals["ablated"] / count, rel=1e-5)


def _by_hand_effects(model: torch.nn.Module, w_dec: torch.Tensor) -> torch.Tensor:
    """[d_sae, vocab]: each decoder row centred over d_model and scaled by the final LayerNorm's
    γ (its linear part), times W_U, then centred over the vocabulary."""
    gamma = model.gpt_neox.final_layer_norm.weight  # type: ignore[union-attr]
    w_u = model.lm_head.weight  # type: ignore[union-attr]  # [vocab, d_model]
    normed = (w_dec - w_dec.mean(dim=1, keepdim=True)) * gamma
    logits = torch.einsum("sd,vd->sv", normed.double(), w_u.double())
    return logits - logits.mean(dim=1, keepdim=True)


def _assert_top_effects(table: pd.DataFrame, layer: int, by_hand: torch.Tensor) -> None:
    for latent in range(len(by_hand)):
        for sign, largest in (("positive", True), ("negative", False)):
            rows = table[
                (table.layer == layer) & (table.latent == latent) & (table.sign == sign)
            ].sort_values("rank")
            best = by_hand[latent].topk(TOP_TOKENS, largest=largest)
            assert rows["token_id"].tolist() == best.indices.tolist()
            assert rows["effect"].to_numpy() == pytest.approx(best.values.numpy(), abs=1e-5)


def test_logit_effects_are_the_decoder_rows_through_the_unembedding(
    neox_run: Path, tiny_neox: Path
) -> None:
    loaded = load_model(str(tiny_neox), torch.device("cpu"), torch.float32)
    table = read_logits(neox_run / "tables" / "logits.parquet")
    assert len(table) == 3 * WIDTH * 2 * TOP_TOKENS
    for layer in range(3):
        w_dec = random_weights(32, WIDTH, seed=layer)["W_dec"]
        _assert_top_effects(table, layer, _by_hand_effects(loaded.model, w_dec))
    spelled = loaded.tokenizer.convert_ids_to_tokens(table["token_id"].tolist())
    assert table["token"].tolist() == spelled
    positive = table[table.sign == "positive"]["effect"]
    assert (positive > 0).all() and (table[table.sign == "negative"]["effect"] < 0).all()


def test_logit_effects_fold_in_the_final_norms_scale_not_its_bias(
    tiny_neox: Path, tmp_path: Path
) -> None:
    """A final LayerNorm with a random γ and β (the saved model's are 1 and 0)."""
    loaded = load_model(str(tiny_neox), torch.device("cpu"), torch.float32)
    norm = loaded.model.gpt_neox.final_layer_norm  # type: ignore[union-attr]
    generator = torch.Generator().manual_seed(5)
    norm.weight.copy_(torch.randn(32, generator=generator))
    norm.bias.copy_(torch.randn(32, generator=generator))
    saes = load_saes(_checkpoints(tmp_path, tiny_neox, "v6"))
    matrix = readout(loaded)
    assert matrix is not None
    table = logit_rows("t", [0, 1, 2], saes, matrix, loaded.tokenizer)
    for layer in range(3):
        w_dec = random_weights(32, WIDTH, seed=layer)["W_dec"]
        _assert_top_effects(table, layer, _by_hand_effects(loaded.model, w_dec))


def test_bin_examples_are_tokens_of_the_text_within_their_bins(
    neox_run: Path, tiny_neox: Path, text_corpus: Path
) -> None:
    """Activations recomputed by hand (as for the top contexts); bins by hand from the max."""
    loaded = load_model(str(tiny_neox), torch.device("cpu"), torch.float32)
    text = corpus_text(str(text_corpus), loaded.tokenizer, 16, LATENT_TOKENS, 4)
    acts: dict[tuple[int, int, int], torch.Tensor] = {}  # (layer, context, position) → latents
    for batch in text.batches:
        hidden = loaded.model(input_ids=batch.ids, output_hidden_states=True).hidden_states
        for layer in range(2):
            w = random_weights(32, WIDTH, seed=layer)
            feats = torch.relu((hidden[layer + 1] - w["b_dec"]) @ w["W_enc"] + w["b_enc"])
            for c, p in batch.counted.nonzero().tolist():
                acts[layer, batch.first_context + c, p] = feats[c, p]
    examples = read_examples(neox_run / "tables" / "examples.parquet")
    binned = examples[examples.kind == "bin"]
    for layer in range(2):
        every = torch.stack([a for key, a in acts.items() if key[0] == layer])  # [tokens, d_sae]
        for latent in range(WIDTH):
            values = every[:, latent]
            values = values[values > 0].double()
            rows = binned[(binned.layer == layer) & (binned.latent == latent)]
            if len(values) == 0:
                assert rows.empty
                continue
            top = float(values.max())
            width = 2.0 ** math.ceil(math.log2(top)) / 8
            index = torch.ceil(values / width) - 1
            in_bin = {int(j): int((index == j).sum()) for j in index.unique()}
            # Every bin it fired in has min(3, its tokens) examples, and no other bin has any.
            got = rows.groupby("bin_low").size()
            assert {round(low / width): n for low, n in got.items()} == {
                j: min(3, n) for j, n in in_bin.items()
            }
            for row in rows.itertuples():
                j = round(row.bin_low / width)
                assert row.bin_low == j * width
                assert row.bin_high == pytest.approx(min((j + 1) * width, top), rel=1e-6)
                assert row.bin_low < row.activation <= row.bin_high
                own = float(acts[layer, row.context, row.position][latent])
                assert row.activation == pytest.approx(own, rel=1e-5)
