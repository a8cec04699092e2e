"""The Python examples of the lessons, read from their Markdown the way the site renders them.

`workshop try` runs them and the course's tests check them, so both read the pages through this
module: a fenced block, its language, its title, an expected output that follows it, and a
`<!-- skip-test: reason -->` marker that says a block is a fragment, not a program.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from workshop.settings import REPO_ROOT

DOCS = REPO_ROOT / "docs"
LESSONS = DOCS / "lessons"
PYTHON_LANGUAGES = {"python", "py"}
SKIP_MARKER = re.compile(r"^\s*<!--\s*skip-test:\s*(?P<reason>.*?)\s*-->\s*$")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
_TITLE = re.compile(r"""title\s*=\s*["'](?P<title>[^"']*)["']""")


@dataclass(frozen=True)
class CodeBlock:
    """One fenced code block of a page, as MkDocs would render it."""

    page: str  # docs-relative, such as "lessons/04-parameters.md"
    line: int  # the 1-based line of the opening fence
    end: int  # the 1-based line of the closing fence
    language: str
    title: str | None
    source: str
    skip: str | None  # the reason given in a `<!-- skip-test: ... -->` marker just before it
    output: str | None = None  # the expected stdout, from a following ```text title="Output"

    @property
    def filename(self) -> str:
        return f"docs/{self.page}"

    def compiled(self) -> object:
        """The block as code whose tracebacks point at its lines in the Markdown file."""
        return compile("\n" * self.line + self.source, self.filename, "exec")


def code_blocks(page: str, markdown: str) -> list[CodeBlock]:
    """Every fenced block of a page, in order; blocks nested in admonitions or tabs included."""
    lines = markdown.splitlines()
    blocks: list[CodeBlock] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        info = opening["info"].strip()
        language = info.split()[0].lstrip(".{").lower() if info else ""
        title = _TITLE.search(info)
        body: list[str] = []
        end = index + 1
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        while end < len(lines) and not closing.match(lines[end]):
            line = lines[end]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            end += 1
        previous = next((line for line in reversed(lines[:index]) if line.strip()), "")
        marker = SKIP_MARKER.match(previous)
        blocks.append(
            CodeBlock(
                page=page,
                line=index + 1,
                end=end + 1,
                language=language,
                title=title["title"] if title else None,
                source="\n".join(body) + "\n",
                skip=marker["reason"] if marker else None,
            )
        )
        index = end + 1
    return _attach_outputs(blocks, lines)


def _attach_outputs(blocks: list[CodeBlock], lines: list[str]) -> list[CodeBlock]:
    """A python block directly followed by a ```text title="Output" block must print exactly it."""
    result: list[CodeBlock] = []
    for position, block in enumerate(blocks):
        following = blocks[position + 1] if position + 1 < len(blocks) else None
        if (
            block.language in PYTHON_LANGUAGES
            and following is not None
            and following.language == "text"
            and following.title == "Output"
            and not any(line.strip() for line in lines[block.end : following.line - 1])
        ):
            block = dataclasses.replace(block, output=following.source)
        result.append(block)
    return result


class UnknownLesson(LookupError):
    """No lesson matches what was typed; the message lists the lessons there are."""


def lesson_pages(docs: Path = DOCS) -> list[Path]:
    return sorted((docs / "lessons").glob("[0-9][0-9]-*.md"))


def find_lesson(key: str, docs: Path = DOCS) -> Path:
    """A lesson by its number (`4`, `04`), its file name or its path (`docs/lessons/04-...md`)."""
    wanted = key.strip().replace("\\", "/").rstrip("/").split("/")[-1].removesuffix(".md")
    for path in lesson_pages(docs):
        number = path.name.split("-", 1)[0]
        if wanted in (path.stem, number) or (wanted.isdigit() and int(wanted) == int(number)):
            return path
    known = ", ".join(path.name.split("-", 1)[0] for path in lesson_pages(docs))
    raise UnknownLesson(f"There is no lesson {key!r}; the lessons are {known}.")


def python_blocks(path: Path, docs: Path = DOCS) -> list[CodeBlock]:
    """A page's Python blocks, numbered from 1 in the order the page shows them."""
    page = path.relative_to(docs).as_posix()
    blocks = code_blocks(page, path.read_text(encoding="utf-8"))
    return [block for block in blocks if block.language in PYTHON_LANGUAGES]
