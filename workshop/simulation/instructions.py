"""The instructions the simulated model follows, read from the system and developer messages.

Five kinds have a visible effect, so a learner can check that an instruction was followed:
the reply language (English, French, Spanish, German, Portuguese), the length ("in one
sentence", "in 12 words", "briefly"), the format (a bullet list, numbered steps, JSON), a
persona ("You are Ada, a travel guide") and the tone (formal, playful, pirate). Messages are
read in order and each kind keeps the last value given, so when two messages disagree the later
one wins, as it does with the real models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workshop import tokens

INSTRUCTING_ROLES = ("system", "developer")

LANGUAGES = {
    "en": (r"english", r"inglés", r"anglais", r"englisch", r"inglês"),
    "fr": (r"french", r"français", r"francais", r"französisch", r"francés", r"francês"),
    "es": (r"spanish", r"español", r"espanol", r"castellano", r"espagnol", r"spanisch", r"espanhol"),
    "de": (r"german", r"deutsch", r"allemand", r"alemán", r"alemão"),
    "pt": (r"portuguese", r"português", r"portugues", r"portugais", r"portugiesisch", r"portugués"),
}
_LANGUAGE_LEADS = (
    r"(?:answer|reply|respond|write|speak|talk|always|only|responde|réponds|reponds|répondez|"
    r"antworte|antworten|responda|responde|escreve|escribe|in|en|em|auf)"
)
_LANGUAGE = re.compile(
    rf"\b{_LANGUAGE_LEADS}\b[^.!?\n]{{0,40}}?\b("
    + "|".join(name for names in LANGUAGES.values() for name in names)
    + r")\b",
    re.IGNORECASE,
)
_WORD_LIMIT = re.compile(
    r"\b(?:in|under|at most|no more than|fewer than|maximum of|max|up to|within)\s+(\d{1,3})\s+words\b"
    r"|\b(\d{1,3})\s+words?\s+(?:or (?:less|fewer)|max(?:imum)?)\b",
    re.IGNORECASE,
)
_ONE_SENTENCE = re.compile(r"\b(?:one|1|a single)\s+sentence\b", re.IGNORECASE)
_BRIEF = re.compile(r"\b(?:brief(?:ly)?|concise(?:ly)?|short answers?|keep it short|succinct(?:ly)?)\b",
                    re.IGNORECASE)
_LONG = re.compile(r"\b(?:in detail|detailed|thorough(?:ly)?|at length)\b", re.IGNORECASE)
_BULLETS = re.compile(r"\b(?:bullet(?:ed)?(?: points?| list)?|as a list|a list of points)\b", re.IGNORECASE)
_NUMBERED = re.compile(r"\b(?:numbered (?:steps|list)|step[- ]by[- ]step|as steps|in steps)\b", re.IGNORECASE)
_JSON = re.compile(r"\bjson\b", re.IGNORECASE)
_PROSE = re.compile(r"\b(?:plain text|prose|no (?:lists|bullets|json))\b", re.IGNORECASE)
_PERSONA = re.compile(
    r"\b(?i:you are|you're|your name is|act as|play|call yourself)\s+([A-Z][\w'-]*)"
    r"(?:,|\s+(?:an?|the)\b|\.|!|$)",
)
_ROLE = re.compile(r"\b(?:you are|you're|act as)\s+(an?\s+[^.!?\n,]{3,60})", re.IGNORECASE)
_TONES = {
    "pirate": re.compile(r"\bpirates?\b", re.IGNORECASE),
    "formal": re.compile(r"\b(?:formal(?:ly)?|professional(?:ly)?|polite(?:ly)?|courteous)\b",
                         re.IGNORECASE),
    "playful": re.compile(r"\b(?:playful(?:ly)?|fun|funny|cheerful(?:ly)?|enthusiastic(?:ally)?|"
                          r"humou?rous|jokey|silly)\b", re.IGNORECASE),
}
_NOT_PERSONAS = {"A", "An", "The", "Not", "Now", "Always", "Never", "Only", "Here", "Very"}


@dataclass(frozen=True)
class Instructions:
    """What the system and developer messages ask for; None where they ask nothing."""

    language: str = "en"
    words: int | None = None  # at most this many words
    sentences: int | None = None  # at most this many sentences
    format: str | None = None  # "bullets", "numbered", "json" or "prose"
    persona: str | None = None  # the model's own name
    role: str | None = None  # "a friendly travel assistant"
    tone: str | None = None  # "formal", "playful" or "pirate"


def read_instructions(messages: Sequence[Mapping[str, Any]]) -> Instructions:
    """The instructions in force for the next reply: each kind as the latest message gives it."""
    found: dict[str, Any] = {}
    for message in messages:
        if message.get("role") in INSTRUCTING_ROLES:
            found.update(_instructions_in(tokens.message_text(message)))
    return Instructions(**found)


def _instructions_in(text: str) -> dict[str, Any]:
    """The kinds one message sets, in the order its sentences give them (later ones win)."""
    found: dict[str, Any] = {}
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        language = _LANGUAGE.search(sentence)
        if language:
            found["language"] = _language_code(language.group(1))
        words = _WORD_LIMIT.search(sentence)
        if words:
            found["words"], found["sentences"] = int(words.group(1) or words.group(2)), None
        elif _ONE_SENTENCE.search(sentence) or _BRIEF.search(sentence):
            found["sentences"], found["words"] = 1, None
        elif _LONG.search(sentence):
            found["sentences"], found["words"] = None, None
        if _NUMBERED.search(sentence):
            found["format"] = "numbered"
        elif _BULLETS.search(sentence):
            found["format"] = "bullets"
        elif _JSON.search(sentence):
            found["format"] = "json"
        elif _PROSE.search(sentence):
            found["format"] = "prose"
        persona = _PERSONA.search(sentence)
        if persona and persona.group(1) not in _NOT_PERSONAS:
            found["persona"] = persona.group(1)
        role = _ROLE.search(sentence)
        if role:
            found["role"] = role.group(1).strip()
        for tone, pattern in _TONES.items():
            if pattern.search(sentence):
                found["tone"] = tone
                break
    return found


def _language_code(name: str) -> str:
    lowered = name.lower()
    return next(code for code, names in LANGUAGES.items() if lowered in names)
