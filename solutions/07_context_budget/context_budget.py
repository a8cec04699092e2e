"""Exercise 07 · Context management (reference solution)."""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL
from workshop.tokens import count_message_tokens


def split_turns(messages: list[dict]) -> list[list[dict]]:
    turns: list[list[dict]] = []
    for message in messages[1:]:
        if message["role"] == "user" or not turns:
            turns.append([message])
        else:
            turns[-1].append(message)
    return turns


def trim_to_budget(messages: list[dict], budget: int) -> list[dict]:
    system = messages[0]
    kept: list[dict] = []
    for turn in reversed(split_turns(messages)):
        if kept and count_message_tokens([system, *turn, *kept]) > budget:
            break
        kept = [*turn, *kept]
    return [system, *kept]


def reply(messages: list[dict], budget: int) -> str:
    with OpenAI() as client:
        response = client.chat.completions.create(
            model=MODEL, messages=trim_to_budget(messages, budget)
        )
    return response.choices[0].message.content


def main() -> None:
    history = [{"role": "system", "content": "You are a friendly travel assistant. Answer briefly."}]
    for text in ("Hi, my name is Ada.", "What should I pack for Lisbon?", "What is my name?"):
        history.append({"role": "user", "content": text})
        history.append({"role": "assistant", "content": reply(history, budget=80)})
        sent = trim_to_budget(history[:-1], 80)
        print(f"> {text}\n{history[-1]['content']}\n  ({len(sent)} of {len(history) - 1} messages sent)")


if __name__ == "__main__":
    run_script(main)
