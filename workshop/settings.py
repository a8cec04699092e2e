"""The workshop's settings, read once from the environment and the repository's `.env`.

Every exercise imports `MODEL` from here, so changing the model for the whole course is one
line in `.env` (`WORKSHOP_MODEL=...`). The SDK reads `OPENAI_API_KEY` and `OPENAI_BASE_URL`
itself; loading `.env` into the environment is all it needs from us.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
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


def dotenv_text(path: Path) -> str | None:
    """`.env` as text, whatever editor saved it: UTF-8, UTF-16 (Notepad) or, failing those, Latin-1.

    A file that is not UTF-8 is still read, with one line on stderr saying so; one that cannot be
    read at all is skipped with one line. Never a traceback: every command imports this module.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        print(f"workshop: {path.name} could not be read ({error.strerror or error}); it is skipped.",
              file=sys.stderr)
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        print(f"workshop: {path.name} is not saved as UTF-8; it was read as Latin-1. Save it as "
              "UTF-8 in your editor if a value looks wrong.", file=sys.stderr)
        return data.decode("latin-1")


def load_dotenv_file(path: Path) -> None:
    text = dotenv_text(path)
    if text is not None:
        # Values already in the environment win over `.env`, so a grading run's placeholders stay put.
        load_dotenv(stream=io.StringIO(text), override=False)


load_dotenv_file(REPO_ROOT / ".env")
tidy_environment()

MODEL: str = os.environ.get("WORKSHOP_MODEL", "").strip() or DEFAULT_MODEL
