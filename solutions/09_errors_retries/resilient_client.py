"""Exercise 09 · Errors and retries (reference solution)."""

import openai
from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

MAX_RETRIES = 3
TIMEOUT = 20  # seconds


def make_client() -> OpenAI:
    return OpenAI(max_retries=MAX_RETRIES, timeout=TIMEOUT)


def ask(question: str) -> str:
    try:
        with make_client() as client:
            response = client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": question}]
            )
    except openai.AuthenticationError:
        return "The API key was refused: check OPENAI_API_KEY in your .env file."
    except openai.NotFoundError:
        return f"The model {MODEL!r} is not available here: check WORKSHOP_MODEL in your .env file."
    except openai.RateLimitError as error:
        wait = error.response.headers.get("retry-after")
        when = f"in {wait} seconds" if wait else "in a minute"
        return f"Too many requests right now: please try again {when}."
    except openai.InternalServerError as error:
        return f"The service had a problem on its side ({error.status_code}): please try again later."
    except openai.APITimeoutError:
        return f"The service did not answer within {TIMEOUT} seconds: please try again."
    except openai.APIConnectionError:
        return "Could not connect to the service: check your network and OPENAI_BASE_URL."
    except openai.APIStatusError as error:
        return f"The service refused the request ({error.status_code}): please check your settings."
    return response.choices[0].message.content


def main() -> None:
    print(ask("What should I pack for three days in Lisbon in November?"))


if __name__ == "__main__":
    run_script(main)
