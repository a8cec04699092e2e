"""Exercise 09's grader: accepts every correct way to write it and names each common mistake."""

import pytest

from tests.conftest import editor, solution_source
from tests.verdicts import fails_only, named, one_cause

SOLUTION = solution_source("09")
CLIENT = "    return OpenAI(max_retries=MAX_RETRIES, timeout=TIMEOUT)"
TIMEOUT_CLAUSE = """    except openai.APITimeoutError:
        return f"The service did not answer within {TIMEOUT} seconds: please try again."
"""
CONNECTION_CLAUSE = """    except openai.APIConnectionError:
        return "Could not connect to the service: check your network and OPENAI_BASE_URL."
"""
HANDLERS_START = "    except openai.AuthenticationError:"
HANDLERS_END = "    return response.choices[0].message.content"


changed = editor(SOLUTION)


def without_handlers(new_handlers: str) -> str:
    """The solution with all its except clauses replaced by `new_handlers`."""
    start, end = SOLUTION.index(HANDLERS_START), SOLUTION.index(HANDLERS_END)
    return SOLUTION[:start] + new_handlers + SOLUTION[end:]


CORRECT_VARIANTS = {
    "module-level client": changed(
        "        with make_client() as client:\n            response",
        "        if True:\n            response",
        changed("\n\ndef ask(", "\n\nclient = make_client()\n\n\ndef ask("),
    ),
    "with_options and an httpx Timeout": changed(
        CLIENT,
        "    import httpx\n\n    return OpenAI().with_options(\n"
        "        max_retries=MAX_RETRIES, timeout=httpx.Timeout(TIMEOUT, connect=5.0)\n    )",
    ),
    "with_raw_response and typed message params": changed(
        "            response = client.chat.completions.create(\n"
        '                model=MODEL, messages=[{"role": "user", "content": question}]\n'
        "            )\n",
        "            from openai.types.chat import ChatCompletionUserMessageParam\n\n"
        "            raw = client.chat.completions.with_raw_response.create(\n"
        "                model=MODEL,\n"
        "                messages=[ChatCompletionUserMessageParam(role='user', content=question)],\n"
        "                temperature=0.2,\n"
        "            )\n"
        "            response = raw.parse()\n",
    ),
    "isinstance checks in a helper, and a float wait": without_handlers(
        """    except openai.OpenAIError as error:
        return explain(error)
"""
    ).replace(
        "\n\ndef main(",
        '''

def explain(error):
    if isinstance(error, openai.AuthenticationError):
        return "Your API key was not accepted."
    if isinstance(error, openai.NotFoundError):
        return f"There is no model called {MODEL}."
    if isinstance(error, openai.RateLimitError):
        wait = error.response.headers.get("retry-after")
        return f"Too busy: wait {float(wait)} seconds." if wait else "Too busy: wait a bit."
    if isinstance(error, openai.InternalServerError):
        return f"Server error {error.status_code}, try later."
    if isinstance(error, openai.APITimeoutError):
        return f"No answer after {TIMEOUT} seconds."
    if isinstance(error, openai.APIConnectionError):
        return "Cannot connect to the API."
    return "Something else went wrong."


def main(''',
    ),
}


CORRECT_VARIANTS |= {
    "the timeout sentence from lesson 10": changed(
        TIMEOUT_CLAUSE,
        "    except openai.APITimeoutError:\n"
        '        return "The service took too long to answer: please try again."\n',
    ),
    "a client made on first use and kept": changed(
        "        with make_client() as client:\n"
        "            response = client.chat.completions.create(\n",
        "        response = shared_client().chat.completions.create(\n",
        changed(
            "\n\ndef ask(",
            "\n\n_client = None\n\n\ndef shared_client():\n    global _client\n"
            "    if _client is None:\n        _client = make_client()\n    return _client\n"
            "\n\ndef ask(",
        ),
    ),
}


@pytest.mark.parametrize("variant", CORRECT_VARIANTS)
def test_correct_variants_pass(grade, variant):
    grading = grade("09", CORRECT_VARIANTS[variant])
    assert grading.passed(), grading.failures


MISTAKES = {
    "max_retries left at the default": (
        changed(CLIENT, "    return OpenAI(timeout=TIMEOUT)"),
        "max_retries=2 (the SDK's default)",
    ),
    "no timeout": (
        changed(CLIENT, "    return OpenAI(max_retries=MAX_RETRIES)"),
        "the SDK's default of 10 minutes",
    ),
    "ask() not using make_client()": (
        changed("with make_client() as client:", "with OpenAI() as client:"),
        "Send it with the client that make_client() returns",
    ),
    "a retry loop on top of the client's": (
        changed(
            "        with make_client() as client:\n"
            "            response = client.chat.completions.create(\n"
            '                model=MODEL, messages=[{"role": "user", "content": question}]\n'
            "            )\n",
            "        with make_client() as client:\n"
            "            for attempt in range(3):\n"
            "                try:\n"
            "                    response = client.chat.completions.create(\n"
            '                        model=MODEL, messages=[{"role": "user", "content": question}]\n'
            "                    )\n"
            "                    break\n"
            "                except openai.InternalServerError:\n"
            "                    if attempt == 2:\n"
            "                        raise\n",
        ),
        "called create() again after the client had given up",
    ),
    "connection error caught before timeout": (
        changed(TIMEOUT_CLAUSE + CONNECTION_CLAUSE, CONNECTION_CLAUSE + TIMEOUT_CLAUSE),
        "is a kind of openai.APIConnectionError",
    ),
    "one sentence for everything": (
        without_handlers(
            "    except Exception:\n        return \"Sorry, something went wrong.\"\n"
        ),
        "Every failure got the same sentence",
    ),
    "the SDK's error text passed on": (
        without_handlers("    except openai.APIError as error:\n        return str(error)\n"),
        "that is the SDK's error text",
    ),
    "an error left uncaught": (
        changed(
            "    except openai.InternalServerError as error:\n"
            "        return f\"The service had a problem on its side ({error.status_code}): "
            "please try again later.\"\n",
            "",
            changed("    except openai.APIStatusError as error:\n"
                    "        return f\"The service refused the request ({error.status_code}): "
                    "please check your settings.\"\n", ""),
        ),
        "let openai.InternalServerError escape",
    ),
}

# Not in the exercise's list of common mistakes, but each still gets its own message.
OTHER_WRONG_SUBMISSIONS = {
    "parent class caught first": (
        changed(
            HANDLERS_START,
            "    except openai.APIStatusError as error:\n"
            "        return f\"The request failed ({error.status_code}).\"\n" + HANDLERS_START,
        ),
        "before any except clause for a parent class",
    ),
    "Retry-After read as if always there": (
        changed('headers.get("retry-after")', 'headers["retry-after"]'),
        "Not every 429 carries a Retry-After header",
    ),
    "no wait in the rate-limit sentence": (
        changed('when = f"in {wait} seconds" if wait else "in a minute"', 'when = "later"'),
        "does not say how long to wait",
    ),
    "no retries at all": (
        changed(CLIENT, "    return OpenAI(max_retries=0, timeout=TIMEOUT)"),
        "make_client() built a client with max_retries=0",
    ),
    "printing the sentence": (
        changed(
            '        return "The API key was refused: check OPENAI_API_KEY in your .env file."',
            '        print("The API key was refused: check OPENAI_API_KEY in your .env file.")\n'
            "        return None",
        ),
        "returned None, but the tests expected it to return the sentence",
    ),
}


OTHER_WRONG_SUBMISSIONS |= {
    "the sentence printed as well as returned": (
        changed(
            '        return "The API key was refused: check OPENAI_API_KEY in your .env file."',
            '        print("The API key was refused: check OPENAI_API_KEY in your .env file.")\n'
            '        return "The API key was refused: check OPENAI_API_KEY in your .env file."',
        ),
        "returned its sentence and printed it too",
    ),
    "a timeout sentence that says nothing of the wait": (
        changed(
            'f"The service did not answer within {TIMEOUT} seconds: please try again."',
            '"Something went wrong on the way: please try again."',
        ),
        "which does not say that the service took too long",
    ),
    "make_client() that returns nothing": (
        changed(CLIENT, "    OpenAI(max_retries=MAX_RETRIES, timeout=TIMEOUT)"),
        "make_client() returned NoneType",
    ),
}


@pytest.mark.parametrize("mistake", {**MISTAKES, **OTHER_WRONG_SUBMISSIONS})
def test_each_mistake_is_named(grade, mistake):
    source, phrase = {**MISTAKES, **OTHER_WRONG_SUBMISSIONS}[mistake]
    named(grade("09", source), phrase)


def test_a_make_client_that_returns_nothing_is_the_one_reason_given(grade):
    source, phrase = OTHER_WRONG_SUBMISSIONS["make_client() that returns nothing"]
    one_cause(grade("09", source), phrase)


def test_printing_a_sentence_fails_the_checks_that_meet_it(grade):
    source, _ = OTHER_WRONG_SUBMISSIONS["the sentence printed as well as returned"]
    fails_only(
        grade("09", source),
        "test_a_refused_key_gets_a_sentence_about_the_key",
        "test_each_failure_gets_its_own_sentence",
    )


def test_a_client_not_from_make_client_is_the_one_reason_the_retries_fail(grade):
    source, phrase = MISTAKES["ask() not using make_client()"]
    one_cause(grade("09", source), phrase)


@pytest.mark.parametrize("mistake", ["max_retries left at the default", "no retries at all"])
def test_too_few_retries_in_make_client_is_the_one_reason_given(grade, mistake):
    source, _ = {**MISTAKES, **OTHER_WRONG_SUBMISSIONS}[mistake]
    one_cause(grade("09", source), "make_client() built a client with max_retries=")
