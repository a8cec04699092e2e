"""`workshop docs`: serve the lessons site on this machine with `mkdocs serve`.

The TUI uses the same functions to start the site in the background before it opens a lesson.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

from rich.console import Console

from workshop.catalog import DOCS_SITE
from workshop.settings import REPO_ROOT

HOST = urlsplit(DOCS_SITE).hostname or "127.0.0.1"
PORT = urlsplit(DOCS_SITE).port or 8000


def browser_available() -> bool:
    """Whether opening a page can show a browser window. Without a desktop, Python's webbrowser
    falls back to a text browser in this very terminal, which would take over the workshop's
    window, so the address is only printed then."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def serve_argv() -> list[str]:
    return [sys.executable, "-m", "mkdocs", "serve", "-a", f"{HOST}:{PORT}"]


def is_serving(timeout: float = 0.2) -> bool:
    """True when something answers on the lessons site's address."""
    try:
        with socket.create_connection((HOST, PORT), timeout=timeout):
            return True
    except OSError:
        return False


def start_in_background() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        serve_argv(), cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_serving(process: subprocess.Popen[bytes] | None, seconds: float = 60.0) -> bool:
    """Wait for the site to answer; False if it did not in time, or the server stopped."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if is_serving():
            return True
        if process is not None and process.poll() is not None:
            return False
        time.sleep(0.2)
    return False


def docs_command(console: Console) -> int:
    """Serve the lessons in the foreground until Ctrl+C."""
    if is_serving():
        console.print(f"Something already answers on {DOCS_SITE}/: if it is the lessons site, open it "
                      f"there; otherwise free port {PORT} and try again.")
        return 1
    console.print(f"Serving the lessons at {DOCS_SITE}/ (Ctrl+C stops it; the first build takes "
                  "a few seconds).")
    return subprocess.call(serve_argv(), cwd=REPO_ROOT)
