"""Issue 8, items 2, 4, 9 and 10: hostile photos cannot take the site down.

Pixel bombs and truncated JPEGs are refused on upload with a message naming the file and the
limit; accepted photos are decoded once into renditions without any metadata, and the public is
served those stored bytes; a photo stored before renditions existed gets them once, and one that
cannot be decoded answers 410 on /foto and is skipped with a note in the PDF report."""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
from datetime import date

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageCms
from PIL.TiffImagePlugin import IFDRational

from geo.progress import PROGRESS_PHOTOS, PROGRESS_RECORDS
from geo.settings import Settings
from geo.store import open_store
from tests.conftest import KALIAWI, csrf_of, login
from tests.photos import jpeg, png_bomb
from web.app import create_app

WORK = "CSR-2026-01"
RENDITIONS = "progress_photo_renditions"
HTML = b"<html><body><script>alert('foto')</script>Pak Budi, HP 0812-3456-7890</body></html>"


def loaded_jpeg(size: tuple[int, int] = (2400, 1800), orientation: int | None = None) -> bytes:
    """A JPEG carrying everything that must never be served back: EXIF with GPS and camera,
    a comment segment holding HTML and personal text, XMP, and an ICC profile."""
    img = Image.new("RGB", size, (90, 140, 60))
    exif = img.getexif()
    exif[0x010F] = "Kamera Pak Budi"
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (5.0, 24.0, 50.0), "E", (105.0, 14.0, 34.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>Budi Santoso</rdf:Description></x:xmpmeta>'
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif, comment=HTML, icc_profile=icc, xmp=xmp, quality=90)
    return buf.getvalue()


def malformed_gps_jpeg() -> bytes:
    img = Image.new("RGB", (64, 48), (1, 2, 3))
    exif = img.getexif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (IFDRational(5, 1), IFDRational(24, 1))  # two values where three belong
    gps[3], gps[4] = "E", (IFDRational(105, 0), IFDRational(0, 0), IFDRational(1, 0))  # zero denominators
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


@pytest.fixture
def lkm(users_settings: Settings) -> TestClient:
    client = TestClient(create_app(users_settings))
    assert login(client, "lkm.a").status_code == 303
    return client


def upload(client: TestClient, *photos: tuple[str, bytes, str]):
    return client.post(
        f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}/progres",
        data={"csrf_token": csrf_of(client), "record_date": date.today().isoformat(), "fisik_pct": "50"},
        files=[("photos", p) for p in photos],
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    ("name", "width", "height", "bits"),
    [("bom_piksel.png", 12000, 12000, 8), ("raksasa.png", 30000, 30000, 1)],
)
def test_pixel_bombs_are_refused_on_upload(
    lkm: TestClient, users_settings: Settings, name: str, width: int, height: int, bits: int
) -> None:
    before = open_store(users_settings.store).checksum()
    bomb = png_bomb(width, height, bits)
    assert len(bomb) < 5 * 1024 * 1024  # small enough to pass the byte limit
    r = upload(lkm, (name, bomb, "image/png"))
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert name in detail
    assert f"{width} x {height}" in detail
    assert "50.0 MP" in detail  # the limit
    assert open_store(users_settings.store).checksum() == before


def test_a_truncated_jpeg_is_refused_on_upload(lkm: TestClient, users_settings: Settings) -> None:
    whole = jpeg(105.2428, -5.414, size=(1200, 900))
    r = upload(lkm, ("terpotong.jpg", whole[: len(whole) // 2], "image/jpeg"))
    assert r.status_code == 400
    assert "terpotong.jpg" in r.json()["detail"]
    assert "terpotong" in r.json()["detail"]
    assert open_store(users_settings.store).read("progress_records").empty


def test_no_metadata_survives_and_the_public_gets_the_stored_renditions(
    lkm: TestClient, users_settings: Settings
) -> None:
    r = upload(lkm, ("lokasi.jpg", loaded_jpeg(orientation=6), "image/jpeg"))
    assert r.status_code == 201
    store = open_store(users_settings.store)
    photo_id = store.read("progress_photos").iloc[0]["photo_id"]
    public = TestClient(lkm.app)
    for size, longest in (("besar", 1600), ("kecil", 400)):
        served = public.get(f"/foto/{photo_id}?ukuran={size}")
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["x-content-type-options"] == "nosniff"
        body = served.content
        for leak in (b"<script", b"Budi", b"Exif", b"http://ns.adobe.com/xap", b"ICC_PROFILE", b"0812"):
            assert leak not in body, leak
        assert b"\xff\xfe" not in body.split(b"\xff\xda", 1)[0]  # no COM segment before the image data
        with Image.open(io.BytesIO(body)) as img:
            assert max(img.size) == longest
            assert img.size[1] > img.size[0]  # EXIF orientation 6 applied: the landscape shot stands upright
            assert not img.getexif()
            assert not ({"comment", "icc_profile", "xmp", "exif"} & set(img.info))
        kind = "display" if size == "besar" else "thumb"
        stored = store.read(RENDITIONS, columns=["data"], photo_id=photo_id, kind=kind)
        assert bytes(stored.iloc[0]["data"]) == body  # served as stored: nothing decoded on a public GET


def test_malformed_exif_gps_is_read_as_no_gps(lkm: TestClient, users_settings: Settings) -> None:
    r = upload(lkm, ("gps_rusak.jpg", malformed_gps_jpeg(), "image/jpeg"))
    assert r.status_code == 201
    photo = open_store(users_settings.store).read("progress_photos").iloc[0]
    assert pd.isna(photo["lat"])
    assert "tanpa_gps" in photo["flags"]


def _legacy_photo(store, data: bytes) -> str:
    """A photo as a store written before renditions existed holds it: the original bytes only."""
    record_id, photo_id = uuid.uuid4().hex, uuid.uuid4().hex
    record = {
        "record_id": record_id,
        "work_id": WORK,
        "kelurahan_code": KALIAWI,
        "record_date": "2026-11-20",
        "fisik_pct": 40.0,
        "flags": "",
        "recorded_by": "lkm.a",
        "recorded_at": "2026-11-20T10:00:00",
    }
    photo = {"photo_id": photo_id, "record_id": record_id, "work_id": WORK, "content_type": "image/jpeg"}
    with store.transaction(actor="lkm.a") as writer:
        writer.upsert(PROGRESS_RECORDS, pd.DataFrame([record]))
        writer.upsert(PROGRESS_PHOTOS, pd.DataFrame([{**photo, "sha256": "-", "flags": "", "data": data}]))
    return photo_id


def test_a_photo_stored_before_renditions_gets_them_once(users_settings: Settings) -> None:
    store = open_store(users_settings.store)
    photo_id = _legacy_photo(store, loaded_jpeg(size=(3000, 2000)))
    client = TestClient(create_app(users_settings))
    first = client.get(f"/foto/{photo_id}")
    assert first.status_code == 200
    assert b"<script" not in first.content
    assert set(store.read(RENDITIONS, columns=["photo_id", "kind"])["kind"]) == {"display", "thumb"}
    assert client.get(f"/foto/{photo_id}").content == first.content


def test_a_damaged_stored_photo_is_410_and_skipped_in_the_pdf(users_settings: Settings, tmp_path) -> None:
    store = open_store(users_settings.store)
    whole = jpeg(size=(800, 600))
    photo_id = _legacy_photo(store, whole[: len(whole) // 2])  # accepted by an older version, for good
    client = TestClient(create_app(users_settings))
    for size in ("besar", "kecil", "besar"):
        r = client.get(f"/foto/{photo_id}?ukuran={size}")
        assert r.status_code == 410
        assert photo_id in r.text
    assert client.get(f"/foto/{uuid.uuid4().hex}").status_code == 404
    pdf = client.get(f"/kelurahan/{KALIAWI}/laporan.pdf?tahun=semua")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        path = tmp_path / "laporan.pdf"
        path.write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "1 foto tidak dapat ditampilkan" in " ".join(text.split())


def test_photo_listings_never_read_the_bytes(users_settings: Settings) -> None:
    store = open_store(users_settings.store)
    _legacy_photo(store, jpeg())
    from geo.progress import PHOTO_COLUMNS

    listing = store.read("progress_photos", columns=PHOTO_COLUMNS, work_id=WORK)
    assert len(listing) == 1
    assert "data" not in listing.columns
