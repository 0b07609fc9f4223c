"""Service areas on the real OpenStreetMap roads of Jakarta (../shared/data/real/inasafe-jakarta).

The 18,574 road lines are imported as a user imports them (``petakampung import roads FILE
--layer roads_jakarta``); Kelurahan Tanah Tinggi (Johar Baru) is cut into its 13 real RW
polygons, with synthetic households and posyandu inside (no real household data exists there).
Along the roads nobody is nearer than in a straight line, so the network share within 500 m can
never exceed the straight-line share, RW by RW; and in a real street grid some are farther.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.importer import ImportOptions, import_file
from geo.kampung_tangguh import SERVICES, service_areas
from geo.store import Store
from tests.conftest import HASH_KEY, real_data

pytestmark = pytest.mark.realdata
TANAH_TINGGI = "31.71.08.1004"


def _units() -> gpd.GeoDataFrame:
    rw = pyogrio.read_dataframe(real_data("inasafe-jakarta", "jakarta_admin_rw_kelurahan.gpkg"), layer="rw_jakarta")
    rw = rw[(rw["KEL_NAME"] == "TANAH TINGGI") & (rw["KEC_NAME"] == "JOHAR BARU")].reset_index(drop=True)
    number = rw["RW"].str.extract(r"(\d+)")[0].astype(int)
    return gpd.GeoDataFrame(
        {
            "kelurahan_code": TANAH_TINGGI,
            "unit_type": "RW",
            "unit_number": number,
            "rt_number": 1,  # each RW polygon stands for one unit here
            "rt_label": "RW " + number.astype(str).str.zfill(2),
        },
        geometry=shapely.make_valid(rw.geometry.to_numpy()),
        crs=4326,
    )


def _points_in(units: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> tuple[list, list]:
    metric = units.estimate_utm_crs()
    points, owners = [], []
    for i, poly in enumerate(units.to_crs(metric).geometry):
        x0, y0, x1, y1 = poly.bounds
        got: list = []
        while len(got) < n:
            cand = shapely.points(rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n))
            got += list(cand[shapely.contains(poly, cand)])
        points += got[:n]
        owners += [i] * n
    return gpd.GeoSeries(points, crs=metric).to_crs(4326).tolist(), owners


@pytest.fixture(scope="module")
def jakarta_roads(tmp_path_factory) -> Store:
    from geo.store import open_store

    store = open_store(tmp_path_factory.mktemp("roads") / "jakarta.gpkg")
    path = real_data("inasafe-jakarta", "jakarta_osm_roads_buildings.gpkg")
    result = import_file(store, "roads", path, hash_key=HASH_KEY, options=ImportOptions(layers=("roads_jakarta",)))
    assert result.total.inserted == 18_573  # one way is in the file twice: kept once, with a warning
    assert any(p.code == "roads.repeated" for p in result.report.warnings)
    return store


def test_network_share_never_above_straight_line_share(jakarta_roads: Store) -> None:
    units = _units()
    assert len(units) == 13
    rng = np.random.default_rng(31710804)
    homes, owners = _points_in(units, 80, rng)
    hh = gpd.GeoDataFrame(
        {
            "kk_key": [f"k{i}" for i in range(len(homes))],
            "kelurahan_code": TANAH_TINGGI,
            "unit_type": "RW",
            "unit_number": units["unit_number"].to_numpy()[owners],
            "rt_number": 1,
        },
        geometry=homes,
        crs=4326,
    )
    posts, _ = _points_in(units.iloc[[0, 6]], 1, rng)  # two posyandu, two pos ronda, one PAUD
    more, _ = _points_in(units.iloc[[3, 9, 12]], 1, rng)
    fac = gpd.GeoDataFrame(
        {"category": ["posyandu", "posyandu", "pos_ronda", "pos_ronda", "paud"]}, geometry=posts + more, crs=4326
    )
    x0, y0, x1, y1 = units.total_bounds
    roads = jakarta_roads.read("roads", bbox=(x0 - 0.01, y0 - 0.01, x1 + 0.01, y1 + 0.01))
    assert len(roads) > 200
    along = service_areas(units, hh, fac, roads, distance_m=500)
    straight = service_areas(units, hh, fac, None, distance_m=500)
    assert (along.mode, straight.mode) == ("network", "straight")
    assert along.table["kk_located"].sum() == 13 * 80
    for service in ("posyandu", "pos_ronda", "pendidikan"):
        net = along.table[f"kk_reach_{service}"].astype(int)
        line = straight.table[f"kk_reach_{service}"].astype(int)
        assert (net <= line).all(), service
        assert net.sum() < line.sum(), service  # real streets make some walks longer than 500 m
        assert line.sum() > 0
        assert (along.table[f"area_{service}"] <= straight.table[f"area_{service}"] + 1e-9).all()
    assert (along.table["kk_reach_puskesmas"] == 0).all()  # none placed
    assert set(SERVICES) <= {c.removeprefix("share_") for c in along.table if c.startswith("share_")}
    summary = pd.DataFrame(
        {s: [along.table[f"kk_reach_{s}"].sum(), straight.table[f"kk_reach_{s}"].sum()] for s in SERVICES},
        index=["network", "straight"],
    )
    print(summary)
