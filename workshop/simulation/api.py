"""The simulated model behind the openai SDK's own HTTP client, for graders and executed docs.

Inside `with SimulatedAPI() as api:` every request the SDK sends, whatever its base URL, is
answered here: chat completions by the simulated model, the model list from the catalogue,
anything else by a 404 that names the method and URL. Nothing reaches the network, and every
request is kept (with its `Authorization` header redacted) so a grader can show the learner
exactly what their code sent.
"""

from __future__ import annotations

import ssl
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from types import TracebackType
from typing import Any, ClassVar

import httpcore2
import httpx
import pytest_httpx2  # noqa: F401  (registers respx's mocker for the httpcore2 transport openai uses)
import respx
from openai import _base_client

from workshop.harness.network import network_blocked
from workshop.simulation import replies
from workshop.simulation.cache import PromptCache
from workshop.simulation.completion import complete
from workshop.simulation.errors import SimulatedAPIError
from workshop.simulation.faults import Fault, error_reply
from workshop.simulation.models import model_listing, simulated_model_name
from workshop.simulation.recording import RecordedRequest
from workshop.simulation.streaming import event_stream, stream_chunks


@dataclass
class SimulatedAPI:
    """Routes the SDK's traffic to the simulated model and remembers every request.

    `queue(...)` lines up faults for the next chat requests; the SDK's waits between retries
    are recorded in `retry_waits` instead of being slept, so grading stays fast. One opened
    inside another answers the requests until it closes, with its own faults and records (a
    lesson's example can line up faults while the docs tests already simulate the API).
    With `repeatable=True` (the graders' API), requests without a `seed` get the same varied
    replies on every run, so no verdict depends on chance.
    """

    _open: ClassVar[list[SimulatedAPI]] = []

    requests: list[RecordedRequest] = field(default_factory=list)
    unanswered: list[RecordedRequest] = field(default_factory=list)
    retry_waits: list[float] = field(default_factory=list)
    prompt_cache: PromptCache = field(default_factory=PromptCache)
    repeatable: bool = False
    _faults: deque[Fault] = field(default_factory=deque)

    def queue(self, *faults: Fault) -> None:
        self._faults.extend(faults)

    def clear_queue(self) -> None:
        """Drop the faults still lined up, so the next requests are answered normally again."""
        self._faults.clear()

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.is_chat_completion]

    def __enter__(self) -> SimulatedAPI:
        self._stack = ExitStack()
        if not SimulatedAPI._open:
            # The outermost one reroutes the SDK for all of them: requests, and the waits
            # between retries, go to whichever is innermost (a grading process keeps one open
            # for its whole life and opens another for each check).
            self._stack.enter_context(network_blocked())
            self._stack.enter_context(_retries_recorded())
            self._stack.enter_context(_one_ssl_context())
            router = self._stack.enter_context(respx.mock(using="httpcore2", assert_all_called=False))
            router.route().mock(side_effect=_answer_by_innermost)
        if self.repeatable:
            self._stack.enter_context(replies.repeatable())
        SimulatedAPI._open.append(self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        SimulatedAPI._open.remove(self)
        self._stack.__exit__(kind, error, trace)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        recorded = RecordedRequest.from_httpx(request)
        self.requests.append(recorded)
        if recorded.is_chat_completion:
            if self._faults:
                return self._faults.popleft()(recorded)
            try:
                recorded.reply = complete(recorded.body, cache=self.prompt_cache)
            except SimulatedAPIError as error:
                return error_reply(error)(recorded)
            if recorded.json().get("stream"):
                options = recorded.json().get("stream_options") or {}
                chunks = stream_chunks(recorded.reply, include_usage=bool(options.get("include_usage")))
                return httpx.Response(
                    200, stream=_sent_as_read(recorded, chunks),
                    headers={"content-type": "text/event-stream"},
                )
            return httpx.Response(200, json=recorded.reply)
        if recorded.method == "GET" and recorded.path.endswith("/models"):
            return httpx.Response(200, json=model_list())
        self.unanswered.append(recorded)
        error = SimulatedAPIError(
            404,
            f"The simulated API has no endpoint {recorded.method} {recorded.url}: "
            "this course uses POST /chat/completions.",
            code="unknown_url",
        )
        return httpx.Response(404, json=error.body())


def _answer_by_innermost(request: httpx.Request) -> httpx.Response:
    return SimulatedAPI._open[-1]._answer(request)


class _EventStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A stream's events, each sent only when the client reads on, counted on `recorded`.

    It reads both ways, so `OpenAI` and `AsyncOpenAI` clients stream from the same reply.
    """

    def __init__(self, recorded: RecordedRequest, chunks: list[dict[str, Any]]) -> None:
        self.recorded = recorded
        self.events = event_stream(chunks)
        recorded.events = len(chunks) + 1  # the chunks, then `data: [DONE]`

    def __iter__(self) -> Iterator[bytes]:
        for event in self.events:
            self.recorded.events_read += 1
            yield event

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self.__iter__():
            yield event


def _sent_as_read(recorded: RecordedRequest, chunks: list[dict[str, Any]]) -> _EventStream:
    return _EventStream(recorded, chunks)


@contextmanager
def _retries_recorded() -> Iterator[None]:
    """Record how long the SDK would wait before each retry, without waiting."""

    def record_sync(client: Any, *, retries_taken: int, max_retries: int, options: Any,
                    response: Any) -> None:
        headers = response.headers if response is not None else None
        wait = client._calculate_retry_timeout(max_retries - retries_taken, options, headers)
        SimulatedAPI._open[-1].retry_waits.append(wait)

    async def record_async(client: Any, **details: Any) -> None:
        record_sync(client, **details)

    sync_client, async_client = _base_client.SyncAPIClient, _base_client.AsyncAPIClient
    originals = (sync_client._sleep_for_retry, async_client._sleep_for_retry)
    sync_client._sleep_for_retry = record_sync  # type: ignore[method-assign]
    async_client._sleep_for_retry = record_async  # type: ignore[method-assign]
    try:
        yield
    finally:
        sync_client._sleep_for_retry, async_client._sleep_for_retry = originals


@cache
def _shared_ssl_context() -> ssl.SSLContext:
    """A client context that trusts no certificate at all: nothing here connects, so none is
    needed, and should anything try, its handshake fails."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


@contextmanager
def _one_ssl_context() -> Iterator[None]:
    """Let every client share one TLS context: loading the certificate store for each
    `OpenAI()` a learner creates costs more than a check."""
    original = httpcore2.default_ssl_context
    shared = _shared_ssl_context()
    httpcore2.default_ssl_context = lambda *args, **kwargs: shared
    try:
        yield
    finally:
        httpcore2.default_ssl_context = original


def model_list() -> dict[str, Any]:
    """What `GET /models` answers: the course's model first, then every current known model."""
    from workshop.settings import MODEL

    return {
        "object": "list",
        "data": [
            {
                "id": simulated_model_name(name),
                "object": "model",
                "created": int(time.time()),
                "owned_by": "workshop-simulation",
            }
            for name in model_listing(MODEL)
        ],
    }
