"""Which provider the scripts talk to, what is wrong with its configuration, and what an error means.

The learner's code is always a plain `OpenAI()`: the SDK reads `OPENAI_API_KEY` and
`OPENAI_BASE_URL` from the environment (`workshop.settings` loads `.env` into it), and
`WORKSHOP_MODEL` names the model. This module reads the same variables to

- name the provider they point at (OpenAI, Azure OpenAI, a local server, the practice model);
- find configuration that cannot work before a request is sent (`configuration_problem`);
- turn every failure of a request into one sentence with the fix (`diagnose`).

No sentence ever contains the key: `redact` removes it from anything shown.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

OPENAI_BASE_URL = "https://api.openai.com/v1"
PRACTICE_KEY = "practice"  # what scripts send to the practice model, which takes any key
PRACTICE_PORT = 8111
AZURE_HOSTS = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal")
# The ports local OpenAI-compatible servers use out of the box, and how each is started.
LOCAL_SERVERS = {
    11434: ("Ollama", "`ollama serve`"),
    1234: ("LM Studio", "`lms server start`"),
    8000: ("vLLM", "`vllm serve MODEL`"),
    8080: ("llama.cpp", "`llama-server -m MODEL.gguf`"),
    PRACTICE_PORT: ("the practice model", "`workshop practice-server`"),
}

NO_PROVIDER = (
    "No provider is configured: set OPENAI_API_KEY in .env (copy .env.example; docs/providers.md "
    "lists the choices), or run `{command}` to use the offline practice model, which needs no key."
)
REDACTED = "[redacted]"
SAMPLING_PARAMETERS = ("temperature", "top_p", "logprobs")
SAMPLING_ADVICE = (
    "leave it out, or (on gpt-5.1 and later) also send reasoning_effort=\"none\", or set "
    "WORKSHOP_MODEL to a model that takes sampling parameters"
)


@dataclass(frozen=True)
class Provider:
    """Where the SDK sends requests, as the environment configures it."""

    kind: str  # "openai", "azure", "local" or "compatible"
    base_url: str
    server: str | None = None  # for a local server on its usual port: "Ollama", "LM Studio"...

    @property
    def label(self) -> str:
        """The provider as a sentence names it."""
        if self.kind == "openai" and self.base_url.rstrip("/") == OPENAI_BASE_URL:
            return "OpenAI"
        if self.kind == "azure":
            return f"Azure OpenAI ({self.base_url})"
        if self.server == "the practice model":
            return f"the practice model at {self.base_url}"
        if self.server:
            return f"the local server at {self.base_url} ({self.server})"
        if self.kind == "local":
            return f"the local server at {self.base_url}"
        return f"the server at {self.base_url}"


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def configured_base_url(environ: Mapping[str, str] | None = None) -> str | None:
    """`OPENAI_BASE_URL` when it holds a value (an empty line in .env counts as unset)."""
    value = _environ(environ).get("OPENAI_BASE_URL", "").strip()
    return value or None


def has_key(environ: Mapping[str, str] | None = None) -> bool:
    return bool(_environ(environ).get("OPENAI_API_KEY", "").strip())


def current(environ: Mapping[str, str] | None = None) -> Provider:
    """The provider the environment points the SDK at."""
    base_url = configured_base_url(environ) or OPENAI_BASE_URL
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if host == "api.openai.com":
        return Provider("openai", base_url)
    if host.endswith(AZURE_HOSTS):
        return Provider("azure", base_url)
    if host in LOCAL_HOSTS or host.startswith("127."):
        server = LOCAL_SERVERS.get(port or 0, (None, None))[0]
        return Provider("local", base_url, server)
    return Provider("compatible", base_url)


def needs_practice_model(environ: Mapping[str, str] | None = None) -> bool:
    """True when nothing is configured at all: no key and no base URL."""
    return not has_key(environ) and configured_base_url(environ) is None


def practice_environment(base_url: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a script that should talk to the practice model at `base_url`."""
    return {**_environ(environ), "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": PRACTICE_KEY}


# --- configuration that cannot work ---------------------------------------------------------------

_PLACEHOLDER = re.compile(r"your[-_ ]?(azure[-_ ]?)?(api[-_ ]?)?key|<.*>|\.\.\.", re.IGNORECASE)


def configuration_problem(
    environ: Mapping[str, str] | None = None, *, run_command: str = "workshop run ID"
) -> str | None:
    """One sentence about configuration that cannot work, or None when it may work.

    Only what is certain without sending a request is checked; everything else is found by the
    provider's answer and explained by `diagnose`.
    """
    problem = _configuration_problem(_environ(environ), run_command)
    return _sentence(redact(problem, environ)) if problem else None


def _configuration_problem(environ: Mapping[str, str], run_command: str) -> str | None:
    key = environ.get("OPENAI_API_KEY", "")
    base_url = configured_base_url(environ)
    if not key.strip():
        if base_url is None:
            return NO_PROVIDER.format(command=run_command)
        provider = current(environ)
        if provider.kind == "local":
            return (f"OPENAI_API_KEY is empty, and the openai package needs one even for "
                    f"{provider.label}: set it to any text in .env, such as OPENAI_API_KEY=local.")
        return (f"OPENAI_API_KEY is empty: set it in .env to the key {provider.label} gave you "
                "(or remove OPENAI_BASE_URL to practise offline).")
    if base_url is not None:
        problem = _base_url_problem(base_url)
        if problem:
            return problem
    return _key_problem(key)


def _key_problem(key: str) -> str | None:
    if _PLACEHOLDER.search(key):
        return "OPENAI_API_KEY in .env is still the example text: replace it with your own key."
    if any(character.isspace() for character in key.strip()) or key != key.strip():
        return ("OPENAI_API_KEY in .env contains spaces or line breaks, which no key has: paste the "
                "key again on one line, with nothing around it.")
    if not key.isascii() or not key.isprintable() or any(c in "\"'`" for c in key):
        return ("OPENAI_API_KEY in .env contains quotation marks or other characters that no key "
                "has (often from copying it out of a document): paste the key again, as plain text.")
    return None


def _base_url_problem(base_url: str) -> str | None:
    parts = urlsplit(base_url)
    example = f"http://localhost:11434/v1 or {OPENAI_BASE_URL}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (f"OPENAI_BASE_URL must be a web address that starts with http:// or https://, "
                f"such as {example}, not {redact(base_url)!r}.")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        return f"OPENAI_BASE_URL has a port that is not a number: {redact(base_url)!r}."
    if (parts.hostname or "").lower().endswith(AZURE_HOSTS):
        if parts.path.rstrip("/") != "/openai/v1" or parts.query:
            resource = f"{parts.scheme}://{parts.hostname}"
            return (f"For Azure OpenAI, OPENAI_BASE_URL must be the v1 endpoint {resource}/openai/v1/ "
                    "(no deployment or api-version in it), with WORKSHOP_MODEL set to your "
                    "deployment's name.")
    elif parts.query:
        return ("OPENAI_BASE_URL must not contain a query (the part after '?'): "
                f"remove it, leaving {parts.scheme}://{parts.netloc}{parts.path}.")
    return None


# --- what went wrong ------------------------------------------------------------------------------


def diagnose(error: BaseException, environ: Mapping[str, str] | None = None) -> str:
    """One sentence that names what went wrong with a request and the fix, without the key."""
    return _sentence(redact(_diagnosis(error, _environ(environ)), environ))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _diagnosis(error: BaseException, environ: Mapping[str, str]) -> str:
    import openai

    provider = current(environ)
    where = provider.label
    if isinstance(error, openai.APIStatusError):
        return _status_diagnosis(error, provider, environ)
    if isinstance(error, openai.APITimeoutError):
        return (f"{where} did not answer in time: try again, and if it keeps happening check your "
                "network connection (or whether the server is overloaded).")
    if isinstance(error, openai.APIConnectionError):
        return _connection_diagnosis(error, provider)
    if isinstance(error, openai.APIResponseValidationError):
        return (f"{where} answered with something that is not an OpenAI-style response: check that "
                "OPENAI_BASE_URL is the provider's API address (it usually ends in /v1).")
    if isinstance(error, openai.LengthFinishReasonError):
        return ("The reply was cut off at the token limit before it was complete "
                "(finish_reason 'length'): allow more tokens with max_completion_tokens.")
    if isinstance(error, openai.ContentFilterFinishReasonError):
        return "The provider's content filter withheld the reply (finish_reason 'content_filter')."
    if isinstance(error, openai.OpenAIError) and "Missing credentials" in str(error):
        return NO_PROVIDER.format(command="workshop run ID")
    return f"The request failed ({type(error).__name__}): {_first_line(str(error))}"


def _status_diagnosis(error: object, provider: Provider, environ: Mapping[str, str]) -> str:
    import openai

    assert isinstance(error, openai.APIStatusError)
    where = provider.label
    status = error.status_code
    code = str(_error_field(error, "code") or "")
    message = _first_line(str(_error_field(error, "message") or error.message))
    if status == 401:
        return f"{where} refused the key in OPENAI_API_KEY (401): {_key_advice(provider, environ)}"
    if status == 403:
        return (f"{where} does not allow this key to do that (403): check the key's project, "
                f"permissions and region ({message}).")
    if status == 404:
        if _is_missing_model(code, message):
            return _missing_model(error, provider, environ)
        path = urlsplit(str(error.request.url)).path if _has_request(error) else "that address"
        return (f"{where} has nothing at {path} (404): check OPENAI_BASE_URL in .env; "
                "OpenAI-compatible APIs usually end in /v1.")
    if status == 429:
        if code == "insufficient_quota" or "quota" in message.lower():
            return (f"{where} says the account has no credit left (429 insufficient_quota): add credit "
                    "or raise the budget in the provider's billing settings, or practise offline "
                    "with `workshop run ID`.")
        return (f"{where} is rate limiting you (429 Too Many Requests): wait a minute and run it "
                "again, and send fewer requests at once.")
    if status >= 500:
        return (f"{where} had a server error ({status}): it is not your code; try again in a "
                "moment, or check the provider's status page.")
    if isinstance(error, openai.BadRequestError):
        param = str(_error_field(error, "param") or "")
        if param in SAMPLING_PARAMETERS and code in ("unsupported_value", "unsupported_parameter"):
            return (f"{where} refused {param} for this model (400), as reasoning models do: "
                    f"{SAMPLING_ADVICE} ({message})")
        return f"{where} refused the request (400): {message}"
    return f"{where} answered {status}: {message}"


def _is_missing_model(code: str, message: str) -> bool:
    if code in ("model_not_found", "DeploymentNotFound"):
        return True
    if code in ("unknown_url", "not_found") or "url" in message.lower():
        return False
    lowered = message.lower()
    return "model" in lowered or "deployment" in lowered


def _missing_model(error: object, provider: Provider, environ: Mapping[str, str]) -> str:
    from workshop.settings import DEFAULT_MODEL

    model = _requested_model(error) or environ.get("WORKSHOP_MODEL") or DEFAULT_MODEL
    where = provider.label
    if provider.kind == "azure":
        return (f"{where} has no deployment named {model!r} (404): on Azure the model is your "
                "deployment's name, so set WORKSHOP_MODEL in .env to it.")
    if provider.server == "Ollama":
        return (f"{where} has no model {model!r} (404): download it with `ollama pull {model}`, or "
                "set WORKSHOP_MODEL in .env to one that `ollama list` shows.")
    if provider.kind in ("local", "compatible"):
        return (f"{where} does not serve the model {model!r} (404): set WORKSHOP_MODEL in .env to "
                "one of the models it lists at /v1/models.")
    from workshop.simulation.models import known_model

    info = known_model(model)
    if info is not None and info.is_shut_down():
        return (f"OpenAI shut the model {model!r} down on {info.shutdown:%Y-%m-%d} (404): set "
                f"WORKSHOP_MODEL in .env to a current model, such as {DEFAULT_MODEL}.")
    return (f"{where} does not know the model {model!r}, or it has been retired (404): set "
            f"WORKSHOP_MODEL in .env to a current model, such as {DEFAULT_MODEL}.")


def _key_advice(provider: Provider, environ: Mapping[str, str]) -> str:
    key = environ.get("OPENAI_API_KEY", "").strip()
    if provider.kind == "azure":
        if key.startswith("sk-"):
            return ("it looks like an OpenAI key, but OPENAI_BASE_URL points at Azure: use a key "
                    "from your Azure resource's Keys and Endpoint page.")
        return "use a key from your Azure resource's Keys and Endpoint page, for this resource."
    if provider.kind == "openai" and not key.startswith("sk-"):
        return ("OpenAI keys start with sk-, so this key is probably for another provider: set "
                "OPENAI_BASE_URL to that provider's address, or use an OpenAI key.")
    return (f"check that the key in .env is complete, not revoked, and meant for {provider.label} "
            "(a key only works with the provider that issued it).")


def _connection_diagnosis(error: BaseException, provider: Provider) -> str:
    causes = _causes(error)
    names = " ".join(type(cause).__name__ for cause in causes)
    if "UnsupportedProtocol" in names:
        return (f"OPENAI_BASE_URL must start with http:// or https://, not {provider.base_url!r}: "
                "fix it in .env.")
    if any(type(cause).__name__.startswith("SSL") or "CERTIFICATE" in str(cause) for cause in causes):
        return (f"The secure connection to {provider.label} failed (its certificate was not "
                "accepted): check OPENAI_BASE_URL, and whether a network proxy intercepts HTTPS.")
    if provider.kind == "local":
        start = LOCAL_SERVERS.get(urlsplit(provider.base_url).port or 0, (None, None))[1]
        started = f"start it ({start})" if start else "start it"
        return (f"Nothing answers at {provider.base_url}: {started}, or fix OPENAI_BASE_URL in .env "
                "if it runs somewhere else.")
    return (f"Could not connect to {provider.label}: check your network connection, and "
            "OPENAI_BASE_URL in .env if you set one.")


def _causes(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current_error: BaseException | None = error
    while current_error is not None and len(found) < 10:
        found.append(current_error)
        current_error = current_error.__cause__ or current_error.__context__
    return found


def _error_field(error: object, name: str) -> object:
    body = getattr(error, "body", None)
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping):
            return inner.get(name)
    return getattr(error, name, None)


def _has_request(error: object) -> bool:
    try:
        return getattr(error, "request", None) is not None
    except RuntimeError:  # the SDK raises when an error was made without a request
        return False


def _requested_model(error: object) -> str | None:
    if not _has_request(error):
        return None
    try:
        body = json.loads(error.request.content)  # type: ignore[attr-defined]
    except (ValueError, TypeError, AttributeError, RuntimeError):
        return None
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 300 else line[:297] + "..."


# --- never show the key -----------------------------------------------------------------------------

_KEY_SHAPED = re.compile(r"\bsk-[A-Za-z0-9_\-*]{12,}")


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` without the configured key, and without anything else shaped like an OpenAI key."""
    key = _environ(environ).get("OPENAI_API_KEY", "").strip()
    if len(key) >= 12:  # real keys are long; "ollama" or "local" are not secrets
        text = text.replace(key, REDACTED)
    return _KEY_SHAPED.sub(REDACTED, text)
