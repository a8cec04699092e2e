"""The `workshop` command: reads its arguments and hands each command to the module that does it.

Every problem with what was typed (an unknown command, exercise or option) ends in one sentence and
a non-zero exit code, never a traceback. Grading always goes through `workshop.harness.grading`, the
same harness as `pytest exercises/`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import NoReturn

from rich.console import Console

from workshop.catalog import UnknownExercise

EXERCISE_HELP = "the exercise's number or id, such as 01 or 01_single_turn"


class UsageError(Exception):
    """What was typed cannot be run; the message is one sentence that says what to type instead."""


def one_sentence(prog: str, message: str) -> str:
    """argparse's complaint, rewritten as one sentence a learner can act on."""
    see = f"`{prog} --help` shows how to use it"
    choice = re.match(r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)$", message)
    if choice:
        name, value, choices = choice.groups()
        listed = ", ".join(part.strip(" '") for part in choices.split(","))
        if name == "COMMAND":
            return f"There is no command {value!r}; the commands are {listed} (see `{prog} --help`)."
        return f"{name} must be one of {listed}, not {value!r}; {see}."
    required = re.match(r"the following arguments are required: (.*)$", message)
    if required and required.group(1) == "EXERCISE":
        return f"`{prog}` needs an exercise, such as `{prog} 01`; {see}."
    unknown = re.match(r"unrecognized arguments: (.*)$", message)
    if unknown:
        return f"`{prog}` does not take {unknown.group(1)}; {see}."
    number = re.match(r"argument (\S+): invalid int value: (.*)$", message)
    if number:
        return f"{number.group(1)} needs a whole number, not {number.group(2)}; {see}."
    argument = re.match(r"argument (\S+): (.*)$", message)
    if argument:
        return f"{argument.group(1)}: {argument.group(2).rstrip('.')}; {see}."
    return f"`{prog}`: {message.rstrip('.')}; {see}."


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> NoReturn:
        raise UsageError(one_sentence(self.prog, message))


def port_number(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) < 65536:
        raise argparse.ArgumentTypeError(f"the port must be a number from 0 to 65535, not {text!r}")
    return int(text)


def build_parser() -> Parser:
    parser = Parser(
        prog="workshop",
        description="The Chat Completions workshop: your progress, grading, hints and lessons.\n"
        "With no command, opens the workshop in this terminal (or prints your progress when the "
        "output is not a terminal).",
        epilog="Examples:\n  workshop              open the workshop\n  workshop check 01\n"
        "  workshop watch        grade each exercise as you save it\n  workshop hint 01",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(name: str, summary: str, example: str) -> Parser:
        return commands.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".",
                                   epilog=f"Example:\n  {example}")

    command("list", "grade every exercise and show your progress and the next step", "workshop list")
    check = command("check", "grade one exercise, or all of them, with the same messages as "
                    "`pytest exercises/`; exit code 0 only when it is done", "workshop check 01")
    check.add_argument("exercise", nargs="?", metavar="EXERCISE",
                       help=f"{EXERCISE_HELP} (default: every exercise)")
    hint = command("hint", "show the next hint you have not seen for an exercise, from gentle to "
                   "explicit", "workshop hint 01        (each call shows one more)")
    hint.add_argument("exercise", metavar="EXERCISE", help=EXERCISE_HELP)
    hint.add_argument("--all", action="store_true", help="show every hint at once")
    watch = command("watch", "grade an exercise each time you save it, and move on when it is done",
                    "workshop watch 01       (Ctrl+C stops)")
    watch.add_argument("exercise", nargs="?", metavar="EXERCISE",
                       help=f"{EXERCISE_HELP} to start from (default: the first one not done)")
    reset = command("reset", "put an exercise's original stub back; your file is kept in "
                    ".workshop/backups/ first", "workshop reset 01")
    reset.add_argument("exercise", metavar="EXERCISE", help=EXERCISE_HELP)
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    run = command("run", "run an exercise's script against your provider, or the offline practice "
                  "model when no key is configured", "workshop run 01    |    workshop run --solutions")
    run.add_argument("exercise", nargs="?", metavar="EXERCISE", help=EXERCISE_HELP)
    run.add_argument("--solutions", action="store_true",
                     help="run every reference solution against the practice model and show a table "
                     "of tokens and cost")
    run.add_argument("--live", action="store_true",
                     help="with --solutions: use your configured provider instead (costs money)")
    server = command("practice-server", "serve the offline practice model, an OpenAI-compatible API "
                     "on this machine, until Ctrl+C", "workshop practice-server --port 8111")
    server.add_argument("--port", type=port_number, default=8111,
                        help="the port to listen on (default 8111; 0 picks a free one)")
    from workshop.simulation.server import add_arguments

    add_arguments(server, port=False)
    solution = command("solution", "show an exercise's reference solution once the exercise is done",
                       "workshop solution 01")
    solution.add_argument("exercise", metavar="EXERCISE", help=EXERCISE_HELP)
    solution.add_argument("--force", action="store_true",
                          help="show it even though the exercise is not done yet (after a warning)")
    report = command("report", "write a machine-readable result for every exercise, for an "
                     "instructor", "workshop report --format junit --output results.xml")
    report.add_argument("--format", choices=("json", "junit"), default="json",
                        help="json (in the spirit of exercism's results.json) or junit (XML); "
                        "default json")
    report.add_argument("--output", metavar="FILE", help="write it to FILE instead of the screen")
    report.add_argument("--learner", metavar="NAME", help="the name to put in the report (default: "
                        "your login name)")
    command("docs", "serve the lessons site on http://127.0.0.1:8000 until Ctrl+C", "workshop docs")
    doctor = command("doctor", "check that this setup works: Python, packages, .env, provider and "
                     "model; exit code 1 when something needs fixing", "workshop doctor --live")
    doctor.add_argument("--live", action="store_true",
                        help="also send a few tiny requests to your provider, one per feature the "
                        "course uses")
    add_try_command(command)
    return parser


def add_try_command(command: Callable[[str, str, str], Parser]) -> None:
    try_it = command("try", "run a lesson's examples (no key needed: the practice model answers), "
                     "or open a Python prompt with `client` and `MODEL` ready",
                     "workshop try 04 2    (lesson 04, its second example)    |    workshop try")
    try_it.add_argument("lesson", nargs="?", metavar="LESSON",
                        help="the lesson's number, such as 04 (default: open a Python prompt)")
    try_it.add_argument("block", nargs="?", type=int, metavar="EXAMPLE",
                        help="run only this Python example of the lesson, counted from 1 "
                        "(default: all of them, in order)")
    try_it.add_argument("-i", "--interactive", action="store_true",
                        help="afterwards, open a Python prompt with the examples' variables")


# Each command's work lives in its own module, imported only when that command runs: `workshop
# hint` should not wait for pytest or Textual to load.


def _list(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.overview import list_command

    return list_command(console)


def _check(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.check import check_command

    return check_command(console, args.exercise)


def _hint(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.hints import hint_command

    return hint_command(console, args.exercise, args.all)


def _watch(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.watch import watch_command

    return watch_command(console, args.exercise)


def _reset(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.reset import reset_command

    return reset_command(console, args.exercise, yes=args.yes)


def _run(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands import runner

    if args.solutions:
        if args.exercise:
            raise UsageError("Give `workshop run` an exercise or --solutions, not both.")
        return runner.solutions_command(console, args.live)
    if args.live:
        raise UsageError("--live only goes with --solutions, as in `workshop run --solutions --live`.")
    if not args.exercise:
        raise UsageError("`workshop run` needs an exercise, such as `workshop run 01` (or --solutions).")
    return runner.run_command(console, args.exercise)


def _practice_server(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.runner import practice_server_command

    return practice_server_command(console, args)


def _solution(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.solution import solution_command

    return solution_command(console, args.exercise, force=args.force)


def _report(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.report import report_command

    return report_command(console, args.format, args.output, args.learner)


def _docs(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.lessons import docs_command

    return docs_command(console)


def _doctor(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.doctor import doctor_command

    return doctor_command(console, args.live)
def _try(console: Console, args: argparse.Namespace) -> int:
    from workshop.commands.try_it import try_command

    return try_command(console, args.lesson, args.block, args.interactive)


def _default(console: Console, args: argparse.Namespace) -> int:
    if sys.stdin is not None and sys.stdin.isatty() and sys.stdout is not None and sys.stdout.isatty():
        from workshop.commands.tui import run_tui

        return run_tui()
    return _list(console, args)


COMMANDS: dict[str | None, Callable[[Console, argparse.Namespace], int]] = {
    None: _default,
    "list": _list,
    "check": _check,
    "hint": _hint,
    "watch": _watch,
    "reset": _reset,
    "run": _run,
    "practice-server": _practice_server,
    "solution": _solution,
    "report": _report,
    "docs": _docs,
    "doctor": _doctor,
    "try": _try,
}


def plain_console(stderr: bool = False) -> Console:
    """Output with no markup or emoji codes read into messages; wrapped only on a terminal."""
    console = Console(stderr=stderr, highlight=False, markup=False, emoji=False)
    console.soft_wrap = not console.is_terminal
    return console


def main(argv: list[str] | None = None) -> int:
    console, errors = plain_console(), plain_console(stderr=True)
    try:
        try:
            args, extras = build_parser().parse_known_args(argv)
        except SystemExit as done:  # after --help
            return done.code if isinstance(done.code, int) else 0
        if extras:
            prog = " ".join(["workshop", *([args.command] if args.command else [])])
            raise UsageError(one_sentence(prog, f"unrecognized arguments: {' '.join(extras)}"))
        return COMMANDS[args.command](console, args)
    except (UsageError, UnknownExercise) as problem:
        errors.print(str(problem))
        return 2
    except KeyboardInterrupt:
        console.print()
        return 130


if __name__ == "__main__":
    sys.exit(main())
