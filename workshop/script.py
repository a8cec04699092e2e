"""Running an exercise as a script: against the configured provider, with problems in one sentence."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import openai

from workshop.settings import MODEL

NO_PROVIDER = (
    "No provider is configured: copy .env.example to .env and set OPENAI_API_KEY "
    "(docs/setup.md shows how). Grading with `pytest exercises/` needs no key."
)


def run_script(main: Callable[[], None]) -> None:
    """Call an exercise's `main()`, turning every expected failure into a sentence and exit code 1."""
    if not os.environ.get("OPENAI_API_KEY"):
        sys.exit(NO_PROVIDER)
    try:
        main()
    except NotImplementedError as error:
        sys.exit(f"This exercise is not finished yet ({error}). Fill in its TODOs and run it again.")
    except openai.OpenAIError as error:
        sys.exit(explain_api_error(error))
    except KeyboardInterrupt:
        sys.exit("Stopped.")


def explain_api_error(error: openai.OpenAIError) -> str:
    """One sentence that names the problem and the fix, without ever echoing the key."""
    base_url = os.environ.get("OPENAI_BASE_URL") or "the OpenAI API"
    if isinstance(error, openai.AuthenticationError):
        return (f"{base_url} refused the key (401): check OPENAI_API_KEY in .env, and that it "
                "belongs to the provider in OPENAI_BASE_URL.")
    if isinstance(error, openai.PermissionDeniedError):
        return f"{base_url} says this key may not use that (403): check the key's project and permissions."
    if isinstance(error, openai.NotFoundError):
        return (f"{base_url} does not know the model {MODEL!r} (404): set WORKSHOP_MODEL in .env "
                "to a model your provider serves.")
    if isinstance(error, openai.RateLimitError):
        return f"{base_url} is rate limiting you (429): wait a minute, or check your plan's quota."
    if isinstance(error, openai.APITimeoutError):
        return f"{base_url} did not answer in time: try again, or check your network."
    if isinstance(error, openai.APIConnectionError):
        return f"Could not connect to {base_url}: check OPENAI_BASE_URL in .env and your network."
    if isinstance(error, openai.InternalServerError):
        return f"{base_url} had a server error ({error.status_code}): try again in a moment."
    if isinstance(error, openai.BadRequestError):
        return f"{base_url} refused the request (400): {error.message}"
    return f"The request failed: {type(error).__name__}."
