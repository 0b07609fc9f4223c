"""The bundled demo data: regenerated identically, and true to the seed story."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from geo.demo import DEFAULT_DATA_DIR, demo_files
from geo.queries import load_kelurahan
from geo.store import open_store
from tests.conftest import JATIRANGGA, KALIAWI, ROOT, real_data


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_demo_data.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for _, committed in demo_files(DEFAULT_DATA_DIR):
        fresh = tmp_path / committed.relative_to(DEFAULT_DATA_DIR)
        assert fresh.read_bytes() == committed.read_bytes(), committed.name


def test_loading_the_demo_twice_changes_nothing(demo_store) -> None:
    from geo.demo import load_demo
    from tests.conftest import HASH_KEY

    before = demo_store.checksum()
    assert load_demo(demo_store, hash_key=HASH_KEY) == "+0 / ~0"
    assert demo_store.checksum() == before


@pytest.mark.parametrize(("code", "hectares", "units", "kk"), [(KALIAWI, 43.8, 2, 1500), (JATIRANGGA, 454.7, 16, 3600)])
def test_demo_places_have_the_right_size(demo_source, code: str, hectares: float, units: int, kk: int) -> None:
    store = open_store(demo_source)
    data = load_kelurahan(store, code)
    metric = data.kelurahan.estimate_utm_crs()
    assert data.kelurahan.to_crs(metric).area.iloc[0] / 10_000 == pytest.approx(hectares, rel=0.002)
    assert len(data.rw) == units
    assert len(store.read("households", kelurahan_code=code)) == kk
    rt_area = data.rt.to_crs(metric).area
    assert rt_area.sum() / 10_000 == pytest.approx(hectares, rel=0.002)  # RTs tile the kelurahan
    assert rt_area.std() / rt_area.mean() > 0.1  # irregular, not a grid of equal cells


def test_kaliawi_uses_lingkungan() -> None:
    frame = gpd.read_file(DEFAULT_DATA_DIR / "boundaries" / "kaliawi_persada.geojson")
    assert set(frame.loc[frame["level"] == "kelurahan", "unit_type"]) == {"Lingkungan"}


def test_seed_story_works(demo_source) -> None:
    """BPM 2019: Rp 1.5 billion for RT 3 and RT 5 Lingkungan 1, RT 2 and RT 3 Lingkungan 2."""
    works = load_kelurahan(open_store(demo_source), KALIAWI).works
    bpm = works[(works["funding"] == "BPM") & (works["year"] == 2019)]
    assert bpm["budget_idr"].sum() == 1_500_000_000
    assert set(zip(bpm["unit_number"], bpm["rt_number"], strict=True)) == {(1, 3), (1, 5), (2, 2), (2, 3)}
    assert set(bpm["work_type"]) == {"jalan_rabat_beton", "drainase", "sumur_bor"}
    assert set(works["status"]) == {"selesai", "berjalan", "rencana"}


def test_kwt_gardens_on_yards_roadsides_and_drains(demo_source) -> None:
    gardens = open_store(demo_source).read("gardens", kelurahan_code=KALIAWI)
    assert set(gardens["kwt_name"]) == {"KWT Sukawangi Sejahtera"}
    assert set(gardens["site_type"]) == {"pekarangan", "pinggir_jalan", "atas_drainase"}
    assert gardens["revenue_idr_month"].sum() == 1_200_000


@pytest.mark.realdata
@pytest.mark.parametrize("code", [KALIAWI, JATIRANGGA])
def test_demo_outline_sits_on_the_real_kelurahan(demo_source, code: str) -> None:
    real = gpd.read_file(real_data("wilayah-boundaries", "kelurahan_target_4.geojson"))
    real = real[real["kode"] == code].to_crs(32748)
    ours = load_kelurahan(open_store(demo_source), code).kelurahan.to_crs(32748)
    assert real.area.iloc[0] == pytest.approx(ours.area.iloc[0], rel=0.01)
    assert real.centroid.iloc[0].distance(ours.centroid.iloc[0]) < 300
    assert ours.geometry.iloc[0].intersection(real.geometry.iloc[0]).area / ours.area.iloc[0] > 0.5


def test_kranggan_flagship_products_follow_the_story(demo_source) -> None:
    """DOMAIN.md section 6: six flagship products, each in its own RW (not two values cycling),
    bank sampah proposed by RW 01, otomotif running, kuliner and perikanan being formed,
    peternakan being prepared, konveksi proposed."""
    import re

    facilities = open_store(demo_source).read("facilities", kelurahan_code=JATIRANGGA)
    balai = facilities[facilities["name"].str.contains("produk unggulan")]
    found = {
        int(m["rw"]): (m["product"], m["status"])
        for m in (
            re.search(r"Balai RW (?P<rw>\d+) \(produk unggulan: (?P<product>[^;]+); (?P<status>.+)\)", n)
            for n in balai["name"]
        )
    }
    products = [p for p, _ in found.values()]
    assert sorted(products) == sorted(["otomotif", "kuliner", "perikanan", "peternakan", "bank sampah", "konveksi"])
    assert found[1] == ("bank sampah", "diusulkan, belum dibahas")
    status = dict(found.values())
    assert status["otomotif"] == "berjalan"
    assert status["kuliner"] == status["perikanan"] == "sedang dibentuk"
    assert status["peternakan"] == "sedang disiapkan"
    assert status["konveksi"] == "diusulkan, belum dibahas"
    assert all(1 <= rw <= 16 for rw in found)


def test_jatirangga_poor_households_match_the_story(demo_source) -> None:
    households = open_store(demo_source).read("households", kelurahan_code=JATIRANGGA)
    assert len(households) == 3600
    assert int((households["decile"] <= 4).sum()) == 910
