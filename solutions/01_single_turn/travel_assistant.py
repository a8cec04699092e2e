"""Exercise 01 · Single-turn travel assistant (reference solution)."""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

SYSTEM_PROMPT = (
    "You are a friendly, practical travel assistant. Answer in at most three sentences, "
    "with concrete suggestions a traveller can act on."
)

def build_messages(question: str) -> list[dict]:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": question},
    ]


def ask(question: str) -> str:
    with OpenAI() as client:
        response = client.chat.completions.create(model=MODEL, messages=build_messages(question))
    return response.choices[0].message.content


def main() -> None:
    print(ask("What should I pack for three days in Lisbon in November?"))


if __name__ == "__main__":
    run_script(main)
