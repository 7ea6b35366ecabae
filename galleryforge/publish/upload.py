"""Send a staged folder to the Hugging Face Hub with ``huggingface_hub``.

The token is whatever ``huggingface_hub`` finds (``HF_TOKEN``, or ``hf auth login``); this module
never reads it except to blank it out of error messages. Failures become one line that says what
to do: uploads resume, so running the same command again continues where it stopped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from galleryforge.errors import GalleryforgeError

HUB_URL = "https://huggingface.co"
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")
# Hub tokens, in case a library echoes one in an exception (request headers, URLs).
_TOKEN_PATTERN = re.compile(r"hf_[A-Za-z0-9]{8,}")
LOGIN_HINT = "log in with `hf auth login` or set HF_TOKEN"


def check_repo_id(repo_id: str) -> str:
    if not _REPO_ID.match(repo_id) or "--" in repo_id or ".." in repo_id:
        raise GalleryforgeError(f"--repo {repo_id!r}: expected OWNER/NAME, e.g. my-lab/sae-trial-b")
    return repo_id


def upload_staged(folder: Path, repo_id: str, private: bool = False) -> str:
    """Create the model repo if needed, upload ``folder`` to its root; return the repo's URL."""
    from huggingface_hub import HfApi

    check_repo_id(repo_id)
    api = HfApi()
    try:
        api.create_repo(repo_id, repo_type="model", private=private, exist_ok=True)
        _upload_folder(api, folder, repo_id, private)
    except Exception as error:  # network, HTTP, auth and xet errors share no base class
        # ``from None``: the original exception may carry request headers, and so the token.
        raise upload_error(error, repo_id) from None
    return f"{HUB_URL}/{repo_id}"


def _upload_folder(api: Any, folder: Path, repo_id: str, private: bool) -> None:
    """``upload_large_folder`` (resumable, retried, many commits) where the library has it.

    huggingface_hub 2.x folded that behaviour into ``upload_folder`` (streamed, multi-commit,
    resumable by running it again) and dropped ``upload_large_folder``.
    """
    if hasattr(api, "upload_large_folder"):
        api.upload_large_folder(
            repo_id=repo_id,
            folder_path=folder,
            repo_type="model",
            private=private,
            print_report=False,
        )
    else:
        api.upload_folder(
            repo_id=repo_id,
            folder_path=folder,
            repo_type="model",
            commit_message=f"Upload {folder.name} with galleryforge",
        )


def upload_error(error: BaseException, repo_id: str) -> GalleryforgeError:
    """One line: what failed and what to do, with any token blanked out."""
    reason = redact(_first_line(error))
    status = _http_status(error)
    if type(error).__name__ == "LocalTokenNotFoundError" or status == 401:
        action = f"not logged in to the Hub ({reason}): {LOGIN_HINT}, then run again"
    elif status == 403:
        action = (
            f"the Hub refused to write to {repo_id} ({reason}): check that your token may "
            f"write to that owner ({LOGIN_HINT}), then run again"
        )
    else:
        action = (
            f"upload to {repo_id} failed ({reason}): check the network and your Hub login "
            f"({LOGIN_HINT}), then run the same command again to resume; --dry-run stages "
            "without the network"
        )
    return GalleryforgeError(action)


def redact(text: str) -> str:
    from huggingface_hub import get_token

    token = get_token()
    if token:
        text = text.replace(token, "***")
    return _TOKEN_PATTERN.sub("hf_***", text)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _http_status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None
