"""A local preview server for the built site (``site serve``; the browser tests use it too).

Standard-library ``http.server`` in a thread, bound to 127.0.0.1 only: it is for previewing,
not for publishing.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from galleryforge.errors import GalleryforgeError

HOST = "127.0.0.1"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Library code does not print; request logs would flood the terminal and test output."""


@dataclass
class SiteServer:
    httpd: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def wait(self) -> None:
        while self.thread.is_alive():
            self.thread.join(0.5)


@contextmanager
def site_server(folder: Path, port: int = 0) -> Iterator[SiteServer]:
    """Serve ``folder`` on 127.0.0.1:``port`` (0: a free port) in a background thread."""
    if not (folder / "index.html").is_file():
        raise GalleryforgeError(f"{folder}: no built site here (run: galleryforge site build)")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        httpd = ThreadingHTTPServer((HOST, port), handler)
    except OSError as error:
        raise GalleryforgeError(f"cannot serve on {HOST}:{port}: {error.strerror}") from error
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield SiteServer(httpd, thread)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
