"""Exercise 03 · Temperature experiments (reference solution)."""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL


def sample(prompt: str, temperature: float, n: int = 3) -> list[str]:
    if not 0 <= temperature <= 2:
        raise ValueError(f"temperature must be between 0 and 2, not {temperature}")
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    with OpenAI() as client:
        response = client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": prompt}],
            temperature=temperature,
            n=n,
        )
    return [choice.message.content for choice in response.choices]


def run_experiment(
    prompt: str, temperatures=(0.0, 0.7, 1.5), n: int = 3
) -> dict[float, list[str]]:
    results = {}
    for temperature in temperatures:
        results[temperature] = sample(prompt, temperature, n)
    return results


def distinct_ratio(samples: list[str]) -> float:
    if not samples:
        return 0.0
    distinct = {text.strip() for text in samples}
    return len(distinct) / len(samples)


def main() -> None:
    for temperature, samples in run_experiment("Name a travel blog about Portugal.").items():
        print(f"temperature {temperature}: distinct ratio {distinct_ratio(samples):.2f}")
        print("  " + "\n  ".join(samples))


if __name__ == "__main__":
    run_script(main)
