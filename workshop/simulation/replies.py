"""The reply writer: what the simulated model says, chosen from the messages it was sent.

At temperature 0 the same messages always get the same reply; higher temperatures vary the
choices (reproducibly for a given `seed`).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

from workshop import tokens
from workshop.simulation.structured import instance_of


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
    temperature = float(request.get("temperature", 1.0))
    top_p = float(request.get("top_p", 1.0))
    if temperature == 0 or top_p == 0:
        return [most_likely] * count
    seed = request.get("seed")
    rng = random.Random(f"{seed}:{fingerprint}") if seed is not None else random.Random()
    chance_to_vary = min(1.0, temperature) * top_p
    unused = [variant for variant in variants if variant != most_likely]
    rng.shuffle(unused)
    replies: list[str] = []
    for _ in range(count):
        reply = unused.pop() if unused and rng.random() < chance_to_vary else most_likely
        if temperature > 1.2:
            reply = f"{reply} {rng.choice(_WANDERING_THOUGHTS)}"
        replies.append(reply)
    return replies


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


_NAME_STATEMENT = re.compile(
    r"\b(?:my name is|my name's|call me|i am|i'm)\s+([A-Z][\w'-]*)", re.IGNORECASE
)
_NAME_QUESTION = re.compile(
    r"\b(what(?:'s| is) my name|who am i|do you (?:know|remember) my name|my name\?)",
    re.IGNORECASE,
)
_NOT_NAMES = {"a", "an", "the", "not", "so", "very", "just", "here", "going", "looking", "trying"}


def _reply_variants(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every reply the model might give to these messages; choices pick among them."""
    user_texts = [tokens.message_text(m) for m in messages if m.get("role") == "user"]
    latest = user_texts[-1] if user_texts else ""
    name = _remembered_name(user_texts)
    if _NAME_QUESTION.search(latest):
        if name:
            return [template.format(name=name) for template in _NAME_RECALLED]
        return list(_NAME_UNKNOWN)
    told_name = _remembered_name([latest])
    if told_name:
        return [template.format(name=told_name) for template in _GREETINGS]
    topic = _topic(latest)
    return [
        f"{opener} {advice}"
        for opener in _OPENERS
        for advice in _ADVICE[topic]
    ]


def _remembered_name(texts: Sequence[str]) -> str | None:
    """The last name the user gave, looking only at the texts the model was sent."""
    found = None
    for text in texts:
        for match in _NAME_STATEMENT.finditer(text):
            candidate = match.group(1)
            if candidate.lower() not in _NOT_NAMES:
                found = candidate
    return found


def _topic(question: str) -> str:
    lowered = question.lower()
    for topic, words in _TOPIC_WORDS.items():
        if any(word in lowered for word in words):
            return topic
    return "general"


_NAME_RECALLED = (
    "Your name is {name}.",
    "You told me your name is {name}.",
    "You're {name}!",
    "It's {name}, unless you've changed it since you told me.",
)
_NAME_UNKNOWN = (
    "I don't know your name: you haven't told me in this conversation.",
    "I'm sorry, I don't know your name. Nothing in our conversation mentions it.",
    "You haven't told me your name yet, so I can't say.",
)
_GREETINGS = (
    "Nice to meet you, {name}! How can I help?",
    "Hello, {name}! What would you like to talk about?",
    "Hi {name}, good to meet you. What can I do for you?",
)
_OPENERS = (
    "Good question!",
    "Happy to help.",
    "Here's my suggestion:",
    "Sure.",
    "Let me help with that.",
)
_TOPIC_WORDS = {
    "packing": ("pack", "bring", "luggage", "suitcase", "wear"),
    "weather": ("weather", "rain", "temperature", "climate", "season"),
    "sights": ("see", "visit", "itinerary", "do in", "sights", "museum", "trip"),
    "food": ("eat", "food", "restaurant", "dish", "drink"),
}
_ADVICE = {
    "packing": (
        "Pack layers you can combine, comfortable walking shoes and a light rain jacket.",
        "Bring a compact umbrella, a warm sweater for the evenings and shoes made for cobblestones.",
        "Keep it light: a few versatile outfits, one warm layer and a waterproof jacket.",
        "Roll your clothes, leave room for souvenirs, and pack a power adapter.",
    ),
    "weather": (
        "Expect mild days and cool evenings; check the forecast a few days before you leave.",
        "The weather can change quickly, so plan indoor options for rainy afternoons.",
        "Mornings are often cool, afternoons pleasant; dress in layers.",
        "Rain is likely now and then, but long sunny spells are common too.",
    ),
    "sights": (
        "Start with the old town on foot, then take a tram to the viewpoints at sunset.",
        "Spend one day on museums, one on neighbourhoods and keep one free for a day trip.",
        "Book popular sights ahead, and wander the side streets between them.",
        "A free walking tour on the first morning is a great way to find your bearings.",
    ),
    "food": (
        "Try the local bakeries in the morning and a family-run tavern for dinner.",
        "Ask for the dish of the day: it is usually fresh, local and good value.",
        "Markets are the best place to taste regional specialities cheaply.",
        "Eat where the locals queue, and leave room for dessert.",
    ),
    "general": (
        "I'd start by deciding what matters most to you, then plan around it.",
        "Break it into small steps and take them one at a time.",
        "There are a few good options; tell me more and I can narrow them down.",
        "The short answer is: it depends on your goals, but here is a sensible default.",
    ),
}
_WANDERING_THOUGHTS = (
    "Also, pigeons are excellent navigators.",
    "Somewhere a kettle is whistling in B flat.",
    "Maps are just poems about distance.",
    "Bring a kite, just in case.",
)


# --- shaping a choice -------------------------------------------------------------------------


def finish(content: str, request: Mapping[str, Any], index: int) -> dict[str, Any]:
    """Apply response_format, stop sequences and the token limit to one choice."""
    content = _formatted(content, request.get("response_format"))
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
        "logprobs": None,
        "finish_reason": finish_reason,
    }


def _formatted(reply: str, response_format: Mapping[str, Any] | None) -> str:
    kind = (response_format or {}).get("type")
    if kind == "json_object":
        return json.dumps({"answer": reply})
    if kind == "json_schema":
        schema = response_format["json_schema"].get("schema") or {}
        return json.dumps(instance_of(schema, reply))
    return reply

