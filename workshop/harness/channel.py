"""The one-way pipe from a grading process to the session that owns the verdict.

Messages are JSON, each sent whole with its length first, so a process that dies mid-message
leaves a message the reader can tell is cut, never a half message taken as whole. The reader notes
when each message came (`RECEIVED`, on the monotonic clock), so the session can time learner code
by the grading process's own pace even when it reads the messages later.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import struct
import threading
import time
from typing import Any

HEADER = struct.Struct(">I")
CLOSED = {"kind": "closed"}  # what the reader hands on once the pipe has ended
CUT = {"kind": "cut"}  # the pipe ended in the middle of a message
RECEIVED = "received"


class Sender:
    """Writes messages to a pipe; only the process that opened it may write (not its forks)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.owner = os.getpid()

    def send(self, message: dict[str, Any]) -> None:
        if os.getpid() != self.owner:
            # A fork made by learner code reached the harness: it must not report or run on.
            os._exit(0)
        data = json.dumps(message).encode()
        view = memoryview(HEADER.pack(len(data)) + data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, missing = [], size
    while missing:
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_into(fd: int, messages: queue.Queue[dict[str, Any]]) -> threading.Thread:
    """Read messages from `fd` into `messages` in a thread, then CLOSED (or CUT, then CLOSED)."""

    def read() -> None:
        try:
            while True:
                header = _read_exactly(fd, HEADER.size)
                if header is None:
                    break
                body = _read_exactly(fd, HEADER.unpack(header)[0])
                if body is None:
                    messages.put(CUT)
                    break
                try:
                    message = json.loads(body)
                except ValueError:
                    message = None
                if not isinstance(message, dict):
                    messages.put(CUT)
                    break
                message[RECEIVED] = time.monotonic()
                messages.put(message)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)
            messages.put(CLOSED)

    reader = threading.Thread(target=read, name="grading-channel", daemon=True)
    reader.start()
    return reader
