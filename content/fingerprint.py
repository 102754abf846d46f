"""Perceptual fingerprints: 64-bit hashes of key frames and covers, and how they are looked up.

A fingerprint is a 64-bit perceptual hash, written as 16 hexadecimal digits; two images that look
alike have hashes that differ in few bits (their Hamming distance). The content system sends the
hashes of a video's key frames; the portal computes a difference hash (dHash) of the cover with
Pillow, so that a video without frames is still checked (covers are compared with covers only).

Lookup (multi-index hashing): every hash is cut into BANDS bands of 22, 21 and 21 bits, stored in
their own indexed columns. If two hashes differ in at most t bits, then by the pigeonhole
principle one of the three bands differs in at most t // 3 bits. So the candidates of a hash are
the stored hashes whose band k equals one of the query's band k with at most t // 3 bits flipped
(`probe_masks`): an exact index lookup per probe; the candidates' full hashes are then compared
bit by bit. With the default threshold of 4 that is 67 lookups of about N / 2^21 rows each, instead
of reading all N. The layout does not depend on the threshold, so operators may change it (0 to
MAX_THRESHOLD) without rebuilding anything.
"""

import io
from itertools import combinations

from PIL import Image

BITS = 64
BAND_WIDTHS = (22, 21, 21)
BAND_SHIFTS = (0, 22, 43)
BANDS = len(BAND_WIDTHS)
MAX_THRESHOLD = 8  # probes grow fast past a radius of 2 bits per band
SIGN = 1 << 63
FULL = (1 << 64) - 1
DHASH_SIZE = 8


class FingerprintError(ValueError):
    """Text that is not a 64-bit hash in hexadecimal."""


def parse_hex(text: str) -> int:
    """'00ff…' (16 hex digits, an optional 0x) -> the signed 64-bit integer stored in bigint."""
    cleaned = text.strip().lower().removeprefix("0x")
    if not 1 <= len(cleaned) <= 16 or any(c not in "0123456789abcdef" for c in cleaned):
        raise FingerprintError(text)
    return to_signed(int(cleaned, 16))


def to_signed(value: int) -> int:
    value &= FULL
    return value - (1 << 64) if value & SIGN else value


def to_hex(value: int) -> str:
    return format(value & FULL, "016x")


def bands(value: int) -> tuple[int, int, int]:
    unsigned = value & FULL
    return tuple(
        (unsigned >> shift) & ((1 << width) - 1)
        for shift, width in zip(BAND_SHIFTS, BAND_WIDTHS, strict=True)
    )


def hamming(a, b) -> int | None:
    """Bits in which two signed 64-bit hashes differ (SQLite's `content_hamming`)."""
    if a is None or b is None:
        return None
    return ((a ^ b) & FULL).bit_count()


def radius(threshold: int) -> int:
    """The most bits one band of a match within `threshold` must differ in."""
    return threshold // BANDS


def probe_masks(threshold: int) -> list[tuple[int, int]]:
    """(band, mask) pairs: each band's value is XORed with each mask of at most radius bits."""
    r = radius(threshold)
    masks = []
    for band, width in enumerate(BAND_WIDTHS):
        for flipped in range(r + 1):
            for bits in combinations(range(width), flipped):
                masks.append((band, sum(1 << bit for bit in bits)))
    return masks


def dhash(image_bytes: bytes) -> int:
    """The difference hash of an image: grey, 9 x 8 pixels, one bit per pair of neighbours (is
    the left one brighter). Robust to scaling, re-encoding and small colour changes."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        small = image.convert("L").resize((DHASH_SIZE + 1, DHASH_SIZE), Image.Resampling.LANCZOS)
        pixels = small.get_flattened_data()
    value = 0
    for row in range(DHASH_SIZE):
        for column in range(DHASH_SIZE):
            left = pixels[row * (DHASH_SIZE + 1) + column]
            right = pixels[row * (DHASH_SIZE + 1) + column + 1]
            value = (value << 1) | (1 if left > right else 0)
    return to_signed(value)
