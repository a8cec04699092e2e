"""Load the SDK's request path once in the grading session, so each forked grading process starts
with it ready instead of loading it again (most of a check's cost the first time it runs).

Only course code runs here: the module every exercise's file imports for its `main()`, and one
plain and one streamed request from the SDK to the simulated API; never a learner's file.
"""

from __future__ import annotations

from functools import cache


@cache
def warm_up() -> None:
    from openai import OpenAI

    import workshop.script  # noqa: F401 - each exercise's file ends with its `run_script(main)`
    from workshop.harness.sealing import DEFAULT_BASE_URL, PLACEHOLDER_KEY
    from workshop.settings import MODEL
    from workshop.simulation.api import SimulatedAPI

    messages = [{"role": "user", "content": "Hello"}]
    with SimulatedAPI(), OpenAI(api_key=PLACEHOLDER_KEY, base_url=DEFAULT_BASE_URL) as client:
        reply = client.chat.completions.create(model=MODEL, messages=messages)  # type: ignore[arg-type]
        assert reply.choices
        for _ in client.chat.completions.create(model=MODEL, messages=messages, stream=True):  # type: ignore[arg-type]
            pass
