"""Faults a grader can queue: one chat request answered with an error, a timeout, a cut reply...

Each fault takes the place of the simulated model's answer to one request, so a check can show
the learner's code meeting exactly the trouble the lesson describes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpcore2
import httpx

from workshop import tokens
from workshop.simulation.completion import complete
from workshop.simulation.errors import SimulatedAPIError
from workshop.simulation.recording import RecordedRequest
from workshop.simulation.streaming import server_sent_events, stream_chunks
from workshop.simulation.tools import generated_text

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


def invalid_tool_arguments() -> Fault:
    """Answer, but with every tool call's arguments cut off halfway, so they are not valid JSON.

    The SDK's docs warn that a model's arguments may not parse; a reply without calls is left as
    it is.
    """

    def cut(call: dict[str, Any]) -> None:
        arguments = call["function"]["arguments"]
        call["function"]["arguments"] = arguments[: max(1, len(arguments) // 2)]

    return _edited_tool_calls(cut)


def unknown_tool_argument(name: str = "units", value: Any = "metric") -> Fault:
    """Answer, but with every tool call's arguments naming a parameter no schema defines.

    The SDK's docs warn that a model may invent parameters; a reply without calls is left as it is.
    """

    def add(call: dict[str, Any]) -> None:
        arguments = json.loads(call["function"]["arguments"])
        arguments[name] = value
        call["function"]["arguments"] = json.dumps(arguments, ensure_ascii=False)

    return _edited_tool_calls(add)


def always_calls_tool() -> Fault:
    """Answer as a model that calls a tool whatever it is told: `tool_choice` "required".

    Queued for several requests in a row, it shows whether a tool loop has a cap on its rounds.
    A request that offers no tools is answered as usual.
    """

    def answer(recorded: RecordedRequest) -> httpx.Response:
        body = recorded.body
        if isinstance(body, dict) and body.get("tools"):
            body = {**body, "tool_choice": "required"}
        return _answered(recorded, body, lambda call: None)

    return answer


def _edited_tool_calls(edit: Callable[[dict[str, Any]], None]) -> Fault:
    """The simulated model's own answer with `edit` applied to each tool call, usage recounted."""

    def answer(recorded: RecordedRequest) -> httpx.Response:
        return _answered(recorded, recorded.body, edit)

    return answer


def _answered(
    recorded: RecordedRequest, body: Any, edit: Callable[[dict[str, Any]], None]
) -> httpx.Response:
    try:
        completion = complete(body)
    except SimulatedAPIError as error:
        return error_reply(error)(recorded)
    for choice in completion["choices"]:
        for call in choice["message"].get("tool_calls") or []:
            edit(call)
    usage = completion["usage"]
    usage["completion_tokens"] = sum(
        tokens.count_tokens(generated_text(choice["message"])) for choice in completion["choices"]
    )
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    recorded.reply = completion
    if isinstance(body, dict) and body.get("stream"):
        options = body.get("stream_options") or {}
        chunks = stream_chunks(completion, include_usage=bool(options.get("include_usage")))
        return httpx.Response(200, content=server_sent_events(chunks),
                              headers={"content-type": "text/event-stream"})
    return httpx.Response(200, json=completion)
def scripted_reply(text: str, finish_reason: str = "stop") -> Fault:
    """Answer with `text` and `finish_reason` in every choice, chosen by the check, not by chance.

    The request is still checked as the simulated model checks it: a request it would refuse
    gets the same error. Usage is counted for the text given.
    """

    def script(choice: dict[str, Any]) -> None:
        choice["message"]["content"] = text
        choice["finish_reason"] = finish_reason

    return _edited_reply(script)


def scripted_choices(*texts: str) -> Fault:
    """Answer with one choice per text given, in order (the request's `n` is not consulted)."""

    def answer(recorded: RecordedRequest) -> httpx.Response:
        try:
            completion = complete(recorded.body)
        except SimulatedAPIError as error:
            return error_reply(error)(recorded)
        template = completion["choices"][0]
        completion["choices"] = [
            {**template, "index": index, "message": {**template["message"], "content": text},
             "finish_reason": "stop"}
            for index, text in enumerate(texts)
        ]
        usage = completion["usage"]
        usage["completion_tokens"] = sum(tokens.count_tokens(text) for text in texts)
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        recorded.reply = completion
        return httpx.Response(200, json=completion)

    return answer
