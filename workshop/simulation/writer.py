"""The simulated model's candidate replies: an answer to the latest user message, as told.

It reads what the conversation says about the user (`memory`), what the system and developer
messages ask for (`instructions`) and what the question is about (`topics`), picks the words
(`phrases`) and shapes them to the instructions: language, length, tone, persona and format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from workshop import images, tokens
from workshop.simulation import phrases
from workshop.simulation.instructions import Instructions, read_instructions
from workshop.simulation.memory import MONTHS, Memory, remember
from workshop.simulation.topics import Question, arithmetic, read_question, season

_NAME_QUESTION = re.compile(
    r"\b(what(?:'s| is) my name|who am i|do you (?:know|remember) my name|my name\?)",
    re.IGNORECASE,
)
_HOME_QUESTION = re.compile(r"\bwhere do i live\b", re.IGNORECASE)
_ORIGIN_QUESTION = re.compile(r"\bwhere am i from\b|\bwhere do i come from\b", re.IGNORECASE)
_DESTINATION_QUESTION = re.compile(
    r"\bwhere am i (?:going|travel?ling|heading)\b|\bwhere is my trip\b", re.IGNORECASE
)
_FACT_QUESTION = re.compile(
    r"\bwhat(?:'s| is| are) my ((?:favou?rite )?[a-z][a-z ]{1,30}?)\s*\?", re.IGNORECASE
)
_TRAVEL_KINDS = ("packing", "when", "budget", "weather", "food", "sights", "station")
_CONTRACTIONS = {
    "I'm": "I am", "you're": "you are", "You're": "You are", "don't": "do not", "Don't": "Do not",
    "can't": "cannot", "haven't": "have not", "It's": "It is", "it's": "it is", "Here's": "Here is",
    "That's": "That is", "you've": "you have", "I'd": "I would", "won't": "will not",
}
_PIRATE_WORDS = {
    r"\byou\b": "ye", r"\bYou\b": "Ye", r"\byour\b": "yer", r"\bYour\b": "Yer", r"\bmy\b": "me",
    r"\bHello\b": "Ahoy", r"\bHi\b": "Ahoy", r"\bfriend\b": "matey", r"\bis\b": "be",
}


def reply_variants(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    """The replies the model might give, the most fitting first; temperature picks among them."""
    rules = read_instructions(messages)
    memory = remember(messages)
    last_user = next((m for m in reversed(messages) if m.get("role") == "user"), {})
    latest = tokens.message_text(last_user)
    if images.image_parts(last_user):
        kind, variants, values = "image", phrases.REPLIES[rules.language]["image"], {}
    else:
        kind, variants, values = _answers(latest, memory, rules)
    openers = phrases.OPENERS[rules.language] if kind in (*_TRAVEL_KINDS, "blog_name") else (None,)
    shaped: list[str] = []
    for opener in openers:
        for variant in variants:
            text = _shaped(opener, [sentence.format(**values) for sentence in variant], rules, kind)
            if text not in shaped:
                shaped.append(text)
    return shaped


def may_wander(messages: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a hot temperature may add a stray thought: not when told a language, a length
    or a format, which a real model at that temperature would still mostly keep."""
    rules = read_instructions(messages)
    return rules.language == "en" and rules.sentences is None and rules.words is None and rules.format is None


def _answers(
    latest: str, memory: Memory, rules: Instructions
) -> tuple[str, tuple[tuple[str, ...], ...], dict[str, Any]]:
    """The kind of reply, its variants and the values for their placeholders."""
    language = rules.language
    table = phrases.REPLIES[language]
    values: dict[str, Any] = {"name": memory.name, "persona": rules.persona,
                              "role": rules.role or phrases.DEFAULT_ROLE[language]}
    remembered = _remembered_answer(latest, memory, language)
    if remembered is not None:
        kind, variants, extra = remembered
        return kind, variants, {**values, **extra}
    question = read_question(latest)
    told_name = remember([{"role": "user", "content": latest}]).name
    if told_name and question.kind in ("greeting", "other", "thanks"):
        return "greeting_named", table["greeting_named"], {**values, "name": told_name}
    kind = question.kind
    if kind == "identity":
        return kind, table["identity" if rules.persona else "identity_unnamed"], values
    if kind in ("greeting", "thanks"):
        return kind, table[kind], values
    if kind == "arithmetic":
        worked = arithmetic(latest)
        if worked is not None:
            return kind, table["arithmetic"], {**values, "sum": worked[0], "result": worked[1]}
        kind = "other"
    if kind == "blog_name":
        subject = question.place or memory.destination or "the Open Road"
        asked = table["blog_name"]
        variants = tuple(
            (asked[index % len(asked)][0].replace("{title}", title.format(subject=subject)),)
            for index, title in enumerate(phrases.BLOG_TITLES)
        )
        return kind, variants, values
    if kind in _TRAVEL_KINDS:
        return kind, table[kind], {**values, **_travel_values(question, memory, language)}
    key = f"other_{question.form}" if language == "en" else "other"
    subject = _subject(latest)
    return "other", table[key], {**values, "subject": subject}


def _remembered_answer(
    latest: str, memory: Memory, language: str
) -> tuple[str, tuple[tuple[str, ...], ...], dict[str, Any]] | None:
    table = phrases.REPLIES[language]
    if _NAME_QUESTION.search(latest):
        if memory.name:
            return "name_known", table["name_known"], {}
        return "name_unknown", table["name_unknown"], {}
    for pattern, value, sentence in (
        (_HOME_QUESTION, memory.home, "You live in {value}."),
        (_ORIGIN_QUESTION, memory.origin, "You're from {value}."),
        (_DESTINATION_QUESTION, memory.destination, "You're planning a trip to {value}."),
    ):
        if pattern.search(latest):
            if value is None:
                return "fact_unknown", table["fact_unknown"], {}
            said = sentence if language == "en" else "{value}."
            return "fact_known", ((said,),), {"value": value}
    asked = _FACT_QUESTION.search(latest)
    if asked and not asked.group(1).lower().startswith("name"):
        subject = asked.group(1).strip().lower()
        value = memory.facts.get(subject)
        if value is None:
            return "fact_unknown", table["fact_unknown"], {}
        return "fact_known", table["fact_known"], {"subject": f"your {subject}", "value": value}
    return None


def _travel_values(question: Question, memory: Memory, language: str) -> dict[str, Any]:
    place = question.place or memory.destination or phrases.NO_PLACE[language]
    month = question.month
    when = ""
    if month is not None:
        shown = month if language == "en" else phrases.MONTH_NAMES[language][MONTHS.index(month.lower())]
        when = phrases.IN_MONTH[language].format(month=shown)
    return {"place": place, "when": when, "items": phrases.ITEMS[language][season(month)]}


def _subject(text: str) -> str:
    words = re.sub(r"[?!.]+$", "", text.strip()).split()
    return " ".join(words[-4:]) if words else "that"


def _shaped(opener: str | None, sentences: list[str], rules: Instructions, kind: str) -> str:
    """One variant as the instructions want it: length, persona, tone, then format."""
    if rules.sentences == 1 or rules.words is not None:
        opener, sentences = None, sentences[:1]
    if rules.persona and kind in ("greeting", "greeting_named"):
        sentences = [sentences[0], phrases.PERSONA_INTRO[rules.language].format(persona=rules.persona),
                     *sentences[1:]]
    opener = _toned_opener(opener, rules)
    sentences = [_toned(sentence, rules) for sentence in sentences]
    if rules.words is not None:
        return _formatted(_cut_to_words(" ".join(filter(None, [opener, *sentences])), rules.words), rules)
    if rules.format in ("bullets", "numbered"):
        items = _list_items(sentences)
        lines = [f"{'-' if rules.format == 'bullets' else f'{number}.'} {item}"
                 for number, item in enumerate(items, start=1)]
        return "\n".join([opener, *lines] if opener else lines)
    return _formatted(" ".join(filter(None, [opener, *sentences])), rules)


def _formatted(text: str, rules: Instructions) -> str:
    return json.dumps({"answer": text}, ensure_ascii=False) if rules.format == "json" else text


def _toned_opener(opener: str | None, rules: Instructions) -> str | None:
    if rules.tone == "pirate":
        return "Arr, matey!" if rules.language == "en" else "Arr!"
    if rules.language != "en":
        return opener
    if rules.tone == "formal":
        return "Certainly." if opener else None
    if rules.tone == "playful":
        return "Ooh, fun one!"
    return opener


def _toned(sentence: str, rules: Instructions) -> str:
    if rules.language != "en" or rules.tone is None:
        return sentence
    if rules.tone == "formal":
        for short, full in _CONTRACTIONS.items():
            sentence = sentence.replace(short, full)
        return sentence
    if rules.tone == "pirate":
        for pattern, word in _PIRATE_WORDS.items():
            sentence = re.sub(pattern, word, sentence)
        return sentence
    return sentence[:-1] + "!" if sentence.endswith(".") else sentence


def _list_items(sentences: list[str]) -> list[str]:
    """The points of a list: the sentences, or the parts of a lone sentence that lists things."""
    if len(sentences) == 1:
        head, _, rest = sentences[0].rstrip(".!").rpartition(", pack ")
        listed = rest if head else sentences[0].rstrip(".!")
        parts = [part.strip() for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", listed) if part.strip()]
        if len(parts) >= 3:
            return [part[0].upper() + part[1:] for part in parts]
    return sentences


def _cut_to_words(text: str, limit: int) -> str:
    words = text.split()
    if len(words) <= limit:
        return text
    return " ".join(words[:limit]).rstrip(",;:") + "."
