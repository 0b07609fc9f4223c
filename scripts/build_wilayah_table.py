"""Build the Kemendagri code table shipped with petakampung (``geo/data/wilayah_kemendagri.csv.gz``).

Reads the wilayah-boundaries GeoParquet files (cahyadsn/wilayah_boundaries, MIT; see
``geo/data/wilayah_SOURCE.md``) and keeps only codes and official names, no polygons:
every provinsi, kabupaten/kota, kecamatan and desa/kelurahan, one row each, sorted by code.

    python scripts/build_wilayah_table.py [--real ../shared/data/real/wilayah-boundaries]

The output is deterministic (same input, same bytes), so a rebuild that changes nothing shows
no diff.
"""

from __future__ import annotations

import argparse
import gzip
import io
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REAL = ROOT.parent / "shared" / "data" / "real" / "wilayah-boundaries"
OUTPUT = ROOT / "geo" / "data" / "wilayah_kemendagri.csv.gz"
FILES = (
    "indonesia_provinsi.parquet",
    "indonesia_kabupaten_kota.parquet",
    "indonesia_kecamatan.parquet",
    "indonesia_desa_kelurahan_part1_prov11-51.parquet",
    "indonesia_desa_kelurahan_part2_prov52-96.parquet",
)


def build(folder: Path) -> pd.DataFrame:
    parts = [pq.read_table(folder / name, columns=["kode", "nama"]).to_pandas() for name in FILES]
    table = pd.concat(parts, ignore_index=True)
    table["kode"] = table["kode"].astype(str).str.strip()
    table["nama"] = table["nama"].astype(str).str.strip()
    if table["kode"].duplicated().any():
        raise SystemExit(f"duplicate codes: {sorted(table.loc[table['kode'].duplicated(), 'kode'])[:5]}")
    return table.sort_values("kode").reset_index(drop=True)


def write(table: pd.DataFrame, path: Path) -> None:
    text = io.StringIO()
    table.to_csv(text, index=False, lineterminator="\n")
    # mtime=0: the same table gives the same bytes
    path.write_bytes(gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL, help="the wilayah-boundaries folder")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    table = build(args.real)
    write(table, args.output)
    levels = table["kode"].str.count(r"\.").value_counts().sort_index()
    print(f"{args.output}: {len(table)} codes (provinsi, kab/kota, kecamatan, desa/kel: {levels.tolist()})")


if __name__ == "__main__":
    main()
