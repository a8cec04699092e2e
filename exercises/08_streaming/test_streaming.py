"""Checks for exercise 08. You don't need to read them: each failure says what to change."""

import contextlib
import io
from collections.abc import Mapping

import pytest

from workshop.harness.checks import check_model, check_roles, message_list, single_request
from workshop.harness.sandbox import short_repr
from workshop.simulation.streaming import stream_chunks

QUESTION = "How do I get from the airport to the centre of Lisbon?"  # not main()'s
PIECE = "Pack layers"
SHOW_IDEA = "a streamed reply is shown piece by piece, on one line, as soon as each piece arrives"
STREAM_IDEA = "stream=True sends the reply in chunks while the model is still writing it"
USAGE_IDEA = "with include_usage, the stream's last chunk has no choices, only the usage"
DOUBLE_PRINTING = (
    "stream_reply() printed the pieces itself as well as giving them to on_text, so with the "
    "default on_text=show every piece appears twice. Remove your print(): on_text does the "
    "showing."
)



class Terminal(io.StringIO):
    """Stands in for a terminal, which shows printed text only once it has been flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.on_screen = ""

    def flush(self) -> None:
        super().flush()
        self.on_screen = self.getvalue()


def show_in_a_terminal(learner):
    show = learner.attribute("show")
    terminal = Terminal()

    def show_piece(text):
        with contextlib.redirect_stdout(terminal):
            return show(text)

    value = learner.invoke(f"show({PIECE!r})", show_piece, PIECE).result()
    if not terminal.getvalue():
        returned = f"returned {value!r} and " if value is not None else ""
        learner.fail(
            f"show() {returned}printed nothing, but the tests expected it to print {PIECE!r}, "
            'so the reader sees each piece as it comes: print(text, end="", flush=True).',
            idea=SHOW_IDEA,
        )
    return terminal


@pytest.mark.task(1)
def test_show_prints_the_piece_with_no_line_break(learner):
    check_show_prints_the_piece(learner)


def check_show_prints_the_piece(learner):
    printed = show_in_a_terminal(learner).getvalue()
    if printed == PIECE + "\n":
        learner.fail(
            f"show() printed {printed!r}: print() ends with a line break, so every few words of "
            'the reply would land on a line of their own. Pass end="" to print().',
            idea=SHOW_IDEA,
        )
    if printed != PIECE:
        learner.fail(
            f"show() printed {printed!r}, but the tests expected exactly {PIECE!r}: the pieces "
            "of a reply, printed one after the other, must spell out the reply unchanged.",
            idea=SHOW_IDEA,
        )


@pytest.mark.task(1)
def test_show_flushes_so_the_piece_appears_at_once(learner):
    terminal = show_in_a_terminal(learner)
    if terminal.on_screen != terminal.getvalue():
        learner.fail(
            "show() printed the piece but did not flush it. A terminal holds text back until "
            "a line is complete, so without a flush the reply would still appear all at once, "
            'at the end. Use print(text, end="", flush=True).',
            idea=SHOW_IDEA,
        )


def stream_reply_with_recorder(learner):
    """Run stream_reply with an on_text that notes each piece and whether the stream had ended."""
    stream_reply = learner.attribute("stream_reply")
    pieces = []

    def on_text(text):
        streams = [request for request in learner.chat_requests if request.events]
        pieces.append((text, bool(streams) and streams[-1].stream_read_to_end))

    outcome = learner.invoke(
        f"stream_reply({QUESTION!r}, on_text=record)", stream_reply, QUESTION, on_text=on_text
    )
    return outcome, checked_request(learner, outcome), pieces


def checked_request(learner, outcome):
    """The one request stream_reply sent, checked: a stream of the question, with usage."""
    request = single_request(learner, outcome, idea=STREAM_IDEA)
    sent = message_list(learner, request.json().get("messages"), what="the request")
    check_roles(learner, sent, request)
    check_model(learner, request)
    if QUESTION not in [message.get("content") for message in sent if message["role"] == "user"]:
        learner.fail(
            f"The request's user messages do not include the question {QUESTION!r}. Send it "
            'as it is, as a user message: {"role": "user", "content": question}.',
            idea="the user message carries the user's own words",
            request=request,
        )
    if request.json().get("stream") is not True:
        learner.fail(
            "The request did not ask for a stream, so the API waited for the whole reply and "
            "sent it in one piece. Pass stream=True to create() to get the reply in chunks.",
            idea=STREAM_IDEA,
            request=request,
        )
    if (request.json().get("stream_options") or {}).get("include_usage") is not True:
        learner.fail(
            "The request never asked for the usage, so a stream reports no token counts at all. "
            'Pass stream_options={"include_usage": True} as well as stream=True.',
            idea=USAGE_IDEA,
            request=request,
        )
    return request


def returned_value(learner, outcome):
    """What stream_reply returned; a crash while reading the stream, explained."""
    if outcome.error is None:
        return outcome.value
    cause = outcome.error.__cause__
    crash = f"stream_reply() {str(outcome.error).removeprefix(outcome.call).strip()}"
    if isinstance(cause, IndexError):
        learner.fail(
            f"{crash} The stream's last chunk has an empty choices list: it carries only "
            "the usage, so chunk.choices[0] fails there. Check `if chunk.choices:` before you "
            "read chunk.choices[0], and take chunk.usage from that last chunk.",
            idea=USAGE_IDEA,
        )
    if isinstance(cause, TypeError) and "NoneType" in str(cause):
        learner.fail(
            f"{crash} Some chunks carry no text: in the chunk that ends a choice, "
            "delta.content is None, not \"\". Skip those: `if text:` before you use it.",
            idea="a chunk's delta holds only what changed, and sometimes no text at all",
        )
    return outcome.result()


def pieces_sent(request):
    """The text of each chunk the stream carried, in order."""
    return [
        chunk["choices"][0]["delta"].get("content")
        for chunk in stream_chunks(request.reply, include_usage=False)
        if chunk["choices"] and chunk["choices"][0]["delta"].get("content")
    ]


def check_nothing_printed(learner, outcome, request):
    """stream_reply() leaves the showing to on_text: text it prints itself shows up twice."""
    printed = outcome.printed
    if not printed.strip():
        return
    if any(piece.strip() and piece in printed for piece in pieces_sent(request)):
        learner.fail(f"{DOUBLE_PRINTING} It printed {short_repr(printed)}.", idea=SHOW_IDEA)


@pytest.mark.task(2)
def test_stream_reply_asks_for_a_stream_with_usage(learner):
    stream_reply_with_recorder(learner)


@pytest.mark.task(3)
def test_stream_reply_hands_on_each_piece_as_it_arrives(learner):
    outcome, request, pieces = stream_reply_with_recorder(learner)
    returned_value(learner, outcome)
    reply = request.reply_texts()[0]
    if pieces:
        check_nothing_printed(learner, outcome, request)
    if not pieces:
        if outcome.printed.strip():
            learner.fail(
                "stream_reply() printed the text itself and never called on_text. Give each "
                "piece to on_text(text): the caller decides how to show it (show() is the "
                "default).",
                idea=SHOW_IDEA,
            )
        learner.fail(
            "stream_reply() never called on_text, so nobody saw the reply as it arrived. Call "
            "on_text(text) with the text of each chunk, inside the loop over the stream.",
            idea=SHOW_IDEA,
        )
    texts = [text for text, _ in pieces]
    if None in texts:
        learner.fail(
            "stream_reply() gave on_text None: some chunks carry no text (delta.content is None "
            "in the chunk that ends a choice), and show() would print the word 'None'. Call "
            "on_text only when there is text.",
            idea="a chunk's delta holds only what changed, and sometimes no text at all",
        )
    if not all(isinstance(text, str) for text in texts):
        kinds = sorted({type(text).__name__ for text in texts if not isinstance(text, str)})
        learner.fail(
            f"stream_reply() gave on_text a {', '.join(kinds)}, but on_text takes text: "
            "the str in chunk.choices[0].delta.content.",
            idea=STREAM_IDEA,
        )
    if "" in texts:
        learner.fail(
            "stream_reply() gave on_text an empty piece (''): the first chunk of a stream "
            "carries only the role, and its content is empty. Skip chunks that carry no text: "
            "call on_text only `if text:`.",
            idea="a chunk's delta holds only what changed, and sometimes no text at all",
        )
    shown = [text for text in texts if text]
    if len(shown) == 1 and shown[0] == reply:
        learner.fail(
            "stream_reply() called on_text once, with the whole reply, after the stream ended. "
            "That looks like streaming but waits like a normal request: call on_text with each "
            "piece, inside the loop, as the chunk arrives.",
            idea=STREAM_IDEA,
        )
    if next(read_to_end for text, read_to_end in pieces if text):
        learner.fail(
            "stream_reply() read the whole stream before it gave on_text the first piece, so the "
            "reader still waits for the complete reply. Call on_text inside the loop over the "
            "stream, as each chunk arrives, not after collecting them.",
            idea=STREAM_IDEA,
        )
    if "".join(texts) != reply:
        learner.fail(
            f"The pieces given to on_text add up to {''.join(texts)!r}, but the model replied "
            f"{reply!r}. Give on_text the text of every chunk, in order, unchanged.",
            idea=STREAM_IDEA,
        )


@pytest.mark.task(3)
def test_stream_reply_returns_the_whole_reply_and_the_usage(learner):
    outcome, request, pieces = stream_reply_with_recorder(learner)
    value = returned_value(learner, outcome)
    if pieces:
        check_nothing_printed(learner, outcome, request)
    reply = request.reply_texts()[0]
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        learner.fail(
            f"stream_reply() returned {type(value).__name__} {short_repr(value)}, but the tests "
            "expected a pair: return text, usage (the whole reply and the usage from the last "
            "chunk).",
            idea="a stream hands you pieces: assembling the reply is your code's job",
        )
    text, usage = value
    if text != reply:
        last = pieces[-1][0] if pieces else None
        detail = (
            "That is only the last piece: collect every piece, then join them."
            if text and text == last
            else "Collect each chunk's text as it arrives and return them joined: \"\".join(pieces)."
        )
        learner.fail(
            f"stream_reply() returned the reply {short_repr(text)}, but the model's whole reply was "
            f"{reply!r}. {detail}",
            idea="a stream hands you pieces: assembling the reply is your code's job",
        )
    expected = request.reply["usage"]
    if usage is None:
        learner.fail(
            "stream_reply() returned None as the usage, although the request asked for it. The "
            "usage arrives in the stream's last chunk, the one with no choices: keep chunk.usage "
            "when it is not None, and return that.",
            idea=USAGE_IDEA,
        )
    names = ("prompt_tokens", "completion_tokens", "total_tokens")
    got = {
        name: usage.get(name) if isinstance(usage, Mapping) else getattr(usage, name, None)
        for name in names
    }
    if got != {name: expected[name] for name in names}:
        learner.fail(
            f"stream_reply() returned the usage {short_repr(usage)}, but the stream's last chunk "
            f"reported {expected['prompt_tokens']} prompt, {expected['completion_tokens']} "
            f"completion and {expected['total_tokens']} total tokens. Return chunk.usage from "
            "that last chunk.",
            idea=USAGE_IDEA,
        )


@pytest.mark.task(3)
def test_stream_reply_prints_with_show_by_default(learner):
    outcome = learner.run("stream_reply", QUESTION)
    request = checked_request(learner, outcome)
    returned_value(learner, outcome)
    reply = request.reply_texts()[0]
    printed = outcome.printed
    if printed.rstrip("\n") != reply:
        pieces = pieces_sent(request)
        if _each_twice(printed, pieces):
            learner.fail(
                f"{DOUBLE_PRINTING} Called without on_text, it printed {short_repr(printed)}.",
                idea=SHOW_IDEA,
            )
        check_show_prints_the_piece(learner)  # a show() that prints badly is the cause to name
        learner.last_call = outcome.call
        learner.fail(
            f"Called without on_text, stream_reply() printed {short_repr(printed)}, but the tests "
            f"expected the reply, {reply!r}, printed piece by piece. Keep the parameter's "
            "default, on_text=show, and hand every piece to on_text.",
            idea=SHOW_IDEA,
        )




def _each_twice(printed: str, pieces: list[str]) -> bool:
    """True when `printed` holds every piece twice in a row (line breaks aside)."""
    flat = printed.replace("\n", "")
    position = 0
    for piece in pieces:
        piece = piece.replace("\n", "")
        if not flat.startswith(piece + piece, position):
            return False
        position += 2 * len(piece)
    return bool(pieces) and not flat[position:].strip()
