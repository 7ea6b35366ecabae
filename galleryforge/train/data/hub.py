"""Whether the Hugging Face Hub can serve a model or dataset, asked before loading one.

Offline, huggingface_hub retries for about a minute before it gives up. A connect probe with a
short timeout, or an offline setting (``HF_HUB_OFFLINE``, ``TRANSFORMERS_OFFLINE``,
``HF_DATASETS_OFFLINE``), answers within seconds; a model already in the local cache still loads.
"""

from __future__ import annotations

import os
import socket
import threading
from urllib.parse import urlsplit

from galleryforge.errors import GalleryforgeError

PROBE_TIMEOUT_S = 3.0
OFFLINE_SETTINGS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")


def offline_setting() -> str | None:
    """The first offline variable that is on (``1``, ``true``, ``yes``, ``on``), if any."""
    for name in OFFLINE_SETTINGS:
        if os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on"):
            return name
    return None


def hub_address() -> tuple[str, int]:
    """Where a connection to the Hub goes first: the HTTPS proxy if one is set, else the Hub."""
    proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
    url = urlsplit(proxy or os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    return url.hostname or "huggingface.co", url.port or (443 if url.scheme == "https" else 80)


def hub_reachable(timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """Whether a TCP connection to ``hub_address()`` opens within ``timeout_s`` (name lookup
    included: the probe runs in a thread that is abandoned when the time is up)."""
    opened: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection(hub_address(), timeout=timeout_s).close()
            opened.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout_s)
    return bool(opened)


def unreachable_reason() -> str | None:
    """Why the Hub cannot be used now (an offline setting, or no answer), or None if it can."""
    setting = offline_setting()
    if setting is not None:
        return f"{setting} is set"
    if not hub_reachable():
        host, port = hub_address()
        return f"no connection to {host}:{port} within {PROBE_TIMEOUT_S:g} s"
    return None


def cached_model(repo_id: str) -> bool:
    """Whether the local Hugging Face cache holds ``repo_id``'s ``config.json``."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except ValueError:  # not a valid repo id: nothing of it is cached
        return False


def model_cache_only(repo_id: str, offline_hint: str) -> bool:
    """Whether model ``repo_id`` must load from the local cache alone (the Hub cannot be used and
    the cache holds it); raise a one-line error when the Hub cannot be used and it is not cached."""
    reason = unreachable_reason()
    if reason is None:
        return False
    if cached_model(repo_id):
        return True
    raise GalleryforgeError(
        f"cannot load model {repo_id!r}: {reason} and it is not in the local cache{offline_hint}"
    )


def require_hub(what: str, offline_hint: str) -> None:
    """Raise a one-line error naming ``what`` when the Hub cannot be used now."""
    reason = unreachable_reason()
    if reason is not None:
        raise GalleryforgeError(f"cannot {what}: {reason}{offline_hint}")
