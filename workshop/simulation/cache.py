"""Automatic prompt caching: a long prompt's repeated beginning is reported as cached tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workshop import tokens


class PromptCache:
    """Automatic prompt caching as the API does it, for one session of requests.

    A prompt of at least 1,024 tokens whose beginning matches a prompt seen earlier has that
    shared beginning served from the cache, counted in whole blocks of 128 tokens. Cached tokens
    are still part of `prompt_tokens`; `prompt_tokens_details.cached_tokens` says how many.
    """

    MINIMUM_TOKENS = 1024
    BLOCK_TOKENS = 128

    def __init__(self) -> None:
        self._seen: list[list[int]] = []

    def cached_tokens(self, messages: Sequence[Mapping[str, Any]]) -> int:
        """How many of these messages' prompt tokens come from the cache; then remember them."""
        prompt = _prompt_token_ids(messages)
        shared = max((_shared_prefix(prompt, seen) for seen in self._seen), default=0)
        self._seen.append(prompt)
        if shared < self.MINIMUM_TOKENS:
            return 0
        return shared // self.BLOCK_TOKENS * self.BLOCK_TOKENS


def _prompt_token_ids(messages: Sequence[Mapping[str, Any]]) -> list[int]:
    """A prompt as one token sequence, as long as `tokens.count_message_tokens` counts it."""
    framing = [-1] * tokens.TOKENS_PER_MESSAGE
    ids: list[int] = []
    for message in messages:
        ids += framing + tokens.encode(str(message.get("role", ""))) + tokens.encode(
            tokens.message_text(message)
        )
        if message.get("name"):
            ids += [-2] * tokens.TOKENS_PER_NAME + tokens.encode(str(message["name"]))
    return ids + [-3] * tokens.REPLY_PRIMING_TOKENS


def _shared_prefix(first: Sequence[int], second: Sequence[int]) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length

