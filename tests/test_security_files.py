"""Issue 8, item 14: hostile import files are refused with a clear message, within a budget.

A GeoPackage whose view never ends (``WITH RECURSIVE`` without a limit) made ``import`` and
``validate`` run forever; a small ZIP that unpacks to hundreds of megabytes cost minutes.  Both
are now refused by name; the command runs in a subprocess with a generous timeout so that the
old behaviour fails the test instead of hanging the suite."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

HANG_GUARD_S = 240  # far above the 10 s read budget: only a run that never ends reaches it


def validate(layer: str, path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "petakampung"
    return subprocess.run(
        [str(exe), "--store", str(tmp_path / "kosong.gpkg"), "validate", layer, str(path)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=False,
    )


def test_a_geopackage_with_a_recursive_view_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fasilitas.gpkg"
    frame = gpd.GeoDataFrame(
        {"facility_id": ["F1"], "kelurahan_code": ["18.71.06.1012"], "category": ["posyandu"], "name": ["Posyandu"]},
        geometry=[Point(105.24, -5.41)],
        crs=4326,
    )
    frame.to_file(path, layer="facilities", driver="GPKG")
    con = sqlite3.connect(path)
    con.execute(
        "CREATE VIEW tanpa_akhir AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
        "SELECT n AS fid, n AS nomor FROM c"
    )
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('tanpa_akhir', 'attributes', 'x')"
    )
    con.commit()
    con.close()
    done = validate("facilities", path, tmp_path)
    assert done.returncode == 1
    assert "tanpa_akhir" in done.stderr
    assert "view berulang" in done.stderr


def _bomb_zip(path: Path, inner: list[str], megabytes: int) -> None:
    zeros = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in inner:
            with zf.open(name, "w", force_zip64=True) as member:
                for _ in range(megabytes):
                    member.write(zeros)


@pytest.mark.parametrize(
    ("name", "inner"),
    [("bom.zip", ["bom.shp", "bom.shx", "bom.dbf"]), ("bom.xlsx", ["xl/sharedStrings.xml"])],
)
def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path, name: str, inner: list[str]) -> None:
    path = tmp_path / name
    _bomb_zip(path, inner, megabytes=300)
    assert path.stat().st_size < 5 * 1024 * 1024
    done = validate("facilities", path, tmp_path)
    assert done.returncode == 1
    assert "bom ZIP" in done.stderr
    assert inner[0] in done.stderr


def test_a_zip_with_too_many_members_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "banyak.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(1001):
            zf.writestr(f"f{i}.txt", "x")
        zf.writestr("data.shp", "x")
    done = validate("facilities", path, tmp_path)
    assert done.returncode == 1
    assert "1002 berkas" in done.stderr
