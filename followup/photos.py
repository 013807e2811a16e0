"""A report's photo, made safe to keep and to show: its type read from its bytes (never from
the file name or the uploaded content type), its size limited, and the picture re-encoded as
a fresh JPEG of at most MAX_SIDE pixels, turned upright, with no EXIF (so no GPS position, no
phone model), no ICC profile, no comment: nothing of the upload but its pixels.

Pure: bytes in, a frozen `CleanPhoto` out; `followup.reports` runs it off the event loop.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from assembly.errors import InvalidInput

MAX_PHOTOS = 2  # "a photo or two" per report (issue 18)
MAX_PHOTO_BYTES = 8 * 1024 * 1024
"""A phone's full-size JPEG is 2-6 MB; 8 MB lets those through and stops a video or a RAW."""
MAX_SIDE = 1600  # readable on a projector and in the DOCX; ~200-400 KB as JPEG
MAX_PIXELS = 50_000_000
"""Beyond a 50-megapixel phone camera: a larger picture is refused before it is decoded (a
small PNG can declare an enormous canvas)."""
JPEG_QUALITY = 82
FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"})
"""What phones and scanners send; MPO is the multi-picture JPEG some cameras make."""
OPENERS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
"""Pillow's decoders tried on an upload (its JPEG decoder opens MPO too); no other sees it."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    """A baseline JPEG with no metadata."""
    width: int
    height: int


def too_large() -> InvalidInput:
    return InvalidInput(
        "photo_too_large",
        "This photo is too large: at most %(limit)s MB.",
        limit=MAX_PHOTO_BYTES // (1024 * 1024),
    )


def invalid_photo() -> InvalidInput:
    return InvalidInput(
        "invalid_photo", "This file is not a photo we can read. Send a JPEG or PNG picture."
    )


def clean_photo(data: bytes) -> CleanPhoto:
    """The photo re-encoded as described above; 400 `invalid_photo` for anything that is not
    a readable picture, `photo_too_large` beyond the size limits."""
    if len(data) > MAX_PHOTO_BYTES:
        raise too_large()
    if not data:
        raise invalid_photo()
    try:
        # Only the formats listed are tried (no other decoder sees the bytes). No
        # warnings.catch_warnings here: it is process-wide and this runs in a thread; a canvas
        # large enough for Pillow's DecompressionBombWarning is refused by MAX_PIXELS below,
        # before anything is decoded.
        image = Image.open(io.BytesIO(data), formats=OPENERS)
        if image.format not in FORMATS:
            raise invalid_photo()
        if image.width * image.height > MAX_PIXELS:
            raise too_large()
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at a fraction of the size: fast
        image.load()
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        rgba = upright.convert("RGBA")
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The warning is an exception only where warnings are errors (the tests).
        raise too_large() from exc
    except Exception as exc:  # Pillow answers a broken file with many kinds of error
        raise invalid_photo() from exc
    # A fresh canvas: nothing of the upload's metadata (EXIF, ICC, comments) comes along.
    clean = Image.new("RGB", rgba.size, (255, 255, 255))
    clean.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), clean.width, clean.height)
