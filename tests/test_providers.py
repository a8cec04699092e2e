"""Provider recipes and bad configuration: each recipe builds the right base URL and its scripts
run (a practice server on loopback stands in for each provider: demanding the recipe's key,
serving only its models); every failure is one sentence with the fix, and never shows the key."""

from __future__ import annotations

import io
import json
import runpy
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import openai
import pytest
from pydantic import BaseModel

from workshop import providers, settings
from workshop.script import explain_api_error, run_file, run_script
from workshop.settings import DEFAULT_MODEL, REPO_ROOT
from workshop.simulation import SimulatedAPIError, rate_limited, server_error
from workshop.simulation.server import Fault, PracticeServer

SOLUTION = REPO_ROOT / "solutions" / "01_single_turn" / "travel_assistant.py"
VARIABLES = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "WORKSHOP_MODEL")
OPENAI_KEY = "sk-proj-canary" + "7" * 36
AZURE_KEY = "9f" * 16
MESSAGES = [{"role": "user", "content": "What should I pack?"}]


@dataclass(frozen=True)
class Recipe:
    name: str
    variables: dict[str, str]
    base_url: str  # what OpenAI() must use
    kind: str


RECIPES = [
    Recipe("OpenAI", {"OPENAI_API_KEY": OPENAI_KEY}, "https://api.openai.com/v1/", "openai"),
    Recipe(
        "Azure OpenAI",
        {"OPENAI_API_KEY": AZURE_KEY, "OPENAI_BASE_URL": "https://my-resource.openai.azure.com/openai/v1/",
         "WORKSHOP_MODEL": "my-gpt-5-4-mini"},
        "https://my-resource.openai.azure.com/openai/v1/", "azure",
    ),
    Recipe("Ollama", {"OPENAI_API_KEY": "ollama", "OPENAI_BASE_URL": "http://localhost:11434/v1",
                      "WORKSHOP_MODEL": "llama3.2"}, "http://localhost:11434/v1/", "local"),
    Recipe("LM Studio", {"OPENAI_API_KEY": "lm-studio", "OPENAI_BASE_URL": "http://localhost:1234/v1",
                         "WORKSHOP_MODEL": "qwen2.5-7b-instruct"}, "http://localhost:1234/v1/", "local"),
    Recipe("vLLM", {"OPENAI_API_KEY": "local", "OPENAI_BASE_URL": "http://localhost:8000/v1",
                    "WORKSHOP_MODEL": "Qwen/Qwen2.5-1.5B-Instruct"}, "http://localhost:8000/v1/", "local"),
    Recipe("llama.cpp", {"OPENAI_API_KEY": "local", "OPENAI_BASE_URL": "http://localhost:8080/v1"},
           "http://localhost:8080/v1/", "local"),
    Recipe("practice model", {"OPENAI_API_KEY": "practice", "OPENAI_BASE_URL": "http://127.0.0.1:8111/v1"},
           "http://127.0.0.1:8111/v1/", "local"),
]


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch):
    """Start from no provider configuration at all, then set what a test names."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_variables(variables: dict[str, str]) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_variables


def clean_environment(**variables: str) -> dict[str, str]:
    import os

    environ = {name: value for name, value in os.environ.items() if name not in VARIABLES}
    return {**environ, **variables}


def one_sentence(text: str) -> bool:
    return "\n" not in text.strip() and "Traceback" not in text and text.strip().endswith((".", ")"))


# --- the recipes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("recipe", RECIPES, ids=[recipe.name for recipe in RECIPES])
def test_each_recipe_gives_the_sdk_the_right_base_url_and_passes_the_checks(configure, recipe):
    configure(recipe.variables)
    with openai.OpenAI() as client:
        assert str(client.base_url) == recipe.base_url
    assert providers.configuration_problem() is None
    assert providers.current().kind == recipe.kind


def test_an_empty_base_url_line_means_the_default(configure):
    configure({"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": ""})
    settings.tidy_environment()
    with openai.OpenAI() as client:
        assert str(client.base_url) == "https://api.openai.com/v1/"


@dataclass
class ScriptRun:
    code: int
    stdout: str
    stderr: str
    completions: int = 0


@pytest.fixture(scope="module")
def stand_ins() -> Iterator[dict[str, PracticeServer]]:
    """A practice server per recipe, playing its provider: only its key and its model work."""
    servers = {
        recipe.name: PracticeServer(
            port=0, stream_delay=0, api_key=recipe.variables["OPENAI_API_KEY"],
            models=[recipe.variables.get("WORKSHOP_MODEL", DEFAULT_MODEL)],
        )
        for recipe in RECIPES
    }
    for server in servers.values():
        server.__enter__()
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture
def run_solution(configure, monkeypatch, capsys):
    """Run exercise 01's solution as `python <file>` would, in this process, with `variables` set.

    The SDK's waits between retries are skipped, so a failing run ends at once.
    """
    from openai import _base_client

    from workshop import settings

    monkeypatch.setattr(_base_client.SyncAPIClient, "_sleep_for_retry", lambda *args, **kwargs: None)

    def run(variables: dict[str, str]) -> ScriptRun:
        configure(variables)
        monkeypatch.setattr(settings, "MODEL", variables.get("WORKSHOP_MODEL", DEFAULT_MODEL))
        capsys.readouterr()
        try:
            runpy.run_path(str(SOLUTION), run_name="__main__")
            code = 0
        except SystemExit as stopped:
            code = 1
            print(stopped.code, file=sys.stderr)
        output = capsys.readouterr()
        return ScriptRun(code, output.out, output.err)

    return run


@pytest.mark.parametrize("recipe", RECIPES, ids=[recipe.name for recipe in RECIPES])
def test_a_script_run_with_each_recipe_reaches_its_provider(run_solution, stand_ins, recipe):
    server = stand_ins[recipe.name]
    before = server.counters.completions
    run = run_solution({**recipe.variables, "OPENAI_BASE_URL": server.base_url})
    assert run.code == 0, run.stderr
    assert run.stdout.strip() and run.stderr == ""
    assert server.counters.completions == before + 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the probe is closed


def broken(name: str, stand_ins: dict[str, PracticeServer]) -> dict[str, str]:
    url = stand_ins["OpenAI"].base_url
    return {
        "no key": {},
        "wrong key": {"OPENAI_API_KEY": "sk-proj-wrong" + "3" * 30, "OPENAI_BASE_URL": url},
        "unreachable": {"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": f"http://127.0.0.1:{_closed_port()}/v1"},
        "retired model": {"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": url,
                          "WORKSHOP_MODEL": "gpt-3.5-turbo-0301"},
        "rate limited": {"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": url},
        "server error": {"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": url},
    }[name]


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("no key", "No provider is configured: set OPENAI_API_KEY in .env"),
        ("wrong key", "refused the key in OPENAI_API_KEY (401)"),
        ("unreachable", "Nothing answers at http://127.0.0.1:"),
        ("retired model", "does not serve the model 'gpt-3.5-turbo-0301' (404): set WORKSHOP_MODEL"),
        ("rate limited", "is rate limiting you (429 Too Many Requests)"),
        ("server error", "had a server error (500)"),
    ],
)
def test_a_broken_configuration_ends_the_script_with_one_sentence(
    run_solution, stand_ins, scenario, expected
):
    if scenario in ("rate limited", "server error"):  # three times: the first try and two retries
        fault = Fault(rate_limited() if scenario == "rate limited" else server_error())
        stand_ins["OpenAI"].queue(fault, fault, fault)
    run = run_solution(broken(scenario, stand_ins))
    assert run.code == 1 and run.stdout == ""
    assert expected in run.stderr and one_sentence(run.stderr), run.stderr
    for key in (OPENAI_KEY, "sk-proj-wrong"):
        assert key not in run.stderr


def test_the_sentence_for_no_key_names_the_exercises_run_command(run_solution):
    assert "or run `workshop run 01` to use the offline practice model" in run_solution({}).stderr


def test_in_its_own_process_a_script_reaches_the_provider_or_fails_in_one_line(stand_ins):
    server = stand_ins["Ollama"]
    recipe = next(recipe for recipe in RECIPES if recipe.name == "Ollama")
    scenarios = {
        "works": {**recipe.variables, "OPENAI_BASE_URL": server.base_url},
        "unreachable": {"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": f"http://127.0.0.1:{_closed_port()}/v1",
                        "WORKSHOP_MODEL": DEFAULT_MODEL},
    }

    def run(variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(SOLUTION)], cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=60, env=clean_environment(**variables))

    with ThreadPoolExecutor(max_workers=2) as pool:
        works, unreachable = pool.map(run, scenarios.values())
    assert works.returncode == 0 and works.stdout.strip() and works.stderr == "", works.stderr
    assert unreachable.returncode == 1 and unreachable.stdout == ""
    assert unreachable.stderr.startswith("Nothing answers at http://127.0.0.1:")
    assert one_sentence(unreachable.stderr) and OPENAI_KEY not in unreachable.stderr


def test_with_nothing_configured_run_file_uses_the_practice_model(configure, capfd):
    notice = io.StringIO()
    assert run_file(SOLUTION, out=notice) == 0
    assert notice.getvalue().startswith("No API key is configured, so this runs against the offline practice")
    assert notice.getvalue().count("\n") == 1
    assert capfd.readouterr().out.strip()


# --- configuration that cannot work -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1"}, "any text in .env, such as OPENAI_API_KEY=local"),
        ({"OPENAI_BASE_URL": "https://r.openai.azure.com/openai/v1/"}, "OPENAI_API_KEY is empty"),
        ({"OPENAI_API_KEY": "sk-your-key-here"}, "still the example text"),
        ({"OPENAI_API_KEY": "your-azure-key"}, "still the example text"),
        ({"OPENAI_API_KEY": "sk-abc def"}, "spaces or line breaks"),
        ({"OPENAI_API_KEY": "“sk-abcdef”"}, "quotation marks"),
        ({"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": "localhost:11434/v1"}, "http:// or https://"),
        ({"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": "http://localhost:port/v1"}, "not a number"),
        ({"OPENAI_API_KEY": AZURE_KEY, "OPENAI_BASE_URL": "https://r.openai.azure.com/"},
         "https://r.openai.azure.com/openai/v1/"),
        ({"OPENAI_API_KEY": AZURE_KEY, "OPENAI_BASE_URL":
          "https://r.openai.azure.com/openai/deployments/mini/chat/completions?api-version=2024-10-21"},
         "no deployment or api-version"),
        ({"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": "https://example.com/v1?key=1"}, "query"),
    ],
)
def test_configuration_that_cannot_work_is_named_before_any_request(configure, variables, expected):
    configure(variables)
    problem = providers.configuration_problem()
    assert problem is not None and expected in problem, problem
    assert one_sentence(problem) and OPENAI_KEY not in problem


def test_run_script_stops_on_bad_configuration_before_calling_main(configure):
    configure({"OPENAI_API_KEY": "sk-your-key-here"})
    called = []
    with pytest.raises(SystemExit) as stopped:
        run_script(lambda: called.append(True))
    assert "example text" in str(stopped.value) and not called


def test_an_unfinished_exercise_is_named_as_such(configure):
    configure({"OPENAI_API_KEY": OPENAI_KEY})

    def main() -> None:
        raise NotImplementedError("TODO 2: build_messages")

    with pytest.raises(SystemExit) as stopped:
        run_script(main)
    assert str(stopped.value).startswith("This exercise is not finished yet (TODO 2: build_messages)")


# --- every failure of a request: one sentence with the fix ---------------------------------------------


@pytest.fixture(scope="module")
def stand_in() -> Iterator[PracticeServer]:
    with PracticeServer(port=0, stream_delay=0, api_key="right-key", models=["served-model"]) as server:
        yield server


def failure(server: PracticeServer, *, key: str = "right-key", model: str = "served-model",
            base_url: str | None = None, timeout: float = 10, **options) -> openai.OpenAIError:
    client = openai.OpenAI(base_url=base_url or server.base_url, api_key=key, max_retries=0, timeout=timeout)
    with client, pytest.raises(openai.OpenAIError) as raised:
        client.chat.completions.create(model=model, messages=MESSAGES, **options)
    return raised.value


AZURE = {"OPENAI_API_KEY": AZURE_KEY, "OPENAI_BASE_URL": "https://my-resource.openai.azure.com/openai/v1/"}
OPENAI = {"OPENAI_API_KEY": OPENAI_KEY}
OLLAMA = {"OPENAI_API_KEY": "ollama", "OPENAI_BASE_URL": "http://localhost:11434/v1"}


def test_a_refused_key_says_which_provider_it_belongs_to(stand_in):
    error = failure(stand_in, key="wrong")
    assert "probably for another provider" in providers.diagnose(error, {"OPENAI_API_KEY": "gsk_other"})
    azure = providers.diagnose(error, {**AZURE, "OPENAI_API_KEY": OPENAI_KEY})
    assert azure.startswith("Azure OpenAI (https://my-resource.openai.azure.com/openai/v1/) refused the key")
    assert "looks like an OpenAI key" in azure and OPENAI_KEY not in azure
    assert "Keys and Endpoint" in providers.diagnose(error, AZURE)


def test_an_unknown_or_retired_model_gets_the_providers_own_fix(stand_in):
    error = failure(stand_in, model="gpt-3.5-turbo-0301")
    assert isinstance(error, openai.NotFoundError)
    openai_sentence = providers.diagnose(error, OPENAI)
    assert openai_sentence.startswith("OpenAI shut the model 'gpt-3.5-turbo-0301' down on 2024-09-13 (404)")
    assert f"such as {DEFAULT_MODEL}" in openai_sentence
    unknown = providers.diagnose(failure(stand_in, model="my-own-model"), OPENAI)
    assert unknown.startswith("OpenAI does not know the model 'my-own-model', or it has been retired")
    assert "set WORKSHOP_MODEL in .env to it" in providers.diagnose(error, AZURE)
    assert "`ollama pull gpt-3.5-turbo-0301`" in providers.diagnose(error, OLLAMA)


def test_a_base_url_without_v1_is_not_mistaken_for_a_missing_model(stand_in):
    error = failure(stand_in, base_url=stand_in.base_url.removesuffix("/v1"))
    sentence = providers.diagnose(error, {"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://localhost:9999"})
    assert "has nothing at /chat/completions (404): check OPENAI_BASE_URL" in sentence
    assert "/v1" in sentence


def test_rate_limits_quota_and_server_errors(stand_in):
    stand_in.queue(Fault(rate_limited()))
    assert "is rate limiting you (429" in providers.diagnose(failure(stand_in), OPENAI)
    quota = SimulatedAPIError(429, "You exceeded your current quota.", type="insufficient_quota",
                              code="insufficient_quota")
    stand_in.queue(Fault(quota))
    assert "has no credit left" in providers.diagnose(failure(stand_in), OPENAI)
    stand_in.queue(Fault(server_error(503)))
    assert providers.diagnose(failure(stand_in), OPENAI).startswith("OpenAI had a server error (503)")


def test_a_script_retries_a_rate_limit_before_giving_up_with_a_sentence(configure, stand_in):
    configure({"OPENAI_API_KEY": "right-key", "OPENAI_BASE_URL": stand_in.base_url})
    stand_in.queue(*[Fault(rate_limited(), headers={"retry-after-ms": "5"})] * 3)

    def main() -> None:
        with openai.OpenAI() as client:
            client.chat.completions.create(model="served-model", messages=MESSAGES)

    with pytest.raises(SystemExit) as stopped:
        run_script(main)
    assert "rate limiting you (429 Too Many Requests): wait a minute" in str(stopped.value)


def test_timeouts_and_unreachable_servers(stand_in):
    stand_in.queue(Fault(delay=3))
    timed_out = failure(stand_in, timeout=0.2)
    assert isinstance(timed_out, openai.APITimeoutError)
    assert "did not answer in time" in providers.diagnose(timed_out, OPENAI)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = failure(stand_in, base_url=f"http://127.0.0.1:{port}/v1")
    assert isinstance(refused, openai.APIConnectionError)
    local = providers.diagnose(refused, OLLAMA)
    assert local.startswith("Nothing answers at http://localhost:11434/v1: start it (`ollama serve`)")
    practice = providers.diagnose(refused, {"OPENAI_API_KEY": "p", "OPENAI_BASE_URL": "http://127.0.0.1:8111/v1"})
    assert "`workshop practice-server`" in practice
    remote = providers.diagnose(refused, {"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "https://llm.example.org/v1"})
    assert remote.startswith("Could not connect to the server at https://llm.example.org/v1")


def test_a_base_url_without_a_scheme_is_explained_even_past_the_checks(stand_in):
    error = failure(stand_in, base_url="localhost:11434/v1")
    assert "must start with http:// or https://" in providers.diagnose(error, OLLAMA)


def test_a_reply_cut_off_while_parsing_is_explained(stand_in):
    class Trip(BaseModel):
        city: str

    with openai.OpenAI(base_url=stand_in.base_url, api_key="right-key", max_retries=0) as client, \
            pytest.raises(openai.LengthFinishReasonError) as raised:
        client.chat.completions.parse(model="served-model", messages=MESSAGES, response_format=Trip,
                                      max_completion_tokens=2)
    assert "max_completion_tokens" in providers.diagnose(raised.value, OPENAI)


def test_a_refused_request_quotes_the_provider_and_explain_api_error_agrees(stand_in, configure):
    configure(OPENAI)
    error = failure(stand_in, temperature=5)
    sentence = providers.diagnose(error)
    assert sentence.startswith("OpenAI refused the request (400): Invalid 'temperature'")
    assert explain_api_error(error) == sentence


def test_every_diagnosis_is_one_sentence_without_the_key(stand_in):
    stand_in.queue(Fault(rate_limited()), Fault(server_error()))
    errors = [failure(stand_in, key="wrong"), failure(stand_in, model="gone"), failure(stand_in),
              failure(stand_in), failure(stand_in, temperature=9)]
    for environ in (OPENAI, AZURE, OLLAMA):
        for error in errors:
            sentence = providers.diagnose(error, environ)
            assert one_sentence(sentence), sentence
            assert environ["OPENAI_API_KEY"] not in sentence or environ is OLLAMA


def test_redact_removes_the_key_and_anything_shaped_like_one():
    environ = {"OPENAI_API_KEY": "abc123secretvalue"}
    text = "key abc123secretvalue and sk-proj-" + "x" * 20 + " remain?"
    assert providers.redact(text, environ) == "key [redacted] and [redacted] remain?"
    assert providers.redact("the practice model", {"OPENAI_API_KEY": "practice"}) == "the practice model"


def test_practice_environment_points_scripts_at_the_practice_model():
    environ = providers.practice_environment("http://127.0.0.1:9/v1", {"PATH": "/bin"})
    assert environ == {"PATH": "/bin", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
                       "OPENAI_API_KEY": providers.PRACTICE_KEY}
    assert providers.needs_practice_model({}) and not providers.needs_practice_model(OLLAMA)
    assert json.dumps(environ)  # plain strings only, ready for subprocess


def test_the_sentences_shown_in_the_docs_are_the_ones_the_scripts_say(stand_in):
    """docs/providers.md lists a sentence per problem; "(...)" stands for a part left out there."""
    import re

    page = (REPO_ROOT / "docs" / "providers.md").read_text(encoding="utf-8")
    table = page[page.index("| Problem |"):page.index("Before a rate limit")]
    shown = re.findall(r"^\| [^|]+ \| (.+) \|$", table, re.MULTILINE)[1:]
    azure = {**AZURE, "OPENAI_API_KEY": OPENAI_KEY}
    quota = SimulatedAPIError(429, "You exceeded your current quota.", code="insufficient_quota")

    def queued(fault: Fault, **options) -> openai.OpenAIError:
        stand_in.queue(fault)
        return failure(stand_in, **options)

    said = [
        providers.configuration_problem({}, run_command="workshop run 01"),
        providers.configuration_problem({"OPENAI_BASE_URL": "http://localhost:11434/v1"}),
        providers.configuration_problem({"OPENAI_API_KEY": "“sk-abcdef”"}),
        providers.diagnose(failure(stand_in, key="wrong"), azure),
        providers.diagnose(failure(stand_in, model="gpt-3.5-turbo-0301"), OPENAI),
        providers.diagnose(failure(stand_in, base_url=stand_in.base_url.removesuffix("/v1")),
                           {**OLLAMA, "OPENAI_BASE_URL": "http://localhost:11434"}),
        providers.diagnose(failure(stand_in, base_url=f"http://127.0.0.1:{_closed_port()}/v1"), OLLAMA),
        providers.diagnose(queued(Fault(rate_limited())), OPENAI),
        providers.diagnose(queued(Fault(quota)), OPENAI),
        providers.diagnose(queued(Fault(server_error(503))), OPENAI),
        providers.diagnose(queued(Fault(delay=2), timeout=0.2), OPENAI),
    ]
    assert len(shown) == len(said)
    for sentence, actual in zip(shown, said, strict=True):
        pattern = re.escape(sentence).replace(r"\(\.\.\.\)", ".*")
        assert re.fullmatch(pattern, actual or ""), (sentence, actual)


def test_env_example_documents_every_variable_and_each_base_url_works():
    import io

    from dotenv import dotenv_values

    text = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    for name in VARIABLES:
        assert name in text, name
    assert dotenv_values(stream=io.StringIO(text)) == {"OPENAI_API_KEY": ""}  # as shipped: nothing set
    examples = [line[2:] for line in text.splitlines() if line.startswith("# OPENAI_BASE_URL=")]
    assert len(examples) == 6
    for line in examples:  # each line, with its "# " removed, configures a base URL that can work
        environ = {**dotenv_values(stream=io.StringIO(line)), "OPENAI_API_KEY": AZURE_KEY}
        assert providers.configuration_problem(environ) is None, line


def test_a_refused_temperature_says_what_to_do_about_a_reasoning_model():
    with PracticeServer(port=0, stream_delay=0) as server:
        error = failure(server, model=DEFAULT_MODEL, temperature=0.2, reasoning_effort="low")
        refused_max_tokens = failure(server, model=DEFAULT_MODEL, max_tokens=5)
    sentence = providers.diagnose(error, OPENAI)
    assert sentence.startswith("OpenAI refused temperature for this model (400), as reasoning models do")
    assert 'reasoning_effort="none"' in sentence and "Only the default (1)" in sentence
    assert "max_completion_tokens" in providers.diagnose(refused_max_tokens, OPENAI)
