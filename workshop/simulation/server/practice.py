"""The server itself: its life cycle, its counters, the faults lined up for it, its prompt cache."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any, TextIO

from workshop import tokens
from workshop.simulation import PromptCache, SimulatedAPIError, complete, simulated_model_name
from workshop.simulation.models import model_listing
from workshop.simulation.server.routing import PracticeHandler
from workshop.simulation.server.settings import DEFAULT_HOST, DEFAULT_PORT, STREAM_DELAY


@dataclass(frozen=True)
class Fault:
    """What the next chat request gets instead of the simulated model's answer.

    With an `error`, the request is refused with it (after `delay` seconds); without one, the
    simulated model answers after `delay` seconds, which is how a slow provider is practised.
    `headers` are added to the response, such as `retry-after` on a 429.
    """

    error: SimulatedAPIError | None = None
    delay: float = 0.0
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Counters:
    """What a server has answered since it started."""

    requests: int = 0
    completions: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    models: set[str] = field(default_factory=set)


class PracticeServer(ThreadingHTTPServer):
    """The practice model on `host:port` (port 0 picks a free one), one thread per connection.

    `with PracticeServer(port=0) as server:` serves in a background thread until the block ends;
    `server.base_url` is what the SDK's `base_url` (or `OPENAI_BASE_URL`) should be.
    """

    daemon_threads = True
    request_queue_size = 128
    # On Windows, SO_REUSEADDR would let two servers share one port; elsewhere it only lets a
    # restarted server reuse its port at once.
    allow_reuse_address = os.name != "nt"

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        models: Iterable[str] | None = None,
        api_key: str | None = None,
        stream_delay: float = STREAM_DELAY,
        log: TextIO | None = None,
    ) -> None:
        self.models = tuple(name for name in (models or ()) if name)
        self.api_key = api_key or None
        self.stream_delay = max(0.0, stream_delay)
        self.log = log
        self.counters = Counters()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._cache_lock = threading.Lock()  # the prompt cache is not thread-safe by itself
        self._faults: deque[Fault] = deque()
        self._connections: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        self._cache = PromptCache()
        self._thread: threading.Thread | None = None
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), PracticeHandler)
        tokens.count_tokens("warm up")  # load the tokenizer now, not during the first request

    # --- life cycle ---------------------------------------------------------------------------

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up in DNS, which can take seconds.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    @property
    def base_url(self) -> str:
        host = self.server_name
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1" if host != "::" else "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.server_port}/v1"

    def __enter__(self) -> PracticeServer:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"practice-model:{self.server_port}", daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving, close open connections and release the port."""
        self.stopping.set()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            connections, handlers = list(self._connections), list(self._handlers)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 2
        for handler in handlers:  # let answers already on their way finish, briefly
            if handler is not threading.current_thread():
                handler.join(timeout=max(0.0, deadline - time.monotonic()))
        self.server_close()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        current = threading.current_thread()
        with self._lock:
            self._handlers.add(current)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._handlers.discard(current)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that vanishes mid-request is normal; anything else is reported in one line.
        error = sys.exc_info()[1]
        if self.log is not None and not isinstance(error, OSError):
            print(f"practice model: {type(error).__name__}: {error}", file=self.log, flush=True)

    # --- behaviour ------------------------------------------------------------------------------

    def queue(self, *faults: Fault) -> None:
        """Line up faults for the next chat requests, one each, in order."""
        with self._lock:
            self._faults.extend(faults)

    def next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def serves(self, model: str) -> bool:
        return not self.models or model in self.models or simulated_model_name(model) in self.models

    def model_ids(self) -> list[str]:
        if self.models:
            return list(self.models)
        from workshop.settings import MODEL

        return model_listing(MODEL)

    def answer(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """The simulated model's completion for a request that passed validation."""
        if not _may_reach_cache_size(request["messages"]):
            return complete(request)
        with self._cache_lock:
            return complete(request, cache=self._cache)

    def count(self, *, completion: Mapping[str, Any] | None = None, failed: bool = False) -> None:
        with self._lock:
            self.counters.requests += 1
            self.counters.errors += failed
            if completion is not None:
                usage = completion["usage"]
                self.counters.completions += 1
                self.counters.prompt_tokens += usage["prompt_tokens"]
                self.counters.completion_tokens += usage["completion_tokens"]
                self.counters.models.add(completion["model"])


def _may_reach_cache_size(messages: Iterable[Mapping[str, Any]]) -> bool:
    """False only for prompts certainly too short to be cached (a token is at least one byte)."""
    size = tokens.REPLY_PRIMING_TOKENS
    for message in messages:
        size += tokens.TOKENS_PER_MESSAGE + tokens.TOKENS_PER_NAME
        size += len(str(message.get("role", "")).encode()) + len(str(message.get("name") or "").encode())
        size += len(tokens.message_text(message).encode())
    return size >= PromptCache.MINIMUM_TOKENS

