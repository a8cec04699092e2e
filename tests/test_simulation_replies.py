"""The simulated model's replies: it remembers what it was told, follows instructions a learner
can check, answers travel questions on their subject and other questions honestly."""

from __future__ import annotations

import json
import re

import pytest

from workshop.simulation import complete


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def system(text: str) -> dict[str, str]:
    return {"role": "system", "content": text}


def assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def reply(*messages: dict[str, str], **options) -> str:
    body = {"model": "llama3.2", "messages": list(messages), "temperature": 0, **options}
    return complete(body)["choices"][0]["message"]["content"]


def replies(*messages: dict[str, str], **options) -> list[str]:
    body = {"model": "llama3.2", "messages": list(messages), **options}
    return [choice["message"]["content"] for choice in complete(body)["choices"]]


# --- memory ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "told",
    ["Hi! My name is Priya and I'm planning a trip to Porto.", "I'm Priya.", "Call me Priya, please.",
     "hello, my name's Priya"],
)
def test_a_name_given_in_any_phrasing_is_recalled(told):
    answer = reply(user(told), assistant("Nice to meet you!"), user("What is my name?"))
    assert "Priya" in answer and "planning" not in answer


@pytest.mark.parametrize(
    "history",
    [
        [system("The user's name is Priya.")],
        [user("Hello!"), assistant("Nice to meet you, Priya! Where are you off to?")],
    ],
)
def test_a_name_given_in_a_system_or_assistant_turn_is_recalled(history):
    assert "Priya" in reply(*history, user("What is my name?"))


@pytest.mark.parametrize("told", ["I'm from Portugal.", "I'm planning a trip to Porto.", "I'm Italian."])
def test_no_name_is_invented_from_other_statements(told):
    answer = reply(user(told), assistant("Lovely."), user("What is my name?"))
    assert "don't know" in answer or "haven't told" in answer
    assert not re.search(r"\b(from|Portugal|planning|Italian)\b", answer)


def test_a_persona_in_the_system_message_is_not_the_users_name():
    answer = reply(system("You are Ada, a travel guide."), user("What is my name?"))
    assert "Ada" not in answer and ("don't know" in answer or "haven't told" in answer)


def test_places_and_facts_are_recalled_and_the_later_statement_wins():
    history = [user("I live in Leeds. My favourite colour is green."), assistant("Noted."),
               user("Actually I live in York now."), assistant("Got it.")]
    assert "York" in reply(*history, user("Where do I live?"))
    assert "green" in reply(*history, user("What is my favourite colour?"))
    assert "Portugal" in reply(user("I'm from Portugal."), assistant("Olá!"), user("Where am I from?"))
    going = reply(user("I'm planning a trip to Porto."), assistant("Nice"), user("Where am I going?"))
    assert "Porto" in going
    unknown = reply(user("Where do I live?"))
    assert "haven't told me" in unknown or "don't know" in unknown


# --- instructions ------------------------------------------------------------------------------

PACKING = user("What should I pack for Lisbon in November?")


@pytest.mark.parametrize(
    ("instruction", "words"),
    [
        ("Answer only in French.", ("emportez", "novembre")),
        ("Responde siempre en español.", ("lleva", "noviembre")),
        ("Antworte immer auf Deutsch.", ("kleidung zum kombinieren", "im november")),
        ("Responde sempre em português.", ("leve", "novembro")),
        ("Reply in English.", ("Lisbon", "November")),
    ],
)
def test_the_reply_language_follows_the_instruction(instruction, words):
    answer = reply(system(instruction), PACKING).lower()
    assert all(word.lower() in answer for word in words), answer
    assert "Lisbon" in reply(system(instruction), PACKING)


def test_one_sentence_and_briefly_give_one_sentence():
    for instruction in ("Answer in one sentence.", "Answer briefly."):
        answer = reply(system(instruction), PACKING)
        assert len(re.findall(r"[.!?](?:\s|$)", answer)) == 1, answer
    assert len(re.findall(r"[.!?](?:\s|$)", reply(PACKING))) > 1


def test_a_word_limit_is_kept():
    answer = reply(system("Answer in 6 words."), user("When should I visit Rome?"))
    assert len(answer.split()) <= 6


def test_list_formats():
    bullets = reply(system("Answer as a bullet list."), PACKING).splitlines()
    assert len([line for line in bullets if line.startswith("- ")]) >= 2
    steps = reply(system("Give numbered steps."), user("Any budget tips for Paris?")).splitlines()
    assert [line[:3] for line in steps if line[0].isdigit()][:2] == ["1. ", "2. "]


def test_a_json_instruction_gives_json():
    assert isinstance(json.loads(reply(system("Always reply in JSON."), PACKING)), dict)


def test_a_persona_answers_who_it_is_and_greets_with_its_name():
    assert "Ada" in reply(system("You are Ada, a cheerful travel guide."), user("Who are you?"))
    assert "Ada" in reply(system("Your name is Ada."), user("Hello!"))
    assert "Ada" not in reply(system("You are a travel guide."), user("Who are you?"))


@pytest.mark.parametrize(
    ("instruction", "check"),
    [
        ("Talk like a pirate.", lambda text: "Arr" in text and re.search(r"\bye\b|\byer\b|matey", text)),
        ("Be formal and polite.", lambda text: "'" not in text and text.startswith("Certainly")),
        ("Be playful.", lambda text: "fun" in text.lower() and "!" in text),
    ],
)
def test_the_tone_follows_the_instruction(instruction, check):
    answer = reply(system(instruction), user("What should I pack for a weekend in Rome?"))
    assert check(answer), answer
    assert not check(reply(user("What should I pack for a weekend in Rome?")))


def test_the_later_of_two_disagreeing_instructions_wins():
    developer = {"role": "developer", "content": "Answer in German."}
    french_then_german = reply(system("Answer in French."), developer, user("When should I visit Berlin?"))
    assert "Reisezeit" in french_then_german or "Berlin" in french_then_german
    assert "meilleure" not in french_then_german
    long_then_short = reply(system("Answer in detail."), system("Answer in one sentence."), PACKING)
    assert len(re.findall(r"[.!?](?:\s|$)", long_then_short)) == 1


# --- topics --------------------------------------------------------------------------------------


def test_packing_names_the_city_and_month_and_suits_the_season():
    winter = reply(user("What should I pack for Oslo in January?"))
    summer = reply(user("What should I pack for Seville in July?"))
    assert "Oslo" in winter and "January" in winter and "warm coat" in winter
    assert "Seville" in summer and "sunscreen" in summer


def test_when_to_visit_and_budget_tips_are_on_topic():
    assert re.search(r"spring|autumn|May|September", reply(user("When is the best time to visit Kyoto?")))
    budget = reply(user("How can I travel on a budget in Paris?"))
    assert "Paris" in budget and re.search(r"save|cheap|pass", budget)


def test_the_destination_from_earlier_turns_fills_a_later_question():
    answer = reply(user("I'm planning a trip to Porto."), assistant("Great choice!"),
                   user("What should I pack for March?"))
    assert "Porto" in answer and "March" in answer


def test_other_questions_get_an_honest_short_reply_of_the_same_kind():
    capital = reply(user("What is the capital of Peru?"))
    assert "don't know" in capital or "can't answer" in capital
    assert "84" in reply(user("What is 12 * 7?"))
    how = reply(user("How do I fix my bicycle chain?"))
    assert "steps" in how or "how" in how.lower()


def test_an_image_is_described_minimally():
    part = {"type": "image_url", "image_url": {"url": "https://example.com/beach.jpg"}}
    text = {"type": "text", "text": "What is in this picture?"}
    assert "image was attached" in reply({"role": "user", "content": [text, part]})


# --- sampling --------------------------------------------------------------------------------------


def test_penalties_make_choices_avoid_repeating_each_other():
    question = user("Suggest a name for a travel blog about Portugal.")
    plain = replies(question, n=4, temperature=0)
    assert len(set(plain)) == 1
    for penalty in ("presence_penalty", "frequency_penalty"):
        penalised = replies(question, n=4, temperature=0, **{penalty: 1.0})
        assert len(set(penalised)) == 4
    assert replies(question, n=4, temperature=0, presence_penalty=1.0) == replies(
        question, n=4, temperature=0, presence_penalty=1.0
    )


def test_replies_stay_reproducible_per_seed_and_temperature():
    question = user("Suggest a name for a travel blog about Portugal.")
    first = replies(question, n=3, temperature=1.3, seed=11)
    assert first == replies(question, n=3, temperature=1.3, seed=11)
    assert len(set(first)) > 1
