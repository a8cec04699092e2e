"""What the conversation has said about the user: a name, a home, a destination, other facts.

The simulated model remembers only what the messages it was sent contain, as the real one
does: a fact given in any turn (user, system, developer or assistant) is recalled, and nothing
is invented. The user states facts in the first person ("my name is Priya", "I'm Priya",
"call me Priya", "I live in Leeds", "I'm from Portugal", "my favourite colour is green");
the other turns state them about the user ("The user's name is Priya", "Your name is Priya").
When a fact is given twice, the later statement wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workshop import tokens

# A name is one or two capitalised words; lead-ins match in any case, the name only capitalised.
_NAME = r"([A-Z][\w'-]*(?: [A-Z][\w'-]*)?)"
_PLACE = r"([A-Z][\w'-]*(?:[ -][A-Z][\w'-]*)*)"
_USER_NAME = re.compile(
    rf"\b(?i:my name is|my name's|call me|i am called|i'm called|people call me)\s+{_NAME}"
)
# "I'm Priya" names the user only when a capitalised word follows that is not a nationality,
# a place or a common adjective ("I'm Italian", "I'm Fine").
_USER_IS = re.compile(rf"\b(?i:i am|i'm|im|this is)\s+{_NAME}")
# Instructions speak of the user in the third person ("your name" there is the model's own);
# the model's earlier replies speak to the user.
_INSTRUCTED_NAME = re.compile(
    rf"\b(?i:the user's name is|the user is called|the user is named|user's name:|user name:)\s+{_NAME}"
)
_REPLIED_NAME = re.compile(
    rf"\b(?i:your name is|you're called|you are called|nice to meet you,?|hello,|hi,?)\s+{_NAME}"
)
_USER_HOME = re.compile(
    rf"\b(?i:i live in|i'm living in|i am living in|i'm based in|i am based in)\s+{_PLACE}"
)
_USER_ORIGIN = re.compile(rf"\b(?i:i'm from|i am from|i come from)\s+{_PLACE}")
_OTHER_HOME = re.compile(rf"\b(?i:the user lives in|you live in)\s+{_PLACE}")
_USER_TRIP = re.compile(
    rf"\b(?i:trip to|travel(?:l?ing)? to|going to|heading to|visit(?:ing)?|flying to|holiday in|"
    rf"vacation in)\s+{_PLACE}"
)
_USER_FACT = re.compile(
    r"\b(?i:my) ((?:favou?rite )?[a-z][a-z ]{1,30}?) (?i:is|are) ([^.!?,;]{1,60})"
)
_NOT_NAMES = {
    "A", "An", "The", "Not", "So", "Very", "Just", "Here", "Fine", "Good", "Okay", "Ok", "Sorry",
    "Happy", "Glad", "Back", "Ready", "Sure", "Going", "Looking", "Planning", "Trying", "From",
    "In", "At", "On", "Hungry", "Tired", "New", "Interested", "Excited", "Curious", "Also", "And",
    "I", "It", "This", "That", "Travelling", "Traveling", "Visiting", "Thinking", "Still",
}
_NATIONALITIES = {
    "Portuguese", "Spanish", "French", "German", "Italian", "British", "English", "Irish",
    "Scottish", "Welsh", "American", "Canadian", "Mexican", "Brazilian", "Dutch", "Swiss",
    "Swedish", "Norwegian", "Danish", "Finnish", "Polish", "Greek", "Turkish", "Chinese",
    "Japanese", "Korean", "Indian", "Australian", "Nigerian", "Kenyan", "Egyptian", "Belgian",
    "Austrian", "Czech", "Hungarian", "Russian", "Ukrainian", "Romanian", "Icelandic",
}
_NOT_FACTS = {"name", "name's"}
_WORDS_AFTER_PLACES = {"In", "On", "For", "Next", "This", "Last", "And", "With", "At"}


@dataclass
class Memory:
    """The facts the conversation gave about the user, each the latest one given."""

    name: str | None = None
    home: str | None = None
    origin: str | None = None
    destination: str | None = None
    facts: dict[str, str] = field(default_factory=dict)


def remember(messages: Sequence[Mapping[str, Any]]) -> Memory:
    """Read every turn, in order, for what it says about the user."""
    memory = Memory()
    for message in messages:
        text = tokens.message_text(message)
        if not text:
            continue
        role = message.get("role")
        if role == "user":
            _read_user_turn(text, memory)
        else:
            _read_other_turn(text, memory, _REPLIED_NAME if role == "assistant" else _INSTRUCTED_NAME)
    return memory


def _read_user_turn(text: str, memory: Memory) -> None:
    lowered = text.lower()
    for match in _matches(_USER_NAME, text, lowered, ("name", "call")):
        memory.name = _trimmed_name(match.group(1))
    for match in _matches(_USER_IS, text, lowered, ("i am", "i'm", "im ", "this is")):
        candidate = _trimmed_name(match.group(1))
        if _could_be_a_name(candidate):
            memory.name = candidate
    for match in _matches(_USER_HOME, text, lowered, ("live", "based")):
        memory.home = _trimmed_place(match.group(1))
    for match in _matches(_USER_ORIGIN, text, lowered, ("from",)):
        memory.origin = _trimmed_place(match.group(1))
    for match in _matches(_USER_TRIP, text, lowered, ("trip", "travel", "going", "heading", "visit", "flying",
                                                      "holiday", "vacation")):
        memory.destination = _trimmed_place(match.group(1))
    for match in _matches(_USER_FACT, text, lowered, ("my ",)):
        subject = match.group(1).strip().lower()
        if subject not in _NOT_FACTS and not subject.startswith("name"):
            memory.facts[subject] = match.group(2).strip()


def _matches(
    pattern: re.Pattern[str], text: str, lowered: str, words: tuple[str, ...]
) -> list[re.Match[str]]:
    """The pattern's matches, looked for only when one of its lead-in words occurs at all: a
    substring search is far cheaper than the pattern over a long prompt that has none."""
    if not any(word in lowered for word in words):
        return []
    return list(pattern.finditer(text))


def _read_other_turn(text: str, memory: Memory, names: re.Pattern[str]) -> None:
    lowered = text.lower()
    for match in _matches(names, text, lowered, ("name", "call", "meet", "hello", "hi")):
        candidate = _trimmed_name(match.group(1))
        if _could_be_a_name(candidate):
            memory.name = candidate
    for match in _matches(_OTHER_HOME, text, lowered, ("live",)):
        memory.home = _trimmed_place(match.group(1))


def _trimmed_name(name: str) -> str:
    first, _, second = name.partition(" ")
    return first if not second or second in _NOT_NAMES or second in _WORDS_AFTER_PLACES else name


def _trimmed_place(place: str) -> str:
    words = place.replace("-", " - ").split()
    kept: list[str] = []
    for word in words:
        if word in _WORDS_AFTER_PLACES or _month(word):
            break
        kept.append(word)
    return " ".join(kept).replace(" - ", "-") or place


def _could_be_a_name(word: str) -> bool:
    first = word.split()[0]
    return (
        first not in _NOT_NAMES and first not in _NATIONALITIES and not _month(first)
        and first[:1].isupper() and first.isalpha()
    )


def _month(word: str) -> bool:
    return word.lower() in MONTHS


MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)
