"""Routing: which endpoint a request is for, whether its method and key are right, and logging."""

from __future__ import annotations

import contextlib
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from workshop.simulation import (
    SimulatedAPIError,
    invalid_api_key,
    model_not_found,
    model_rules,
    simulated_model_name,
)
from workshop.simulation.server.answering import Answerer
from workshop.simulation.server.parsing import Refusal
from workshop.simulation.server.settings import IDLE_TIMEOUT, OWNER

if TYPE_CHECKING:
    from workshop.simulation.server.practice import PracticeServer


class PracticeHandler(Answerer):
    """One connection's requests, each routed to its endpoint."""

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
        except Refusal as refusal:
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
                raise Refusal(model_not_found(name))
            try:
                model_rules.check_model(name, also_served=self.server.models)
            except SimulatedAPIError as error:
                raise Refusal(error) from None
            return self._reply(200, _model_object(name))
        raise Refusal(self._unknown_path(method, path))

    def _allow(self, method: str, *allowed: str) -> None:
        if method not in allowed:
            raise Refusal(SimulatedAPIError(
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
            raise Refusal(SimulatedAPIError(
                401,
                "You didn't provide an API key: send it in an Authorization header, "
                "as Authorization: Bearer YOUR_KEY.",
                code="missing_api_key",
            ))
        if not secrets.compare_digest(key.encode(), wanted.encode()):
            raise Refusal(invalid_api_key())

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


def _model_object(name: str) -> dict[str, Any]:
    return {
        "id": simulated_model_name(name), "object": "model", "created": int(time.time()), "owned_by": OWNER,
    }

