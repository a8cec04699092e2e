"""Streaming: one completion as `chat.completion.chunk` objects and server-sent events."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from workshop import tokens
from workshop.simulation.logprobs import split_logprobs
from workshop.simulation.tools import tool_call_deltas


def stream_chunks(completion: Mapping[str, Any], *, include_usage: bool) -> list[dict[str, Any]]:
    """The `chat.completion.chunk` objects a streamed request gets for the same completion.

    Each choice opens with its role, sends its text a few tokens at a time and closes with its
    finish_reason; with `include_usage` a last chunk with no choices carries the usage.
    """
    common = {
        "id": completion["id"],
        "object": "chat.completion.chunk",
        "created": completion["created"],
        "model": completion["model"],
        "system_fingerprint": completion["system_fingerprint"],
        "service_tier": completion["service_tier"],
    }
    usage_field = {"usage": None} if include_usage else {}

    def chunk(index: int, delta: dict[str, Any], finish_reason: str | None = None,
              logprobs: dict[str, Any] | None = None) -> dict[str, Any]:
        choice = {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish_reason}
        return {**common, "choices": [choice], **usage_field}

    chunks = []
    for choice in completion["choices"]:
        index = choice["index"]
        deltas = tool_call_deltas(choice["message"])  # a reply's tool calls: tools.py
        if deltas is not None:
            chunks.extend(chunk(index, delta) for delta in deltas)
        else:
            chunks.append(chunk(index, {"role": "assistant", "content": "", "refusal": None}))
            pieces = _pieces(choice["message"]["content"])
            parts = split_logprobs(choice["logprobs"], [size for _, size in pieces])
            chunks.extend(
                chunk(index, {"content": piece}, logprobs=part)
                for (piece, _), part in zip(pieces, parts, strict=True)
            )
        chunks.append(chunk(index, {}, choice["finish_reason"]))
    if include_usage:
        chunks.append({**common, "choices": [], "usage": completion["usage"]})
    return chunks


def _pieces(text: str, tokens_per_piece: int = 3) -> list[tuple[str, int]]:
    """The text a few tokens at a time, each piece with how many tokens it holds."""
    encoded = tokens.encode(text)
    groups = [encoded[start : start + tokens_per_piece] for start in range(0, len(encoded), tokens_per_piece)]
    return [(tokens.decode(group), len(group)) for group in groups]


def server_sent_events(chunks: Sequence[Mapping[str, Any]]) -> bytes:
    """A stream's body on the wire: one `data:` event per chunk, then `data: [DONE]`."""
    return b"".join(event_stream(chunks))


def event_stream(chunks: Sequence[Mapping[str, Any]]) -> Iterator[bytes]:
    """The same body as `server_sent_events`, one event at a time, as a server sends it."""
    for chunk in chunks:
        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()
    yield b"data: [DONE]\n\n"


