"""The simulated model behind the openai SDK's own HTTP client, for graders and executed docs.

Inside `with SimulatedAPI() as api:` every request the SDK sends, whatever its base URL, is
answered here: chat completions by the simulated model, the model list by a one-entry list,
anything else by a 404 that names the method and URL. Nothing reaches the network, and every
request is kept (with its `Authorization` header redacted) so a grader can show the learner
exactly what their code sent.
"""

from __future__ import annotations

import json
import ssl
import time
from collections import deque
from collections.abc import Callable, Iterator
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

from workshop import tokens
from workshop.offline import network_blocked
from workshop.simulated_model import (
    PromptCache,
    SimulatedAPIError,
    complete,
    event_stream,
    simulated_model_name,
    stream_chunks,
)

REDACTED = "Bearer [redacted]"


@dataclass
class RecordedRequest:
    """One HTTP request the learner's code sent, safe to show: the key is redacted."""

    method: str
    url: str
    headers: dict[str, str]
    body: Any = None
    reply: dict[str, Any] | None = None  # what the simulated API answered, when it was JSON
    # A streamed reply is sent one event at a time, as the client reads on: how many it has
    # and how many have been read so far tell code that shows text as it arrives from code
    # that reads the whole stream first.
    events: int = 0
    events_read: int = 0

    @property
    def stream_read_to_end(self) -> bool:
        return self.events > 0 and self.events_read == self.events

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path

    @property
    def is_chat_completion(self) -> bool:
        return self.method == "POST" and self.path.endswith("/chat/completions")

    def json(self) -> dict[str, Any]:
        """The request body as a dict (empty when it was not a JSON object)."""
        return self.body if isinstance(self.body, dict) else {}

    def reply_texts(self) -> list[str]:
        """The text of every choice the API answered with, in index order."""
        choices = (self.reply or {}).get("choices", [])
        return [choice["message"]["content"] for choice in choices]

    def pretty(self) -> str:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body, indent=2, ensure_ascii=False)
        return str(self.body)

    @classmethod
    def from_httpx(cls, request: httpx.Request) -> RecordedRequest:
        headers = {
            name: (REDACTED if name.lower() == "authorization" else value)
            for name, value in request.headers.items()
        }
        raw = request.content.decode("utf-8", errors="replace")
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw
        return cls(request.method, str(request.url), headers, body)


# A fault answers one chat request in place of the simulated model: an error, a timeout...
Fault = Callable[[RecordedRequest], httpx.Response]


def error_reply(error: SimulatedAPIError, *, retry_after: float | None = None) -> Fault:
    """Answer with the API's error status and body (and a Retry-After header, if given)."""
    headers = {"retry-after": f"{retry_after:g}"} if retry_after is not None else {}

    def answer(recorded: RecordedRequest) -> httpx.Response:
        recorded.reply = error.body()
        return httpx.Response(error.status, json=recorded.reply, headers=headers)

    return answer


def timeout() -> Fault:
    """Never answer: the client's read timeout fires."""

    def answer(recorded: RecordedRequest) -> httpx.Response:
        raise httpcore2.ReadTimeout("the simulated API did not answer in time")

    return answer


def connection_error() -> Fault:
    """Never connect, as with no network or a wrong base URL: the client sees a connection error."""

    def answer(recorded: RecordedRequest) -> httpx.Response:
        raise httpcore2.ConnectError("the simulated API could not be reached")

    return answer


def content_filtered() -> Fault:
    """Answer, but with the reply withheld by the content filter."""

    def answer(recorded: RecordedRequest) -> httpx.Response:
        completion = complete(recorded.body)
        for choice in completion["choices"]:
            choice["message"]["content"] = ""
            choice["finish_reason"] = "content_filter"
        recorded.reply = completion
        return httpx.Response(200, json=completion)

    return answer


def truncated() -> Fault:
    """Answer, but with every reply cut off halfway, as when it runs out of tokens.

    The finish_reason is "length", and a JSON reply cut this way no longer parses.
    """

    def cut(choice: dict[str, Any]) -> None:
        encoded = tokens.encode(choice["message"]["content"])
        choice["message"]["content"] = tokens.decode(encoded[: len(encoded) // 2])
        choice["finish_reason"] = "length"

    return _edited_reply(cut)


def missing_field(name: str) -> Fault:
    """Answer with JSON that lacks the field `name`, as a model that ignores the schema might.

    Replies that are not JSON objects are left as they are.
    """

    def drop(choice: dict[str, Any]) -> None:
        try:
            data = json.loads(choice["message"]["content"])
        except json.JSONDecodeError:
            return
        if isinstance(data, dict):
            data.pop(name, None)
            choice["message"]["content"] = json.dumps(data, ensure_ascii=False)

    return _edited_reply(drop)


def _edited_reply(edit: Callable[[dict[str, Any]], None]) -> Fault:
    """The simulated model's own answer with `edit` applied to each choice, usage recounted."""

    def answer(recorded: RecordedRequest) -> httpx.Response:
        try:
            completion = complete(recorded.body)
        except SimulatedAPIError as error:
            return error_reply(error)(recorded)
        for choice in completion["choices"]:
            edit(choice)
        usage = completion["usage"]
        usage["completion_tokens"] = sum(
            tokens.count_tokens(choice["message"]["content"]) for choice in completion["choices"]
        )
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        recorded.reply = completion
        return httpx.Response(200, json=completion)

    return answer


def usage_totals_only() -> Fault:
    """Answer, but report usage as some OpenAI-compatible servers do: the three totals only.

    `prompt_tokens_details` and `completion_tokens_details` are left out, so the SDK's usage
    object has None in their place.
    """

    def answer(recorded: RecordedRequest) -> httpx.Response:
        try:
            completion = complete(recorded.body)
        except SimulatedAPIError as error:
            return error_reply(error)(recorded)
        usage = completion["usage"]
        completion["usage"] = {
            name: usage[name] for name in ("prompt_tokens", "completion_tokens", "total_tokens")
        }
        recorded.reply = completion
        return httpx.Response(200, json=completion)

    return answer


@dataclass
class SimulatedAPI:
    """Routes the SDK's traffic to the simulated model and remembers every request.

    `queue(...)` lines up faults for the next chat requests; the SDK's waits between retries
    are recorded in `retry_waits` instead of being slept, so grading stays fast. One opened
    inside another answers the requests until it closes, with its own faults and records (a
    lesson's example can line up faults while the docs tests already simulate the API).
    """

    _open: ClassVar[list[SimulatedAPI]] = []

    requests: list[RecordedRequest] = field(default_factory=list)
    unanswered: list[RecordedRequest] = field(default_factory=list)
    retry_waits: list[float] = field(default_factory=list)
    prompt_cache: PromptCache = field(default_factory=PromptCache)
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
        self._stack.enter_context(network_blocked())
        self._stack.enter_context(self._retries_recorded())
        self._stack.enter_context(_one_ssl_context())
        router = self._stack.enter_context(respx.mock(using="httpcore2", assert_all_called=False))
        router.route().mock(side_effect=_answer_by_innermost)
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

    @contextmanager
    def _retries_recorded(self) -> Iterator[None]:
        """Record how long the SDK would wait before each retry, without waiting."""
        waits = self.retry_waits

        def record_sync(client: Any, *, retries_taken: int, max_retries: int, options: Any,
                        response: Any) -> None:
            headers = response.headers if response is not None else None
            waits.append(client._calculate_retry_timeout(max_retries - retries_taken, options, headers))

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
                    200, content=_sent_as_read(recorded, chunks),
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


def _sent_as_read(recorded: RecordedRequest, chunks: list[dict[str, Any]]) -> Iterator[bytes]:
    """A stream's events, each sent only when the client reads on, counted on `recorded`."""
    recorded.events = len(chunks) + 1  # the chunks, then `data: [DONE]`

    def send() -> Iterator[bytes]:
        for event in event_stream(chunks):
            recorded.events_read += 1
            yield event

    return send()


@cache
def _shared_ssl_context() -> ssl.SSLContext:
    return httpcore2.default_ssl_context()


@contextmanager
def _one_ssl_context() -> Iterator[None]:
    """Let every client share one TLS context: nothing here connects, and loading the
    certificate store again for each `OpenAI()` a learner creates costs more than a check."""
    original = httpcore2.default_ssl_context
    shared = _shared_ssl_context()
    httpcore2.default_ssl_context = lambda *args, **kwargs: shared
    try:
        yield
    finally:
        httpcore2.default_ssl_context = original


def model_list() -> dict[str, Any]:
    """What `GET /models` answers: the course's model, as the simulation serves it."""
    from workshop.settings import MODEL

    return {
        "object": "list",
        "data": [
            {
                "id": simulated_model_name(MODEL),
                "object": "model",
                "created": int(time.time()),
                "owned_by": "workshop-simulation",
            }
        ],
    }
