"""The workshop's settings, read once from the environment and the repository's `.env`.

Every exercise imports `MODEL` from here, so changing the model for the whole course is one
line in `.env` (`WORKSHOP_MODEL=...`). The SDK reads `OPENAI_API_KEY` and `OPENAI_BASE_URL`
itself; loading `.env` into the environment is all it needs from us.
"""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import load_dotenv

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "gpt-4.1-mini"

# Values already in the environment win over `.env`, so a grading run's placeholders stay put.
load_dotenv(REPO_ROOT / ".env", override=False)

MODEL: str = os.environ.get("WORKSHOP_MODEL", "").strip() or DEFAULT_MODEL
