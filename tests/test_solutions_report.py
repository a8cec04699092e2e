"""`workshop run --solutions`: every reference solution runs as a script, and the table shows
what each did, its tokens (read from the responses) and their estimated cost."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from pathlib import Path

import pytest

from workshop import settings, tokens
from workshop.catalog import Exercise, find_exercise
from workshop.commands import solutions_report
from workshop.commands.solutions_report import Call, main, price_of, read_call
from workshop.simulation.server import PracticeServer

VARIABLES = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "WORKSHOP_MODEL")


@pytest.fixture(autouse=True)
def no_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # one table row per line, however narrow the terminal


def stand_in(exercise: Exercise, number: str, title: str) -> Exercise:
    return dataclasses.replace(exercise, id=f"{number}_{title.lower().replace(' ', '_')}", title=title)


SCRIPTS = {
    "unfinished": """
        from workshop.script import run_script

        def main():
            raise NotImplementedError("TODO 1: ask")

        if __name__ == "__main__":
            run_script(main)
    """,
    "broken": """
        from workshop.script import run_script

        def main():
            print({}["missing"])

        if __name__ == "__main__":
            run_script(main)
    """,
    "streams without usage": """
        from openai import OpenAI
        from workshop.script import run_script

        def main():
            with OpenAI() as client:
                for chunk in client.chat.completions.create(
                    model="gpt-4.1-mini", messages=[{"role": "user", "content": "Tips for Rome?"}],
                    stream=True,
                ):
                    pass

        if __name__ == "__main__":
            run_script(main)
    """,
    "async client": """
        import asyncio
        from openai import AsyncOpenAI
        from workshop.script import run_script

        async def ask():
            async with AsyncOpenAI() as client:
                questions = ["Tips for Rome?", "Tips for Porto?"]
                await asyncio.gather(*[
                    client.chat.completions.create(
                        model="llama3.2", messages=[{"role": "user", "content": q}]
                    )
                    for q in questions
                ])

        def main():
            asyncio.run(ask())

        if __name__ == "__main__":
            run_script(main)
    """,
}


def test_the_practice_report_runs_each_solution_and_reports_what_it_found(tmp_path, capsys):
    first = find_exercise("01")
    exercises = [first]
    scripts: dict[str, Path] = {}
    for number, (title, source) in enumerate(SCRIPTS.items(), start=91):
        exercise = stand_in(first, str(number), title)
        exercises.append(exercise)
        scripts[exercise.id] = tmp_path / f"{number}.py"
        scripts[exercise.id].write_text(textwrap.dedent(source), encoding="utf-8")
    missing = stand_in(first, "99", "not written")
    exercises.append(missing)
    scripts[missing.id] = tmp_path / "nowhere.py"

    assert main(False, exercises=exercises, scripts=scripts) == 1  # the broken one fails the run
    out = capsys.readouterr().out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 5}
    assert "ran" in rows["01"] and "$0.000" in rows["01"]
    assert "unfinished" in rows["91"] and "failed" in rows["92"]
    assert "91 unfinished: This exercise is not finished yet (TODO 1: ask)." in out
    assert "92 failed: KeyError: 'missing'" in out
    assert "ran" in rows["93"] and "~" in rows["93"]  # counted from the streamed text
    assert "ran" in rows["94"] and "unknown" in rows["94"]  # two requests to a model with no price
    assert "no solution yet" in rows["99"]
    assert "practice model" in out and "costs nothing" in out
    assert "gpt-4.1-mini-simulated (priced as gpt-4.1-mini): 0.4 input" in out
    assert "llama3.2-simulated: unknown price" in out


def test_every_exercise_in_the_catalog_gets_a_row(monkeypatch, capsys):
    ran = []

    def pretend(exercises, environ, *, timeout, scripts=None):
        ran.extend(exercises)
        assert environ["OPENAI_BASE_URL"].startswith("http://127.0.0.1:")
        return [solutions_report.Outcome(e, solutions_report.MISSING) for e in exercises]

    monkeypatch.setattr(solutions_report, "run_solutions", pretend)
    assert main(False) == 0
    out = capsys.readouterr().out
    assert [exercise.id for exercise in ran] == [e.id for e in solutions_report.load_catalog()]
    rows = [line for line in out.splitlines() if "no solution yet" in line and "Total" not in line]
    assert len(rows) == len(ran)
    assert f"{len(ran)} no solution yet" in out


def test_live_needs_a_configured_provider(capsys):
    assert main(True) == 1
    out = capsys.readouterr().out.strip()
    assert out.startswith("--live needs a provider configured in .env")
    assert "\n" not in out


def test_live_stops_at_configuration_that_cannot_work(monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-your-key-here")
    assert main(True) == 1
    assert capsys.readouterr().out.strip() == (
        "OPENAI_API_KEY in .env is still the example text: replace it with your own key."
    )


def test_live_runs_against_the_configured_provider_and_counts_its_tokens(monkeypatch, capsys):
    key = "sk-proj-live" + "5" * 30
    with PracticeServer(port=0, stream_delay=0, api_key=key, models=[settings.DEFAULT_MODEL]) as provider:
        monkeypatch.setenv("OPENAI_API_KEY", key)
        monkeypatch.setenv("OPENAI_BASE_URL", provider.base_url)
        assert main(True, exercises=[find_exercise("01")]) == 0
        served = provider.counters
    out = capsys.readouterr().out
    assert f"Reference solutions against the local server at {provider.base_url}" in out
    total = served.prompt_tokens + served.completion_tokens
    row = next(line for line in out.splitlines() if line.startswith("│ 01"))
    assert [int(cell) for cell in row.split("│")[5:7]] == [served.prompt_tokens, served.completion_tokens]
    assert total and key not in out


def test_prices_are_looked_up_by_the_model_the_response_names():
    assert price_of("gpt-4.1-mini") == price_of("gpt-4.1-mini-2025-04-14")
    assert price_of("gpt-4.1-mini-simulated") == price_of("gpt-4.1-mini")
    assert price_of("llama3.2") is None and price_of(None) is None
    call = Call(200, "gpt-4.1-mini-2025-04-14", prompt_tokens=1_000_000, completion_tokens=1_000_000,
                cached_tokens=500_000)
    assert call.cost() == pytest.approx(0.5 * 0.40 + 0.5 * 0.10 + 1.60)
    assert Call(200, "llama3.2", 10, 10).cost() is None
    assert Call(429, "llama3.2").cost() == 0.0  # a refused request costs nothing


def test_usage_is_read_from_json_and_from_server_sent_events():
    request = {"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Hello there"}]}
    body = {"model": "gpt-4.1-mini-2025-04-14", "choices": [],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7,
                      "prompt_tokens_details": {"cached_tokens": 3}}}
    call = read_call(request, 200, "application/json", json.dumps(body).encode())
    assert (call.model, call.prompt_tokens, call.completion_tokens, call.cached_tokens) == (
        "gpt-4.1-mini-2025-04-14", 11, 7, 3)
    chunk = {"model": "m-simulated", "choices": [{"index": 0, "delta": {"content": "Bring a kite."}}]}
    stream = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    estimated = read_call(request, 200, "text/event-stream", stream)
    assert estimated.estimated and estimated.model == "m-simulated"
    assert estimated.completion_tokens == tokens.count_tokens("Bring a kite.")
    assert estimated.prompt_tokens == tokens.count_message_tokens(request["messages"])
    refused = read_call(request, 401, "application/json", b'{"error": {}}')
    assert (refused.status, refused.prompt_tokens) == (401, 0)
