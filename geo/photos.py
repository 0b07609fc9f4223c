"""Progress photos: checked and decoded once, on upload, into bounded renditions.

A photo is refused on upload when it is not a JPEG or PNG, larger than 16 MB, above the pixel
limit (a small PNG can claim 30000 x 30000 pixels: a decompression bomb), or cannot be decoded to
its end (a truncated JPEG).  An accepted photo is decoded once into a *display* (at most 1600 px)
and a *thumbnail* (at most 400 px) rendition, re-encoded as JPEG with no metadata at all (no EXIF,
no comment segment, no XMP, no ICC profile): the public only ever sees these.  The original,
with its EXIF place and time, stays in the store (restricted); an original above
:data:`STORED_MAX_BYTES` or :data:`STORED_MAX_SIDE` (a phone camera's 4000 x 3000, 5-12 MB, sent as
it is when the browser could not make it smaller) is stored re-encoded to at most
:data:`STORED_MAX_SIDE` pixels, keeping its EXIF, from the same single decode.

Pillow's own decompression-bomb guard is set deliberately as a second line of defence
(:data:`PIL.Image.MAX_IMAGE_PIXELS`); the check here comes first and names the file and the limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from PIL import Image, ImageOps, JpegImagePlugin, PngImagePlugin, UnidentifiedImageError

from geo.errors import RequestError
from geo.gpkg import now_iso
from geo.schema import Column, TableSpec

MAX_PHOTO_BYTES = 16 * 1024 * 1024  # a phone camera's original, when the browser could not make it smaller
STORED_MAX_BYTES = 2 * 1024 * 1024  # an original above this, or above STORED_MAX_SIDE, is stored re-encoded
STORED_MAX_SIDE = 2560  # longest side of a re-encoded original, pixels
STORED_QUALITY = 88
MAX_PIXELS = 50_000_000  # 8160 x 6120, a 50 MP phone photo; the default of PETAKAMPUNG_PHOTO_MAX_PIXELS
RENDITION_SIZES = {"display": 1600, "thumb": 400}  # longest side, pixels
JPEG_QUALITY = 85
TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}

PHOTO_RENDITIONS = TableSpec(
    name="progress_photo_renditions",
    columns=(
        Column("photo_id", "TEXT"),
        Column("kind", "TEXT", "display (at most 1600 px) or thumb (at most 400 px)"),
        Column("status", "TEXT", "ok, or broken: the stored original cannot be decoded"),
        Column("content_type", "TEXT"),
        Column("width", "INTEGER"),
        Column("height", "INTEGER"),
        Column("made_at", "DATETIME"),
        Column("data", "BLOB", "JPEG without any metadata"),
    ),
    key=("photo_id", "kind"),
    public=False,
    description="Public renditions of progress photos, decoded once on upload, without metadata",
    audit="none",  # derived from the original, whose upload is audited
)


# Deliberate: Pillow warns above this many pixels and refuses above twice as many, wherever an
# image is opened in this process.  check_and_render() refuses above its own limit before that.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class Rendition:
    kind: str
    width: int
    height: int
    data: bytes
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class CheckedPhoto:
    """What an upload's check found: its type, size, EXIF time and place, and its renditions."""

    content_type: str
    sha256: str
    width: int
    height: int
    taken_at: datetime | None
    lat: float | None
    lon: float | None
    renditions: tuple[Rendition, ...]
    stored: bytes  # what the store keeps: the upload itself, or its bounded re-encoding
    stored_type: str


def sniff_type(data: bytes) -> str | None:
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    return None


def check_and_render(
    data: bytes, name: str, *, declared_type: str = "", max_pixels: int = MAX_PIXELS, bound_original: bool = True
) -> CheckedPhoto:
    """Refuse what must not be stored (type, bytes, pixels, a file that does not decode to its
    end) with a message naming the file and the limit; else decode it once into its renditions
    (and, with ``bound_original``, a bounded original when this one is too large to keep)."""
    if len(data) > MAX_PHOTO_BYTES:
        raise RequestError("photo.size", name=name, mb=MAX_PHOTO_BYTES // 2**20)
    kind = sniff_type(data)
    if kind is None or (declared_type and declared_type not in ("image/jpeg", "image/png", "image/jpg")):
        raise RequestError("photo.type", name=name)
    img = _open_header(data, kind, name)
    width, height = img.size
    if width * height > max_pixels:
        raise RequestError(
            "photo.pixels",
            name=name,
            width=width,
            height=height,
            mp=round(width * height / 1e6, 1),
            limit=round(max_pixels / 1e6, 1),
        )
    taken, lat, lon = exif_time_place(img)
    bounded = bound_original and (len(data) > STORED_MAX_BYTES or max(width, height) > STORED_MAX_SIDE)
    renditions, stored = _decode_and_render(img, name, reencode=bounded)
    sha = hashlib.sha256(data).hexdigest()  # of what the LKM member sent, whatever is stored
    if stored is None:
        return CheckedPhoto(kind, sha, width, height, taken, lat, lon, renditions, data, kind)
    return CheckedPhoto(kind, sha, width, height, taken, lat, lon, renditions, stored, "image/jpeg")


def _open_header(data: bytes, kind: str, name: str):
    """Read the header only (size, EXIF), through the format's own class: nothing decoded yet."""
    cls = JpegImagePlugin.JpegImageFile if kind == "image/jpeg" else PngImagePlugin.PngImageFile
    try:
        return cls(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise RequestError("photo.broken", name=name) from None


def _decode_and_render(img, name: str, *, reencode: bool = False) -> tuple[tuple[Rendition, ...], bytes | None]:
    """The one full decode: the whole stream is read, so a truncated file is refused here.
    Returns the renditions and, with ``reencode``, the bounded original (JPEG with its EXIF).

    A JPEG is decoded straight at the smallest scale that still covers the largest size made
    (libjpeg's DCT scaling): a 50 MP photo takes a quarter of its full-size memory or less."""
    try:
        if img.format == "JPEG":
            longest = STORED_MAX_SIDE if reencode else RENDITION_SIZES["display"]
            img.draft("RGB", (longest, longest))
        img.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise RequestError("photo.broken", name=name) from None
    # stand the photo upright before EXIF is dropped; a malformed orientation tag leaves it as stored
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(img, in_place=True)
    exif = _upright_exif(img) if reencode else b""
    try:
        shown = _flatten(img)
    except (OSError, ValueError):  # a pixel format with no RGB conversion
        raise RequestError("photo.broken", name=name) from None
    stored = None
    if reencode:
        shown = _fit(shown, STORED_MAX_SIDE)
        stored = _jpeg(shown, STORED_QUALITY, exif=exif)
    out = []
    for kind, longest in sorted(RENDITION_SIZES.items(), key=lambda item: -item[1]):  # each from the one before
        shown = _fit(shown, longest)
        out.append(Rendition(kind, shown.width, shown.height, _clean_jpeg(shown)))
    return tuple(out), stored


def _upright_exif(img) -> bytes:
    """The photo's EXIF for its bounded original, without the orientation tag (the pixels are
    already stood upright); malformed EXIF is dropped (place and time were read before)."""
    try:
        exif = img.getexif()
        exif.pop(0x0112, None)
        return exif.tobytes()
    except Exception:  # attacker-controlled bytes
        return b""


def _fit(img, longest: int):
    """``img`` scaled down to at most ``longest`` pixels on its longer side (never up)."""
    scale = longest / max(img.size)
    if scale >= 1:
        return img
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _flatten(img):
    """RGB; transparent parts of a PNG become white, not black."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return img if img.mode == "RGB" else img.convert("RGB")


def _clean_jpeg(img) -> bytes:
    """JPEG bytes with nothing but the picture: Pillow copies an image's comment (COM) segment
    into what it saves unless ``info`` is emptied, and writes EXIF/XMP/ICC only when given."""
    return _jpeg(img, JPEG_QUALITY)


def _jpeg(img, quality: int, *, exif: bytes = b"") -> bytes:
    img.info = {}
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality, optimize=True, comment=b"", exif=exif)
    return buf.getvalue()


def exif_time_place(img) -> tuple[datetime | None, float | None, float | None]:
    """When and where the photo was taken, from EXIF; anything malformed reads as unknown."""
    try:
        exif = img.getexif()
    except Exception:  # EXIF is attacker-controlled bytes: any parse failure means "no EXIF"
        return None, None, None
    return _exif_time(exif), *_exif_place(exif)


def _exif_time(exif) -> datetime | None:
    try:
        raw = exif.get_ifd(0x8769).get(36867) or exif.get(306)  # DateTimeOriginal, else DateTime
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except Exception:
        return None


def _exif_place(exif) -> tuple[float | None, float | None]:
    try:
        gps = exif.get_ifd(0x8825)
        if not gps or 2 not in gps or 4 not in gps:
            return None, None
        lat = _degrees(gps[2]) * (-1 if _ref(gps.get(1)) == "S" else 1)
        lon = _degrees(gps[4]) * (-1 if _ref(gps.get(3)) == "W" else 1)
    except Exception:  # wrong arity, zero denominators, text where numbers belong, ...
        return None, None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _degrees(value) -> float:
    d, m, s = (float(x) for x in value)
    return d + m / 60 + s / 3600


def _ref(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value or "").strip("\x00 ").upper()


def rendition_rows(photo_id: str, renditions: tuple[Rendition, ...]) -> pd.DataFrame:
    made = now_iso()
    return pd.DataFrame(
        [
            {
                "photo_id": photo_id,
                "kind": r.kind,
                "status": "ok",
                "content_type": r.content_type,
                "width": r.width,
                "height": r.height,
                "made_at": made,
                "data": r.data,
            }
            for r in renditions
        ]
    )


def read_rendition(store, photo_id: str, kind: str) -> pd.Series | None:
    """The stored rendition row (``status`` ok with ``data``, or broken), else None."""
    rows = store.read(PHOTO_RENDITIONS.name, columns=PHOTO_RENDITIONS.column_names, photo_id=photo_id, kind=kind)
    return rows.iloc[0] if len(rows) else None


def render_stored_photo(store, photo_id: str, *, max_pixels: int = MAX_PIXELS) -> bool:
    """Make the renditions of a photo stored before renditions existed, once: True when it
    decodes, False when it does not (then it is marked broken, and never decoded again)."""
    rows = store.read("progress_photos", columns=["photo_id", "data"], photo_id=photo_id)
    if rows.empty:
        return False
    original = rows.iloc[0]
    try:
        checked = check_and_render(bytes(original["data"]), photo_id, max_pixels=max_pixels, bound_original=False)
        frame = rendition_rows(photo_id, checked.renditions)
    except Exception:  # whatever an old version let in: marked broken once, never a 500 for visitors
        frame = pd.DataFrame(
            [
                {"photo_id": photo_id, "kind": k, "status": "broken", "made_at": now_iso(), "data": None}
                for k in RENDITION_SIZES
            ]
        )
    with store.transaction(actor="system") as writer:
        if read_rendition(store, photo_id, "thumb") is None:  # under the write lock: made only once
            for row in frame.to_dict("records"):
                writer.append(PHOTO_RENDITIONS, row)
    return bool((frame["status"] == "ok").all())
