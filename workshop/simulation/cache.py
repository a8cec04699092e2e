"""Automatic prompt caching: a long prompt's repeated beginning is reported as cached tokens."""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from workshop import tokens

# What a session's cache may hold: its prompts' token ids take 4 bytes each, so this is about
# 16 million tokens; the oldest prompts are forgotten first when it is full.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class PromptCache:
    """Automatic prompt caching as the API does it, for one session of requests.

    A prompt of at least 1,024 tokens whose beginning matches a prompt seen earlier has that
    shared beginning served from the cache, counted in whole blocks of 128 tokens. Cached tokens
    are still part of `prompt_tokens`; `prompt_tokens_details.cached_tokens` says how many.
    The cache holds at most `max_bytes` of prompts, forgetting the oldest first.
    """

    MINIMUM_TOKENS = 1024
    BLOCK_TOKENS = 128

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._seen: deque[array[int]] = deque()
        self._bytes = 0

    @property
    def size_in_bytes(self) -> int:
        return self._bytes

    def cached_tokens(self, messages: Sequence[Mapping[str, Any]]) -> int:
        """How many of these messages' prompt tokens come from the cache; then remember them."""
        prompt = _prompt_token_ids(messages)
        shared = max((_shared_prefix(prompt, seen) for seen in self._seen), default=0)
        self._remember(prompt)
        if shared < self.MINIMUM_TOKENS:
            return 0
        return shared // self.BLOCK_TOKENS * self.BLOCK_TOKENS

    def _remember(self, prompt: array[int]) -> None:
        size = len(prompt) * prompt.itemsize
        if size > self.max_bytes:
            return
        self._seen.append(prompt)
        self._bytes += size
        while self._bytes > self.max_bytes:
            forgotten = self._seen.popleft()
            self._bytes -= len(forgotten) * forgotten.itemsize


def _prompt_token_ids(messages: Sequence[Mapping[str, Any]]) -> array[int]:
    """A prompt as one token sequence, as long as `tokens.count_message_tokens` counts it."""
    framing = [-1] * tokens.TOKENS_PER_MESSAGE
    ids = array("i")
    for message in messages:
        ids.extend(framing)
        ids.extend(tokens.encode(str(message.get("role", ""))))
        ids.extend(tokens.encode(tokens.message_text(message)))
        if message.get("name"):
            ids.extend([-2] * tokens.TOKENS_PER_NAME)
            ids.extend(tokens.encode(str(message["name"])))
    ids.extend([-3] * tokens.REPLY_PRIMING_TOKENS)
    return ids


def _shared_prefix(first: array[int], second: array[int]) -> int:
    """The length of the common beginning, by halving: each slice comparison runs in C."""
    low, high = 0, min(len(first), len(second))
    while low < high:
        middle = (low + high + 1) // 2
        if first[:middle] == second[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
