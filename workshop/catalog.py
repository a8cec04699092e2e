"""The exercise list, read from `info.toml`: the one place that says which exercises exist.

The harness, the `workshop` command and the lessons site all read it through `load_catalog()`.
Paths follow one convention, so the list names each exercise's module once: the stub is
`exercises/<id>/<module>.py`, its grader `exercises/<id>/test_<module>.py` and the reference
solution `solutions/<id>/<module>.py`.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from workshop.settings import REPO_ROOT

CATALOG_FILE = REPO_ROOT / "info.toml"
DOCS_SITE = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    module: str
    lesson: str
    stub_blob: str
    hints: tuple[str, ...]
    timeout: float

    @property
    def number(self) -> str:
        return self.id.split("_", 1)[0]

    @property
    def stub(self) -> Path:
        return REPO_ROOT / "exercises" / self.id / f"{self.module}.py"

    @property
    def grader(self) -> Path:
        return REPO_ROOT / "exercises" / self.id / f"test_{self.module}.py"

    @property
    def solution(self) -> Path:
        return REPO_ROOT / "solutions" / self.id / f"{self.module}.py"

    @property
    def instructions(self) -> Path:
        return REPO_ROOT / "exercises" / self.id / "README.md"

    @property
    def label(self) -> str:
        return f"{self.number} · {self.title}"

    def relative(self, path: Path) -> str:
        """A path as the learner would type it from the repository root (if it is inside it)."""
        return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)

    def is_untouched(self, path: Path | None = None) -> bool:
        """True while the file is exactly the stub as shipped (line endings aside)."""
        path = path or self.stub
        return path.exists() and git_blob_id(path.read_bytes()) == self.stub_blob


def lesson_url(page: str) -> str:
    """Where a lesson page is served by `workshop docs` (mkdocs' directory URLs)."""
    page, _, anchor = page.partition("#")
    url = f"{DOCS_SITE}/{page.removesuffix('.md').removesuffix('index')}"
    url = url if url.endswith("/") else f"{url}/"
    return f"{url}#{anchor}" if anchor else url


def git_blob_id(content: bytes) -> str:
    """Git's id for a file's content, so the shipped stub can be found again in the repository."""
    content = content.replace(b"\r\n", b"\n")
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@cache
def load_catalog() -> tuple[Exercise, ...]:
    data = tomllib.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return tuple(
        Exercise(
            id=entry["id"],
            title=entry["title"],
            module=entry["module"],
            lesson=entry["lesson"],
            stub_blob=entry["stub_blob"],
            hints=tuple(entry["hints"]),
            timeout=float(entry.get("timeout", data.get("default_timeout", 10))),
        )
        for entry in data["exercises"]
    )


class UnknownExercise(LookupError):
    pass


def find_exercise(key: str) -> Exercise:
    """Look an exercise up by its id (`01_single_turn`) or its number (`01` or `1`)."""
    wanted = key.strip().rstrip("/\\").split("/")[-1].split("\\")[-1]
    for exercise in load_catalog():
        if wanted in (exercise.id, exercise.number) or (
            wanted.isdigit() and int(wanted) == int(exercise.number)
        ):
            return exercise
    known = ", ".join(exercise.number for exercise in load_catalog())
    raise UnknownExercise(f"There is no exercise {key!r}; the exercises are {known}.")
