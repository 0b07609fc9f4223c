"""LKM progress records: photos checked, corrections, Kurva S, and what the public sees."""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from geo.accounts import get_user
from geo.errors import Forbidden, RequestError
from geo.photos import MAX_PHOTO_BYTES
from geo.progress import Photo, ProgressInput, effective_history, kurva_s, record_progress
from geo.settings import Settings
from geo.store import open_store
from tests.conftest import JATIRANGGA, KALIAWI, csrf_of, login
from tests.photos import jpeg, png
from web.app import create_app

WORK = "CSR-2026-01"  # planned 2026-09-01 .. 2026-12-18


def work_point(store) -> tuple[float, float]:
    works = store.read("works", kelurahan_code=KALIAWI)
    line = works[works["work_id"] == WORK].geometry.iloc[0]
    p = line.interpolate(0.5, normalized=True)
    return p.x, p.y


def test_photo_checks_flag_place_and_time(users_settings: Settings) -> None:
    store = open_store(users_settings.store)
    user = get_user(store, "lkm.a")
    x, y = work_point(store)
    near = jpeg(x, y, datetime(2026, 11, 20, 10))
    far = jpeg(x + 0.01, y, datetime(2026, 11, 20, 10))  # about 1.1 km east
    early = jpeg(x, y, datetime(2026, 6, 1, 10))
    rid = record_progress(
        store,
        user,
        KALIAWI,
        ProgressInput(
            WORK,
            "2026-11-20",
            fisik_pct=70,
            spent_idr=80_000_000,
            note="cor beton",
            photos=[
                Photo("a.jpg", "image/jpeg", near),
                Photo("b.jpg", "image/jpeg", far),
                Photo("c.jpg", "image/jpeg", early),
                Photo("d.png", "image/png", png()),
            ],
        ),
        today=date(2026, 11, 23),
    )
    photos = store.read("progress_photos", record_id=rid).set_index("sha256")
    import hashlib

    flags = {
        name: photos.loc[hashlib.sha256(data).hexdigest(), "flags"]
        for name, data in (("near", near), ("far", far), ("early", early), ("png", png()))
    }
    assert flags["near"] == ""
    assert "jauh_dari_lokasi" in flags["far"]
    assert "di_luar_periode" in flags["early"]
    assert "tanpa_gps" in flags["png"]
    assert photos.loc[hashlib.sha256(far).hexdigest(), "distance_m"] > 1000
    record = store.read("progress_records", record_id=rid).iloc[0]
    assert set(record["flags"].split(",")) == {"jauh_dari_lokasi", "di_luar_periode", "tanpa_gps"}


@pytest.mark.parametrize(
    ("photo", "code"),
    [
        (Photo("x.jpg", "image/jpeg", b"this is not a photo at all"), "photo.type"),
        (Photo("x.gif", "image/gif", b"GIF89a....."), "photo.type"),
        (Photo("x.jpg", "image/jpeg", b"\xff\xd8\xff" + b"\x00" * 50), "photo.broken"),
        (Photo("big.jpg", "image/jpeg", b"\xff\xd8\xff" + b"\x00" * (MAX_PHOTO_BYTES + 1)), "photo.size"),
    ],
)
def test_hostile_uploads_are_refused_and_nothing_is_written(users_settings: Settings, photo: Photo, code: str) -> None:
    store = open_store(users_settings.store)
    before = store.checksum()
    with pytest.raises(RequestError) as info:
        record_progress(
            store, get_user(store, "lkm.a"), KALIAWI, ProgressInput(WORK, "2026-11-20", fisik_pct=70, photos=[photo])
        )
    assert info.value.code == code
    assert store.checksum() == before


def test_bad_records_are_refused(users_settings: Settings) -> None:
    store = open_store(users_settings.store)
    lkm = get_user(store, "lkm.a")
    with pytest.raises(RequestError):
        record_progress(store, lkm, KALIAWI, ProgressInput(WORK, "2030-01-01", fisik_pct=10))
    with pytest.raises(RequestError):
        record_progress(store, lkm, KALIAWI, ProgressInput(WORK, "2026-11-20", fisik_pct=140))
    with pytest.raises(Forbidden):
        record_progress(store, get_user(store, "lkm.b"), KALIAWI, ProgressInput(WORK, "2026-11-20", fisik_pct=10))
    with pytest.raises(Forbidden):
        record_progress(store, lkm, JATIRANGGA, ProgressInput("JTR-2026-01", "2026-11-20", fisik_pct=10))


def test_volume_done_gives_fisik_and_corrections_supersede(users_settings: Settings) -> None:
    store = open_store(users_settings.store)
    lkm = get_user(store, "lkm.a")
    work = store.read("works", kelurahan_code=KALIAWI).set_index("work_id").loc[WORK]
    first = record_progress(
        store,
        lkm,
        KALIAWI,
        ProgressInput(WORK, "2026-11-20", volume_done=work["volume"] / 2, spent_idr=60_000_000),
        today=date(2026, 11, 23),
    )
    assert store.read("progress_records", record_id=first).iloc[0]["fisik_pct"] == pytest.approx(50.0)
    fix = record_progress(
        store,
        lkm,
        KALIAWI,
        ProgressInput(WORK, "2026-11-19", fisik_pct=48, spent_idr=58_000_000, corrects=first),
        today=date(2026, 11, 23),
    )
    records = store.read("progress_records")
    assert set(records["record_id"]) >= {first, fix}  # append-only: the corrected record stays
    history = effective_history(store.read("work_progress"), records, store.read("works"))
    mine = history[history["work_id"] == WORK]
    assert "2026-11-20" not in set(mine["record_date"])
    assert mine.set_index("record_date").loc["2026-11-19", "fisik_pct"] == 48
    audit = store.read("pk_audit")
    assert set(audit.loc[audit["table_name"] == "progress_records", "actor"]) == {"lkm.a"}


def test_kurva_s_weights_by_cost() -> None:
    works = pd.DataFrame(
        {
            "work_id": ["a", "b"],
            "budget_idr": [300, 100],
            "planned_start": ["2026-01-01", "2026-01-01"],
            "planned_end": ["2026-01-29", "2026-01-15"],
        }
    )
    history = pd.DataFrame(
        {
            "work_id": ["a", "b"],
            "record_date": ["2026-01-08", "2026-01-15"],
            "fisik_pct": [20.0, 100.0],
            "spent_idr": [60, 100],
        }
    )
    curve = kurva_s(works, history, today=date(2026, 1, 20)).set_index("date")
    day = date(2026, 1, 15)
    # planned: a is 14/28 done, b 14/14: 0.75 * 50 + 0.25 * 100
    assert curve.loc[day, "planned_pct"] == pytest.approx(62.5)
    assert curve.loc[day, "fisik_pct"] == pytest.approx(0.75 * 20 + 0.25 * 100)
    assert curve.loc[day, "keuangan_pct"] == pytest.approx(100 * 160 / 400)
    assert curve.loc[day, "deviation_pct"] == pytest.approx(40 - 62.5)
    assert pd.isna(curve.loc[date(2026, 1, 22), "fisik_pct"])  # no actuals after today


def test_public_sees_progress_and_photos_never_who(users_settings: Settings) -> None:
    client = TestClient(create_app(users_settings))
    login(client, "lkm.a")
    store = open_store(users_settings.store)
    x, y = work_point(store)
    r = client.post(
        f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}/progres",
        data={
            "csrf_token": csrf_of(client),
            "record_date": date.today().isoformat(),
            "fisik_pct": "66",
            "spent_idr": "70000000",
            "note": "pengecoran selesai 66 persen",
        },
        files=[("photos", ("lokasi.jpg", jpeg(x, y, datetime(2026, 11, 20)), "image/jpeg"))],
        follow_redirects=False,
    )
    assert r.status_code == 303
    public = TestClient(create_app(users_settings))
    page = public.get(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}").text
    assert "pengecoran selesai 66 persen" in page
    assert "lkm.a" not in page
    photo_id = store.read("progress_photos", work_id=WORK).iloc[0]["photo_id"]
    assert f"/foto/{photo_id}" in page
    served = public.get(f"/foto/{photo_id}")
    assert served.status_code == 200
    with Image.open(io.BytesIO(served.content)) as img:
        exif = img.getexif()
        assert 0x8825 not in exif
        assert 0x010F not in exif
    curve = public.get(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}/kurva-s.csv").text
    assert "66.0" in curve or "66" in curve


def test_dashboard_packages_by_year(users_settings: Settings) -> None:
    client = TestClient(create_app(users_settings))
    bpm = client.get(f"/kelurahan/{KALIAWI}/dasbor?tahun=2019&lang=id").text
    assert "Rp 1.500.000.000" in bpm  # the 2019 BPM package of the seed story
    assert bpm.count(f'href="/kelurahan/{KALIAWI}/pekerjaan/') == 8
    current = client.get(f"/kelurahan/{KALIAWI}/dasbor").text
    assert 'option value="2026" selected' in current  # the package under way by default
    everything = client.get(f"/kelurahan/{KALIAWI}/dasbor?tahun=semua").text
    assert everything.count(f'href="/kelurahan/{KALIAWI}/pekerjaan/') == 11
    curve = client.get(f"/kelurahan/{KALIAWI}/kurva-s.csv?tahun=2019").text.splitlines()
    assert curve[-1].endswith("100.0,100.0,100.0,0.0")  # completed on plan


def _works(**cols) -> pd.DataFrame:
    base = {
        "work_id": ["A", "B", "C"],
        "status": ["berjalan", "selesai", "batal"],
        "budget_idr": [300_000_000.0, 100_000_000.0, 600_000_000.0],
        "progress_fisik": [50.0, 100.0, 90.0],
        "planned_start": ["2026-01-01"] * 3,
        "planned_end": ["2026-12-31"] * 3,
    }
    return pd.DataFrame({**base, **cols})


def test_package_progress_is_budget_weighted_and_ignores_cancelled_works() -> None:
    """The dashboard, the PDF and the Kurva S share one weighting: 300 M at 50 % and 100 M at 100 %
    make 62.5 %; the cancelled 600 M work at 90 % weighs nothing; no budgets at all: equal shares."""
    from geo.progress import budget_weights, weighted_fisik

    assert weighted_fisik(_works()) == pytest.approx(62.5)
    assert list(budget_weights(_works())) == pytest.approx([0.75, 0.25, 0.0])
    assert weighted_fisik(_works(budget_idr=[None, None, None])) == pytest.approx(75.0)
    assert weighted_fisik(_works().iloc[0:0]) == 0.0


def test_map_popup_and_work_page_give_the_same_deviation(users_settings: Settings) -> None:
    """The map's works frame carries the latest record as progress_fisik; the work page reads the
    history: the same deviation for every work of the demo kelurahan, today and on a given day."""
    from geo.layers.infrastructure import current_progress
    from geo.progress import deviation_today
    from geo.public import PublicData

    kel = PublicData(open_store(users_settings.store), k=5).kelurahan(KALIAWI)
    mapped = current_progress(kel.works, kel.progress)
    assert len(kel.progress)  # the demo has progress history, so the two paths differ in what they read
    for day in (date.today(), date(2026, 6, 30)):
        page = [
            deviation_today(w, kel.progress[kel.progress["record_date"] <= day.isoformat()], day)
            for _, w in kel.works.iterrows()
        ]
        popup = [
            deviation_today(w, None, day)
            for _, w in current_progress(
                kel.works, kel.progress[kel.progress["record_date"] <= day.isoformat()]
            ).iterrows()
        ]
        assert page == popup
    assert any(d is not None for d in (deviation_today(w) for _, w in mapped.iterrows()))


def test_a_record_without_funds_keeps_the_last_known_spending() -> None:
    """An LKM record that reports % fisik only does not reset % keuangan to 0 on the Kurva S."""
    works = _works().iloc[:1]
    imported = pd.DataFrame(
        {
            "work_id": ["A"],
            "record_date": ["2026-03-01"],
            "fisik_pct": [20.0],
            "keuangan_pct": [30.0],
            "spent_idr": [90_000_000.0],
        }
    )
    records = pd.DataFrame(
        {
            "record_id": ["r1"],
            "work_id": ["A"],
            "record_date": ["2026-04-01"],
            "fisik_pct": [35.0],
            "spent_idr": [None],
            "corrects": [None],
        }
    )
    history = effective_history(imported, records, works)
    assert list(history["fisik_pct"]) == [20.0, 35.0]
    assert list(history["spent_idr"]) == [90_000_000.0, 90_000_000.0]
    curve = kurva_s(works, history, today=date(2026, 5, 1)).set_index("date")
    assert curve.loc[curve.index >= date(2026, 4, 1), "keuangan_pct"].dropna().eq(30.0).all()
