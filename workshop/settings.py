"""The workshop's settings, read once from the environment and the repository's `.env`.

Every exercise imports `MODEL` from here, so changing the model for the whole course is one
line in `.env` (`WORKSHOP_MODEL=...`). The SDK reads `OPENAI_API_KEY` and `OPENAI_BASE_URL`
itself; loading `.env` into the environment is all it needs from us.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

from dotenv import load_dotenv

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "gpt-5.4-mini"



def tidy_environment(environ: MutableMapping[str, str] | None = None) -> None:
    """Drop an empty `OPENAI_BASE_URL`: the SDK would take "" for the address, not its default."""
    environ = os.environ if environ is None else environ
    if "OPENAI_BASE_URL" in environ and not environ["OPENAI_BASE_URL"].strip():
        del environ["OPENAI_BASE_URL"]


# Values already in the environment win over `.env`, so a grading run's placeholders stay put.
load_dotenv(REPO_ROOT / ".env", override=False)
tidy_environment()

MODEL: str = os.environ.get("WORKSHOP_MODEL", "").strip() or DEFAULT_MODEL
