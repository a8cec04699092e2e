"""One path through the course: every lesson once, in order, each just before its exercise.

The path is walked the way a learner meets it: the "Next" steps of `workshop list` from a fresh
clone (no progress saved) as exercises get done, and the links at the end of each page of the
built site, starting from the home page.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from tests.docs_support import DOCS, built_site, fresh_copy
from workshop.catalog import course_path, first_lesson, lesson_number, load_catalog
from workshop.commands.overview import next_exercise, next_steps
from workshop.progress import DONE

LESSON_FILES = sorted(path.relative_to(DOCS).as_posix() for path in (DOCS / "lessons").glob("*.md"))


def _plain(text: object) -> str:
    console = Console(width=200, file=io.StringIO())
    console.print(text)
    return console.file.getvalue()


def test_lesson_files_are_numbered_from_01_without_gaps() -> None:
    numbers = [int(lesson_number(page)) for page in LESSON_FILES]
    assert numbers == list(range(1, len(numbers) + 1))


def test_the_course_starts_at_lesson_01_and_reads_every_lesson_once_in_order() -> None:
    lessons = [step.lesson for step in course_path() if step.kind == "lesson"]
    assert first_lesson() == "lessons/01-first-request.md"
    assert lessons == LESSON_FILES


def test_each_lesson_comes_just_before_the_exercise_that_practises_it() -> None:
    steps = course_path()
    for exercise in load_catalog():
        position = next(i for i, step in enumerate(steps) if step.exercise == exercise
                        and step.kind == "exercise")
        read_just_before = [step.lesson for step in steps[position - len(exercise.lessons):position]]
        assert read_just_before == list(exercise.lessons), exercise.id


def test_exercise_01_reads_the_first_two_lessons() -> None:
    first = load_catalog()[0]
    assert first.lessons == ("lessons/01-first-request.md", "lessons/02-messages-and-roles.md")
    assert first.lesson == "lessons/01-first-request.md"  # what the TUI's `l` opens


def test_workshop_list_next_steps_walk_the_course_from_a_fresh_clone() -> None:
    """With no progress, then one exercise done after another, "Next" names every lesson in order."""
    statuses: dict[str, str] = {}
    read: list[str] = []
    walked: list[str] = []
    while (upcoming := next_exercise(statuses)) is not None:
        text = _plain(next_steps(upcoming))
        pages = re.findall(r"^\s+(?:read|then)\s+docs/(\S+)$", text, re.MULTILINE)
        assert pages == list(upcoming.lessons), text
        assert f"workshop try {lesson_number(pages[0])}" in text
        read += [page for page in pages if page not in read]
        walked.append(upcoming.id)
        statuses[upcoming.id] = DONE
    assert walked == [exercise.id for exercise in load_catalog()]
    named = [step.lesson for step in course_path() if step.kind == "lesson" and step.exercise]
    assert read == named
    assert read[0] == "lessons/01-first-request.md"


def test_a_fresh_clone_lists_lesson_01_first(tmp_path: Path) -> None:
    """`workshop list`'s "Next" in a new clone (no progress saved) starts the reader at lesson 01."""
    clone = fresh_copy(tmp_path / "course")
    assert not (clone / ".workshop").exists() and not (clone / ".env").exists()
    completed = subprocess.run(
        [sys.executable, "-c",
         "from rich.console import Console\n"
         "from workshop.commands.overview import next_exercise, next_steps\n"
         "from workshop.progress import saved_statuses\n"
         "Console(width=200).print(next_steps(next_exercise(saved_statuses())))\n"],
        cwd=clone, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(clone), "HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    lines = [line.strip() for line in completed.stdout.splitlines()]
    assert lines[0].startswith("Next: 01")
    assert lines[1] == "read    docs/lessons/01-first-request.md"
    assert lines[2] == "then    docs/lessons/02-messages-and-roles.md"


def _page(url: str) -> str:
    site = built_site()
    assert site.returncode == 0, site.output
    return (site.site / url / "index.html").read_text(encoding="utf-8")


def _next_on_the_site(url: str) -> str | None:
    """The page the end of `url` sends the reader to: its exercise box, or its "Next" link."""
    article = _page(url).split("<article", 1)[1].split("</article>", 1)[0]
    box = re.search(r'class="admonition example".*?href="([^"]+)"', article, re.DOTALL)
    ending = article.split('id="next"', 1)[1] if 'id="next"' in article else ""
    target = box or re.search(r'href="(?!#|[a-z]+:)([^"#]+)"', ending)
    if target is None:
        return None
    base = Path("/" + url)
    return (base / target[1]).resolve().as_posix().strip("/")


def test_the_site_leads_from_the_home_page_through_the_whole_course() -> None:
    home = _page("")
    start = re.search(r'href="(lessons/01-first-request/)"', home.split('id="where-to-start"')[1])
    assert start, "the home page's 'Where to start' must link to lesson 01"
    expected = [
        f"lessons/{Path(step.lesson).stem}" if step.kind == "lesson" else f"exercises/{step.exercise.id}"
        for step in course_path()
    ]
    walked = [start[1].strip("/")]
    while (following := _next_on_the_site(walked[-1])) is not None:
        assert following not in walked, f"the site goes round in a circle at {following}"
        walked.append(following)
    assert walked == expected
