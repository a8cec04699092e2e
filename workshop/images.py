"""What an image part of a message costs in prompt tokens, by the API's published tile rule.

The rule of OpenAI's vision guide for the GPT-4o and GPT-4.1 families: `detail: "low"` costs a
flat 85 tokens; `"high"` scales the image to fit in 2048x2048, then its shorter side to 768,
and costs 85 plus 170 for every 512-pixel tile it covers. `"auto"` (the default) lets the
model choose; here it counts as `"high"`, the larger of the two. The guide's other rule, by
32-pixel patches for some mini models, is not simulated.

The size comes from the image itself when it is sent inline (a base64 `data:` URL of a PNG,
GIF, JPEG or WebP); an image behind an ordinary URL cannot be fetched offline, so it counts as
1024x1024, a common size for photos sent to the API.
"""

from __future__ import annotations

import base64
import binascii
import math
import struct
from collections.abc import Mapping
from typing import Any

LOW_DETAIL_TOKENS = 85
BASE_TOKENS = 85
TILE_TOKENS = 170
UNKNOWN_SIZE = (1024, 1024)


def image_parts(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The `image_url` parts of a message's content."""
    content = message.get("content")
    if not isinstance(content, list):
        return []
    return [part for part in content if isinstance(part, Mapping) and part.get("type") == "image_url"]


def image_tokens(part: Mapping[str, Any]) -> int:
    """The prompt tokens one `image_url` part costs."""
    image = part.get("image_url")
    image = image if isinstance(image, Mapping) else {}
    if image.get("detail") == "low":
        return LOW_DETAIL_TOKENS
    width, height = image_size(str(image.get("url") or ""))
    return tile_tokens(width, height)


def tile_tokens(width: int, height: int) -> int:
    """The high-detail cost of a `width`x`height` image."""
    width, height = max(1, width), max(1, height)
    if max(width, height) > 2048:
        scale = 2048 / max(width, height)
        width, height = width * scale, height * scale
    if min(width, height) > 768:
        scale = 768 / min(width, height)
        width, height = width * scale, height * scale
    tiles = math.ceil(width / 512) * math.ceil(height / 512)
    return BASE_TOKENS + TILE_TOKENS * tiles


def image_size(url: str) -> tuple[int, int]:
    """Width and height of an inline image, read from its header; UNKNOWN_SIZE otherwise."""
    if not url.startswith("data:") or "," not in url:
        return UNKNOWN_SIZE
    header, _, data = url.partition(",")
    if not header.endswith(";base64"):
        return UNKNOWN_SIZE
    try:
        head = base64.b64decode(data[:4096] + "=" * (-len(data[:4096]) % 4), validate=False)
    except (binascii.Error, ValueError):
        return UNKNOWN_SIZE
    return _header_size(head) or UNKNOWN_SIZE


def _header_size(head: bytes) -> tuple[int, int] | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:
        width, height = struct.unpack(">II", head[16:24])
        return width, height
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        width, height = struct.unpack("<HH", head[6:10])
        return width, height
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _webp_size(head)
    if head.startswith(b"\xff\xd8"):
        return _jpeg_size(head)
    return None


def _webp_size(head: bytes) -> tuple[int, int] | None:
    kind = head[12:16]
    if kind == b"VP8X" and len(head) >= 30:
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return width, height
    if kind == b"VP8 " and len(head) >= 30:
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    """The size in the first start-of-frame segment, if it lies in the bytes read."""
    position = 2
    while position + 9 < len(head):
        if head[position] != 0xFF:
            return None
        marker = head[position + 1]
        length = struct.unpack(">H", head[position + 2:position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", head[position + 5:position + 9])
            return width, height
        position += 2 + length
    return None
