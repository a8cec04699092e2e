"""Structured output: a JSON value that matches the schema a request gives, or the keys the
messages ask for in JSON mode, filled with plausible values from the conversation."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from workshop import tokens
from workshop.simulation.memory import remember
from workshop.simulation.patterns import string_matching
from workshop.simulation.topics import days_in, month_in, place_in

# JSON mode: the keys a message names, quoted ("city", 'days', `tips`) or listed after "keys".
_QUOTED_KEY = re.compile(r"[\"'`]([A-Za-z_][A-Za-z0-9_]{0,40})[\"'`]")
_LISTED_KEYS = re.compile(
    r"\b(?:keys?|fields?|properties)\b\s*(?:called|named)?\s*:?\s*"
    r"([A-Za-z_][A-Za-z0-9_]*(?:\s*(?:,|and|&)\s*[A-Za-z_][A-Za-z0-9_]*)*)",
    re.IGNORECASE,
)
_NOT_KEYS = {"json", "and", "the", "a", "an", "object", "with", "one", "two", "key", "keys", "type",
             "json_object", "only", "of", "for", "in", "is", "are", "that", "to"}


def json_object_for(messages: Sequence[Mapping[str, Any]], reply: str) -> dict[str, Any]:
    """JSON mode's object: the keys the messages ask for (the last message naming any wins),
    each with a plausible value; {"answer": reply} when no message names keys."""
    keys: list[str] = []
    for message in messages:
        named = _keys_named(tokens.message_text(message))
        if named:
            keys = named
    hints = conversation_hints(messages, reply)
    return {key: hints.get(_hint_name(key), reply) for key in keys} if keys else {"answer": reply}


def _keys_named(text: str) -> list[str]:
    if "json" not in text.lower() and "key" not in text.lower() and "field" not in text.lower():
        return []
    found: list[str] = []
    for match in _QUOTED_KEY.finditer(text):
        found.append(match.group(1))
    for match in _LISTED_KEYS.finditer(text):
        found.extend(re.split(r"\s*(?:,|\band\b|&)\s*", match.group(1)))
    unique: list[str] = []
    for key in found:
        if key and key.lower() not in _NOT_KEYS and key not in unique:
            unique.append(key)
    return unique


def conversation_hints(messages: Sequence[Mapping[str, Any]], reply: str) -> dict[str, Any]:
    """Values the conversation gives for common keys, found by `_hint_name(key)`."""
    user = " ".join(tokens.message_text(m) for m in messages if m.get("role") == "user")
    memory = remember(messages)
    place = place_in(user) or memory.destination
    hints: dict[str, Any] = {"text": reply, "number": 1, "list": [reply]}
    if place:
        hints["place"] = place
    if memory.name:
        hints["name"] = memory.name
    days = days_in(user)
    if days is not None:
        hints["days"] = days
    month = month_in(user)
    if month:
        hints["month"] = month
    return hints


_HINT_NAMES = {
    "place": ("city", "destination", "place", "location", "town", "where", "city_name"),
    "name": ("name", "user_name", "username", "first_name", "traveller", "traveler"),
    "days": ("days", "nights", "duration", "duration_days", "num_days", "number_of_days", "length"),
    "month": ("month", "travel_month", "when"),
    "number": ("budget", "price", "cost", "count", "amount", "total", "rating", "score"),
    "list": ("tips", "items", "list", "suggestions", "ideas", "packing_list", "sights", "steps"),
}


def _hint_name(key: str) -> str:
    lowered = key.lower()
    return next((hint for hint, keys in _HINT_NAMES.items() if lowered in keys), "text")


def schema_instance(schema: Any, messages: Sequence[Mapping[str, Any]], reply: str) -> Any:
    """A value for `schema`, with the conversation's values for keys it knows (a `city`...)."""
    return instance_of(schema, reply, hints=conversation_hints(messages, reply))


def instance_of(schema: Any, text: str, root: Any = None, depth: int = 0,
                 budget: list[int] | None = None, hints: Mapping[str, Any] | None = None) -> Any:
    """A value that matches a JSON schema, filled with the reply's words where text is wanted.

    Follows local `$ref`s (such as the `#/$defs/...` the SDK's `.parse()` sends), `allOf`,
    `anyOf`/`oneOf`, `enum`, `const`, string formats and lengths, number bounds and item counts.
    Recursive schemas stop growing after a few levels: optional parts are left empty there. The
    whole value stays within `_MAX_VALUES`, whatever the schema asks for. `hints` give values for
    properties by name (see `conversation_hints`), used where the property's schema takes them.
    """
    hints = hints or {}
    root = schema if root is None else root
    budget = [_MAX_VALUES] if budget is None else budget
    budget[0] -= 1
    schema = _resolved(schema, root)
    if depth > _HARD_DEPTH or budget[0] < 0:
        return None
    if "enum" in schema:
        options = schema["enum"]
        return options[0] if isinstance(options, list) and options else None
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        options = [option for option in _as_list(schema.get(key)) if isinstance(option, Mapping)]
        if options:
            return instance_of(_preferred_option(options, root, depth), text, root, depth + 1, budget, hints)
    if _as_list(schema.get("allOf")):
        return instance_of(_merged(schema, root), text, root, depth + 1, budget, hints)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        return {
            str(name): _hinted(_resolved(sub, root), hints.get(_hint_name(str(name))))
            or instance_of(sub, text, root, depth + 1, budget, hints)
            for name, sub in properties.items()
        }
    if kind == "array":
        return _array_of(schema, text, root, depth, budget, hints)
    if kind == "string":
        value = _string_for(schema, text)
        budget[0] -= len(value) // 100
        return value
    if kind == "integer":
        return _integer_for(schema)
    if kind == "number":
        return _number_for(schema)
    if kind == "boolean":
        return True
    return None


_SOFT_DEPTH = 6  # below this, optional parts (null choices, empty arrays) are preferred
_HARD_DEPTH = 40
# However much a schema asks for (nested arrays with a large minItems, a huge minLength), the
# value stays small: every part costs 1 from this budget, and every 100 characters of text 1 more.
_MAX_VALUES = 2000
_MAX_TEXT = 2000  # the longest string a minLength can ask for
_FORMATS = {
    "date-time": "2025-05-01T09:00:00Z",
    "date": "2025-05-01",
    "time": "09:00:00",
    "duration": "P3D",
    "email": "traveller@example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "0e4a1f3c-5b7d-4c2e-9a6b-8d1f2e3c4b5a",
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _resolved(schema: Any, root: Any, hops: int = 0) -> Mapping[str, Any]:
    """The schema itself, or what its local `$ref` points at (anything else counts as `{}`)."""
    if not isinstance(schema, Mapping):
        return {}
    reference = schema.get("$ref")
    if not isinstance(reference, str) or hops > 20:
        return schema
    target: Any = root
    if reference != "#":
        if not reference.startswith("#/"):
            return {key: value for key, value in schema.items() if key != "$ref"}
        for part in reference[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
    if not isinstance(target, Mapping):
        return {}
    siblings = {key: value for key, value in schema.items() if key != "$ref"}
    return {**_resolved(target, root, hops + 1), **siblings}


def _preferred_option(options: list[Mapping[str, Any]], root: Any, depth: int) -> Mapping[str, Any]:
    """The first option that is not null; deep in a recursive schema, null when it is allowed."""
    def is_null(option: Mapping[str, Any]) -> bool:
        return _resolved(option, root).get("type") == "null"

    if depth >= _SOFT_DEPTH:
        nulls = [option for option in options if is_null(option)]
        if nulls:
            return nulls[0]
    return next((option for option in options if not is_null(option)), options[0])


def _merged(schema: Mapping[str, Any], root: Any) -> dict[str, Any]:
    """`allOf` as one schema: the parts' keys together, their properties and requirements joined."""
    merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
    for part in _as_list(schema.get("allOf")):
        part = _resolved(part, root)
        for key, value in part.items():
            if key == "properties" and isinstance(value, Mapping):
                merged["properties"] = {**(merged.get("properties") or {}), **value}
            elif key == "required" and isinstance(value, list):
                merged["required"] = [*(merged.get("required") or []), *value]
            elif key != "allOf":
                merged.setdefault(key, value)
    return merged


def _bound(schema: Mapping[str, Any], key: str) -> float | None:
    value = schema.get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _hinted(schema: Mapping[str, Any], hint: Any) -> Any:
    """The hint, when it is a string or integer the property's schema plainly takes; else None."""
    if hint is None or isinstance(hint, (list, bool)) or set(schema) & {"enum", "const", "pattern", "format",
                                                                      "anyOf", "oneOf", "allOf", "$ref"}:
        return None
    kind = schema.get("type")
    if kind == "string" and isinstance(hint, str):
        least, most = _bound(schema, "minLength"), _bound(schema, "maxLength")
        fits = (least is None or len(hint) >= least) and (most is None or len(hint) <= most)
        return hint if fits and hint else None
    if kind in ("integer", "number") and isinstance(hint, int) and not set(schema) & {"multipleOf"}:
        low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
        above, below = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
        return hint if _within(hint, low, high, above, below) and hint != 0 else None
    return None


def _array_of(schema: Mapping[str, Any], text: str, root: Any, depth: int, budget: list[int],
              hints: Mapping[str, Any]) -> list[Any]:
    least = int(_bound(schema, "minItems") or 0)
    most = _bound(schema, "maxItems")
    count = least if depth >= _SOFT_DEPTH else max(least, 1)
    if most is not None:
        count = max(0, min(count, int(most)))
    count = min(count, 50, max(0, budget[0]))
    prefix = _as_list(schema.get("prefixItems"))
    items = schema.get("items")
    values = []
    for index in range(count):
        item_schema = prefix[index] if index < len(prefix) else items if isinstance(items, Mapping) else {
            "type": "string"
        }
        item_text = text if index == 0 else f"{text} ({index + 1})"
        values.append(instance_of(item_schema, item_text, root, depth + 1, budget, hints))
    return values


def _string_for(schema: Mapping[str, Any], text: str) -> str:
    fixed = _FORMATS.get(str(schema.get("format", "")))
    value = fixed if fixed is not None else text
    least, most = _bound(schema, "minLength"), _bound(schema, "maxLength")
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and fixed is None:
        matching = string_matching(pattern, text, int(least or 0), None if most is None else int(most))
        if matching is not None:
            return matching
    if least is not None and len(value) < least:
        wanted = min(int(least), _MAX_TEXT)
        padding = " More to follow." * (wanted // 16 + 1)  # words: cheap to count, unlike "....."
        value = (value + padding)[:wanted]
    if most is not None and len(value) > most:
        value = value[: max(0, int(most))]
    return value


def _integer_for(schema: Mapping[str, Any]) -> int:
    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    above, below = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
    step = _bound(schema, "multipleOf")
    step = int(step) if step and float(step).is_integer() and step > 0 else 1

    def fits(value: int) -> bool:
        return _within(value, low, high, above, below) and value % step == 0

    edges = [math.ceil(low) if low is not None else None, math.floor(high) if high is not None else None,
             math.floor(above) + 1 if above is not None else None,
             math.ceil(below) - 1 if below is not None else None]
    candidates = [1, *(edge for edge in edges if edge is not None)]
    for candidate in candidates:
        for value in (candidate, candidate + (-candidate) % step, candidate - candidate % step):
            if fits(value):
                return value
    return next((edge for edge in edges if edge is not None), 1)


def _number_for(schema: Mapping[str, Any]) -> float:
    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    above, below = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
    step = _bound(schema, "multipleOf")
    if step is not None and step > 0:
        return _multiple_within(float(step), low, high, above, below)
    floors = [bound for bound in (low, above) if bound is not None]
    ceilings = [bound for bound in (high, below) if bound is not None]
    candidates = [1.0, low, high, above + 1 if above is not None else None,
                  below - 1 if below is not None else None]
    if floors and ceilings:
        candidates.append((max(floors) + min(ceilings)) / 2)
    for candidate in candidates:
        if candidate is not None and _within(float(candidate), low, high, above, below):
            return float(candidate)
    return float(max(floors) if floors else min(ceilings) if ceilings else 1.0)


def _multiple_within(step: float, low: float | None, high: float | None, above: float | None,
                     below: float | None) -> float:
    """A multiple of `step` within the bounds whose quotient by `step` is a whole number even in
    floating point (0.3 / 0.1 is not), so every validator accepts it."""
    floor = max((bound for bound in (low, above) if bound is not None), default=None)
    start = math.ceil(floor / step) if floor is not None else 1
    for count in (*range(start, start + 200), 0):
        value = float(count * step)
        quotient = value / step
        if quotient.is_integer() and _within(value, low, high, above, below):
            return value
    return float(start * step)


def _within(value: float, low: float | None, high: float | None, above: float | None,
            below: float | None) -> bool:
    return ((low is None or value >= low) and (high is None or value <= high)
            and (above is None or value > above) and (below is None or value < below))
