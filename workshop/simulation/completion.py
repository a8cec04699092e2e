"""`complete()`: one Chat Completions request body answered with a `chat.completion` object."""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import Any

from workshop import tokens
from workshop.simulation.cache import PromptCache
from workshop.simulation.models import simulated_model_name
from workshop.simulation.replies import choose_replies, finish
from workshop.simulation.rules import check_context_window, validate

SYSTEM_FINGERPRINT = "fp_simulated"

def complete(request: Mapping[str, Any], *, cache: PromptCache | None = None) -> dict[str, Any]:
    """Answer one Chat Completions request body with a `chat.completion` object (as a dict).

    With a `cache`, the part of the prompt it has seen before is reported as cached tokens.
    """
    validate(request)
    messages: list[Mapping[str, Any]] = list(request["messages"])
    prompt_tokens = tokens.count_message_tokens(messages)
    check_context_window(request, prompt_tokens)
    choice_count = int(request.get("n") or 1)
    contents = choose_replies(messages, request, choice_count)
    choices = [
        finish(content, request, index) for index, content in enumerate(contents)
    ]
    completion_tokens = sum(tokens.count_tokens(choice["message"]["content"]) for choice in choices)
    cached_tokens = cache.cached_tokens(messages) if cache is not None else 0
    return {
        "id": f"chatcmpl-sim{secrets.token_hex(12)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": simulated_model_name(str(request["model"])),
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "service_tier": "default",
    }

