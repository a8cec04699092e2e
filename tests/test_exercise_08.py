"""Exercise 08's grader: accepts every correct way to write it and names each common mistake."""

import pytest

from tests.conftest import editor, solution_source
from tests.verdicts import named, one_cause

SOLUTION = solution_source("08")

LOOP = """        for chunk in stream:
            if chunk.usage is not None:
                usage = chunk.usage
            if not chunk.choices:
                continue
            text = chunk.choices[0].delta.content
            if text:
                on_text(text)
                pieces.append(text)
"""


changed = editor(SOLUTION)


CORRECT_VARIANTS = {
    "module-level client": changed(
        "    with OpenAI() as client:\n        stream =",
        "    if True:\n        stream =",
        changed("def show(", "client = OpenAI()\n\n\ndef show("),
    ),
    "stream as a context manager, text added up in a str": changed(
        LOOP,
        """        with stream:
            reply = ""
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    reply += chunk.choices[0].delta.content
                    on_text(chunk.choices[0].delta.content)
                elif not chunk.choices:
                    usage = chunk.usage
            pieces.append(reply)
""",
    ),
    "sys.stdout.write and a system message": changed(
        '    print(text, end="", flush=True)',
        "    import sys\n\n    sys.stdout.write(text)\n    sys.stdout.flush()",
        changed(
            'messages=[{"role": "user", "content": question}],',
            'messages=[{"role": "system", "content": "Be brief."},\n'
            '                      {"role": "user", "content": question}],\n'
            "            temperature=0.3,",
        ),
    ),
    "with_raw_response and usage as a dict": changed(
        "        stream = client.chat.completions.create(",
        "        stream = client.chat.completions.with_raw_response.create(",
        changed(
            "            stream_options={\"include_usage\": True},\n        )",
            "            stream_options={\"include_usage\": True},\n        ).parse()",
            changed("usage = chunk.usage\n", "usage = chunk.usage.model_dump()\n"),
        ),
    ),
}


CORRECT_VARIANTS |= {
    "pieces read with getattr from every choice, usage kept with or": changed(
        LOOP,
        """        for chunk in stream:
            usage = chunk.usage or usage
            for choice in chunk.choices:
                text = getattr(choice.delta, "content", None)
                if text:
                    on_text(text)
                    pieces.append(text)
""",
    ),
    "the stream walked with a while loop over next()": changed(
        "        for chunk in stream:\n",
        "        chunks = iter(stream)\n        while (chunk := next(chunks, None)) is not None:\n",
    ),
}


@pytest.mark.parametrize("variant", CORRECT_VARIANTS)
def test_correct_variants_pass(grade, variant):
    grading = grade("08", CORRECT_VARIANTS[variant])
    assert grading.passed(), grading.failures


MISTAKES = {
    "a line break after every piece": (
        changed('print(text, end="", flush=True)', "print(text, flush=True)"),
        "print() ends with a line break",
    ),
    "printed but not flushed": (
        changed('print(text, end="", flush=True)', 'print(text, end="")'),
        "did not flush it",
    ),
    "no stream=True": (
        changed("            stream=True,\n", ""),
        "did not ask for a stream",
    ),
    "usage not asked for": (
        changed('            stream_options={"include_usage": True},\n', ""),
        "never asked for the usage",
    ),
    "choices[0] read on the usage chunk": (
        changed(
            LOOP,
            """        for chunk in stream:
            text = chunk.choices[0].delta.content
            if text:
                on_text(text)
                pieces.append(text)
            usage = chunk.usage
""",
        ),
        "has an empty choices list",
    ),
    "None content added to the reply": (
        changed("            if text:\n", "            if True:\n"),
        "delta.content is None",
    ),
    "None content given to on_text": (
        changed(
            "            if text:\n                on_text(text)\n                pieces.append(text)",
            "            on_text(text)\n            pieces.append(text or '')",
        ),
        "gave on_text None",
    ),
    "whole stream read before showing anything": (
        changed("        for chunk in stream:\n", "        for chunk in list(stream):\n"),
        "read the whole stream before",
    ),
    "usage not taken from the last chunk": (
        changed(
            """            if chunk.usage is not None:
                usage = chunk.usage
            if not chunk.choices:
                continue
""",
            """            if not chunk.choices:
                continue
            usage = chunk.usage
""",
        ),
        "returned None as the usage",
    ),
}

# Not in the exercise's list of common mistakes, but each still gets its own message.
OTHER_WRONG_SUBMISSIONS = {
    "only the last piece returned": (
        changed('return "".join(pieces), usage', "return pieces[-1], usage"),
        "That is only the last piece",
    ),
    "printed instead of calling on_text": (
        changed("                on_text(text)\n", "                show(text)\n"),
        "never called on_text",
    ),
    "on_text called once, at the end": (
        changed(
            "                on_text(text)\n",
            "",
            changed('    return "".join(pieces), usage', '    on_text("".join(pieces))\n'
                    '    return "".join(pieces), usage'),
        ),
        "called on_text once, with the whole reply",
    ),
    "the reply returned alone": (
        changed('return "".join(pieces), usage', 'return "".join(pieces)'),
        "the tests expected a pair",
    ),
    "main()'s question written in place of the parameter": (
        changed('"content": question}',
                '"content": "What should I pack for three days in Lisbon in November?"}'),
        "do not include the question 'How do I get from the airport to the centre of Lisbon?'",
    ),
    "question changed": (
        changed('"content": question}', '"content": "Question: " + question}'),
        "do not include the question",
    ),
}


OTHER_WRONG_SUBMISSIONS |= {
    "empty pieces given to on_text": (
        changed("            if text:\n", "            if text is not None:\n"),
        "gave on_text an empty piece ('')",
    ),
    "each piece printed and given to on_text": (
        changed("                on_text(text)\n",
                '                print(text, end="", flush=True)\n                on_text(text)\n'),
        "printed the pieces itself as well as giving them to on_text",
    ),
}


@pytest.mark.parametrize("mistake", {**MISTAKES, **OTHER_WRONG_SUBMISSIONS})
def test_each_mistake_is_named(grade, mistake):
    source, phrase = {**MISTAKES, **OTHER_WRONG_SUBMISSIONS}[mistake]
    named(grade("08", source), phrase)


def test_printing_each_piece_as_well_gets_no_advice_the_code_already_follows(grade):
    source, _ = OTHER_WRONG_SUBMISSIONS["each piece printed and given to on_text"]
    grading = grade("08", source)
    assert "keep on_text=show" not in grading.failures.lower()
    one_cause(grading, "printed the pieces itself as well as giving them to on_text")
    assert "Called without on_text, it printed" in grading.messages[
        "test_stream_reply_prints_with_show_by_default"
    ]


def test_a_show_that_breaks_lines_is_the_one_reason_given(grade):
    source, phrase = MISTAKES["a line break after every piece"]
    one_cause(grade("08", source), phrase)


def test_a_missing_stream_true_is_the_one_reason_given(grade):
    source, phrase = MISTAKES["no stream=True"]
    one_cause(grade("08", source), phrase)
