"""The lessons and the graders agree, and no lesson hands out an exercise's solution.

Both are checked with the graders themselves. A lesson's code is put into an exercise's reference
solution, in place of the part it stands for, and the result is graded:

- What a lesson offers for an exercise is marked in its Markdown, on the line before the block:
  `<!-- offers: 09_errors_retries ask except APITimeoutError ... -->` (the block's `except`
  clauses for those exceptions replace the solution's, in its function `ask`), or
  `<!-- offers: 04_usage_cost cost=cost_in_dollars -->` (the block's function replaces the
  solution's `cost`). The graded copy must pass: a learner who follows the lesson passes too.
- Every other function of the lessons an exercise names is tried in place of each substantial
  function of that exercise's solution that it could stand for (same number of arguments). The
  graded copy must fail: if it passed, the lesson would contain the learner's work.
"""

from __future__ import annotations

import ast
import builtins
import copy
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from workshop.catalog import Exercise, find_exercise, load_catalog
from workshop.lesson_code import DOCS, CodeBlock, python_blocks

OFFERS = re.compile(r"^\s*<!--\s*offers:\s*(?P<spec>.*?)\s*-->\s*$")
MIN_STATEMENTS = 3  # a solution function shorter than this is a pattern to show, not a task


@dataclass(frozen=True)
class Offer:
    block: CodeBlock
    exercise: str
    function: str  # the solution's function that the lesson's code goes into
    lesson_function: str | None  # for a whole function: the lesson's name for it
    handlers: tuple[str, ...]  # for `except` clauses: the exceptions they catch

    @property
    def where(self) -> str:
        return f"{self.block.filename}:{self.block.line}"


def offers_in(path: Path) -> list[Offer]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for block in python_blocks(path):
        previous = next((line for line in reversed(lines[: block.line - 1]) if line.strip()), "")
        marker = OFFERS.match(previous)
        if not marker:
            continue
        exercise, target, *rest = marker["spec"].split()
        function, _, lesson_function = target.partition("=")
        handlers = tuple(rest[1:]) if rest[:1] == ["except"] else ()
        assert handlers or not rest, f"{path.name}:{block.line}: cannot read {marker['spec']!r}"
        found.append(Offer(block, exercise, function, lesson_function or None, handlers))
    return found


ALL_OFFERS = [offer for path in sorted((DOCS / "lessons").glob("*.md")) for offer in offers_in(path)]


# --- putting lesson code into a solution -----------------------------------------------------


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _definitions(page_code: list[ast.Module]) -> dict[str, ast.stmt]:
    """Each top-level name the lesson's page defines, with the statement that defines it."""
    found: dict[str, ast.stmt] = {}
    for tree in page_code:
        for node in tree.body:
            for name in _top_level_names(ast.Module(body=[node], type_ignores=[])):
                found[name] = node
    return found


def _with_what_it_uses(code: list[ast.stmt], solution: ast.Module,
                       page_code: list[ast.Module]) -> list[ast.stmt]:
    """The lesson statements `code` needs that the solution lacks (its helpers, its constants)."""
    defined = _top_level_names(solution) | set(dir(builtins))
    available = _definitions(page_code)
    needed: list[ast.stmt] = []
    pending = list(code)
    while pending:
        node = pending.pop()
        for name in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}:
            if name not in defined and name in available and available[name] not in needed:
                needed.insert(0, available[name])
                pending.append(available[name])
                defined |= _top_level_names(ast.Module(body=[available[name]], type_ignores=[]))
    return needed


def _page_code(block: CodeBlock) -> list[ast.Module]:
    path = DOCS / block.page
    return [ast.parse(other.source) for other in python_blocks(path) if other.skip is None]


def _solution(exercise: Exercise) -> ast.Module:
    return ast.parse(exercise.solution.read_text(encoding="utf-8"))


def _function(tree: ast.Module, name: str) -> ast.FunctionDef:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise AssertionError(f"there is no function {name}()")


def replace_function(exercise: Exercise, name: str, lesson: ast.FunctionDef,
                     page_code: list[ast.Module]) -> str:
    """The solution with its function `name` replaced by the lesson's function."""
    solution = _solution(exercise)
    stand_in = copy.deepcopy(lesson)
    stand_in.name = name
    position = solution.body.index(_function(solution, name))
    extra = _with_what_it_uses([stand_in], solution, page_code)
    solution.body[position : position + 1] = [*extra, stand_in]
    return ast.unparse(solution)


def _caught(handler: ast.ExceptHandler) -> str:
    kind = handler.type
    return kind.attr if isinstance(kind, ast.Attribute) else getattr(kind, "id", "")


def replace_handlers(offer: Offer) -> str:
    exercise = find_exercise(offer.exercise)
    solution = _solution(exercise)
    lesson = ast.parse(offer.block.source)
    offered = {_caught(h): h for h in ast.walk(lesson) if isinstance(h, ast.ExceptHandler)}
    target = _function(solution, offer.function)
    replaced = set()
    for handler in ast.walk(target):
        if isinstance(handler, ast.ExceptHandler) and _caught(handler) in offer.handlers:
            handler.name = offered[_caught(handler)].name
            handler.body = copy.deepcopy(offered[_caught(handler)].body)
            replaced.add(_caught(handler))
    missing = set(offer.handlers) - replaced
    assert not missing, f"{offer.where}: the solution has no except clause for {missing}"
    return ast.unparse(solution)


# --- what a lesson offers passes the grader --------------------------------------------------


def test_lessons_mark_what_they_offer() -> None:
    assert any(offer.exercise == "09_errors_retries" and "APITimeoutError" in offer.handlers
               for offer in ALL_OFFERS), "lesson 10's sentences must be checked against exercise 09"
    for offer in ALL_OFFERS:
        exercise = find_exercise(offer.exercise)
        assert offer.block.page in exercise.lessons, (
            f"{offer.where} offers code for exercise {exercise.number}, which does not name it"
        )


@pytest.mark.parametrize("offer", ALL_OFFERS, ids=[offer.where for offer in ALL_OFFERS])
def test_what_a_lesson_offers_passes_the_exercise_grader(offer: Offer, grade) -> None:
    if offer.handlers:
        source = replace_handlers(offer)
    else:
        lesson = _function(ast.parse(offer.block.source), offer.lesson_function or offer.function)
        source = replace_function(find_exercise(offer.exercise), offer.function, lesson,
                                  _page_code(offer.block))
    grading = grade(offer.exercise, source)
    assert grading.passed(), f"{offer.where}: the grader rejects what the lesson offers:\n" + \
        grading.failures


# --- no lesson contains the learner's work ----------------------------------------------------


def _arity(function: ast.FunctionDef) -> tuple[int, int]:
    positional = len(function.args.posonlyargs) + len(function.args.args)
    return positional - len(function.args.defaults), positional


def _substantial(function: ast.FunctionDef) -> bool:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return sum(1 for _ in ast.walk(ast.Module(body=body, type_ignores=[]))
               if isinstance(_, ast.stmt)) >= MIN_STATEMENTS


def _stand_ins() -> list[tuple[str, str, str, int]]:
    """(exercise id, solution function, lesson page, block line) for every pairing to try."""
    offered = {(o.exercise, o.block.page, o.block.line) for o in ALL_OFFERS}
    pairs = []
    for exercise in load_catalog():
        if not exercise.solution.exists():
            continue
        tasks = [node for node in _solution(exercise).body
                 if isinstance(node, ast.FunctionDef) and node.name != "main" and _substantial(node)]
        for page in exercise.lessons:
            for block in python_blocks(DOCS / page):
                if block.skip is not None or (exercise.id, block.page, block.line) in offered:
                    continue
                for lesson in ast.parse(block.source).body:
                    if not isinstance(lesson, ast.FunctionDef):
                        continue
                    low, high = _arity(lesson)
                    for task in tasks:
                        if low <= _arity(task)[1] <= high:
                            pairs.append((exercise.id, task.name, block.page, block.line,
                                          lesson.name))
    return pairs


STAND_INS = _stand_ins()


def test_the_lessons_functions_are_tried_against_the_solutions() -> None:
    assert len(STAND_INS) >= 5, STAND_INS


@pytest.mark.parametrize(
    ("exercise_id", "task", "page", "line", "lesson_name"), STAND_INS,
    ids=[f"{e}.{t}<-{Path(p).stem}.{n}" for e, t, p, _, n in STAND_INS],
)
def test_no_lesson_function_solves_an_exercise_task(
    exercise_id: str, task: str, page: str, line: int, lesson_name: str, grade
) -> None:
    exercise = find_exercise(exercise_id)
    block = next(b for b in python_blocks(DOCS / page) if b.line == line)
    lesson = _function(ast.parse(block.source), lesson_name)
    source = replace_function(exercise, task, lesson, _page_code(block))
    grading = grade(exercise_id, source)
    assert not grading.passed(), (
        f"docs/{page}:{line}: {lesson_name}() passes exercise {exercise.number}'s checks as its "
        f"{task}(): the lesson gives the exercise away; show the idea on a neighbouring example"
    )
