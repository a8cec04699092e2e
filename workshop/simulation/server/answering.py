"""Answering: chat completions (whole or streamed), and writing any answer to the wire."""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any

from workshop.simulation import (
    SimulatedAPIError,
    event_stream,
    model_not_found,
    model_rules,
    stream_chunks,
    validate,
)
from workshop.simulation.server.parsing import BodyReader, Refusal


class Answerer(BodyReader):
    """The handler's answering half."""

    def _chat(self, body: bytes) -> int:
        request = self._parse(body)
        model_rules.SERVED.set(self.server.models)  # this thread serves this server only
        fault = None
        try:
            validate(request)
            if not self.server.serves(request["model"]):
                raise model_not_found(request["model"])
            fault = self.server.next_fault()
            if fault is not None:
                self._wait(fault.delay)
                if fault.error is not None:
                    raise Refusal(fault.error, headers=fault.headers)
            completion = self.server.answer(request)
        except SimulatedAPIError as error:
            raise Refusal(error) from None
        except RecursionError:
            raise Refusal(SimulatedAPIError(
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

