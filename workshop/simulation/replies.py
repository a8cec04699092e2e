"""The reply writer: what the simulated model says, chosen from the messages it was sent.

At temperature 0 the same messages always get the same reply; higher temperatures vary the
choices (reproducibly for a given `seed`).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from workshop import tokens
from workshop.simulation import writer
from workshop.simulation.logprobs import choice_logprobs
from workshop.simulation.structured import json_object_for, schema_instance

# What an unseeded request's choices are drawn with: fresh chance, unless `repeatable()` is on.
_unseeded: list[str | None] = [None]


@contextmanager
def repeatable() -> Iterator[None]:
    """Within this block, a request without a `seed` gets the same varied replies every run.

    A verdict must not depend on chance, and a learner's request rarely carries a seed, so the
    graders' simulated API answers inside this block.
    """
    previous, _unseeded[0] = _unseeded[0], "grading"
    try:
        yield
    finally:
        _unseeded[0] = previous


def choose_replies(
    messages: Sequence[Mapping[str, Any]], request: Mapping[str, Any], count: int
) -> list[str]:
    """One reply per choice: the most likely one at temperature 0, varied ones above it."""
    rest = _continuation(messages)
    if rest is not None:
        return [rest] * count
    variants = _reply_variants(messages)
    fingerprint = _fingerprint(messages)
    most_likely = variants[fingerprint % len(variants)]
    temperature = _number(request.get("temperature"), 1.0)
    top_p = _number(request.get("top_p"), 1.0)
    # A presence or frequency penalty makes words already written less likely: across the
    # choices of one request, a reply already given is avoided while another one is left.
    penalty = max(_number(request.get("presence_penalty"), 0.0),
                  _number(request.get("frequency_penalty"), 0.0))
    seed = request.get("seed")
    rng = random.Random(f"{seed}:{fingerprint}") if seed is not None else random.Random(_unseeded[0])
    if temperature == 0 or top_p == 0:
        chance_to_vary = 0.0  # greedy: the choices differ only where a penalty makes them
    else:
        chance_to_vary = min(1.0, max(0.0, min(1.0, temperature) * top_p + penalty / 2))
    unused = [variant for variant in variants if variant != most_likely]
    if chance_to_vary:
        rng.shuffle(unused)
    wander = temperature > 1.2 and writer.may_wander(messages)
    replies: list[str] = []
    for index in range(count):
        vary = unused and ((index > 0 and penalty > 0) or (chance_to_vary and rng.random() < chance_to_vary))
        reply = unused.pop(0 if not chance_to_vary else -1) if vary else most_likely
        if wander:
            reply = f"{reply} {rng.choice(_WANDERING_THOUGHTS)}"
        replies.append(reply)
    return replies


def _number(value: Any, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _fingerprint(messages: Sequence[Mapping[str, Any]]) -> int:
    text = json.dumps(
        [[m.get("role"), tokens.message_text(m)] for m in messages], ensure_ascii=False
    )
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


_CONTINUE_REQUEST = re.compile(
    r"\b(continue|go on|keep going|carry on|keep writing|where you (?:stopped|left off)|"
    r"finish (?:your|the) (?:answer|reply|sentence))\b",
    re.IGNORECASE,
)


def _continuation(messages: Sequence[Mapping[str, Any]]) -> str | None:
    """The rest of a cut-off reply, when the user asks to continue right after the cut part.

    The cut part must come back as the last assistant message, and be the beginning of a reply
    the model would have given to the messages before it. Otherwise there is nothing to continue.
    """
    if len(messages) < 3 or messages[-1].get("role") != "user":
        return None
    if messages[-2].get("role") != "assistant":
        return None
    if not _CONTINUE_REQUEST.search(tokens.message_text(messages[-1])):
        return None
    written = tokens.message_text(messages[-2]).strip()
    earlier = messages[:-2]
    if not written or not any(m.get("role") == "user" for m in earlier):
        return None
    intended = _continuation(earlier)
    if intended is not None:
        candidates = [intended.lstrip()]
    else:
        variants = _reply_variants(earlier)
        most_likely = variants[_fingerprint(earlier) % len(variants)]
        candidates = [most_likely, *variants]
    for candidate in candidates:
        if candidate.startswith(written) and len(candidate) > len(written):
            return candidate[len(written):]
    return None


def _reply_variants(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every reply the model might give to these messages; choices pick among them."""
    return writer.reply_variants(messages)


# --- shaping a choice -------------------------------------------------------------------------


def finish(content: str, request: Mapping[str, Any], index: int) -> dict[str, Any]:
    """Apply response_format, stop sequences and the token limit to one choice."""
    content = _formatted(content, request)
    finish_reason = "stop"
    stop = request.get("stop")
    for sequence in [stop] if isinstance(stop, str) else stop or []:
        if sequence and sequence in content:
            content = content[: content.index(sequence)]
    limit = request.get("max_completion_tokens") or request.get("max_tokens")
    if limit is not None:
        encoded = tokens.encode(content)
        if len(encoded) > limit:
            content = tokens.decode(encoded[:limit])
            finish_reason = "length"
    return {
        "index": index,
        "message": {"role": "assistant", "content": content, "refusal": None, "annotations": []},
        "logprobs": choice_logprobs(content, request),
        "finish_reason": finish_reason,
    }


def _formatted(reply: str, request: Mapping[str, Any]) -> str:
    response_format = request.get("response_format")
    kind = (response_format or {}).get("type")
    if kind in ("json_object", "json_schema"):
        reply = _unwrapped(reply)
    if kind == "json_object":
        return json.dumps(json_object_for(request["messages"], reply), ensure_ascii=False)
    if kind == "json_schema":
        schema = response_format["json_schema"].get("schema") or {}
        return json.dumps(schema_instance(schema, request["messages"], reply), ensure_ascii=False)
    return reply



_WANDERING_THOUGHTS = (
    "Also, pigeons are excellent navigators.",
    "Somewhere a kettle is whistling in B flat.",
    "Maps are just poems about distance.",
    "Bring a kite, just in case.",
)


def _unwrapped(reply: str) -> str:
    """The text of a reply an instruction already put in JSON ({"answer": ...}), for JSON modes."""
    if not reply.startswith("{"):
        return reply
    try:
        value = json.loads(reply)
    except json.JSONDecodeError:
        return reply
    return str(value["answer"]) if isinstance(value, dict) and "answer" in value else reply
