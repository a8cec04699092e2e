"""Where the learner's files are: `exercises/`, or a folder laid out the same way.

Every command that reads, grades, watches or restores a learner's file asks a `Workspace` for its
path, so the course's own tests (and the watch benchmark) can point them all at a scratch copy and
never touch the real `exercises/`. A copy is graded like `pytest exercises/ --grade-dir DIR`, which
leaves the saved progress alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workshop import catalog
from workshop.catalog import Exercise, load_catalog

if TYPE_CHECKING:
    from workshop.harness.grading import CheckResult, ExerciseReport


# Where `Workspace()` looks when it is given no folder; None means the repository's exercises/.
# The course's tests point it at a scratch copy, so every command works on that instead.
LEARNER_FOLDER: Path | None = None


@dataclass(frozen=True)
class Workspace:
    folder: Path | None = None  # None: LEARNER_FOLDER
    timeout: float | None = None  # seconds learner code may run in one check (None: info.toml's)

    @property
    def copy(self) -> Path | None:
        """The folder of a copy laid out like exercises/, or None for exercises/ itself."""
        return self.folder if self.folder is not None else LEARNER_FOLDER

    @property
    def root(self) -> Path:
        return self.copy if self.copy is not None else catalog.REPO_ROOT / "exercises"

    def file(self, exercise: Exercise) -> Path:
        """The learner's file for an exercise: `<root>/<id>/<module>.py`."""
        return self.root / exercise.id / exercise.stub.name

    def exercise_at(self, path: str | Path) -> Exercise | None:
        """The exercise whose learner file this is, or None for any other file."""
        wanted = Path(path).resolve()
        return next((e for e in load_catalog() if self.file(e).resolve() == wanted), None)

    def grade(
        self,
        exercises: list[Exercise] | None = None,
        *,
        capture: str = "fd",
        on_check: Callable[[str, CheckResult], None] | None = None,
    ) -> list[ExerciseReport]:
        """Grade the learner's files here through the same harness as `pytest exercises/`."""
        from workshop.harness.grading import grade  # imports pytest: only when something is graded

        return grade(exercises, grade_dir=self.copy, capture=capture, on_check=on_check,
                     timeout=self.timeout)


def shown(path: Path) -> str:
    """A path as the learner would type it from the repository root, when it lies inside it."""
    try:
        return path.resolve().relative_to(catalog.REPO_ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)
