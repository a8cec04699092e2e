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
    lessons: tuple[str, ...]  # docs-relative pages to read before it, in reading order
    stub_blob: str
    hints: tuple[str, ...]
    timeout: float
    root: Path = REPO_ROOT  # the course's folder: another copy of the course has its own

    @property
    def lesson(self) -> str:
        """The lesson to open first for this exercise: where its reading starts."""
        return self.lessons[0]

    @property
    def number(self) -> str:
        return self.id.split("_", 1)[0]

    @property
    def stub(self) -> Path:
        return self.root / "exercises" / self.id / f"{self.module}.py"

    @property
    def grader(self) -> Path:
        return self.root / "exercises" / self.id / f"test_{self.module}.py"

    @property
    def solution(self) -> Path:
        return self.root / "solutions" / self.id / f"{self.module}.py"

    @property
    def instructions(self) -> Path:
        return self.root / "exercises" / self.id / "README.md"

    @property
    def label(self) -> str:
        return f"{self.number} · {self.title}"

    def relative(self, path: Path) -> str:
        """A path as the learner would type it from the repository root (if it is inside it)."""
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)

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


def lesson_number(page: str) -> str:
    """`04` for `lessons/04-parameters.md`: what `workshop try` takes."""
    return Path(page.partition("#")[0]).name.split("-", 1)[0]


def git_blob_id(content: bytes) -> str:
    """Git's id for a file's content, so the shipped stub can be found again in the repository."""
    content = content.replace(b"\r\n", b"\n")
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@cache
def load_catalog(root: Path = REPO_ROOT) -> tuple[Exercise, ...]:
    """The exercises of the course in `root` (this repository unless told otherwise)."""
    data = tomllib.loads((root / CATALOG_FILE.name).read_text(encoding="utf-8"))
    return tuple(
        Exercise(
            id=entry["id"],
            title=entry["title"],
            module=entry["module"],
            lessons=_lessons(entry),
            stub_blob=entry["stub_blob"],
            hints=tuple(entry["hints"]),
            timeout=float(entry.get("timeout", data.get("default_timeout", 10))),
            root=root,
        )
        for entry in data["exercises"]
    )


def _lessons(entry: dict) -> tuple[str, ...]:
    """An entry's lessons: `lessons = [...]` or a single `lesson = "..."`."""
    pages = entry.get("lessons") or [entry["lesson"]]
    return tuple(pages) if isinstance(pages, list) else (pages,)


@dataclass(frozen=True)
class Step:
    """One stop on the course's path: a lesson to read, or an exercise to do."""

    kind: str  # "lesson" or "exercise"
    lesson: str | None = None  # the docs-relative page, for a lesson
    exercise: Exercise | None = None  # the exercise, for an exercise (and the lesson it prepares)


def course_path(root: Path = REPO_ROOT) -> tuple[Step, ...]:
    """The whole course in order: each exercise's lessons not read yet, then the exercise.

    A lesson named by two exercises is read once, before the first of them; a lesson that no
    exercise names comes after the last exercise.
    """
    steps: list[Step] = []
    read: set[str] = set()
    for exercise in load_catalog(root):
        for page in exercise.lessons:
            page = page.partition("#")[0]
            if page not in read:
                read.add(page)
                steps.append(Step("lesson", lesson=page, exercise=exercise))
        steps.append(Step("exercise", exercise=exercise))
    for path in sorted((root / "docs" / "lessons").glob("[0-9][0-9]-*.md")):
        page = path.relative_to(root / "docs").as_posix()
        if page not in read:  # a lesson no exercise practises yet: read after the last one
            steps.append(Step("lesson", lesson=page))
    return tuple(steps)


def first_lesson() -> str:
    """The page a new learner reads first."""
    return load_catalog()[0].lesson


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
