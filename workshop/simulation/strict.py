"""The schema rules of strict mode, shared by `response_format` json_schema and `strict` tools.

With `strict: true` the API only takes schemas it can enforce token by token: the root is an
object, and every object says `additionalProperties: false` and lists all of its properties in
`required`. The wording follows the 400s the API is publicly reported to send (issue threads of
LangChain, Outlines and others, 2024-2026); the rules themselves are the ones OpenAI's structured
output guide states.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from workshop.simulation.errors import SimulatedAPIError

# Where a schema can hold further schemas, and how the path to them is written in the message.
_SCHEMA_MAPS = ("properties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")


def check_strict_schema(schema: Any, *, subject: str, param: str, code: str | None) -> None:
    """Refuse a schema strict mode cannot enforce; `subject` reads "response_format 'trip'"."""
    problem = strict_schema_problem(schema)
    if problem is not None:
        raise SimulatedAPIError(400, f"Invalid schema for {subject}: {problem}", param=param, code=code)


def strict_schema_problem(schema: Any) -> str | None:
    """The first rule `schema` breaks, worded as the API words it, or None when it is fine."""
    if not isinstance(schema, Mapping):
        return "schema must be a JSON Schema object."
    root_type = schema.get("type")
    if root_type != "object" and "properties" not in schema and "$ref" not in schema:
        shown = root_type if isinstance(root_type, str) else "None"
        return f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{shown}\"'."
    for path, part in _subschemas(schema, ()):
        if not _is_object_schema(part):
            continue
        context = repr(path)
        if part.get("additionalProperties") is not False:
            return (
                f"In context={context}, 'additionalProperties' is required to be supplied "
                "and to be false."
            )
        properties = part.get("properties") or {}
        required = part.get("required")
        missing = [
            name for name in properties
            if not isinstance(required, list) or name not in required
        ]
        if missing:
            return (
                f"In context={context}, 'required' is required to be supplied and to be an array "
                f"including every key in properties. Missing '{missing[0]}'."
            )
    return None


def _is_object_schema(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "object" in kinds or ("properties" in schema and kind is None)


def _subschemas(schema: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    """Every schema inside `schema`, itself first, with the path the API's messages show."""
    if not isinstance(schema, Mapping):
        return
    yield path, schema
    for key in _SCHEMA_MAPS:
        children = schema.get(key)
        if isinstance(children, Mapping):
            for name, child in children.items():
                yield from _subschemas(child, (*path, key, str(name)))
    for key in _SCHEMA_LISTS:
        children = schema.get(key)
        if isinstance(children, list):
            for index, child in enumerate(children):
                yield from _subschemas(child, (*path, key, str(index)))
    if isinstance(schema.get("items"), Mapping):
        yield from _subschemas(schema["items"], (*path, "items"))
