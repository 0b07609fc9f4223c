"""Rumah DataKu and Kampung Tangguh: the road layer's import, the KB columns of households, and
the two public pages (aggregated, suppressed, printable)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo.demo import DEFAULT_DATA_DIR
from geo.errors import ValidationFailed
from geo.importer import import_file
from geo.store import Store
from tests.conftest import HASH_KEY, JATIRANGGA, KALIAWI, location_of
from web.app import create_app

K = 5


def _client(backend, store: Store, tmp_path: Path) -> TestClient:
    return TestClient(create_app(backend.settings(location_of(store), tmp_path, hash_key="x", suppression_k=K)))


def _kb_households(path: Path) -> Path:
    """20 KK in RT 1 Lingkungan 1, 3 in RT 2 (fewer than k), 10 in RT 3.

    RT 1: 12 PUS, 7 on KB (2 IUD and 1 implan: 3 MKJP, 4 suntik), 6 at risk of stunting, 8 in BKB.
    """
    rows = ["no_kk,kelurahan_code,rt,desil,pus,metode_kb,berisiko_stunting,poktan"]
    n = 0

    def add(rt: str, pus: str, method: str, risk: str, poktan: str) -> None:
        nonlocal n
        n += 1
        rows.append(f"99{n:014d},{KALIAWI},{rt},5,{pus},{method},{risk},{poktan}")

    methods = ["iud", "iud", "implan", "suntik", "suntik", "suntik", "suntik"]
    for i in range(20):
        pus = "ya" if i < 12 else "tidak"
        method = methods[i] if i < 7 else ("tidak ber-KB" if i < 12 else "")
        add("RT 1 Lingkungan 1", pus, method, "ya" if i % 3 == 0 else "tidak", "BKB" if i < 8 else "")
    for _ in range(3):
        add("RT 2 Lingkungan 1", "ya", "pil", "tidak", "")
    for i in range(10):
        add("RT 3 Lingkungan 1", "ya" if i < 6 else "tidak", "suntik" if i < 3 else "", "tidak", "")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def kb_store(empty_store: Store, tmp_path: Path) -> Store:
    boundaries = DEFAULT_DATA_DIR / "boundaries" / "kaliawi_persada.geojson"
    import_file(empty_store, "boundaries", boundaries, hash_key=HASH_KEY)
    import_file(empty_store, "households", _kb_households(tmp_path / "kk.csv"), hash_key=HASH_KEY)
    return empty_store


def _row(html: str, label: str) -> list[str]:
    row = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", html, re.S)
    assert row, label
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def test_rumah_dataku_aggregates_and_suppresses(backend, kb_store: Store, tmp_path: Path) -> None:
    html = _client(backend, kb_store, tmp_path).get(f"/kelurahan/{KALIAWI}/rumah-dataku").text
    # KK, PUS, KB, %KB, MKJP, %MKJP, stunting, %, poktan, %
    rt1 = _row(html, "RT 001 / LK 001")
    assert rt1[0] == "20"
    assert rt1[4:6] == ["*", "*"]  # 3 MKJP users: fewer than k
    # the rest of RT 1 is hidden by secondary suppression (RT 2 and RT 3 alone could be worked
    # out from RT 1 and a total) or published; a published count is never below k
    assert all(v == "*" or v.endswith("%") or int(v) >= K for v in rt1)
    assert set(_row(html, "RT 002 / LK 001")) == {"*"}  # 3 KK: the whole RT is hidden
    total = re.search(r'<tr id="dataku-total">(.*?)</tr>', html, re.S).group(1)
    assert set(re.findall(r'<td class="num">([^<]*)</td>', total)) == {"*"}  # parts are hidden
    assert "99000000000001" not in html


def test_family_counts_per_rt_before_suppression(kb_store: Store) -> None:
    from geo.rumah_dataku import family_counts

    rt = kb_store.read("rt", kelurahan_code=KALIAWI)
    table = family_counts(rt, kb_store.read("households", kelurahan_code=KALIAWI)).set_index("rt_number")
    one = table.loc[table["unit_number"] == 1]
    assert one.loc[1, ["kk_data", "kk_pus", "kk_kb", "kk_mkjp", "kk_stunting_risk", "kk_poktan"]].tolist() == [
        20,
        12,
        7,
        3,
        7,
        8,
    ]
    assert one.loc[1, "kb_share"] == pytest.approx(7 / 12, abs=1e-4)
    assert one.loc[1, "mkjp_share"] == pytest.approx(3 / 7, abs=1e-4)
    assert one.loc[2, ["kk_data", "kk_pus", "kk_kb", "kk_mkjp"]].tolist() == [3, 3, 3, 0]
    assert one.loc[3, ["kk_data", "kk_pus", "kk_kb"]].tolist() == [10, 6, 3]
    assert int(table["kk_data"].sum()) == 33


def test_kb_columns_absent_from_a_file_keep_stored_values(backend, kb_store: Store, tmp_path: Path) -> None:
    """A DTSEN re-import without the BKKBN columns does not wipe them."""
    path = tmp_path / "dtsen.csv"
    path.write_text(f"no_kk,kelurahan_code,rt,desil\n99{1:014d},{KALIAWI},RT 1 Lingkungan 1,3\n", encoding="utf-8")
    import_file(kb_store, "households", path, hash_key=HASH_KEY)
    html = _client(backend, kb_store, tmp_path).get(f"/kelurahan/{KALIAWI}/rumah-dataku").text
    assert _row(html, "RT 001 / LK 001")[0] == "20"
    from geo.rumah_dataku import family_counts

    table = family_counts(kb_store.read("rt", kelurahan_code=KALIAWI), kb_store.read("households"))
    assert table[["kk_pus", "kk_kb"]].sum().tolist() == [21, 13]


def test_bad_kb_values_name_row_and_field(kb_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "no_kk,kelurahan_code,rt,desil,pus,metode_kb,poktan\n"
        f"1,{KALIAWI},RT 1 Lingkungan 1,3,mungkin,iud,BKB\n"
        f"2,{KALIAWI},RT 1 Lingkungan 1,3,ya,jamu,BKB\n"
        f"3,{KALIAWI},RT 1 Lingkungan 1,3,ya,iud,BKB; arisan\n",
        encoding="utf-8",
    )
    before = kb_store.checksum()
    with pytest.raises(ValidationFailed) as caught:
        import_file(kb_store, "households", path, hash_key=HASH_KEY)
    problems = {(p.row, p.field) for p in caught.value.report.errors}
    assert {(2, "pus"), (3, "kb_method"), (4, "poktan")} <= problems
    assert "BKB, BKR, BKL, UPPKS, PIK-R" in caught.value.report.render("id")
    assert kb_store.checksum() == before


def test_roads_import_and_bad_rows(demo_store: Store, tmp_path: Path) -> None:
    roads = demo_store.read("roads")
    kaliawi = roads[roads["road_id"].str.startswith("J-1871061012-")]
    assert len(kaliawi) > 100
    assert set(kaliawi["kelurahan_code"].dropna()) == {KALIAWI}  # each road in the kelurahan it lies in
    assert kaliawi["kelurahan_code"].notna().mean() > 0.6  # the rest run along the outside of the border
    assert (roads["length_m"] > 0).all()
    bad = tmp_path / "roads.geojson"
    feats = [
        {"type": "Feature", "properties": {"osm_id": "w1", "highway": "residential"},
         "geometry": {"type": "Point", "coordinates": [105.243, -5.414]}},
        {"type": "Feature", "properties": {"osm_id": "w2", "highway": "footway"},
         "geometry": {"type": "LineString", "coordinates": [[105.243, -5.414], [105.244, -5.414]]}},
        {"type": "Feature", "properties": {"osm_id": "w2", "highway": "footway"},
         "geometry": {"type": "LineString", "coordinates": [[105.243, -5.415], [105.244, -5.415]]}},
    ]  # fmt: skip
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    before = demo_store.checksum()
    with pytest.raises(ValidationFailed) as caught:
        import_file(demo_store, "roads", bad, hash_key=HASH_KEY)
    problems = {(p.row, p.field) for p in caught.value.report.errors}
    assert {(1, "geometry"), (3, "road_id")} <= problems
    assert demo_store.checksum() == before


def test_service_area_page_modes_and_bounds(backend, demo_store: Store, tmp_path: Path) -> None:
    client = _client(backend, demo_store, tmp_path)
    kaliawi = client.get(f"/kelurahan/{KALIAWI}/layanan").text
    assert "menyusuri jaringan jalan" in kaliawi  # Kaliawi has the demo road layer
    jatirangga = client.get(f"/kelurahan/{JATIRANGGA}/layanan").text
    assert "garis lurus" in jatirangga  # no roads: straight lines
    assert kaliawi.count('class="rt"') == len(demo_store.read("rt", kelurahan_code=KALIAWI))
    for query in ("jarak=99", "jarak=2001", "jarak=abc", "layanan=" + "x" * 50, "layanan=%3Cscript%3E"):
        r = client.get(f"/kelurahan/{KALIAWI}/layanan?{query}")
        assert r.status_code == 400, query
        assert "<script>" not in r.text
    assert client.get("/kelurahan/99.99.99.9999/layanan").status_code == 404
    assert client.get("/kelurahan/99.99.99.9999/rumah-dataku").status_code == 404
    # a longer walk reaches at least as much ground in every RT
    area = re.compile(r"· (\d+,\d) %</td>")  # the ground share: no household data, never hidden
    near = [float(v.replace(",", ".")) for v in area.findall(kaliawi)]
    wider = client.get(f"/kelurahan/{KALIAWI}/layanan?jarak=1500").text
    far = [float(v.replace(",", ".")) for v in area.findall(wider)]
    assert len(near) == len(far) == 5 * len(demo_store.read("rt", kelurahan_code=KALIAWI))
    assert all(f >= n for n, f in zip(near, far, strict=True))
    assert sum(far) > sum(near)


def test_service_area_builds_share_a_bounded_number_of_slots(backend, demo_store: Store, tmp_path: Path) -> None:
    """With every ``service_area`` slot taken, a walking distance not yet computed is refused with
    503 and Retry-After; one already computed is still answered from the cache."""
    client = _client(backend, demo_store, tmp_path)
    assert client.get(f"/kelurahan/{KALIAWI}/layanan").status_code == 200  # 500 m, now cached
    gate = client.app.state.gates["service_area"]
    with gate.admit(), gate.admit():
        busy = client.get(f"/kelurahan/{KALIAWI}/layanan?jarak=750")
        assert busy.status_code == 503
        assert busy.headers.get("retry-after")
        assert client.get(f"/kelurahan/{KALIAWI}/layanan").status_code == 200
    assert client.get(f"/kelurahan/{KALIAWI}/layanan?jarak=750").status_code == 200
