#!/usr/bin/env python3
"""Write the corpus of bad input files in tests/data/bad/ (deterministic; re-run to refresh).

Each file is broken in one way a real file from a kelurahan office or a GIS desk is broken.
``tests/test_bad_files.py`` holds what each must be rejected with.  Coordinates sit in the demo
kelurahan Kaliawi Persada (18.71.06.1012) so that everything else about them is right.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely.geometry import LineString, Point, Polygon, box, mapping

OUT = Path(__file__).parent / "bad"
KEL = "18.71.06.1012"
LON, LAT = 105.2428, -5.4140


def geojson(name: str, features: list[tuple[object, dict]]) -> None:
    feats = [
        {"type": "Feature", "properties": props, "geometry": mapping(geom) if geom is not None else None}
        for geom, props in features
    ]
    (OUT / name).write_text(json.dumps({"type": "FeatureCollection", "features": feats}, indent=1) + "\n")


def csv(name: str, text: str, encoding: str = "utf-8") -> None:
    (OUT / name).write_bytes(text.encode(encoding))


def facility(**extra: object) -> dict:
    return {
        "facility_id": "F-BAD-1",
        "kelurahan_code": KEL,
        "name": "Posyandu Uji",
        "category": "posyandu",
        "programme": "Kampung KB",
        **extra,
    }


def work(**extra: object) -> dict:
    return {
        "work_id": "W-BAD-1",
        "kelurahan_code": KEL,
        "rt": "RT 01 LK I",
        "work_type": "jalan_rabat_beton",
        "criterion_id": "2b",
        "volume": 120.0,
        "year": 2025,
        "funding": "APBD",
        "budget_idr": 150000000,
        "ksm": "KSM Uji",
        "planned_start": "2025-03-01",
        "planned_end": "2025-06-30",
        "status": "berjalan",
        "progress_fisik": 40,
        "progress_keuangan": 30,
        **extra,
    }


HH_HEADER = "no_kk,kelurahan_code,rt,desil,lantai,jamban,lat,lon\n"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    sq = box(LON - 0.0004, LAT - 0.0004, LON + 0.0004, LAT + 0.0004)
    bowtie = Polygon([(LON, LAT), (LON + 0.001, LAT + 0.001), (LON + 0.001, LAT), (LON, LAT + 0.001), (LON, LAT)])
    geojson("self_intersecting_rt.geojson", [(bowtie, {"level": "rt", "kelurahan_code": KEL, "rw": "LK I", "rt": "9"})])
    hole_outside = Polygon(
        sq.exterior.coords, [box(LON + 0.002, LAT + 0.002, LON + 0.0025, LAT + 0.0025).exterior.coords]
    )
    geojson(
        "hole_outside_shell_rt.geojson",
        [(hole_outside, {"level": "rt", "kelurahan_code": KEL, "rw": "LK I", "rt": "9"})],
    )
    geojson("wrong_geometry_type_facility.geojson", [(sq, facility())])
    geojson("outside_indonesia_facility.geojson", [(Point(4.89, 52.37), facility())])
    geojson("bad_kelurahan_code_facility.geojson", [(Point(LON, LAT), facility(kelurahan_code="18.71.6.1012"))])
    geojson(
        "duplicate_rt.geojson",
        [
            (
                box(LON, LAT, LON + 0.0003, LAT + 0.0003),
                {"level": "rt", "kelurahan_code": KEL, "rw": "LK I", "rt": "RT 20"},
            ),
            (
                box(LON + 0.0003, LAT, LON + 0.0006, LAT + 0.0003),
                {"level": "rt", "kelurahan_code": KEL, "rw": "LK I", "rt": "RT 20"},
            ),
        ],
    )
    geojson(
        "rt_outside_kelurahan.geojson",
        [
            (
                box(LON + 0.05, LAT, LON + 0.0505, LAT + 0.0005),
                {"level": "rt", "kelurahan_code": KEL, "rw": "LK I", "rt": "RT 21"},
            )
        ],
    )
    geojson("negative_budget_work.geojson", [(LineString([(LON, LAT), (LON + 0.001, LAT)]), work(budget_idr=-5000000))])
    geojson(
        "end_before_start_work.geojson",
        [(LineString([(LON, LAT), (LON + 0.001, LAT)]), work(planned_start="2025-06-30", planned_end="2025-03-01"))],
    )
    geojson(
        "criterion_mismatch_work.geojson", [(LineString([(LON, LAT), (LON + 0.001, LAT)]), work(criterion_id="3a"))]
    )
    geojson("point_road_work.geojson", [(Point(LON, LAT), work())])
    csv("swapped_latlon_households.csv", HH_HEADER + f"1871060000009001,{KEL},RT 01 LK I,3,semen,sendiri,{LON},{LAT}\n")
    csv("unknown_rt_households.csv", HH_HEADER + f"1871060000009002,{KEL},RT 99 LK IX,3,semen,sendiri,,\n")
    csv("unparseable_label_households.csv", HH_HEADER + f"1871060000009003,{KEL},Blok C gang mawar,3,semen,sendiri,,\n")
    csv(
        "decile_out_of_range_households.csv",
        HH_HEADER
        + f"1871060000009004,{KEL},RT 01 LK I,0,semen,sendiri,,\n"
        + f"1871060000009005,{KEL},RT 01 LK I,11,semen,sendiri,,\n",
    )
    csv("text_in_number_households.csv", HH_HEADER + f"1871060000009006,{KEL},RT 01 LK I,tiga,semen,sendiri,,\n")
    csv(
        "text_in_coordinate_households.csv",
        HH_HEADER + f"1871060000009007,{KEL},RT 01 LK I,3,semen,sendiri,lima,{LON}\n",
    )
    csv("unknown_kelurahan_households.csv", HH_HEADER + "1871060000009008,18.71.06.1099,RT 01 LK I,3,semen,sendiri,,\n")
    csv("no_key_households.csv", "kelurahan_code,rt,desil\n" + f"{KEL},RT 01 LK I,3\n")
    csv("missing_decile_households.csv", "no_kk,kelurahan_code,rt\n" + f"1871060000009009,{KEL},RT 01 LK I\n")
    csv("unknown_choice_households.csv", HH_HEADER + f"1871060000009010,{KEL},RT 01 LK I,3,marmer emas,sendiri,,\n")
    csv(
        "non_utf8_households.csv",
        HH_HEADER
        + f"1871060000009011,{KEL},RT 01 LK I,3,semen,sendiri,,\n"
        + f"1871060000009012,{KEL},RT 02 LK I,4,semen,milik sendiri ½ bagian,,\n",
        encoding="cp1252",
    )
    csv(
        "text_in_budget_works.csv",
        "work_id,kelurahan_code,rt,work_type,criterion_id,volume,year,funding,budget_idr,status,lat,lon\n"
        f"W-BAD-2,{KEL},RT 01 LK I,sumur_bor,3a,40,2025,APBD,satu juta,rencana,{LAT},{LON}\n",
    )
    csv("unknown_work_progress.csv", "work_id,tanggal,fisik,keuangan\nTIDAK-ADA-01,2025-05-01,20,10\n")
    csv("header_only_households.csv", HH_HEADER)
    crits = ["1a", "1b", "1c", "2a", "2b", "3a", "3b", "4a", "4b", "4c", "5a", "5b", "6a", "6b", "7a", "7b"]
    csv(
        "negative_profile_kumuh.csv",
        "kode_kelurahan,rt,tahun,luas_verifikasi_ha,jumlah_bangunan,jumlah_penduduk,jumlah_kk,"
        "panjang_jalan_ideal_m,panjang_drainase_ideal_m," + ",".join(crits) + "\n"
        f"{KEL},RT 01 LK I,2025,3.5,100,400,-120,400,600," + ",".join(["1"] * 16) + "\n",
    )
    (OUT / "empty.csv").write_bytes(b"")
    (OUT / "not_a_geopackage.gpkg").write_bytes(b"this is a spreadsheet someone renamed\n" * 20)
    _shapefile_zips()


def _shapefile_zips() -> None:
    frame = gpd.GeoDataFrame(facility(), index=[0], geometry=[Point(LON, LAT)], crs=4326)
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "fasilitas.shp"
        pyogrio.write_dataframe(frame, shp)
        parts = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir())}
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zi = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            zf.writestr(zi, data, compress_type=zipfile.ZIP_DEFLATED)
    (OUT / "truncated_shapefile.zip").write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    no_prj = io.BytesIO()
    with zipfile.ZipFile(no_prj, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            if not name.endswith(".prj"):
                zf.writestr(
                    zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED
                )
    (OUT / "no_crs_shapefile.zip").write_bytes(no_prj.getvalue())
    slip = io.BytesIO()
    with zipfile.ZipFile(slip, "w") as zf:
        zf.writestr(zipfile.ZipInfo("../../etc/evil.shp", date_time=(2025, 1, 1, 0, 0, 0)), parts["fasilitas.shp"])
    (OUT / "path_traversal.zip").write_bytes(slip.getvalue())


if __name__ == "__main__":
    main()
    print(f"bad files written to {OUT}")
