"""Reading input files: GeoPackage, GeoJSON, zipped Shapefile, KML, CSV and XLSX.

Everything that reads a user's file lives here.  A file that cannot be read at all raises
:class:`SourceError` with a message code; row-level problems are left to the layers.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import time
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo.errors import SourceError

MAX_BYTES = 512 * 1024 * 1024
SPATIAL_SUFFIXES = {
    ".gpkg": "GeoPackage",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".zip": "Shapefile (ZIP)",
    ".kml": "KML",
    ".shp": "Shapefile",
}
TABULAR_SUFFIXES = {".csv": "CSV", ".txt": "CSV", ".xlsx": "XLSX"}


@dataclass
class SourceTable:
    """One table read from a file.  ``rows`` holds the number a user finds each record by."""

    name: str
    frame: pd.DataFrame  # a GeoDataFrame for spatial formats
    rows: list  # int, or 'layer #n' when a file has several layers
    spatial: bool


@dataclass
class Source:
    path: Path
    kind: str
    tables: list[SourceTable]
    sha256: str


def read_source(path: str | Path, *, encoding: str | None = None, crs: str | None = None) -> Source:
    """Read every table of ``path``.  ``crs`` declares the CRS of a file that has none (or of
    x/y columns in a CSV); ``encoding`` reads a CSV that is not UTF-8."""
    from geo.store import sha256_of

    path = Path(path)
    if not path.is_file():
        raise SourceError("source.missing", path=str(path))
    size = path.stat().st_size
    if size == 0:
        raise SourceError("source.empty")
    if size > MAX_BYTES:
        raise SourceError("source.too_large", size=size // 2**20, limit=MAX_BYTES // 2**20)
    suffix = path.suffix.lower()
    data = path.read_bytes()
    declared = _parse_crs(crs) if crs else None
    if suffix in TABULAR_SUFFIXES:
        tables = [_read_tabular(path, data, suffix, encoding)]
        kind = TABULAR_SUFFIXES[suffix]
    elif suffix in SPATIAL_SUFFIXES:
        kind = SPATIAL_SUFFIXES[suffix]
        if suffix == ".gpkg":
            check_gpkg_budget(path)
        target = _zip_target(path, data) if suffix == ".zip" else str(path)
        tables = _read_spatial(target, kind, declared)
    else:
        raise SourceError("source.format", suffix=suffix or path.name)
    if not any(len(t.frame) for t in tables):
        raise SourceError("source.no_rows")
    if len(tables) > 1:  # several layers: a row is found by layer name and feature number
        for table in tables:
            table.rows = [f"{table.name} #{n}" for n in range(1, len(table.frame) + 1)]
    return Source(path=path, kind=kind, tables=tables, sha256=sha256_of(data))


def _parse_crs(text: str) -> CRS:
    try:
        return CRS.from_user_input(text)
    except CRSError as exc:
        raise SourceError("source.bad_crs", crs=text) from exc


def _zip_target(path: Path, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            for name in names:
                p = PurePosixPath(name)
                if p.is_absolute() or ".." in p.parts or "\\" in name:
                    raise SourceError("source.zip_unsafe", name=name)
            check_zip_budget(zf)
            shps = [n for n in names if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
            if not shps:
                raise SourceError("source.zip_no_shp")
            _check_crc(zf, [n for n in names if n.rsplit(".", 1)[0] == shps[0].rsplit(".", 1)[0]])
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise SourceError("source.zip_broken") from exc
    return f"/vsizip/{path.resolve()}/{shps[0]}"


# --- budgets for hostile files: zip bombs and GeoPackages that never finish reading -------------
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
MAX_ZIP_RATIO = 200  # deflate tops out near 1000:1; real shapefiles and spreadsheets stay far below
ZIP_RATIO_FROM_BYTES = 1024 * 1024  # small members may compress as well as they like
MAX_ZIP_MEMBERS = 1000
READ_BUDGET_S = 10.0


def check_zip_budget(zf: zipfile.ZipFile) -> None:
    """Refuse a ZIP (or XLSX) whose members would unpack too large, too many, or at a bomb's ratio,
    from the sizes in its directory: nothing is decompressed here."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise SourceError("source.zip_members", n=len(infos), limit=MAX_ZIP_MEMBERS)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise SourceError("source.zip_budget", size=total // 2**20, limit=MAX_UNZIPPED_BYTES // 2**20)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > ZIP_RATIO_FROM_BYTES and ratio > MAX_ZIP_RATIO:
            raise SourceError("source.zip_ratio", name=info.filename, ratio=round(ratio), limit=MAX_ZIP_RATIO)


def _check_crc(zf: zipfile.ZipFile, names: list[str]) -> None:
    """Decompress the members that will be read, checking their CRC: a truncated or altered
    archive is named as such.  zipfile stops at each member's declared size, checked above."""
    for name in names:
        with zf.open(name) as member:
            while member.read(1 << 20):
                pass


def check_gpkg_budget(path: Path, seconds: float = READ_BUDGET_S) -> None:
    """Count the rows of every table and view of a GeoPackage within ``seconds``: a view that
    never ends (``WITH RECURSIVE`` without a limit) is refused by name before GDAL runs it."""
    try:
        con = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # not SQLite at all: GDAL's own error says so
    deadline = time.monotonic() + seconds
    con.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    current = "sqlite_master"
    try:
        rows = con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
        for (name,) in rows:
            current = name
            quoted = '"' + str(name).replace('"', '""') + '"'
            con.execute(f"SELECT count(*) FROM {quoted}").fetchone()
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc).lower():
            raise SourceError("source.too_slow", layer=current, seconds=round(seconds)) from None
        # anything else (a function only GDAL knows, a damaged page): GDAL reports it when reading
    except sqlite3.DatabaseError:
        pass
    finally:
        con.close()


def _read_spatial(target: str, kind: str, declared: CRS | None) -> list[SourceTable]:
    try:
        layers = [name for name, _ in pyogrio.list_layers(target)]
    except Exception as exc:  # GDAL raises several error types for broken files
        raise SourceError("source.unreadable", kind=kind, detail=_short(exc, target)) from exc
    tables = []
    for layer in layers:
        try:
            with warnings.catch_warnings():  # GDAL's notes on odd columns are not the user's problem
                warnings.simplefilter("ignore")
                frame = pyogrio.read_dataframe(target, layer=layer)
        except Exception as exc:
            raise SourceError("source.unreadable", kind=kind, detail=_short(exc, target)) from exc
        if len(frame) == 0 and len(layers) > 1:
            continue
        if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name is None:
            rows = list(range(1, len(frame) + 1))
            tables.append(SourceTable(layer, pd.DataFrame(frame), rows, spatial=False))
            continue
        if frame.crs is None:
            if declared is None:
                raise SourceError("source.no_crs")
            frame = frame.set_crs(declared)
        frame = frame.to_crs(4326)
        _check_duplicate_columns(list(frame.columns))
        frame = frame.reset_index(drop=True)
        tables.append(SourceTable(layer, frame, list(range(1, len(frame) + 1)), spatial=True))
    return tables


def _short(exc: Exception, target: str = "") -> str:
    """The first line of a library error, without any file path (a server's paths are private)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if target:
        text = text.replace(target, Path(target).name)
    text = re.sub(r"(/vsizip/)?(/[^\s'\"]+/)+", "", text)
    return text.strip()[:120] or type(exc).__name__


def _check_duplicate_columns(columns: list[str]) -> None:
    seen = set()
    for col in columns:
        key = str(col).strip().lower()
        if key in seen:
            raise SourceError("source.duplicate_column", column=col)
        seen.add(key)


def _read_tabular(path: Path, data: bytes, suffix: str, encoding: str | None) -> SourceTable:
    if suffix == ".xlsx":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:  # an XLSX is a ZIP: the same bomb budget
                check_zip_budget(zf)
        except zipfile.BadZipFile as exc:
            raise SourceError("source.unreadable", kind="XLSX", detail=_short(exc)) from exc
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl")
        except Exception as exc:
            raise SourceError("source.unreadable", kind="XLSX", detail=_short(exc)) from exc
    else:
        text = _decode(data, encoding)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
            sep = dialect.delimiter
        except csv.Error:
            sep = ","
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise SourceError("source.unreadable", kind="CSV", detail=_short(exc)) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_duplicate_columns(list(frame.columns))
    frame = frame.dropna(how="all").reset_index(drop=True)
    # spreadsheet row numbers: the header is row 1
    return SourceTable(path.stem, frame, list(range(2, len(frame) + 2)), spatial=False)


def _decode(data: bytes, encoding: str | None) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise SourceError("source.encoding", pos=getattr(exc, "start", 0)) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError("source.encoding", pos=exc.start) from exc
