"""The simulated model behind the openai SDK's own HTTP client, for graders and executed docs.

Inside `with SimulatedAPI() as api:` every request the SDK sends, whatever its base URL, is
answered here: chat completions by the simulated model, the model list by a one-entry list,
anything else by a 404 that names the method and URL. Nothing reaches the network, and every
request is kept (with its `Authorization` header redacted) so a grader can show the learner
exactly what their code sent.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx
import pytest_httpx2  # noqa: F401  (registers respx's mocker for the httpcore2 transport openai uses)
import respx

from workshop.offline import network_blocked
from workshop.simulated_model import SimulatedAPIError, complete, simulated_model_name

REDACTED = "Bearer [redacted]"


@dataclass
class RecordedRequest:
    """One HTTP request the learner's code sent, safe to show: the key is redacted."""

    method: str
    url: str
    headers: dict[str, str]
    body: Any = None
    reply: dict[str, Any] | None = None  # what the simulated API answered, when it was JSON

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


@dataclass
class SimulatedAPI:
    """Routes the SDK's traffic to the simulated model and remembers every request."""

    requests: list[RecordedRequest] = field(default_factory=list)
    unanswered: list[RecordedRequest] = field(default_factory=list)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.is_chat_completion]

    def __enter__(self) -> SimulatedAPI:
        self._network = network_blocked()
        self._network.__enter__()
        self._router = respx.mock(using="httpcore2", assert_all_called=False)
        self._router.__enter__()
        self._router.route().mock(side_effect=self._answer)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._router.__exit__(kind, error, trace)
        self._network.__exit__(kind, error, trace)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        recorded = RecordedRequest.from_httpx(request)
        self.requests.append(recorded)
        if recorded.is_chat_completion:
            try:
                recorded.reply = complete(recorded.body)
                return httpx.Response(200, json=recorded.reply)
            except SimulatedAPIError as error:
                recorded.reply = error.body()
                return httpx.Response(error.status, json=recorded.reply)
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
