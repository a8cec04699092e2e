"""Exercise 03's grader: accepts every correct way to write it and names each common mistake."""

import pytest

from tests.conftest import editor, solution_source
from tests.verdicts import named, one_cause

SOLUTION = solution_source("03")

VALIDATION = (
    "    if not 0 <= temperature <= 2:\n"
    '        raise ValueError(f"temperature must be between 0 and 2, not {temperature}")\n'
    "    if n < 1:\n"
    '        raise ValueError(f"n must be at least 1, not {n}")\n'
)
REQUEST = (
    "    with OpenAI() as client:\n"
    "        response = client.chat.completions.create(\n"
    "            model=MODEL,\n"
    '            messages=[{"role": "user", "content": prompt}],\n'
    "            temperature=temperature,\n"
    "            n=n,\n"
    "        )\n"
)
RETURN_ALL = "    return [choice.message.content for choice in response.choices]\n"
EXPERIMENT_LOOP = (
    "    for temperature in temperatures:\n"
    "        results[temperature] = sample(prompt, temperature, n)\n"
)
EMPTY_CASE = "    if not samples:\n        return 0.0\n"


changed = editor(SOLUTION)


CORRECT_VARIANTS = {
    "module-level client": changed(
        "    with OpenAI() as client:\n        response = client.chat.completions.create(\n",
        "    if True:\n        response = client.chat.completions.create(\n",
        changed("\n\ndef sample(", "\n\nclient = OpenAI()\n\n\ndef sample("),
    ),
    "system message, seed and typed params": changed(
        '            messages=[{"role": "user", "content": prompt}],\n',
        "            messages=[\n"
        "                ChatCompletionSystemMessageParam(role='system', content='Be brief.'),\n"
        "                ChatCompletionUserMessageParam(role='user', content=prompt),\n"
        "            ],\n"
        "            seed=7,\n"
        "            max_completion_tokens=60,\n",
        changed(
            "from openai import OpenAI\n",
            "from openai import OpenAI\nfrom openai.types.chat import (\n"
            "    ChatCompletionSystemMessageParam,\n    ChatCompletionUserMessageParam,\n)\n",
        ),
    ),
    "with_raw_response and model_dump": changed(
        RETURN_ALL,
        '    return [choice["message"]["content"] for choice in response.model_dump()["choices"]]\n',
        changed(
            "        response = client.chat.completions.create(\n",
            "        response = client.chat.completions.with_raw_response.create(\n",
            changed("        )\n    return [", "        ).parse()\n    return ["),
        ),
    ),
    "choices sorted by index, validation in one line": changed(
        RETURN_ALL,
        "    ordered = sorted(response.choices, key=lambda choice: choice.index)\n"
        "    return [choice.message.content for choice in ordered]\n",
        changed(
            VALIDATION,
            "    if temperature < 0 or temperature > 2 or n < 1:\n"
            '        raise ValueError("temperature must be 0 to 2 and n at least 1")\n',
        ),
    ),
    "comprehensions and keyword arguments": changed(
        "    results = {}\n" + EXPERIMENT_LOOP + "    return results\n",
        "    return {t: sample(prompt, temperature=t, n=n) for t in temperatures}\n",
        changed(
            EMPTY_CASE + "    distinct = {text.strip() for text in samples}\n"
            "    return len(distinct) / len(samples)\n",
            "    return len({s.strip() for s in samples}) / len(samples) if samples else 0.0\n",
        ),
    ),
}


CORRECT_VARIANTS |= {
    "the API's upper limit on n refused too": changed(
        "    if n < 1:\n", "    if not 1 <= n <= 128:\n"
    ),
    "a loop that appends, and a ratio from a dict of counts": changed(
        RETURN_ALL,
        "    texts = []\n    for choice in response.choices:\n"
        "        texts.append(choice.message.content)\n    return texts\n",
        changed(
            "    distinct = {text.strip() for text in samples}\n    return len(distinct) / len(samples)\n",
            "    counts = {}\n    for text in samples:\n"
            "        counts[text.strip()] = counts.get(text.strip(), 0) + 1\n"
            "    return len(counts) / len(samples)\n",
        ),
    ),
    "dict(zip(...)) for the experiment": changed(
        "    results = {}\n" + EXPERIMENT_LOOP + "    return results\n",
        "    return dict(zip(temperatures, (sample(prompt, t, n) for t in temperatures)))\n",
    ),
}


@pytest.mark.parametrize("variant", CORRECT_VARIANTS)
def test_correct_variants_pass(grade, variant):
    grading = grade("03", CORRECT_VARIANTS[variant])
    assert grading.passed(), grading.failures


MISTAKES = {
    "only the first choice returned": (
        changed(RETURN_ALL, "    return [response.choices[0].message.content]\n"),
        "returned only the first choice",
    ),
    "only the first choice returned, as a str": (
        changed(RETURN_ALL, "    return response.choices[0].message.content\n"),
        "returned only the first choice",
    ),
    "temperature missing": (
        changed("            temperature=temperature,\n", ""),
        "The request has no temperature",
    ),
    "temperature sent as a string": (
        changed("temperature=temperature,", "temperature=str(temperature),"),
        "sent the temperature as a string",
    ),
    "n missing": (
        changed("            n=n,\n", ""),
        "The request does not set n",
    ),
    "n separate requests": (
        changed(
            REQUEST + RETURN_ALL,
            "    texts = []\n"
            "    with OpenAI() as client:\n"
            "        for _ in range(n):\n"
            "            response = client.chat.completions.create(\n"
            "                model=MODEL,\n"
            '                messages=[{"role": "user", "content": prompt}],\n'
            "                temperature=temperature,\n"
            "            )\n"
            "            texts.append(response.choices[0].message.content)\n"
            "    return texts\n",
        ),
        "separate requests, one per answer",
    ),
    "keys that are not the temperatures": (
        changed("results[temperature] =", "results[f'temperature={temperature}'] ="),
        "which are not the temperatures",
    ),
    "keys that are positions": (
        changed(
            EXPERIMENT_LOOP,
            "    for index, temperature in enumerate(temperatures):\n"
            "        results[index] = sample(prompt, temperature, n)\n",
        ),
        "which are not the temperatures",
    ),
    "temperatures argument ignored": (
        changed("    for temperature in temperatures:\n", "    for temperature in (0.0, 0.7, 1.5):\n"),
        "ignored the temperatures argument",
    ),
    "validation after the request": (
        changed(VALIDATION + REQUEST, REQUEST + VALIDATION),
        "sent a request even though",
    ),
    "no validation at all": (
        changed(VALIDATION, ""),
        "sent a request even though",
    ),
    "a count instead of a ratio": (
        changed("    return len(distinct) / len(samples)\n", "    return len(distinct)\n"),
        "a count instead of a ratio",
    ),
    "a crash on an empty list": (
        changed(EMPTY_CASE, ""),
        "crashed on an empty list with ZeroDivisionError",
    ),
    "whitespace not stripped": (
        changed("{text.strip() for text in samples}", "set(samples)"),
        "Strip each answer before comparing",
    ),
    "the wrong exception": (
        changed(
            'raise ValueError(f"temperature must be between 0 and 2, not {temperature}")',
            'raise RuntimeError("bad temperature")',
        ),
        "raised RuntimeError; the tests expected ValueError",
    ),
    "the edges refused": (
        changed("if not 0 <= temperature <= 2:", "if not 0 < temperature < 2:"),
        "both ends included",
    ),
    "n not passed on": (
        changed("sample(prompt, temperature, n)", "sample(prompt, temperature)"),
        "Pass n on",
    ),
    "run_experiment not using sample": (
        changed(
            "sample(prompt, temperature, n)\n",
            "[c.message.content for c in OpenAI().chat.completions.create(\n"
            '            model=MODEL, messages=[{"role": "user", "content": prompt}],\n'
            "            temperature=temperature, n=n).choices]\n",
        ),
        "never called sample()",
    ),
    "another model": (
        changed("model=MODEL,", 'model="gpt-5.4",'),
        "asked for the model 'gpt-5.4'",
    ),
    "n capped far below the API's limit": (
        changed("    if n < 1:\n", "    if n < 1 or n > 10:\n"),
        "and n from 1 to 128",
    ),
    "the choices returned as a set": (
        changed(RETURN_ALL, "    return list({choice.message.content for choice in response.choices})\n"),
        "so the tests expected exactly that list of texts",
    ),
    "the choices returned last first": (
        changed(RETURN_ALL, "    return [choice.message.content for choice in response.choices][::-1]\n"),
        "returned the right texts in another order",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named(grade, mistake):
    source, phrase = MISTAKES[mistake]
    named(grade("03", source), phrase)


@pytest.mark.parametrize("mistake", ["temperature sent as a string", "another model"])
def test_every_check_that_samples_names_a_wrong_request(grade, mistake):
    source, phrase = MISTAKES[mistake]
    grading = grade("03", source)
    one_cause(grading, phrase)
    assert "BadRequestError" not in grading.failures

