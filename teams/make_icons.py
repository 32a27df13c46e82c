"""Draws the Teams app icons (committed as PNGs; run again only to change them):
color.png, 192x192 full colour, and outline.png, 32x32 white on transparent. A raw PNG
writer, so no imaging library is needed."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

Pixel = tuple[int, int, int, int]
HERE = Path(__file__).parent
RED: Pixel = (192, 57, 43, 255)
WHITE: Pixel = (255, 255, 255, 255)
CLEAR: Pixel = (0, 0, 0, 0)


def png(size: int, pixel: Callable[[float, float], Pixel]) -> bytes:
    """An RGBA PNG; `pixel` gets coordinates scaled to 0..1."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel((x + 0.5) / size, (y + 0.5) / size)) for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def exclamation(x: float, y: float) -> bool:
    """An exclamation mark: a bar and a dot, centred."""
    bar = 0.42 <= x <= 0.58 and 0.18 <= y <= 0.62
    dot = (x - 0.5) ** 2 + (y - 0.78) ** 2 <= 0.09**2
    return bar or dot


def main() -> None:
    (HERE / "color.png").write_bytes(png(192, lambda x, y: WHITE if exclamation(x, y) else RED))
    (HERE / "outline.png").write_bytes(png(32, lambda x, y: WHITE if exclamation(x, y) else CLEAR))


if __name__ == "__main__":
    main()
