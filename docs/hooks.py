"""MkDocs hooks: the pages and tables that come from the exercise list.

Each exercise page is generated from `workshop.catalog.load_catalog()` (which reads `info.toml`)
and the exercise's own `exercises/<id>/README.md`, so the site, the stubs and the graders always
name the same files and commands. Nothing is written into `docs/`: the pages exist only in the
build. Markers in the hand-written pages are replaced here:

- `<!-- exercise-table -->` becomes the exercise list with the learner's saved progress;
- `<!-- exercise NN -->` becomes a box that links to exercise NN.

Lessons that an exercise names among its `lessons` get that box appended automatically, and
each exercise page ends with the next step of the course, so the site reads in one order.

The course's folder is taken from the MkDocs configuration (the folder holding `mkdocs.yml`), not
from the installed `workshop` package: a second copy of the course builds its own pages.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from pathlib import Path
from typing import Any

from workshop.catalog import Exercise, course_path, load_catalog

log = logging.getLogger("mkdocs.hooks.exercises")

EXERCISES_DIR = "exercises"
OVERVIEW_URI = f"{EXERCISES_DIR}/index.md"
TABLE_MARKER = "<!-- exercise-table -->"
EXERCISE_MARKER = re.compile(r"^<!-- exercise (\d+) -->$", re.MULTILINE)
STATUS_LABELS = {
    "done": ":material-check-circle:{ .workshop-done } done",
    "failing": ":material-close-circle:{ .workshop-failing } failing",
    "not started": ":material-circle-outline:{ .workshop-not-started } not started",
}
NOT_GRADED = "not graded yet"
MERMAID_SCRIPT = "assets/vendor/mermaid/mermaid.min.js"


class Course:
    """The course being built: set from the MkDocs config, this file's own copy until then."""

    root = Path(__file__).resolve().parent.parent


# --- data -------------------------------------------------------------------------------------


def exercises() -> tuple[Exercise, ...]:
    return load_catalog(Course.root)


def page_uri(exercise: Exercise) -> str:
    """Where an exercise's page lives in the site, as a docs-relative source path."""
    return f"{EXERCISES_DIR}/{exercise.id}.md"


def saved_statuses() -> dict[str, str]:
    """The learner's last grading results, or nothing when the progress module is not there."""
    try:
        from workshop.progress import saved_statuses as read_statuses
    except ModuleNotFoundError as missing:
        if missing.name not in ("workshop.progress", "workshop"):
            raise
        return {}
    return dict(read_statuses())


def status_label(exercise: Exercise, statuses: dict[str, str]) -> str:
    status = statuses.get(exercise.id)
    return STATUS_LABELS.get(status, status) if status else NOT_GRADED


def relative_link(target: str, from_page: str) -> str:
    """A link from one docs-relative page to another, as MkDocs resolves relative links."""
    target, hash_mark, anchor = target.partition("#")
    link = posixpath.relpath(target, posixpath.dirname(from_page) or ".")
    return f"{link}{hash_mark}{anchor}"


def lesson_exists(docs_dir: Path, exercise: Exercise) -> bool:
    return all((docs_dir / page.partition("#")[0]).is_file() for page in exercise.lessons)


def page_link(page: str, from_page: str, docs_dir: Path) -> str:
    """A Markdown link to a hand-written page (its name only while the page is missing)."""
    title = page_title(docs_dir, page)
    if not (docs_dir / page.partition("#")[0]).is_file():
        return title
    return f"[{title}]({relative_link(page, from_page)})"


def lesson_link(exercise: Exercise, from_page: str, docs_dir: Path) -> str:
    """Links to the exercise's lessons, in reading order."""
    return ", then ".join(page_link(page, from_page, docs_dir) for page in exercise.lessons)


def page_title(docs_dir: Path, page: str) -> str:
    """The first level-one heading of a hand-written page (its file name when it has none)."""
    path = docs_dir / page.partition("#")[0]
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return page


# --- the exercise list ------------------------------------------------------------------------


def exercise_table(from_page: str, docs_dir: Path, statuses: dict[str, str]) -> str:
    rows = [
        "| # | Exercise | Lesson | Your progress |",
        "| --- | --- | --- | --- |",
    ]
    for exercise in exercises():
        rows.append(
            f"| {exercise.number} "
            f"| [{exercise.title}]({relative_link(page_uri(exercise), from_page)}) "
            f"| {lesson_link(exercise, from_page, docs_dir)} "
            f"| {status_label(exercise, statuses)} |"
        )
    note = (
        "Progress comes from your last grading run (`pytest exercises/`) and is read when the "
        "site is built; `workshop` in a terminal always shows the current state."
        if statuses
        else "No grading run has been saved yet, so there is no progress to show. Run "
        "`pytest exercises/` and the table fills in the next time the site is built."
    )
    table = "\n".join(rows)
    return f'<div class="workshop-exercises" markdown>\n\n{table}\n\n</div>\n\n{note}\n'


def exercise_box(exercise: Exercise, from_page: str) -> str:
    link = relative_link(page_uri(exercise), from_page)
    return (
        f'!!! example "Exercise {exercise.number} · {exercise.title}"\n\n'
        f"    Put this into practice: [open exercise {exercise.number}]({link}), complete "
        f"`{exercise.relative(exercise.stub)}` and grade it with "
        f"`pytest {EXERCISES_DIR}/{exercise.id}`.\n"
    )


# --- one page per exercise --------------------------------------------------------------------

_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s]+)\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _rewrite_links(markdown: str, exercise: Exercise, docs_dir: Path) -> str:
    """Point the README's relative links at site pages; name other repository files as code.

    A README is written to be read in the repository, next to the stub, so its links are
    relative to `exercises/<id>/`. In the site, a link to a lesson becomes a link to that page,
    a link to another exercise's README becomes a link to its page, and a link to any other file
    (the stub, for instance) becomes its path in code style, since the site does not serve it.
    """
    folder = exercise.instructions.parent
    by_readme = {item.instructions.resolve(): item for item in exercises()}

    def replace(match: re.Match[str]) -> str:
        text, target = match["text"], match["target"]
        if _SCHEME.match(target) or target.startswith(("#", "/")):
            return match[0]
        path_part, hash_mark, anchor = target.partition("#")
        resolved = (folder / path_part).resolve()
        here = page_uri(exercise)
        if resolved in by_readme:
            link = relative_link(page_uri(by_readme[resolved]), here)
            return f"[{text}]({link}{hash_mark}{anchor})"
        if resolved.is_relative_to(docs_dir.resolve()):
            inside = resolved.relative_to(docs_dir.resolve()).as_posix()
            return f"[{text}]({relative_link(inside, here)}{hash_mark}{anchor})"
        if resolved.is_relative_to(Course.root):
            shown = resolved.relative_to(Course.root).as_posix()
            return f"`{shown}`" if text.strip("`") == shown else f"{text} (`{shown}`)"
        return match[0]

    return _LINK.sub(replace, markdown)


def instructions_markdown(exercise: Exercise, docs_dir: Path) -> str:
    path = exercise.instructions
    if not path.exists():
        log.warning(
            "Exercise %s has no instructions file %s; its page says so until it exists.",
            exercise.id,
            exercise.relative(path),
        )
        return (
            '!!! warning "Instructions missing"\n\n'
            f"    This exercise's instructions (`{exercise.relative(path)}`) are not there yet.\n"
        )
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n").strip()
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        text = "\n".join(lines[1:]).strip()
    return _rewrite_links(text, exercise, docs_dir)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line.strip() else "" for line in text.splitlines())


def exercise_markdown(exercise: Exercise, docs_dir: Path, statuses: dict[str, str]) -> str:
    here = page_uri(exercise)
    instructions = instructions_markdown(exercise, docs_dir)
    stub = exercise.relative(exercise.stub)
    solution = exercise.relative(exercise.solution)
    parts = [
        f"# {exercise.label}",
        "",
        f"**Lesson:** {lesson_link(exercise, here, docs_dir)}  ",
        f"**Your file:** `{stub}`  ",
        f"**Your progress:** {status_label(exercise, statuses)}",
        "",
        instructions,
    ]
    grade = f"pytest {EXERCISES_DIR}/{exercise.id}"
    if grade not in instructions:
        parts += [
            "",
            "## Check your work",
            "",
            "Grade this exercise from the repository's root folder (with the virtual environment "
            "active):",
            "",
            "```bash",
            grade,
            "```",
            "",
            "Every failing check says what it expected and what your code did. Run it as often "
            "as you like: grading uses a simulated model, so it is free and needs no API key.",
        ]
    stub_text = exercise.stub.read_text(encoding="utf-8") if exercise.stub.exists() else ""
    runnable = '__name__ == "__main__"' in stub_text or "__name__ == '__main__'" in stub_text
    if runnable and f"python {stub}" not in instructions:
        parts += [
            "",
            "To see what a real model makes of your code, run the file itself. This sends real "
            "requests to the provider configured in `.env` (see [Setup](../setup.md)):",
            "",
            "```bash",
            f"python {stub}",
            "```",
        ]
    if exercise.hints:
        parts += [
            "",
            "## Hints",
            "",
            "Open one hint at a time: each gives away a little more than the one before.",
        ]
        for number, hint in enumerate(exercise.hints, start=1):
            parts += ["", f'??? tip "Hint {number}"', "", _indent(hint.strip())]
    parts += [
        "",
        "## Reference solution",
        "",
        f"When you have passed, or are truly stuck, compare your work with `{solution}`. There "
        "is more than one good answer: any code that passes the checks is correct.",
        "",
        next_step(exercise, docs_dir),
    ]
    return "\n".join(parts)


def next_step(exercise: Exercise, docs_dir: Path) -> str:
    """Where the course goes after an exercise: its next lesson, or the end of the course."""
    steps = list(course_path(Course.root))
    position = next(
        index for index, step in enumerate(steps)
        if step.kind == "exercise" and step.exercise == exercise
    )
    upcoming = steps[position + 1 :]
    if not upcoming:
        return "## Next\n\nThis is the last exercise: you have been through the whole course.\n"
    step = upcoming[0]
    here = page_uri(exercise)
    target = (page_link(step.lesson, here, docs_dir) if step.lesson is not None
              else f"[{step.exercise.label}]({relative_link(page_uri(step.exercise), here)})")
    return f"## Next\n\nWhen this exercise passes, go on with {target}.\n"


def overview_markdown(docs_dir: Path, statuses: dict[str, str]) -> str:
    return "\n".join(
        [
            "# Exercises",
            "",
            "Each exercise is a Python file with parts left for you to write, and a grader that "
            "checks it against a simulated model: no API key, no cost, no network.",
            "",
            "1. Read the exercise's lesson.",
            "2. Open the exercise's page and follow its tasks in the stub file.",
            "3. Grade it, read what the checks say, and repeat until it passes.",
            "",
            "Grade every exercise at once:",
            "",
            "```bash",
            f"pytest {EXERCISES_DIR}/",
            "```",
            "",
            exercise_table(OVERVIEW_URI, docs_dir, statuses),
        ]
    )


# --- MkDocs events ----------------------------------------------------------------------------


def lesson_nav_title(docs_dir: Path, page: str) -> str:
    """`7 · Structured output` for `lessons/07-structured-output.md` titled `# Structured output: ...`."""
    number = Path(page).name.split("-", 1)[0]
    title = page_title(docs_dir, page).replace("`", "").split(":", 1)[0].strip()
    return f"{int(number)} · {title}" if number.isdigit() else title


def on_config(config: Any) -> Any:
    """Complete the nav: every lesson page, and the overview plus one page per exercise.

    Lessons listed in mkdocs.yml keep their place and title; any other page in `lessons/` is
    added after them in file-name order, so a new lesson cannot be left out of the nav.
    """
    load_catalog.cache_clear()  # `mkdocs serve` rebuilds in the same process
    Course.root = Path(config.config_file_path).resolve().parent
    docs_dir = Path(config.docs_dir)
    pages = [OVERVIEW_URI, *(page_uri(exercise) for exercise in exercises())]
    for index, entry in enumerate(config.nav or []):
        if isinstance(entry, dict) and entry.get("Exercises") == OVERVIEW_URI:
            config.nav[index] = {"Exercises": pages}
        if isinstance(entry, dict) and isinstance(entry.get("Lessons"), list):
            listed = {
                page
                for item in entry["Lessons"]
                for page in (item.values() if isinstance(item, dict) else [item])
            }
            for path in sorted((docs_dir / "lessons").glob("*.md")):
                page = path.relative_to(docs_dir).as_posix()
                if page not in listed:
                    entry["Lessons"].append({lesson_nav_title(docs_dir, page): page})
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    docs_dir = Path(config.docs_dir)
    statuses = saved_statuses()
    files.append(
        File.generated(config, OVERVIEW_URI, content=overview_markdown(docs_dir, statuses))
    )
    for exercise in exercises():
        if not lesson_exists(docs_dir, exercise):
            log.warning(
                "Exercise %s names the lesson %s, which is not a page in %s.",
                exercise.id,
                exercise.lesson,
                docs_dir.name,
            )
        content = exercise_markdown(exercise, docs_dir, statuses)
        files.append(File.generated(config, page_uri(exercise), content=content))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    here = page.file.src_uri
    docs_dir = Path(config.docs_dir)
    if TABLE_MARKER in markdown:
        markdown = markdown.replace(
            TABLE_MARKER, exercise_table(here, docs_dir, saved_statuses())
        )
    by_number = {int(exercise.number): exercise for exercise in exercises()}
    linked: set[str] = set()

    def box(match: re.Match[str]) -> str:
        exercise = by_number.get(int(match[1]))
        if exercise is None:
            log.warning("%s links to exercise %s, which is not in info.toml.", here, match[1])
            return ""
        linked.add(exercise.id)
        return exercise_box(exercise, here)

    markdown = EXERCISE_MARKER.sub(box, markdown)
    markdown = with_try_note(here, markdown)
    return markdown.rstrip() + "\n\n" + lesson_ending(here, markdown, linked, docs_dir)


def with_try_note(here: str, markdown: str) -> str:
    """Say, just before a lesson's first section, how to run its examples without a key."""
    number = Path(here).name.split("-", 1)[0]
    if not here.startswith("lessons/") or not number.isdigit() or "```python" not in markdown:
        return markdown
    note = (
        '!!! tip "Run this page\'s examples"\n\n'
        f"    `workshop try {number}` runs every example below in order, and "
        f"`workshop try {number} 2` only the second. With no key configured, the offline "
        "practice model answers: free, and no network needed.\n\n"
    )
    head, heading, rest = markdown.partition("\n## ")
    return f"{head.rstrip()}\n\n{note}## {rest}" if heading else markdown


def lesson_ending(here: str, markdown: str, linked: set[str], docs_dir: Path) -> str:
    """What closes a lesson: the box of the exercise that comes next, or a link to the next step."""
    steps = list(course_path(Course.root))
    position = next((index for index, step in enumerate(steps)
                     if step.kind == "lesson" and step.lesson == here), None)
    if position is None:
        return ""
    following = steps[position + 1] if position + 1 < len(steps) else None
    heading = "" if "\n## Next\n" in markdown else "## Next\n\n"
    if following is None:
        return f"{heading}This is the last lesson of the course.\n"
    if following.lesson is not None:
        return f"{heading}Read on: {page_link(following.lesson, here, docs_dir)}.\n"
    exercise = following.exercise
    if exercise.id in linked:
        return ""
    return f"## Exercise\n\n{exercise_box(exercise, here)}"


_DIAGRAM = re.compile(r'<pre class="mermaid">.*?</pre>', re.DOTALL)


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Load Mermaid on the pages that draw a diagram, and nowhere else.

    Each diagram is wrapped in a box that scrolls sideways, so that on a phone it keeps a
    readable size instead of shrinking to fit.
    """
    if 'class="mermaid"' not in output:
        return output
    from mkdocs.utils import get_relative_url

    output = _DIAGRAM.sub(lambda match: f'<div class="workshop-diagram">{match[0]}</div>', output)
    src = get_relative_url(MERMAID_SCRIPT, page.url)
    return output.replace("</body>", f'<script src="{src}"></script>\n</body>', 1)


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """While serving, rebuild when the exercise list, instructions or saved progress change.

    The stubs are not watched: saving your own code should not reload the page you are reading.
    """
    watched = [Course.root / "info.toml", Course.root / ".workshop"]
    watched += [exercise.instructions for exercise in exercises()]
    for path in watched:
        if path.exists():
            server.watch(os.fspath(path))
    return server
