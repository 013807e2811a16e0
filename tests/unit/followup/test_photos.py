"""A report's photo: its type read from its bytes, its size limited, re-encoded as a JPEG of at
most 1600 px, upright, with no EXIF (no GPS position) and nothing else of the upload."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from assembly.errors import InvalidInput
from followup.photos import MAX_PHOTO_BYTES, MAX_SIDE, clean_photo


def jpeg(size: tuple[int, int] = (2400, 1800), *, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (30, 140, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    if orientation is not None:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (13.0, 45.0, 1.5), "E", (100.0, 30.0, 2.5)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def png(size: tuple[int, int], mode: str = "RGBA") -> bytes:
    image = Image.new(mode, size, (255, 0, 0, 0) if mode == "RGBA" else 0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def with_canvas(data: bytes, width: int, height: int) -> bytes:
    """A PNG whose header claims another size (its CRC fixed): what a decompression bomb
    looks like before it is decoded."""
    ihdr = data[12:29]
    body = ihdr[:4] + struct.pack(">II", width, height) + ihdr[12:]
    crc = struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    return data[:12] + body + crc + data[33:]


def read(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_phone_photo_is_shrunk_and_loses_its_exif_and_comment() -> None:
    original = jpeg()
    assert b"PhoneMaker" in original
    clean = clean_photo(original)
    image = read(clean.data)
    assert image.format == "JPEG"
    assert (image.width, image.height) == (clean.width, clean.height) == (MAX_SIDE, 1200)
    assert not image.getexif()
    assert "exif" not in image.info
    assert "comment" not in image.info
    assert "icc_profile" not in image.info
    for trace in (b"Exif", b"PhoneMaker", b"Model X", b"taken at home"):
        assert trace not in clean.data


def test_a_sideways_photo_is_turned_upright_before_its_exif_goes() -> None:
    clean = clean_photo(jpeg((400, 200), orientation=6))  # "rotate 90° clockwise to view"
    assert (clean.width, clean.height) == (200, 400)


def test_a_small_picture_keeps_its_size_and_a_transparent_one_gets_a_white_background() -> None:
    clean = clean_photo(png((300, 200)))
    image = read(clean.data)
    assert (image.format, image.size, image.mode) == ("JPEG", (300, 200), "RGB")
    assert image.getpixel((150, 100)) == pytest.approx((255, 255, 255), abs=3)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
        b"GIF89a but not really",
        jpeg()[:600],  # cut off mid-way
    ],
    ids=["empty", "text", "svg", "pdf", "fake-gif", "truncated-jpeg"],
)
def test_anything_but_a_readable_picture_is_refused_as_invalid_photo(data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_photo(data)
    assert refused.value.code == "invalid_photo"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_photo(b"\xff\xd8\xff" + b"\x00" * MAX_PHOTO_BYTES)
    assert (refused.value.code, refused.value.params) == ("photo_too_large", {"limit": 8})


@pytest.mark.parametrize("side", [8_000, 10_000, 20_000])
def test_a_huge_canvas_is_refused_before_it_is_decoded(side: int) -> None:
    """64, 100 and 400 megapixels claimed by a 10x10 PNG: over our limit, over Pillow's
    warning and over its error threshold; each is refused as too large, none decoded."""
    bomb = with_canvas(png((10, 10), mode="L"), side, side)
    with pytest.raises(InvalidInput) as refused:
        clean_photo(bomb)
    assert refused.value.code == "photo_too_large"


@pytest.mark.parametrize("kind", ["ICO", "PCX", "TGA"])
def test_a_picture_in_a_format_phones_do_not_send_is_not_decoded(kind: str) -> None:
    """Pillow reads these, but no decoder but the listed ones ever sees an upload."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(out, kind)
    with pytest.raises(InvalidInput) as refused:
        clean_photo(out.getvalue())
    assert refused.value.code == "invalid_photo"
