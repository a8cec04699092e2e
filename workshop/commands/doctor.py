"""`workshop doctor [--live]`: does this setup work, before the workshop starts?

Offline (the default) it reads what is on this machine and sends nothing: the Python and package
versions, the `.env` file, the provider the settings point at, and whether the model id is one
the openai package knows, shut down or about to be (dates from the catalogue, which follows the
SDK's own list). With `--live` it sends a handful of tiny requests to the configured provider, one
for each feature the course uses, and says which of them work.

Every row is ✓ (fine), ! (works, but read this) or ✗ (will not work), and every ✗ comes with one
sentence that says what to do. The exit code is 1 when any row is ✗, so an instructor can ask a
room to run it and see at a glance who needs help. The key is never shown: only its last four
characters.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import platform
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from workshop import providers
from workshop.settings import DEFAULT_MODEL, REPO_ROOT

OK, WARN, FAIL = "✓", "!", "✗"
SOON_DAYS = 120  # a shutdown closer than this is worth a warning
LIVE_TIMEOUT = 30.0  # seconds one live check may take
SETUP_ADVICE = "run `python start.py` again: it installs the versions the course's lock file pins."
PROMPT = [{"role": "user", "content": "Reply with the single word OK."}]


@dataclass(frozen=True)
class Row:
    status: str
    check: str
    result: str
    advice: str = ""


def doctor_command(
    console: Console,
    live: bool = False,
    *,
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = None,
    today: datetime.date | None = None,
) -> int:
    """Print the checks as a table; 1 when any of them fails, else 0."""
    env_file = REPO_ROOT / ".env" if env_file is None else env_file
    environ = os.environ if environ is None else environ
    rows, settings = _offline_rows(environ, env_file, today or datetime.date.today())
    if live:
        rows += live_rows(settings)
    table = Table(title="workshop doctor" + (" --live" if live else ""), show_lines=False)
    for column in ("", "Check", "Result", "What to do"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.status, row.check, row.result, row.advice)
    console.print(table)
    if not live:
        console.print("Nothing was sent. `workshop doctor --live` also sends a few tiny requests "
                      "to your provider (with a paid key, they cost a fraction of a cent).")
    failed = [row for row in rows if row.status == FAIL]
    console.print(f"{len(failed)} problem(s) to fix." if failed else "Ready for the workshop.")
    return 1 if failed else 0


# --- offline ------------------------------------------------------------------------------------


def _offline_rows(
    environ: Mapping[str, str], env_file: Path, today: datetime.date
) -> tuple[list[Row], dict[str, str]]:
    rows = [python_row(), *package_rows()]
    file_row, file_values = env_file_row(env_file)
    rows.append(file_row)
    settings = {**file_values, **environ}  # as the course reads them: the environment wins
    rows.append(provider_row(settings))
    rows.append(model_row(settings, today))
    return rows, settings


def python_row() -> Row:
    from packaging.specifiers import SpecifierSet

    version = platform.python_version()
    needed = SpecifierSet(_project()["requires-python"])
    if not needed.contains(version):
        return Row(FAIL, "Python", f"{version}, but the course needs {needed}",
                   f"Install Python {needed}, then run `python start.py` with it.")
    return Row(OK, "Python", f"{version} ({sys.executable})")


def package_rows() -> list[Row]:
    """The course's packages against the versions pyproject.toml asks for."""
    from packaging.requirements import Requirement

    problems: list[Row] = []
    found: list[str] = []
    for line in _dependencies():
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            problems.append(Row(FAIL, requirement.name, "not installed", _sentence(SETUP_ADVICE)))
            continue
        if requirement.specifier and not requirement.specifier.contains(version, prereleases=True):
            problems.append(Row(FAIL, requirement.name, f"{version}, but the course needs "
                                f"{requirement.specifier}", _sentence(SETUP_ADVICE)))
        else:
            found.append(f"{requirement.name} {version}")
    if problems:
        return problems
    return [Row(OK, "Packages", ", ".join(found))]


def _project() -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _dependencies() -> list[str]:
    return list(_project()["dependencies"])


def env_file_row(env_file: Path) -> tuple[Row, dict[str, str]]:
    """Whether `.env` is there and readable, and the values in it."""
    from dotenv import dotenv_values

    if not env_file.exists():
        return Row(WARN, ".env", f"not found at {env_file}",
                   "Without it, scripts use the offline practice model; copy .env.example to .env "
                   "and fill it in to use a provider."), {}
    try:
        text = env_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
        return Row(FAIL, ".env", f"found, but it cannot be read ({reason})",
                   "Make the file readable and save it as plain UTF-8 text (or delete it and copy "
                   ".env.example again)."), {}
    values = {name: value or "" for name, value in dotenv_values(stream=io.StringIO(text)).items()}
    named = ", ".join(sorted(name for name, value in values.items() if value)) or "no values set"
    return Row(OK, ".env", f"{env_file} ({named})"), values


def provider_row(settings: Mapping[str, str]) -> Row:
    provider = providers.current(settings)
    key = settings.get("OPENAI_API_KEY", "").strip()
    if providers.needs_practice_model(settings):
        return Row(OK, "Provider", "none configured: `workshop run` uses the offline practice model")
    shown_key = f"key ending in …{key[-4:]}" if len(key) >= 12 else ("a short key" if key else "no key")
    problem = providers.configuration_problem(settings)
    if problem:
        return Row(FAIL, "Provider", f"{provider.label}, {shown_key}", problem)
    return Row(OK, "Provider", f"{provider.label}, {shown_key}")


def model_row(settings: Mapping[str, str], today: datetime.date) -> Row:
    from workshop.simulation.model_rules import closest_model
    from workshop.simulation.models import known_model

    model = settings.get("WORKSHOP_MODEL", "").strip() or DEFAULT_MODEL
    where = "the course's default" if model == DEFAULT_MODEL else "WORKSHOP_MODEL"
    openai_itself = providers.current(settings).kind == "openai" and not (
        providers.needs_practice_model(settings))
    info = known_model(model)
    if info is None:
        closest = closest_model(model, today=today)
        if openai_itself and closest:
            return Row(FAIL, "Model", f"{model} ({where}) is not an id the openai package knows",
                       f"Did you mean {closest}? Fix WORKSHOP_MODEL in .env.")
        return Row(OK, "Model", f"{model} ({where}): not an OpenAI id, so it is up to your "
                   "provider (`--live` asks it)")
    if info.shutdown is None:
        return Row(OK, "Model", f"{model} ({where}): no shutdown date announced")
    days = (info.shutdown - today).days
    if days <= 0:
        status = FAIL if openai_itself else WARN
        return Row(status, "Model", f"{model} ({where}) was shut down on {info.shutdown}",
                   f"Set WORKSHOP_MODEL in .env to a current model, such as {info.replacement}.")
    if days <= SOON_DAYS:
        return Row(WARN, "Model", f"{model} ({where}) is to be shut down on {info.shutdown}, "
                   f"in {days} days", f"Plan to switch WORKSHOP_MODEL to {info.replacement}.")
    return Row(OK, "Model", f"{model} ({where}): to be shut down on {info.shutdown}")


# --- live ---------------------------------------------------------------------------------------

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city today.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"], "additionalProperties": False},
        "strict": True,
    },
}
CITY_SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "city", "strict": True,
        "schema": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"], "additionalProperties": False},
    },
}


def live_rows(settings: Mapping[str, str]) -> list[Row]:
    """One tiny request per feature the course uses; after a failed first one, nothing more."""
    import openai

    if providers.needs_practice_model(settings):
        return [Row(WARN, "Live checks", "skipped: no provider is configured",
                    "Set OPENAI_API_KEY in .env (or start `workshop practice-server` and point "
                    "OPENAI_BASE_URL at it), then run `workshop doctor --live` again.")]
    if providers.configuration_problem(settings):
        return [Row(FAIL, "Live checks", "skipped: the provider's settings cannot work",
                    "Fix the Provider row first.")]
    model = settings.get("WORKSHOP_MODEL", "").strip() or DEFAULT_MODEL
    client = openai.OpenAI(
        api_key=settings.get("OPENAI_API_KEY", "").strip(),
        base_url=providers.configured_base_url(settings),
        organization=settings.get("OPENAI_ORG_ID") or None,
        project=settings.get("OPENAI_PROJECT_ID") or None,
        max_retries=0, timeout=LIVE_TIMEOUT,
    )
    rows: list[Row] = []
    with client:
        for name, check in LIVE_CHECKS:
            try:
                status, result, advice = check(client, model)
            except openai.OpenAIError as error:
                status, result, advice = FAIL, "refused", providers.diagnose(error, settings)
            rows.append(Row(status, name, result, advice))
            if name == "Plain request" and status == FAIL:
                rows.append(Row(WARN, "Other live checks", "skipped: the plain request failed",
                                "Fix the plain request first."))
                break
    return rows


Check = Callable[[Any, str], tuple[str, str, str]]


def _plain(client: Any, model: str) -> tuple[str, str, str]:
    response = client.chat.completions.create(model=model, messages=PROMPT)
    return OK, f"answered as {response.model}", ""


def _temperature(client: Any, model: str) -> tuple[str, str, str]:
    client.chat.completions.create(model=model, messages=PROMPT, temperature=0.2)
    return OK, "temperature=0.2 accepted", ""


def _choices(client: Any, model: str) -> tuple[str, str, str]:
    response = client.chat.completions.create(model=model, messages=PROMPT, n=2)
    if len(response.choices) != 2:
        return (FAIL, f"asked for n=2, got {len(response.choices)} choice(s)",
                "This provider ignores n, which exercise 03 needs: use another model or provider "
                "for that exercise.")
    return OK, "n=2 gave two choices", ""


def _json_schema(client: Any, model: str) -> tuple[str, str, str]:
    messages = [{"role": "user", "content": "Name one city in Portugal, as JSON."}]
    response = client.chat.completions.create(model=model, messages=messages,
                                              response_format=CITY_SCHEMA)
    content = response.choices[0].message.content or ""
    try:
        city = json.loads(content).get("city")
    except (ValueError, AttributeError):
        city = None
    if not isinstance(city, str):
        return (FAIL, "the reply does not follow the schema",
                "This model does not support structured output, which exercise 06 needs: use a "
                "model that supports json_schema.")
    return OK, "a reply that follows the schema", ""


def _stream_usage(client: Any, model: str) -> tuple[str, str, str]:
    stream = client.chat.completions.create(model=model, messages=PROMPT, stream=True,
                                            stream_options={"include_usage": True})
    usage = None
    with stream:
        for chunk in stream:
            usage = chunk.usage or usage
    if usage is None:
        return (WARN, "streams, but sends no usage",
                "Exercise 08 still works; its token counts will be estimates.")
    return OK, f"streamed, with usage ({usage.total_tokens} tokens)", ""


def _tools(client: Any, model: str) -> tuple[str, str, str]:
    messages = [{"role": "user", "content": "What is the weather in Lisbon today?"}]
    response = client.chat.completions.create(model=model, messages=messages,
                                              tools=[WEATHER_TOOL], tool_choice="required")
    calls = response.choices[0].message.tool_calls or []
    if not calls:
        return (WARN, "tools accepted, but no tool was called",
                "No exercise grades tool calling; to try it live, choose a model that calls tools.")
    return OK, f"called {calls[0].function.name}", ""


LIVE_CHECKS: tuple[tuple[str, Check], ...] = (
    ("Plain request", _plain),
    ("Temperature", _temperature),
    ("Several choices (n)", _choices),
    ("Structured output", _json_schema),
    ("Streaming with usage", _stream_usage),
    ("Tools", _tools),
)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
