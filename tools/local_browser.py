"""The system's Chromium, and a built site served to it on 127.0.0.1.

One place for what the PDF printer (``tools/editions.py``) and the browser tests
(``tests/test_browser.py``, ``tests/test_launch.py``) both need.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
HOST = "127.0.0.1"


def chromium() -> str | None:
    """The browser to drive: $TORCHBOOK_CHROMIUM, else a Chromium or Chrome on the PATH."""
    named = os.environ.get("TORCHBOOK_CHROMIUM")
    for candidate in ([named] if named else []) + list(CHROMIUM_NAMES):
        path = shutil.which(candidate)
        if path:
            return path
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path | str) -> Iterator[str]:
    """``folder`` served by a thread on a free port of 127.0.0.1; yields its address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
