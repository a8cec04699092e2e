"""The offline practice model: an OpenAI-compatible HTTP server on this machine.

It answers `POST /v1/chat/completions` and `GET /v1/models` with the same simulated model the
graders use (`workshop.simulation.complete`), so code written for a real provider runs
unchanged against it: point the SDK's base URL at it and use any key.

    python -m workshop.simulation.server [--port 8111] [--models a,b] [--api-key KEY]

Every reply says it is a simulation: its `model` ends in `-simulated` and its
`system_fingerprint` is `fp_simulated`. Requests it cannot accept get the API's status codes and
error body (`{"error": {"message", "type", "param", "code"}}`), whatever the client sends.

`--models` and `--api-key` make it stand in for a stricter provider: only those models exist
(others answer 404 `model_not_found`), and only that key is accepted (others answer 401).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

from workshop import tokens
from workshop.providers import PRACTICE_KEY
from workshop.simulation import (
    PromptCache,
    SimulatedAPIError,
    complete,
    event_stream,
    invalid_api_key,
    model_not_found,
    model_rules,
    simulated_model_name,
    stream_chunks,
    validate,
)
from workshop.simulation.models import model_listing

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8111
MAX_BODY_BYTES = 1024 * 1024  # a request body larger than this is refused with 413
# Counting tokens in pure Python takes time that grows with the square of a word's length, so
# text with a longer run of letters (or of symbols) than this is refused: one such request
# would otherwise keep every other client waiting. Words in any language are far shorter.
LONGEST_RUN = 200
IDLE_TIMEOUT = 60.0  # seconds a connection may stay silent before the server closes it
STREAM_DELAY = 0.02  # seconds between streamed events, so streaming is visible as it happens
CACHE_PROMPTS = 256  # the prompt cache forgets everything after this many long prompts
OWNER = "workshop-simulation"


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
        self._cached_prompts = 0
        self._thread: threading.Thread | None = None
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _PracticeHandler)
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
            self._cached_prompts += 1
            if self._cached_prompts > CACHE_PROMPTS:
                self._cache, self._cached_prompts = PromptCache(), 1
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


class _Refusal(Exception):
    """A request answered with an API error; `close` ends the connection afterwards."""

    def __init__(self, error: SimulatedAPIError, *, close: bool = False,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.close = close
        self.headers = dict(headers or {})


def _not_json(detail: str) -> SimulatedAPIError:
    return SimulatedAPIError(
        400,
        "We could not parse the JSON body of your request: the API expects a JSON object, "
        f"and this body is not valid JSON ({detail}).",
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _PracticeHandler(BaseHTTPRequestHandler):
    server: PracticeServer
    protocol_version = "HTTP/1.1"
    # Answers to requests too garbled to name their HTTP version still get a status line.
    default_request_version = "HTTP/1.1"
    server_version = "workshop-practice-model"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT

    # Every method goes through one place, so a wrong one gets 405 with the API's error body.
    def do_GET(self) -> None:
        self._respond_to_request()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def do_HEAD(self) -> None:
        self._respond_to_request()

    def _respond_to_request(self) -> None:
        started = time.perf_counter()
        self._note = ""
        status = 500
        try:
            body = self._read_body()
            status = self._route(body)
        except _Refusal as refusal:
            status = refusal.error.status
            self._note = refusal.error.message
            if refusal.close:
                self.close_connection = True
            self.server.count(failed=True)
            self._send_json(status, refusal.error.body(), refusal.headers)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            self._note = "the client went away"
        except Exception as error:  # a bug in the simulation must not stop the server
            status = 500
            self._note = f"{type(error).__name__}: {error}"
            self.close_connection = True
            failure = SimulatedAPIError(
                500, f"The practice model failed on this request ({type(error).__name__}).",
                type="server_error",
            )
            with contextlib.suppress(OSError):
                self._send_json(500, failure.body())
            self.server.count(failed=True)
        self._log_line(status, time.perf_counter() - started)

    # --- reading ----------------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        encoding = (self.headers.get("transfer-encoding") or "").strip().lower()
        if encoding:
            if encoding != "chunked":
                raise _Refusal(SimulatedAPIError(
                    400, f"Transfer-Encoding {encoding!r} is not supported: send the body with a "
                    "Content-Length, or chunked.",
                ), close=True)
            return self._read_chunked()
        length_header = self.headers.get("content-length")
        if length_header is None:
            return b""
        try:
            length = int(length_header.strip())
        except ValueError:
            length = -1
        if length < 0:
            raise _Refusal(SimulatedAPIError(
                400, f"The Content-Length header must be a whole number of bytes, not {length_header!r}.",
            ), close=True)
        if length > MAX_BODY_BYTES:
            raise _Refusal(_too_large(), close=True)
        body = self.rfile.read(length)
        if len(body) < length:
            raise ConnectionError("the body ended early")
        return body

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        size = 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise ConnectionError("the body ended early")
            try:
                chunk = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _Refusal(SimulatedAPIError(400, "The chunked request body is malformed."),
                               close=True) from None
            if chunk < 0:
                raise _Refusal(SimulatedAPIError(400, "The chunked request body is malformed."),
                               close=True)
            if chunk == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers, which nothing here needs
                return b"".join(parts)
            size += chunk
            if size > MAX_BODY_BYTES:
                raise _Refusal(_too_large(), close=True)
            parts.append(self.rfile.read(chunk))
            self.rfile.readline(1024)

    # --- routing ------------------------------------------------------------------------------------

    def _route(self, body: bytes) -> int:
        path = unquote(urlsplit(self.path).path)
        trimmed = path.rstrip("/") or "/"
        method = self.command
        if trimmed == "/v1/chat/completions":
            self._allow(method, "POST")
            self._authorize()
            return self._chat(body)
        if trimmed == "/v1/models":
            self._allow(method, "GET", "HEAD")
            self._authorize()
            listing = {"object": "list", "data": [_model_object(name) for name in self.server.model_ids()]}
            return self._reply(200, listing)
        if trimmed.startswith("/v1/models/"):
            self._allow(method, "GET", "HEAD")
            self._authorize()
            name = trimmed.removeprefix("/v1/models/")
            if not self.server.serves(name):
                raise _Refusal(model_not_found(name))
            try:
                model_rules.check_model(name, also_served=self.server.models)
            except SimulatedAPIError as error:
                raise _Refusal(error) from None
            return self._reply(200, _model_object(name))
        raise _Refusal(self._unknown_path(method, path))

    def _allow(self, method: str, *allowed: str) -> None:
        if method not in allowed:
            raise _Refusal(SimulatedAPIError(
                405,
                f"{method} is not allowed on {urlsplit(self.path).path}: use {' or '.join(allowed)}.",
                code="method_not_allowed",
            ), headers={"allow": ", ".join(allowed)})

    def _unknown_path(self, method: str, path: str) -> SimulatedAPIError:
        hint = ""
        if path.rstrip("/") in ("/chat/completions", "/models") or path.startswith("/models/"):
            hint = f" The base URL must end in /v1: {self.server.base_url}"
        elif path.rstrip("/") in ("", "/v1"):
            hint = f" Point the SDK's base URL here: {self.server.base_url}"
        return SimulatedAPIError(
            404,
            f"The practice model has no endpoint {method} {path}: it serves "
            f"POST /v1/chat/completions and GET /v1/models.{hint}",
            code="unknown_url",
        )

    def _authorize(self) -> None:
        wanted = self.server.api_key
        if wanted is None:
            return
        authorization = self.headers.get("authorization") or ""
        scheme, _, given = authorization.partition(" ")
        key = given.strip() if scheme.lower() == "bearer" else ""
        key = key or (self.headers.get("api-key") or "").strip()
        if not key:
            raise _Refusal(SimulatedAPIError(
                401,
                "You didn't provide an API key: send it in an Authorization header, "
                "as Authorization: Bearer YOUR_KEY.",
                code="missing_api_key",
            ))
        if not secrets.compare_digest(key.encode(), wanted.encode()):
            raise _Refusal(invalid_api_key())

    # --- chat completions -----------------------------------------------------------------------

    def _chat(self, body: bytes) -> int:
        request = self._parse(body)
        model_rules.SERVED.set(self.server.models)  # this thread serves this server only
        fault = None
        try:
            validate(request)
            _check_runs(request["messages"])
            if not self.server.serves(request["model"]):
                raise model_not_found(request["model"])
            fault = self.server.next_fault()
            if fault is not None:
                self._wait(fault.delay)
                if fault.error is not None:
                    raise _Refusal(fault.error, headers=fault.headers)
            completion = self.server.answer(request)
        except SimulatedAPIError as error:
            raise _Refusal(error) from None
        except RecursionError:
            raise _Refusal(SimulatedAPIError(
                400, "The request is nested too deeply to process.", code="invalid_value",
            )) from None
        extra = dict(fault.headers) if fault is not None else {}
        self.server.count(completion=completion)
        usage = completion["usage"]
        self._note = f"{completion['model']}, {usage['total_tokens']} tokens"
        if request.get("stream"):
            options = request.get("stream_options") or {}
            chunks = stream_chunks(completion, include_usage=bool(options.get("include_usage")))
            self._stream(event_stream(chunks), extra)
            return 200
        return self._reply(200, completion, extra)

    def _parse(self, body: bytes) -> Any:
        if not body.strip():
            raise _Refusal(_not_json("the body is empty"))
        try:
            return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
        except UnicodeDecodeError:
            raise _Refusal(_not_json("it is not UTF-8 text")) from None
        except RecursionError:
            raise _Refusal(_not_json("it is nested too deeply")) from None
        except ValueError as error:
            raise _Refusal(_not_json(str(error).split(":")[0])) from None

    def _wait(self, seconds: float) -> None:
        """Sleep, but wake up at once when the server stops."""
        if seconds > 0:
            self.server.stopping.wait(seconds)

    # --- writing ----------------------------------------------------------------------------------

    def _reply(self, status: int, payload: Mapping[str, Any],
               headers: Mapping[str, str] | None = None) -> int:
        if payload.get("object") != "chat.completion":
            self.server.count()
        self._send_json(status, payload, headers)
        return status

    def _send_json(self, status: int, payload: Mapping[str, Any],
                   headers: Mapping[str, str] | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self._common_headers(headers)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _stream(self, events: Iterator[bytes], headers: Mapping[str, str]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self._common_headers(headers)
        self.end_headers()
        for number, event in enumerate(events):
            if number and self.server.stream_delay:
                self._wait(self.server.stream_delay)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        self.wfile.write(b"0\r\n\r\n")

    def _common_headers(self, headers: Mapping[str, str] | None) -> None:
        self.send_header("x-request-id", f"req_sim{secrets.token_hex(8)}")
        self.send_header("x-workshop-simulation", "true")
        if self.close_connection:
            self.send_header("connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the HTTP layer finds (a garbled request line, huge headers...) as API errors."""
        if code == HTTPStatus.NOT_IMPLEMENTED:  # a method nobody uses: answer like a wrong one
            code, message = 405, f"The method {self.command!r} is not allowed here."
        elif code >= 500:  # the client's HTTP version, say: still the client's problem
            code = 400
        phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Error"
        error = SimulatedAPIError(code, message or phrase)
        self.close_connection = True
        self._note = error.message
        with contextlib.suppress(OSError):
            self._send_json(code, error.body())
        self.server.count(failed=True)

    # --- logging ----------------------------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the server prints its own one line per request (see `_log_line`)."""

    def _log_line(self, status: int, seconds: float) -> None:
        if self.server.log is None:
            return
        note = f"  {self._note}" if self._note else ""
        when = time.strftime("%H:%M:%S")
        line = f"{when}  {self.command} {self.path}  {status}{note}  ({seconds * 1000:.1f} ms)"
        with contextlib.suppress(OSError, ValueError):
            print(line, file=self.server.log, flush=True)


_LONG_RUN = re.compile(rf"[^\W\d_]{{{LONGEST_RUN + 1},}}|(?:[^\w\s]|_){{{LONGEST_RUN + 1},}}")


def _check_runs(messages: Iterable[Mapping[str, Any]]) -> None:
    """Refuse text the tokenizer would take minutes over (see LONGEST_RUN)."""
    for index, message in enumerate(messages):
        texts = (("content", tokens.message_text(message)), ("name", str(message.get("name") or "")))
        for field_name, text in texts:
            if len(text) > LONGEST_RUN and _LONG_RUN.search(text):
                raise SimulatedAPIError(
                    400,
                    f"messages[{index}].{field_name} has more than {LONGEST_RUN} letters or symbols "
                    "in a row without a break, which the practice model cannot count in reasonable "
                    "time (a limit of this simulation, not of the API): break the text up.",
                    param=f"messages[{index}].{field_name}", code="invalid_value",
                )


def _too_large() -> SimulatedAPIError:
    return SimulatedAPIError(
        413,
        "The request body is larger than the practice model accepts "
        f"({MAX_BODY_BYTES // (1024 * 1024)} MiB).",
        code="request_too_large",
    )


def _model_object(name: str) -> dict[str, Any]:
    return {
        "id": simulated_model_name(name), "object": "model", "created": int(time.time()), "owned_by": OWNER,
    }


# --- running it ---------------------------------------------------------------------------------


@contextlib.contextmanager
def running_in_background(port: int = 0, **options: Any) -> Iterator[str]:
    """Serve the practice model from a thread of this process; yields its base URL.

    `port=0` picks a free port. Options are those of `PracticeServer` (`models`, `api_key`,
    `stream_delay`, `log`). The server stops, and its port is free again, when the block ends.
    """
    with PracticeServer(DEFAULT_HOST, port, **options) as server:
        yield server.base_url


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, **options: Any) -> None:
    """Serve the practice model until Ctrl-C, printing its address and each request it answers.

    A port that is taken (or not allowed) ends the program with one sentence saying so.
    Options are those of `PracticeServer`; requests are logged to stdout unless `log=None`.
    """
    options.setdefault("log", sys.stdout)
    try:
        server = PracticeServer(host, port, **options)
    except OSError as error:
        raise SystemExit(_cannot_listen(host, port, error)) from None
    print(banner(server.base_url, api_key=server.api_key, models=server.models), flush=True)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        counters = server.counters
        print(f"\nStopped the practice model after {counters.completions} chat completions "
              f"({counters.prompt_tokens + counters.completion_tokens} simulated tokens).")
    finally:
        server.stop()


def banner(base_url: str, *, api_key: str | None = None, models: Iterable[str] = ()) -> str:
    """How to point the openai SDK at a practice server, in a few lines."""
    key = api_key or PRACTICE_KEY
    shown_key = "the key you passed with --api-key" if api_key else key
    served = ", ".join(models) if models else "any model name but shut-down or misspelled OpenAI ids"
    return "\n".join([
        f"The practice model (a simulation, not a real model) is answering at {base_url}",
        f"It serves {served}; replies say '-simulated' in their model name.",
        "Point the openai SDK at it with these two lines in .env (or export them in your shell):",
        f"    OPENAI_BASE_URL={base_url}",
        f"    OPENAI_API_KEY={key if not api_key else '<' + shown_key + '>'}",
        f'or in Python: OpenAI(base_url="{base_url}", api_key="...")',
        "Press Ctrl-C to stop.",
    ])


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    import errno

    if error.errno == errno.EADDRINUSE:
        return (f"Port {port} on {host} is already in use (is a practice model already running?): "
                "stop that program, or choose another port with --port.")
    if error.errno == errno.EACCES:
        return f"This computer does not allow listening on port {port}: choose another with --port."
    return (f"The practice model could not listen on {host}:{port} ({error.strerror or error}): "
            "check --host and --port.")


def build_parser(prog: str = "python -m workshop.simulation.server") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve the offline practice model: an OpenAI-compatible API on this machine, "
        "answered by the same simulated model the graders use.",
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser, *, port: bool = True) -> None:
    """The practice server's options, for any command that starts it (`port=False`: all but --port)."""
    if port:
        parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                            help=f"the port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"the address to listen on (default {DEFAULT_HOST}, this machine only)")
    parser.add_argument("--models", default="", metavar="A,B",
                        help="serve only these model names; others get 404 model_not_found "
                        "(default: any name)")
    parser.add_argument("--api-key", default=None, metavar="KEY",
                        help="accept only this key; others get 401 (default: any key)")
    parser.add_argument("--stream-delay", type=float, default=STREAM_DELAY, metavar="SECONDS",
                        help=f"pause between streamed events (default {STREAM_DELAY})")
    parser.add_argument("--quiet", action="store_true", help="do not print each request")


def serve_from_arguments(args: argparse.Namespace) -> None:
    """`serve()` with the options `add_arguments` defined; any that are missing keep their defaults."""
    models = getattr(args, "models", "") or ""
    serve(
        getattr(args, "host", DEFAULT_HOST), getattr(args, "port", DEFAULT_PORT),
        models=[name.strip() for name in models.split(",") if name.strip()],
        api_key=getattr(args, "api_key", None), stream_delay=getattr(args, "stream_delay", STREAM_DELAY),
        log=None if getattr(args, "quiet", False) else sys.stdout,
    )


def main(argv: list[str] | None = None) -> int:
    serve_from_arguments(build_parser().parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
