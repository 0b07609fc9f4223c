"""Test photos made in code: JPEGs with EXIF place and time, PNGs without, PNG pixel bombs."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime

from PIL import Image


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60, 4)
    return (float(d), float(m), s)


def jpeg(
    lon: float | None = None,
    lat: float | None = None,
    taken: datetime | None = None,
    size: tuple[int, int] = (320, 240),
) -> bytes:
    img = Image.new("RGB", size, (90, 140, 60))
    exif = img.getexif()
    exif[0x010F] = "Kamera Uji"
    if taken is not None:
        exif.get_ifd(0x8769)[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if lon is not None and lat is not None:
        gps = exif.get_ifd(0x8825)
        gps[1] = "S" if lat < 0 else "N"
        gps[2] = _dms(lat)
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = _dms(lon)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 80, 80)).save(buf, format="PNG")
    return buf.getvalue()


def png_bomb(width: int, height: int, bits: int = 8) -> bytes:
    """A valid grayscale PNG of width x height pixels, all black: tiny on disk, huge decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + (width * bits + 7) // 8)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bits, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def camera_photo(
    lon: float | None = None,
    lat: float | None = None,
    taken: datetime | None = None,
    size: tuple[int, int] = (4000, 3000),
    seed: int = 1,
) -> bytes:
    """A phone camera's photo: 4000 x 3000, about 7 MB (smooth colour fields with sensor-like
    noise, quality 95), with EXIF camera, time and place like the jpeg() above."""
    import numpy as np

    rng = np.random.default_rng(seed)
    width, height = size
    fields = rng.integers(0, 255, (height // 50, width // 50, 3), dtype=np.uint8)
    smooth = np.asarray(Image.fromarray(fields).resize(size, Image.Resampling.BILINEAR)).astype(np.int16)
    noisy = np.clip(smooth + rng.integers(-24, 24, (height, width, 1), dtype=np.int16), 0, 255).astype(np.uint8)
    img = Image.fromarray(noisy)
    exif = img.getexif()
    exif[0x010F] = "Kamera Ponsel Uji"
    if taken is not None:
        exif.get_ifd(0x8769)[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if lon is not None and lat is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = ("S" if lat < 0 else "N"), _dms(lat), ("E" if lon >= 0 else "W"), _dms(lon)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=95, exif=exif)
    return buf.getvalue()
