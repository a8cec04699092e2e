"""A string that matches a JSON-schema `pattern`, for structured output.

The pattern is parsed by the parser of Python's own regular-expression engine (`re._parser`),
so it is read exactly as `re` reads it when checking; the tree is then walked to build the
shortest matching string, preferring letters and digits a reader finds plausible. Each
candidate is checked with `re.search` (JSON Schema's `pattern` is not anchored) before it is
used, so a pattern this walk cannot satisfy (lookarounds, back-references) gives None.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any

try:  # Python 3.11 and later
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_PREFERRED = string.ascii_uppercase + string.ascii_lowercase + string.digits + " -_.@:/"
_CATEGORY_CHARACTERS = {
    sre_constants.CATEGORY_DIGIT: "0123456789",
    sre_constants.CATEGORY_NOT_DIGIT: "a",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_SPACE: "a",
    sre_constants.CATEGORY_WORD: "a",
    sre_constants.CATEGORY_NOT_WORD: " ",
}
_LONGEST = 2000
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
            getattr(sre_constants, "POSSESSIVE_REPEAT", None))


def string_matching(pattern: str, text: str, least: int = 0, most: int | None = None) -> str | None:
    """A string of `least` to `most` characters in which `pattern` is found, or None.

    When `text` itself fits, it is used, so a loose pattern still gets the reply's words.
    """
    compiled = _compiled(pattern)
    if compiled is None:
        return None

    def fits(candidate: str) -> bool:
        return (least <= len(candidate) and (most is None or len(candidate) <= most)
                and compiled.search(candidate) is not None)

    if fits(text):
        return text
    tree = _parsed(pattern)
    if tree is None:
        return None
    for extra in (0, 1, 2, 4, 8, 16, 64, 256):
        candidate = _build(tree, extra)
        if candidate is not None and len(candidate) <= _LONGEST:
            if len(candidate) < least and (most is None or least <= most):
                padded = candidate + "a" * (least - len(candidate))
                candidate = padded if fits(padded) else candidate
            if fits(candidate):
                return candidate
    return None


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


@lru_cache(maxsize=256)
def _parsed(pattern: str) -> Any:
    try:
        return sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def _build(tree: Any, extra: int) -> str | None:
    """The string `tree` matches with each repeat taken `extra` more times than its minimum."""
    groups: dict[int, str] = {}
    try:
        return _walk(list(tree), extra, groups)
    except (_Unsatisfiable, RecursionError):
        return None


class _Unsatisfiable(Exception):
    """The walk met a construct it cannot produce text for."""


def _walk(items: list[Any], extra: int, groups: dict[int, str]) -> str:
    out: list[str] = []
    for op, value in items:
        out.append(_one(op, value, extra, groups))
    return "".join(out)


def _one(op: Any, value: Any, extra: int, groups: dict[int, str]) -> str:
    if op is sre_constants.LITERAL:
        return chr(value)
    if op is sre_constants.NOT_LITERAL:
        return next(c for c in _PREFERRED if ord(c) != value)
    if op is sre_constants.ANY:
        return "a"
    if op is sre_constants.IN:
        return _from_set(value)
    if op is sre_constants.BRANCH:
        return _walk(list(value[1][0]), extra, groups)
    if op is sre_constants.SUBPATTERN:
        number, _, _, body = value
        text = _walk(list(body), extra, groups)
        if number is not None:
            groups[number] = text
        return text
    if op in _REPEATS:
        low, high, body = value
        count = low + extra if high is sre_constants.MAXREPEAT else min(high, low + extra)
        return "".join(_walk(list(body), extra, groups) for _ in range(min(count, _LONGEST)))
    if op is sre_constants.AT:
        return ""
    if op is sre_constants.GROUPREF:
        return groups.get(value, "")
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return ""  # checked by the final `search`
    if op is sre_constants.CATEGORY:
        return _CATEGORY_CHARACTERS.get(value, "a")[0]
    raise _Unsatisfiable(str(op))


def _from_set(items: list[Any]) -> str:
    """A character the class `[...]` accepts, the most readable one available."""
    negated = bool(items) and items[0][0] is sre_constants.NEGATE
    accepted: list[str] = []
    ranges: list[tuple[int, int]] = []
    for op, value in items:
        if op is sre_constants.LITERAL:
            accepted.append(chr(value))
        elif op is sre_constants.RANGE:
            ranges.append(value)
        elif op is sre_constants.CATEGORY:
            accepted.extend(_CATEGORY_CHARACTERS.get(value, "a"))
    if negated:
        excluded = set(accepted)
        return next(
            c for c in _PREFERRED
            if c not in excluded and not any(low <= ord(c) <= high for low, high in ranges)
        )
    for c in _PREFERRED:
        if c in accepted or any(low <= ord(c) <= high for low, high in ranges):
            return c
    if accepted:
        return accepted[0]
    if ranges:
        return chr(ranges[0][0])
    raise _Unsatisfiable("empty class")
