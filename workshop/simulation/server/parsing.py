"""Reading a request: its body (with a length or chunked) and the JSON in it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any

from workshop.simulation import SimulatedAPIError
from workshop.simulation.server.settings import MAX_BODY_BYTES


class Refusal(Exception):
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


class BodyReader(BaseHTTPRequestHandler):
    """The handler's reading half."""

    def _read_body(self) -> bytes:
        encoding = (self.headers.get("transfer-encoding") or "").strip().lower()
        if encoding:
            if encoding != "chunked":
                raise Refusal(SimulatedAPIError(
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
            raise Refusal(SimulatedAPIError(
                400, f"The Content-Length header must be a whole number of bytes, not {length_header!r}.",
            ), close=True)
        if length > MAX_BODY_BYTES:
            raise Refusal(_too_large(), close=True)
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
                raise Refusal(SimulatedAPIError(400, "The chunked request body is malformed."),
                               close=True) from None
            if chunk < 0:
                raise Refusal(SimulatedAPIError(400, "The chunked request body is malformed."),
                               close=True)
            if chunk == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers, which nothing here needs
                return b"".join(parts)
            size += chunk
            if size > MAX_BODY_BYTES:
                raise Refusal(_too_large(), close=True)
            parts.append(self.rfile.read(chunk))
            self.rfile.readline(1024)

    def _parse(self, body: bytes) -> Any:
        if not body.strip():
            raise Refusal(_not_json("the body is empty"))
        try:
            return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
        except UnicodeDecodeError:
            raise Refusal(_not_json("it is not UTF-8 text")) from None
        except RecursionError:
            raise Refusal(_not_json("it is nested too deeply")) from None
        except ValueError as error:
            raise Refusal(_not_json(str(error).split(":")[0])) from None


def _too_large() -> SimulatedAPIError:
    return SimulatedAPIError(
        413,
        "The request body is larger than the practice model accepts "
        f"({MAX_BODY_BYTES // (1024 * 1024)} MiB).",
        code="request_too_large",
    )

