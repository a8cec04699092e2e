"""What a message asks about: the kind of question, and the city, month and numbers it names.

The reply writer answers travel questions on their subject (what to pack for a city in a
month, when to visit, a budget tip...) and every other question with an honest short reply of
the same kind, so this module only reads; `phrases` holds the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workshop.simulation.memory import MONTHS

_TRAVEL_KINDS = (
    ("blog_name", re.compile(r"\b(?:name|title)s? for (?:a|my|our)\b", re.IGNORECASE)),
    ("packing", re.compile(r"\b(?:pack|packing|bring|luggage|suitcase|wear)\b", re.IGNORECASE)),
    ("when", re.compile(r"\b(?:when should|best time|when to (?:go|visit)|which month|what month|"
                        r"what time of (?:the )?year)\b", re.IGNORECASE)),
    ("budget", re.compile(r"\b(?:budget|cheap|afford|money|cost|expensive|save|price)\w*", re.IGNORECASE)),
    ("weather", re.compile(r"\b(?:weather|rain|climate|season|forecast|hot|cold)\b", re.IGNORECASE)),
    ("food", re.compile(r"\b(?:eat|food|restaurant|dish|drink|dinner|lunch|breakfast)\w*", re.IGNORECASE)),
    ("sights", re.compile(r"\b(?:see|visit|itinerary|do in|sights?|museums?|galler(?:y|ies)|trips?|plan|"
                          r"day in|days in|tours?|things to do|worth)\b",
                          re.IGNORECASE)),
    ("sights", re.compile(r"\b(?:tips?|advice|recommend\w*|suggest\w*|ideas?)\b", re.IGNORECASE)),
    ("station", re.compile(r"\b(?:station|estação|estación|gare|bahnhof|airport|train|metro)\b",
                           re.IGNORECASE)),
)
_GREETING = re.compile(r"^\W*(?:hi|hello|hey|good (?:morning|afternoon|evening)|hiya|howdy|"
                       r"bonjour|hola|olá|ola|hallo)\b", re.IGNORECASE)
_THANKS = re.compile(r"\b(?:thanks|thank you|cheers|merci|gracias|obrigad[oa]|danke)\b", re.IGNORECASE)
_IDENTITY = re.compile(r"\b(?:who are you|what(?:'s| is) your name|what are you|your name\?|"
                       r"introduce yourself)\b", re.IGNORECASE)
_ARITHMETIC = re.compile(r"(-?\d+(?:\.\d+)?)\s*([-+*/x\u00d7])\s*(-?\d+(?:\.\d+)?)")
_PLACE = re.compile(r"\b(?:in|to|for|visit|visiting|about|around|near|from|of)\s+"
                    r"((?:[A-Z][\w'-]+)(?:\s+[A-Z][\w'-]+)?)")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "a week": 7, "fortnight": 14,
}
_DAYS = re.compile(
    r"\b(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")[ -](?:days?|nights?)\b|\b(a week|fortnight)\b",
    re.IGNORECASE,
)
_NOT_PLACES = {"I", "My", "The", "A", "An", "What", "Which", "Where", "When", "How", "JSON", "English",
               "French", "Spanish", "German", "Portuguese"}


@dataclass(frozen=True)
class Question:
    """One user message, read for what a reply needs."""

    text: str
    kind: str  # a travel kind, "greeting", "thanks", "identity", "arithmetic" or "other"
    place: str | None
    month: str | None  # as written in English, capitalised
    days: int | None
    form: str  # "yes_no", "how", "why", "what", "request" or "statement"


# A long prompt (a pasted guide, say) puts its question at the end: only that much is read.
QUESTION_CHARACTERS = 2000


def read_question(text: str) -> Question:
    """What the message asks, read from its last QUESTION_CHARACTERS characters."""
    text = text[-QUESTION_CHARACTERS:]
    return Question(text, _kind(text), place_in(text), month_in(text), days_in(text), _form(text))


def _kind(text: str) -> str:
    if _IDENTITY.search(text):
        return "identity"
    asks = re.search(r"\b(?:what|how much|calculate|is)\b|=|\?", text, re.IGNORECASE)
    if asks and _ARITHMETIC.search(text):
        return "arithmetic"
    for kind, pattern in _TRAVEL_KINDS:
        if pattern.search(text):
            return kind
    if _THANKS.search(text) and len(text) < 80:
        return "thanks"
    if _GREETING.search(text) and len(text) < 80:
        return "greeting"
    return "other"


def _form(text: str) -> str:
    first = text.strip().split(" ", 1)[0].lower().strip("¿¡,.!")
    if first in ("is", "are", "can", "could", "do", "does", "did", "should", "will", "would", "was",
                 "were", "has", "have", "may", "shall"):
        return "yes_no"
    if first == "how":
        return "how"
    if first == "why":
        return "why"
    if first in ("what", "which", "who", "whom", "whose", "where", "when"):
        return "what"
    if first in ("write", "tell", "give", "explain", "describe", "list", "suggest", "make", "create",
                 "translate", "summarise", "summarize", "name", "recommend", "show"):
        return "request"
    return "what" if text.rstrip().endswith("?") else "statement"


def place_in(text: str) -> str | None:
    """The last capitalised place a message names after "in", "to", "for"..., months aside."""
    found = None
    for match in _PLACE.finditer(text):
        words = [word for word in match.group(1).split() if word.lower() not in MONTHS]
        if words and words[0] not in _NOT_PLACES:
            found = " ".join(words)
    return found


def month_in(text: str) -> str | None:
    for word in re.findall(r"[A-Za-z]+", text):
        if word.lower() in MONTHS and (word[0].isupper() or word.lower() != "may"):
            return word.capitalize()
    return None


def days_in(text: str) -> int | None:
    match = _DAYS.search(text)
    if not match:
        return None
    word = (match.group(1) or match.group(2)).lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word)


def arithmetic(text: str) -> tuple[str, str] | None:
    """The sum a message asks for and its result, both as text, when it asks one."""
    match = _ARITHMETIC.search(text)
    if not match:
        return None
    left, operator, right = float(match.group(1)), match.group(2), float(match.group(3))
    if operator in "x*\u00d7":
        value = left * right
    elif operator == "/":
        if right == 0:
            return None
        value = left / right
    else:
        value = left + right if operator == "+" else left - right
    shown = f"{value:g}" if abs(value) < 1e15 else str(value)
    return f"{match.group(1)} {operator} {match.group(3)}", shown


def season(month: str | None) -> str:
    """The northern-hemisphere season of a month ("any" when no month is given)."""
    if month is None:
        return "any"
    number = MONTHS.index(month.lower()) + 1
    return {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
            6: "summer", 7: "summer", 8: "summer"}.get(number, "autumn")
