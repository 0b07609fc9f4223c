"""Issue 12, "LKM members on a phone", over HTTP: the progress form comes first with its required
fields marked; a refused record comes back on the form with everything typed and the message at
its field (never a dead-end error page) and nothing written; a saved one is answered
post/redirect/get with a one-time "tersimpan"; a phone camera's photo (4000 x 3000, about 7 MB)
sent as it is (no browser to make it smaller) is accepted and stored re-encoded to a bounded
size with its EXIF place and time, and the public gets renditions made once on upload.  Also the
keys the pages used without defining (the year selector, the map's works colour) and the
StrictUndefined switch that makes a missing key fail a test."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from jinja2 import StrictUndefined, UndefinedError
from PIL import Image

from geo.formats import date as long_date
from geo.photos import MAX_PHOTO_BYTES, PHOTO_RENDITIONS, STORED_MAX_SIDE, exif_time_place
from geo.settings import Settings
from geo.store import open_store
from tests.conftest import KALIAWI, csrf_of, login
from tests.photos import camera_photo, jpeg
from web.app import create_app

WORK = "CSR-2026-01"
PAGE = f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}"


@pytest.fixture
def lkm(users_settings: Settings) -> TestClient:
    client = TestClient(create_app(users_settings))
    assert login(client, "lkm.a").status_code == 303
    return client


def post(client: TestClient, fields: dict[str, str], files=(), json: bool = False, lang: str = "id"):
    data = {"csrf_token": csrf_of(client), "record_date": date.today().isoformat(), **fields}
    return client.post(
        f"{PAGE}/progres?lang={lang}",
        data=data,
        files=[("photos", f) for f in files],
        headers={"Accept": "application/json"} if json else {},
        follow_redirects=False,
    )


def form_value(page: str, name: str) -> str | None:
    hit = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return hit.group(1) if hit else None


def test_the_form_comes_first_with_its_required_fields_marked(lkm: TestClient) -> None:
    page = lkm.get(PAGE).text
    assert page.index('id="record-form"') < page.index('id="kurva-s"') < page.index('id="records"')
    form = page.split('id="record-form-box"')[1].split("</section>")[0]
    assert form.count('<abbr class="req"') == 3  # date, and fisik or volume (one of the two)
    assert "Kolom bertanda * wajib diisi" in form
    assert 'name="record_date"' in form
    assert "required" in form.split('name="record_date"')[1].split(">")[0]
    assert '<script src="/static/pk/work.js"></script>' in page  # no inline script: the site's CSP
    assert lkm.get("/static/pk/work.js").status_code == 200
    assert lkm.get("/static/pk/work.css").status_code == 200


def test_a_refused_record_comes_back_on_the_form_with_everything_typed(
    lkm: TestClient, users_settings: Settings
) -> None:
    before = open_store(users_settings.store).checksum()
    page = lkm.get(PAGE).text
    key = form_value(page, "idempotency_key")
    typed = {"fisik_pct": "150", "spent_idr": "45000000", "note": "talud sisi utara & <b>selatan</b>"}
    r = post(lkm, {**typed, "idempotency_key": key}, files=[("lokasi.jpg", jpeg(size=(64, 48)), "image/jpeg")])
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")
    assert 'id="record-form"' in r.text  # the form again, not an error page
    assert form_value(r.text, "fisik_pct") == "150"
    assert form_value(r.text, "spent_idr") == "45000000"
    assert form_value(r.text, "note") == "talud sisi utara &amp; &lt;b&gt;selatan&lt;/b&gt;"  # kept, escaped
    assert form_value(r.text, "idempotency_key") == key  # nothing was written: the same key may send it
    error = re.search(r'<span class="field-error" id="error-fisik_pct">([^<]*)</span>', r.text).group(1)
    assert error == "Progres fisik (%): progres fisik harus 0 sampai 100 %, atau isi volume yang selesai"
    assert 'name="fisik_pct"' in r.text.split('aria-invalid="true"')[0].rsplit("<input", 1)[1]
    assert "Belum tersimpan" in r.text
    assert "pilih ulang fotonya" in r.text  # a browser cannot refill a file input: said plainly
    assert open_store(users_settings.store).checksum() == before


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"fisik_pct": "50", "spent_idr": "lima juta"}, "spent_idr", "Cumulative funds spent (Rp): expected a number"),
        ({"fisik_pct": "50", "record_date": "2999-01-01"}, "record_date", "Date: the record date cannot be"),
        ({"fisik_pct": "50", "corrects": "tidak-ada"}, "corrects", "Corrects record: the corrected record"),
        ({"note": "lupa persen"}, "fisik_pct", "Physical progress (%): physical progress must be"),
    ],
)
def test_each_refusal_names_its_field_in_the_users_language(
    lkm: TestClient, fields: dict[str, str], field: str, says: str
) -> None:
    r = post(lkm, fields, json=True, lang="en")
    assert r.status_code in (400, 404)
    body = r.json()
    assert body["field"] == field
    assert body["detail"].startswith(says)
    page = post(lkm, fields, lang="en")
    assert f'id="error-{field}"' in page.text
    assert "Not saved yet" in page.text


def test_a_saved_record_says_tersimpan_once(lkm: TestClient) -> None:
    r = post(lkm, {"fisik_pct": "72,5", "note": "pengecoran"})
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"{PAGE}?disimpan=")
    page = lkm.get(r.headers["location"]).text
    flash = re.search(r'<p class="saved-box" id="saved-flash" role="status">([^<]*)</p>', page).group(1)
    assert f"Tersimpan: catatan progres {long_date(date.today(), 'id')}, 72,5 %" in flash
    assert 'id="saved-flash"' not in lkm.get(r.headers["location"]).text  # a reload does not say it again
    again = post(lkm, {"fisik_pct": "73"}, json=True)
    assert again.status_code == 201
    assert again.json()["location"].startswith(f"{PAGE}?disimpan={again.json()['record_id']}")
    assert "73,0 %" in lkm.get(again.json()["location"]).text


def test_an_expired_session_is_told_apart_from_a_refusal(users_settings: Settings) -> None:
    """What the page's script reads to keep the form and ask for a new login."""
    client = TestClient(create_app(users_settings))
    login(client, "lkm.a")
    token = csrf_of(client)
    client.cookies.clear()  # the session cookie expired while the phone was offline
    r = client.post(
        f"{PAGE}/progres",
        data={"csrf_token": token, "record_date": date.today().isoformat(), "fisik_pct": "50"},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 403
    assert r.json()["error"] == "auth.csrf"
    login_page = client.get(f"/masuk?next={PAGE}&isian=1").text
    assert "dipulihkan setelah Anda masuk" in login_page
    assert f'name="next" value="{PAGE}"' in login_page


def test_a_camera_photo_sent_as_it_is_is_stored_bounded_with_its_place(
    lkm: TestClient, users_settings: Settings
) -> None:
    store = open_store(users_settings.store)
    works = store.read("works", kelurahan_code=KALIAWI)
    p = works[works["work_id"] == WORK].geometry.iloc[0].interpolate(0.5, normalized=True)
    original = camera_photo(p.x, p.y, datetime(2026, 11, 20, 9, 30))
    assert 5 * 2**20 < len(original) <= MAX_PHOTO_BYTES  # what a phone camera makes
    r = post(lkm, {"fisik_pct": "40"}, files=[("IMG_20261120_093000.jpg", original, "image/jpeg")], json=True)
    assert r.status_code == 201, r.text
    row = store.read("progress_photos", columns=["photo_id", "flags", "data"], work_id=WORK).iloc[0]
    assert row["flags"] == ""  # its place and time were read: near the work, within its period
    stored = bytes(row["data"])
    assert len(stored) < len(original) / 2
    with Image.open(io.BytesIO(stored)) as img:
        assert max(img.size) == STORED_MAX_SIDE
        taken, lat, lon = exif_time_place(img)  # the restricted original keeps its EXIF place and time
    assert taken == datetime(2026, 11, 20, 9, 30)
    assert lat == pytest.approx(p.y, abs=1e-4)
    assert lon == pytest.approx(p.x, abs=1e-4)
    renditions = store.read(PHOTO_RENDITIONS.name, columns=PHOTO_RENDITIONS.column_names, photo_id=row["photo_id"])
    sizes = {k: max(w, h) for k, w, h in renditions[["kind", "width", "height"]].itertuples(index=False)}
    assert sizes == {"display": 1600, "thumb": 400}
    thumb = bytes(renditions.loc[renditions["kind"] == "thumb", "data"].iloc[0])
    public = TestClient(create_app(users_settings))
    for _ in range(2):  # each view serves the rendition made on upload, byte for byte: never re-encoded
        assert public.get(f"/foto/{row['photo_id']}?ukuran=kecil").content == thumb
    assert len(store.read("progress_photo_renditions", photo_id=row["photo_id"])) == 2


def test_a_photo_above_the_limit_is_refused_at_its_field(lkm: TestClient, users_settings: Settings) -> None:
    before = open_store(users_settings.store).checksum()
    huge = b"\xff\xd8\xff" + b"\x00" * MAX_PHOTO_BYTES
    r = post(lkm, {"fisik_pct": "40"}, files=[("video.jpg", huge, "image/jpeg")], json=True)
    assert r.status_code == 400
    assert r.json() == {
        "error": "photo.size",
        "detail": "Foto (JPEG/PNG, paling banyak 6): foto 'video.jpg' lebih dari 16 MB",
        "field": "photos",
    }
    four = [(f"f{i}.jpg", huge, "image/jpeg") for i in range(4)]  # 64 MB in one request: refused unread
    assert post(lkm, {"fisik_pct": "40"}, files=four, json=True).status_code == 413
    assert open_store(users_settings.store).checksum() == before


def test_the_year_selector_and_the_map_picker_have_their_labels(users_settings: Settings) -> None:
    client = TestClient(create_app(users_settings))
    board = client.get(f"/kelurahan/{KALIAWI}/dasbor").text
    assert re.search(r"<label>Paket tahun anggaran <select name=\"tahun\"", board)
    assert '<option value="semua" >Semua tahun</option>' in board
    english = client.get(f"/kelurahan/{KALIAWI}/dasbor?tahun=semua&lang=en").text
    assert '<option value="semua" selected>All years</option>' in english
    assert "Colour works by" in client.get(f"/kelurahan/{KALIAWI}?lang=en").text
    assert "Warna pekerjaan" in client.get(f"/kelurahan/{KALIAWI}?lang=id").text


def test_tests_render_every_template_strictly(users_settings: Settings) -> None:
    assert users_settings.strict_templates  # tests/conftest.py turns it on for every test and server
    env = create_app(users_settings).state.templates.env
    assert env.undefined is StrictUndefined
    with pytest.raises(UndefinedError):
        env.from_string("<label>{{ t.no_such_key }}</label>").render(t={})
    lenient = create_app(users_settings.model_copy(update={"strict_templates": False})).state.templates.env
    assert lenient.from_string("<label>{{ t.no_such_key }}</label>").render(t={}) == "<label></label>"


def test_a_key_used_for_other_content_gets_a_new_one_on_the_form(lkm: TestClient) -> None:
    """The first send was saved but its answer lost; the record was then edited: the form says so
    and carries a new key, so pressing Save again records the edited one instead of failing forever."""
    key = form_value(lkm.get(PAGE).text, "idempotency_key")
    assert post(lkm, {"fisik_pct": "50", "idempotency_key": key}).status_code == 303
    r = post(lkm, {"fisik_pct": "55", "idempotency_key": key})
    assert r.status_code == 409
    assert "sudah pernah dikirim dengan isi lain" in r.text
    assert form_value(r.text, "fisik_pct") == "55"
    fresh = form_value(r.text, "idempotency_key")
    assert fresh != key
    again = post(lkm, {"fisik_pct": "55", "idempotency_key": fresh}, json=True)
    assert again.status_code == 201
