"""A request as the simulated API received it, safe to show a learner: the key is redacted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import httpx

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

    @cached_property
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

    def reply_tool_calls(self) -> list[dict[str, Any]]:
        """The tool calls of the first choice the API answered with (none for a text reply)."""
        choices = (self.reply or {}).get("choices", [])
        return list(choices[0]["message"].get("tool_calls") or []) if choices else []

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
