"""What the simulated model does with the `model` it is asked for, and what that model refuses.

The practice model answers every id the SDK knows, its own `-simulated` ids, the course's
configured model and anything else that is not a near-miss of an OpenAI id (so "llama3.2" keeps
working when a learner points the course at Ollama). It refuses, as the API would:

- an id OpenAI has shut down: 404 `model_not_found`, plus the date and what to use instead;
- a misspelled OpenAI id ("gtp-4o-mini"): 404 `model_not_found`, plus the closest known id;
- on a reasoning model, the sampling parameters its family refuses (see `models.Reasoning`) and
  `max_tokens`; on a chat model, `reasoning_effort`.

It also refuses an output limit or a prompt beyond the model's limits, and writes the hidden
reasoning a reasoning model bills as output into `usage`.
"""

from __future__ import annotations

import contextvars
import datetime
import difflib
import functools
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from workshop import tokens
from workshop.simulation.errors import SimulatedAPIError, model_not_found
from workshop.simulation.models import (
    UNSUPPORTED_IDS,
    ModelInfo,
    Reasoning,
    known_model,
    known_models,
    requested_model,
)

NEAR_MISS = 0.85  # difflib ratio from which an unknown id counts as a misspelled OpenAI id
# Reasoning tokens per choice at each effort before the prompt's share: plausible, not measured.
REASONING_TOKENS = {"none": 0, "minimal": 16, "low": 96, "medium": 256, "high": 640, "xhigh": 1280,
                    "max": 2048}
SAMPLING = (("temperature", 1), ("top_p", 1), ("logprobs", False))
# The ids a practice server was told to serve (`--models`), set by its handler thread, so that
# the check in `complete()` answers them too.
SERVED: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("served", default=())


def check(request: Mapping[str, Any], *, today: datetime.date | None = None) -> None:
    """Refuse the model a request names, or the parameters that model refuses, as the API would."""
    check_model(str(request["model"]), also_served=SERVED.get(), today=today)
    check_parameters(request)
    check_limits(request)


def check_model(
    model: str, *, also_served: Iterable[str] = (), today: datetime.date | None = None
) -> None:
    """Refuse a shut-down or misspelled OpenAI id with the API's 404; answer every other id.

    `also_served` are ids a server was told to serve (`--models`); the configured model is
    always answered too, so the graders keep working whatever a learner's `.env` names.
    """
    name = requested_model(model)
    if name in _always_served(also_served):
        return
    info = known_model(name)
    if info is not None:
        if info.is_shut_down(today):
            raise _not_found(model, f"{name} was shut down on {info.shutdown:%Y-%m-%d}: use "
                             f"{info.replacement} or another current model.")
        return
    if name in UNSUPPORTED_IDS:
        raise _not_found(model, f"{name} is listed by the SDK but is not a model OpenAI serves: "
                         f"use {closest_model(name, today=today) or 'a current model'}.")
    closest = closest_model(name, today=today)
    if closest is not None:
        raise _not_found(model, f"Did you mean {closest}?")


def closest_model(name: str, *, today: datetime.date | None = None) -> str | None:
    """The current OpenAI id `name` is most likely a misspelling of, if any is close enough."""
    return _closest(name, today or datetime.date.today())


@functools.lru_cache(maxsize=256)  # a local model's id is asked about on every request
def _closest(name: str, today: datetime.date) -> str | None:
    current = [info.id for info in known_models() if not info.is_shut_down(today)]
    matches = difflib.get_close_matches(name.lower(), current, n=1, cutoff=NEAR_MISS)
    return matches[0] if matches and matches[0] != name else None


def check_parameters(request: Mapping[str, Any]) -> None:
    """Refuse what the requested model's family refuses, with the API's error shape."""
    info = known_model(str(request["model"]))
    if info is None:
        return
    rules = info.reasoning
    effort = request.get("reasoning_effort")
    if rules is None:
        if effort is not None:
            raise _unsupported_parameter("reasoning_effort")
        return
    if effort is not None and rules.efforts and effort not in rules.efforts:
        supported = ", ".join(f"'{value}'" for value in rules.efforts)
        raise SimulatedAPIError(
            400, f"Unsupported value: 'reasoning_effort' does not support {effort!r} with this "
            f"model. Supported values are: {supported}.",
            param="reasoning_effort", code="unsupported_value",
        )
    if request.get("max_tokens") is not None:
        raise SimulatedAPIError(
            400, "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            param="max_tokens", code="unsupported_parameter",
        )
    if rules.refuses_stop and request.get("stop") is not None:
        raise _unsupported_parameter("stop")
    if _sampling_refused(rules, effort):
        for name, default in SAMPLING:
            value = request.get(name)
            if value is not None and value != default:
                raise _sampling_refusal(rules, name, value)


def check_limits(request: Mapping[str, Any]) -> None:
    """Refuse an output limit above the model's, or a prompt longer than its context window."""
    info = known_model(str(request["model"]))
    if info is None:
        return
    for name in ("max_completion_tokens", "max_tokens"):
        limit = request.get(name)
        if isinstance(limit, int) and limit > info.max_output_tokens:
            raise SimulatedAPIError(
                400, f"{name} is too large: {limit}. This model supports at most "
                f"{info.max_output_tokens} completion tokens, whereas you provided {limit}.",
                param=name, code="invalid_value",
            )
    messages = request["messages"]
    # A token is at least one byte, so only a prompt of more bytes than the window is counted.
    if sum(len(tokens.message_text(message).encode()) for message in messages) < info.context_window:
        return
    prompt_tokens = tokens.count_message_tokens(messages)
    if prompt_tokens > info.context_window:
        raise SimulatedAPIError(
            400, f"This model's maximum context length is {info.context_window} tokens. However, "
            f"your messages resulted in {prompt_tokens} tokens. Please reduce the length of the "
            "messages.",
            param="messages", code="context_length_exceeded",
        )


def effective_effort(info: ModelInfo, request: Mapping[str, Any]) -> str | None:
    """The reasoning effort a request runs at: its own, or the family's default."""
    if info.reasoning is None:
        return None
    return str(request.get("reasoning_effort") or info.reasoning.default_effort)


def with_reasoning_usage(request: Mapping[str, Any], completion: dict[str, Any]) -> dict[str, Any]:
    """`completion` with the hidden reasoning of a reasoning model counted in its usage.

    Reasoning tokens are billed as output, so they are part of `completion_tokens`; they never
    push a choice past `max_completion_tokens`. The count depends only on the request, so the
    same request always reports the same usage.
    """
    info = known_model(str(request["model"]))
    effort = effective_effort(info, request) if info is not None else None
    per_choice = REASONING_TOKENS.get(effort or "none", 0)
    if not per_choice:
        return completion
    usage = completion["usage"]
    choices = max(1, len(completion["choices"]))
    per_choice += _prompt_share(request, per_choice)
    limit = request.get("max_completion_tokens")
    if isinstance(limit, int):
        visible = -(-usage["completion_tokens"] // choices)
        per_choice = max(0, min(per_choice, limit - visible))
    reasoning = per_choice * choices
    usage["completion_tokens"] += reasoning
    usage["total_tokens"] += reasoning
    usage["completion_tokens_details"]["reasoning_tokens"] = reasoning
    return completion


def _prompt_share(request: Mapping[str, Any], base: int) -> int:
    """Up to half as much again, fixed by the messages: harder-looking prompts think longer."""
    digest = hashlib.sha256(repr(request.get("messages")).encode()).digest()
    return int.from_bytes(digest[:4], "big") % (base // 2 + 1)


def _always_served(also_served: Iterable[str]) -> set[str]:
    from workshop import settings

    return {requested_model(name) for name in (*also_served, settings.MODEL)}


def _sampling_refused(rules: Reasoning, effort: Any) -> bool:
    if rules.sampling_when_effort_none:
        return (effort or rules.default_effort) != "none"
    return True


def _sampling_refusal(rules: Reasoning, name: str, value: Any) -> SimulatedAPIError:
    if rules.refusal == "unsupported_parameter" or name == "logprobs":
        return _unsupported_parameter(name)
    return SimulatedAPIError(
        400, f"Unsupported value: '{name}' does not support {value!r} with this model. "
        "Only the default (1) value is supported.",
        param=name, code="unsupported_value",
    )


def _unsupported_parameter(name: str) -> SimulatedAPIError:
    return SimulatedAPIError(
        400, f"Unsupported parameter: '{name}' is not supported with this model.",
        param=name, code="unsupported_parameter",
    )


def _not_found(model: str, advice: str) -> SimulatedAPIError:
    error = model_not_found(model)
    error.message = f"{error.message}\n{advice}"
    return error
