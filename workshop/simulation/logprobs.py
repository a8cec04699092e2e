"""Log probabilities of a reply's tokens, in the API's shape, shaped by the temperature.

The simulated model has no real distribution, so each token gets a made-up but reproducible
one: a score from a hash of the token and its position, turned into probabilities with the
request's temperature. At low temperatures the chosen token takes nearly all the probability
(logprob near 0); at high ones it is spread over the alternatives, as with a real model. The
alternatives in `top_logprobs` are common tokens, most likely first, the chosen one among them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any

from workshop import tokens

_ALTERNATIVES = (" the", ",", ".", " and", " a", " to", " of", " in", " is", " you", " for", " it",
                 " with", " on", " that", " this", " be", " at", " your", " or", " as", " I")
_COLDEST = 0.05  # temperature 0 is greedy: treated as this, so probabilities stay finite


def choice_logprobs(content: str, request: Mapping[str, Any]) -> dict[str, Any] | None:
    """The `logprobs` of one choice: None unless the request asked with `logprobs: true`."""
    if request.get("logprobs") is not True:
        return None
    temperature = request.get("temperature")
    if not isinstance(temperature, (int, float)) or isinstance(temperature, bool):
        temperature = 1.0
    count = int(request.get("top_logprobs") or 0)
    ids = tokens.encode(content)
    entries = [_entry(token, index, float(temperature), count) for index, token in enumerate(ids)]
    return {"content": entries, "refusal": None}


def _entry(token: int, position: int, temperature: float, alternatives: int) -> dict[str, Any]:
    text, raw = _token_text(token)
    digest = hashlib.sha256(f"{token}:{position}".encode()).digest()
    margin = 1.0 + 4.0 * digest[0] / 255  # how far the chosen token leads its rivals, in logits
    heat = max(temperature, _COLDEST)
    # The chosen token and len(_ALTERNATIVES) rivals; each rival trails the previous one by 1.
    weights = [1.0] + [math.exp(-(margin + rank) / heat) for rank in range(len(_ALTERNATIVES))]
    total = sum(weights)
    chosen = math.log(weights[0] / total)
    entry: dict[str, Any] = {"token": text, "logprob": chosen, "bytes": list(raw), "top_logprobs": []}
    rivals = [alternative for alternative in _ALTERNATIVES if alternative != text]
    top = [(text, raw, chosen)] + [
        (rival, rival.encode(), math.log(weight / total))
        for rival, weight in zip(rivals, weights[1:], strict=False)
    ]
    entry["top_logprobs"] = [
        {"token": name, "logprob": value, "bytes": list(data)} for name, data, value in top[:alternatives]
    ]
    return entry


def _token_text(token: int) -> tuple[str, bytes]:
    """A token as the API shows it: its text, and its bytes (a token may end mid-character)."""
    raw = tokens.token_bytes(token)
    return raw.decode("utf-8", errors="replace"), raw


def split_logprobs(logprobs: Mapping[str, Any] | None, sizes: list[int]) -> list[dict[str, Any] | None]:
    """One choice's logprobs cut into consecutive parts of `sizes` tokens, for stream chunks."""
    if logprobs is None:
        return [None] * len(sizes)
    entries = list(logprobs["content"])
    parts: list[dict[str, Any] | None] = []
    start = 0
    for size in sizes:
        parts.append({"content": entries[start:start + size], "refusal": None})
        start += size
    return parts
