"""Exercise 02 · Multi-turn memory (reference solution)."""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL


class Conversation:
    def __init__(self, system_prompt: str) -> None:
        self.messages: list[dict] = [{"role": "system", "content": system_prompt}]

    def send(self, text: str) -> str:
        self.messages.append({"role": "user", "content": text})
        with OpenAI() as client:
            response = client.chat.completions.create(model=MODEL, messages=self.messages)
        reply = response.choices[0].message.content
        self.messages.append({"role": "assistant", "content": reply})
        return reply

    def reset(self) -> None:
        self.messages = self.messages[:1]


def main() -> None:
    chat = Conversation("You are a friendly assistant. Answer briefly.")
    for text in ("Hi, my name is Ada.", "What is my name?"):
        print(f"> {text}\n{chat.send(text)}")


if __name__ == "__main__":
    run_script(main)
