"""Exercise 03 · Temperature experiments

1. sample(): ValueError unless 0 <= temperature <= 2 and n >= 1.
2. sample(): one request with temperature and n; return every choice's text.
3. run_experiment(): {temperature: sample(...)} per temperature.
4. distinct_ratio(): distinct answers / all answers (0.0 if none).

Lesson: docs/lessons/04-parameters.md    Grade: pytest exercises/03_temperature
A live model that answers 400 unsupported_value for temperature: see the README's last section.
"""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL


def sample(prompt: str, temperature: float, n: int = 3) -> list[str]:
    # TODO 1: check the arguments. TODO 2: send the request.
    raise NotImplementedError("TODO 1 and 2: sample")


def run_experiment(prompt: str, temperatures=(0.0, 0.7, 1.5), n: int = 3) -> dict[float, list[str]]:
    # TODO 3: one sample() per temperature.
    raise NotImplementedError("TODO 3: run_experiment")


def distinct_ratio(samples: list[str]) -> float:
    # TODO 4: strip each answer before comparing.
    raise NotImplementedError("TODO 4: distinct_ratio")


def main() -> None:
    for temperature, samples in run_experiment("Name a travel blog about Portugal.").items():
        print(f"temperature {temperature}: distinct ratio {distinct_ratio(samples):.2f}")
        print("  " + "\n  ".join(samples))


if __name__ == "__main__":
    run_script(main)
