"""Helpers for testing the lessons site like code: its code blocks, its commands, its build.

The pages are the hand-written Markdown files under `docs/` plus the exercise pages that
`docs/hooks.py` generates from the exercise list; both are read here the way MkDocs sees them.
"""

from __future__ import annotations

import atexit
import dataclasses
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

from workshop.settings import REPO_ROOT

DOCS = REPO_ROOT / "docs"
MKDOCS_YML = REPO_ROOT / "mkdocs.yml"
PYTHON_LANGUAGES = {"python", "py"}
SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "powershell", "pwsh", "bat"}
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


@dataclass(frozen=True)
class Page:
    uri: str
    markdown: str
    generated: bool = False


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


_INLINE_COMMAND = re.compile(r"(?<!`)`((?:python|pytest|mkdocs|workshop)(?: [^`]+)?)`(?!`)")


def inline_commands(markdown: str) -> list[str]:
    """Commands shown in running text, such as `pytest exercises/`, outside code blocks."""
    lines = markdown.splitlines()
    for block in code_blocks("", markdown):
        for number in range(block.line - 1, block.end):
            lines[number] = ""
    return _INLINE_COMMAND.findall("\n".join(lines))


def skip_markers_without_block(markdown: str) -> list[int]:
    """Lines of skip markers that are not directly followed by a code block."""
    lines = markdown.splitlines()
    orphans = []
    for number, line in enumerate(lines):
        if SKIP_MARKER.match(line):
            following = next((later for later in lines[number + 1 :] if later.strip()), "")
            if not _FENCE.match(following):
                orphans.append(number + 1)
    return orphans


# --- the pages --------------------------------------------------------------------------------


@cache
def hooks() -> ModuleType:
    """The MkDocs hooks module, loaded the way MkDocs loads it."""
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def handwritten_pages() -> list[Page]:
    return [
        Page(path.relative_to(DOCS).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(DOCS.rglob("*.md"))
        if "vendor" not in path.relative_to(DOCS).parts
    ]


def generated_pages() -> list[Page]:
    """The exercise pages exactly as the build generates them (without saved progress)."""
    module = hooks()
    pages = [Page(module.OVERVIEW_URI, module.overview_markdown(DOCS, {}), generated=True)]
    for exercise in module.exercises():
        markdown = module.exercise_markdown(exercise, DOCS, {})
        pages.append(Page(module.page_uri(exercise), markdown, generated=True))
    return pages


def all_pages() -> list[Page]:
    return handwritten_pages() + generated_pages()


def blocks_of(languages: set[str]) -> list[CodeBlock]:
    return [
        block
        for page in all_pages()
        for block in code_blocks(page.uri, page.markdown)
        if block.language in languages
    ]


def block_id(block: CodeBlock, blocks: list[CodeBlock]) -> str:
    """A readable test id: the page and the block's number among that page's blocks."""
    same_page = [other for other in blocks if other.page == block.page]
    return f"{block.page}#{same_page.index(block) + 1}"


# --- the built site ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    returncode: int
    output: str
    site: Path


def build_site(*options: str) -> Build:
    """Run `mkdocs build` into a new temporary folder (removed when the tests end)."""
    folder = Path(tempfile.mkdtemp(prefix="workshop-site-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    site = folder / "site"
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *options, "--config-file", str(MKDOCS_YML),
         "--site-dir", str(site)],
        cwd=REPO_ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Build(completed.returncode, completed.stdout + completed.stderr, site)


@cache
def built_site() -> Build:
    """The site, built once per test session for the tests that look at its pages.

    It is built without `--strict`, so that a warning fails only the strict-build test and the
    other tests can still say what is right or wrong with the pages.
    """
    return build_site()


def nav_lessons() -> list[tuple[str, str]]:
    """(nav title, docs-relative page) of each lesson, in the order of the nav."""
    text = MKDOCS_YML.read_text(encoding="utf-8")
    section = text.split("  - Lessons:", 1)[1].split("\n  - ", 1)[0]
    return re.findall(r"^\s+- (.+?): (lessons/\S+\.md)$", section, re.MULTILINE)


def all_lessons() -> list[tuple[str, str]]:
    """(nav title, docs-relative page) of every lesson, as the built nav lists them."""
    listed = nav_lessons()
    known = {page for _, page in listed}
    extra = [
        path.relative_to(DOCS).as_posix()
        for path in sorted((DOCS / "lessons").glob("*.md"))
        if path.relative_to(DOCS).as_posix() not in known
    ]
    return listed + [(hooks().lesson_nav_title(DOCS, page), page) for page in extra]


def first_heading(markdown: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError("the page has no level-one heading")
