"""`workshop report`: one machine-readable result per exercise, for instructors collecting a room's.

JSON follows the spirit of exercism's `results.json` (an overall status, then each exercise with its
status, the failing check's message, the time taken and each check with its task); its fields are
listed in the README ("For instructors") and only ever added to. JUnit XML suits CI dashboards
and most test-report viewers. Both come from the same grading as `pytest exercises/`, and the exit
status is the same too: 0 only when every exercise is done.
"""

from __future__ import annotations

import datetime
import getpass
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from rich.console import Console

from workshop.commands.workspace import Workspace
from workshop.harness.grading import ExerciseReport
from workshop.progress import DONE, FAILING, NOT_STARTED, write_atomically
from workshop.settings import REPO_ROOT

FORMATS = ("json", "junit")
CHECK_STATUS = {"passed": "pass", "failed": "fail", "skipped": "skip"}
COURSE = "Chat Completions workshop"


def login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "unknown"


def as_json(reports: list[ExerciseReport], learner: str, generated_at: str) -> str:
    exercises: list[dict[str, Any]] = [
        {
            "id": report.exercise.id,
            "number": report.exercise.number,
            "title": report.exercise.title,
            "status": report.status,
            "message": report.first_failure,
            "seconds": round(report.seconds, 3),
            "checks": [
                {"name": check.name, "title": check.title or None,
                 "status": CHECK_STATUS.get(check.outcome, check.outcome),
                 "message": check.message or None, "task_id": check.task}
                for check in report.checks
            ],
        }
        for report in reports
    ]
    counts = {status: sum(r.status == status for r in reports) for status in (DONE, FAILING, NOT_STARTED)}
    document = {
        "version": 1,
        "course": COURSE,
        "learner": learner,
        "generated_at": generated_at,
        "status": "pass" if counts[DONE] == len(reports) else "fail",
        "summary": {
            "total": len(reports), "done": counts[DONE], "failing": counts[FAILING],
            "not_started": counts[NOT_STARTED],
        },
        "exercises": exercises,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def as_junit(reports: list[ExerciseReport], learner: str, generated_at: str) -> str:
    """One test case per exercise: a failure carries the failing check's message, not started skips."""
    failures = sum(r.status == FAILING for r in reports)
    skipped = sum(r.status == NOT_STARTED for r in reports)
    totals = {
        "tests": str(len(reports)), "failures": str(failures), "errors": "0", "skipped": str(skipped),
        "time": f"{sum(r.seconds for r in reports):.3f}",
    }
    suites = ET.Element("testsuites", {"name": COURSE, **totals})
    suite = ET.SubElement(suites, "testsuite", {"name": f"workshop ({learner})", "timestamp": generated_at,
                                                **totals})
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "learner", "value": learner})
    for report in reports:
        case = ET.SubElement(suite, "testcase", {
            "classname": "workshop", "name": report.exercise.id, "time": f"{report.seconds:.3f}",
        })
        if report.status == FAILING:
            message = report.first_failure or "failing"
            failure = ET.SubElement(case, "failure", {"message": message.splitlines()[0]})
            failure.text = message
        elif report.status == NOT_STARTED:
            ET.SubElement(case, "skipped", {"message": "not started"})
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


PROTECTED_FOLDERS = ("exercises", "solutions")


def refused_output(output: str | None) -> str | None:
    """Why a report may not be written to `output` (inside exercises/ or solutions/), or None."""
    if output is None:
        return None
    target = Path(output).resolve()
    for name in PROTECTED_FOLDERS:
        folder = (REPO_ROOT / name).resolve()
        if target == folder or folder in target.parents:
            return (f"Not writing the report to {output}: it is inside {name}/, where it could "
                    "replace course files. Choose a path outside it, such as report.json.")
    return None


def report_command(
    console: Console, fmt: str, output: str | None, learner: str | None = None,
    workspace: Workspace | None = None,
) -> int:
    refusal = refused_output(output)
    if refusal is not None:
        console.print(refusal)
        return 2
    reports = (workspace or Workspace()).grade()
    stamp = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    render = as_json if fmt == "json" else as_junit
    text = render(reports, learner or login_name(), stamp)
    # Like `pytest exercises/` and `workshop check`: 0 only when every exercise is done.
    verdict = 0 if all(report.status == DONE for report in reports) else 1
    if output is None:
        sys.stdout.write(text)
        return verdict
    try:
        write_atomically(Path(output), text)
    except OSError as error:
        console.print(f"Could not write the report to {output}: {error.strerror or error}.")
        return 1
    console.print(f"Wrote the {fmt} report for {len(reports)} exercises to {output}.")
    return verdict
