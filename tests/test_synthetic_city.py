"""The benchmark's synthetic city: deterministic, nested, and importable as it is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from geopandas.testing import assert_geodataframe_equal

from bench.synthetic_city import counts, extra_kelurahan, generate, write_import_files
from geo.store import open_store
from tests.conftest import run

SCALE = 0.005  # 50 RT, 5,000 households


@pytest.fixture(scope="module")
def city():
    return generate(SCALE, seed=7)


def test_same_seed_same_city(city) -> None:
    again = generate(SCALE, seed=7)
    for name, frame in city.frames().items():
        assert_geodataframe_equal(frame, again.frames()[name])


def test_rt_nest_in_rw_nest_in_kelurahan_without_overlap(city) -> None:
    n = counts(SCALE)
    assert len(city.rt) == n["rt"]
    assert len(city.households) == n["households"]
    assert city.rt.is_valid.all()
    rw = city.rw.set_index(["kelurahan_code", "unit_number"]).geometry
    kel = city.kelurahan.set_index("kelurahan_code").geometry
    for rec in city.rt.itertuples():
        assert rw[(rec.kelurahan_code, rec.unit_number)].buffer(0.01).contains(rec.geometry)
        assert kel[rec.kelurahan_code].buffer(0.01).contains(rec.geometry)
    overlap = city.rt.geometry.union_all().area
    assert overlap == pytest.approx(city.rt.area.sum(), rel=1e-9)
    assert city.kelurahan["kelurahan_code"].str.fullmatch(r"32\.75\.\d{2}\.11\d{2}").all()


def test_households_look_like_the_layer(city) -> None:
    hh = city.households
    located = hh.geometry.notna().mean()
    assert 0.8 < located < 0.9
    assert set(hh["decile"]) == set(range(1, 11))
    assert hh["kk_key"].is_unique


def test_tiny_city_imports_cleanly_into_an_empty_store(city, new_location, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PETAKAMPUNG_HASH_KEY", "synthetic-city-test")
    store_path = new_location("city")
    paths = write_import_files(city, tmp_path / "files")
    for layer in ("boundaries", "households", "infrastructure", "gardens", "facilities"):
        code, out, err = run(["--store", str(store_path), "import", layer, str(paths[layer])], capsys)
        assert code == 0, f"{layer}: {out}\n{err}"
    store = open_store(store_path)
    for table, frame in (
        ("kelurahan", city.kelurahan),
        ("rw", city.rw),
        ("rt", city.rt),
        ("households", city.households),
        ("works", city.works),
        ("gardens", city.gardens),
        ("facilities", city.facilities),
    ):
        assert len(store.read(table)) == len(frame), table


def test_extra_kelurahan_lies_beside_the_city_with_new_households(city, tmp_path: Path, capsys, monkeypatch) -> None:
    """The bench's "one more kelurahan" imports into the city store as new rows only."""
    monkeypatch.setenv("PETAKAMPUNG_HASH_KEY", "synthetic-city-test")
    extra = extra_kelurahan(city, "32.75.01.1199")
    assert set(extra.rt["kelurahan_code"]) == {"32.75.01.1199"}
    assert not extra.kelurahan.geometry.iloc[0].intersects(city.kelurahan.geometry.union_all())
    assert not set(extra.households["kk_key"]) & set(city.households["kk_key"])
    store_path = tmp_path / "city.gpkg"
    paths = write_import_files(city, tmp_path / "city", ("boundaries", "households"))
    more = write_import_files(extra, tmp_path / "extra", ("boundaries", "households"))
    assert set(more) == {"boundaries", "households"}
    for files in (paths, more):
        for layer in ("boundaries", "households"):
            code, out, err = run(["--store", str(store_path), "import", layer, str(files[layer])], capsys)
            assert code == 0, f"{layer}: {out}\n{err}"
    store = open_store(store_path)
    assert len(store.read("households", geometry=False)) == len(city.households) + len(extra.households)
    assert len(store.read("rt", kelurahan="32.75.01.1199")) == len(extra.rt)
