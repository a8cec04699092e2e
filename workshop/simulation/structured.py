"""Structured output: a JSON value that matches the schema a request gives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def instance_of(schema: Any, text: str, root: Any = None, depth: int = 0,
                 budget: list[int] | None = None) -> Any:
    """A value that matches a JSON schema, filled with the reply's words where text is wanted.

    Follows local `$ref`s (such as the `#/$defs/...` the SDK's `.parse()` sends), `allOf`,
    `anyOf`/`oneOf`, `enum`, `const`, string formats and lengths, number bounds and item counts.
    Recursive schemas stop growing after a few levels: optional parts are left empty there. The
    whole value stays within `_MAX_VALUES`, whatever the schema asks for.
    """
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
            return instance_of(_preferred_option(options, root, depth), text, root, depth + 1, budget)
    if _as_list(schema.get("allOf")):
        return instance_of(_merged(schema, root), text, root, depth + 1, budget)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        return {
            str(name): instance_of(sub, text, root, depth + 1, budget) for name, sub in properties.items()
        }
    if kind == "array":
        return _array_of(schema, text, root, depth, budget)
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


def _array_of(schema: Mapping[str, Any], text: str, root: Any, depth: int, budget: list[int]) -> list[Any]:
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
        values.append(instance_of(item_schema, item_text, root, depth + 1, budget))
    return values


def _string_for(schema: Mapping[str, Any], text: str) -> str:
    fixed = _FORMATS.get(str(schema.get("format", "")))
    value = fixed if fixed is not None else text
    least, most = _bound(schema, "minLength"), _bound(schema, "maxLength")
    if least is not None and len(value) < least:
        wanted = min(int(least), _MAX_TEXT)
        padding = " More to follow." * (wanted // 16 + 1)  # words: cheap to count, unlike "....."
        value = (value + padding)[:wanted]
    if most is not None and len(value) > most:
        value = value[: max(0, int(most))]
    return value


def _integer_for(schema: Mapping[str, Any]) -> int:
    import math

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


def _within(value: float, low: float | None, high: float | None, above: float | None,
            below: float | None) -> bool:
    return ((low is None or value >= low) and (high is None or value <= high)
            and (above is None or value > above) and (below is None or value < below))
