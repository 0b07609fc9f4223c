"""Import and validate: a file becomes rows of a layer's tables, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from geo.errors import PlaceError, SourceError, ValidationFailed
from geo.fields import find_column
from geo.gpkg import now_iso
from geo.layers import get_layer
from geo.layers.base import KELURAHAN_FIELD, ImportContext, PlaceIndex
from geo.places import normalize_kelurahan_code
from geo.schema import TableSpec
from geo.settings import HashKey
from geo.sources import Source, read_sources
from geo.store import IMPORT_LOG, Store, UpsertResult
from geo.validation import Problem, ValidationReport
from geo.wilayah import TABLE_VERSION

CODE_TABLE_VERSION = TABLE_VERSION
Progress = Callable[[str, int, int], None]
Paths = str | Path | Sequence[str | Path]

# output columns that come from a field of another name: absent field, absent columns
DERIVED_COLUMNS = {
    "rt": ("unit_number", "rt_number", "location", "location_type"),
    "criterion_id": ("volume_unit",),
    "total_score": ("published_total",),
    "level": ("published_level",),
    "kpp_group_id": ("kpp",),  # the KPP's name, from the groups layer
}


@dataclass(frozen=True)
class ImportOptions:
    """How a file is read and checked: its CRS and encoding when it does not say, which of its
    layers, only the places under a code (``within``, e.g. "33.75"), and the hierarchy tolerance."""

    crs: str | None = None
    encoding: str | None = None
    layers: tuple[str, ...] = ()
    within: str | None = None
    tolerance_m: float = 3.0
    year: int | None = None
    skip_errors: bool = False  # leave out the rows with errors (listed as warnings) and import the rest


@dataclass
class ImportResult:
    report: ValidationReport
    counts: dict[str, UpsertResult] = field(default_factory=dict)

    @property
    def total(self) -> UpsertResult:
        total = UpsertResult()
        for c in self.counts.values():
            total += c
        return total


def _noop(stage: str, done: int, total: int) -> None:
    return None


def load_places(store: Store) -> PlaceIndex:
    """The places of the store, read kelurahan by kelurahan as an import asks about them."""
    return PlaceIndex.lazy(store)


def stored_places(store: Store, layer_name: str, source: Source) -> tuple[PlaceIndex, dict[str, pd.DataFrame]]:
    """What of the store an import of ``source`` needs to see, and no more.

    Boundaries see the stored kelurahan they name or overlap (for names and the nesting and
    overlap checks) with their RW and RT; every other layer looks places up lazily, and works
    see only the stored work ids.  So an import costs the same in a national store as in an
    empty one.
    """
    if layer_name == "boundaries":
        codes = _codes_in(source)
        kel = store.read("kelurahan", kelurahan=sorted(codes)) if codes else None
        box = _bounds_of(source)
        near = store.read("kelurahan", bbox=box) if box is not None else None
        parts = [f for f in (kel, near) if f is not None and len(f)]
        kel = (
            gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=4326).drop_duplicates("kelurahan_code")
            if parts
            else store.read("kelurahan", limit=0)
        )
        scope = sorted(kel["kelurahan_code"])
        rw, rt = store.read("rw", kelurahan=scope), store.read("rt", kelurahan=scope)
        return PlaceIndex.from_frames(kel, rw, rt), {"kelurahan": kel, "rw": rw, "rt": rt}
    existing = {}
    if layer_name == "infrastructure":
        existing["works"] = store.read("works", columns=["work_id"], geometry=False)
    for table, columns in get_layer(layer_name).reads.items():
        existing[table] = store.read(table, columns=list(columns), geometry=False)
    if layer_name == "roads":  # which stored kelurahan each road lies in
        box = _bounds_of(source)
        kel = store.read("kelurahan", bbox=box, columns=["kelurahan_code"]) if box is not None else None
        existing["kelurahan"] = kel if kel is not None else store.read("kelurahan", limit=0)
    return load_places(store), existing


def _codes_in(source: Source) -> set[str]:
    """The well-formed kelurahan codes a file names (rows given by name are found by place)."""
    codes: set[str] = set()
    for table in source.tables:
        column = find_column([str(c) for c in table.frame.columns], KELURAHAN_FIELD, table.frame)
        if column is None:
            continue
        for value in pd.unique(table.frame[column].dropna().astype(str)):
            try:
                codes.add(normalize_kelurahan_code(value))
            except PlaceError:
                continue
    return codes


def _bounds_of(source: Source) -> tuple[float, float, float, float] | None:
    """The extent of a file's geometries in EPSG:4326, a little wider (neighbours that touch it)."""
    boxes = []
    for table in source.tables:
        frame = table.frame
        if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None and len(frame):
            live = frame.geometry[frame.geometry.notna() & ~frame.geometry.is_empty]
            if len(live):
                boxes.append(live.to_crs(4326).total_bounds)
    if not boxes:
        return None
    b = np.array(boxes)
    pad = 0.001  # about 100 m
    return b[:, 0].min() - pad, b[:, 1].min() - pad, b[:, 2].max() + pad, b[:, 3].max() + pad


def _paths(path: Paths) -> list[Path]:
    if isinstance(path, str | Path):
        return [Path(path)]
    return [Path(p) for p in path]


def validate_file(
    store: Store,
    layer_name: str,
    path: Paths,
    *,
    hash_key: bytes | HashKey,
    crs: str | None = None,
    encoding: str | None = None,
    progress: Progress = _noop,
    options: ImportOptions | None = None,
    skip: frozenset = frozenset(),
) -> tuple[ValidationReport, dict]:
    """Every problem of ``path`` (one file or several read as one) as ``layer_name``, and the rows
    it would write.  Rows numbered in ``skip`` are left out (``--skip-errors``)."""
    options = options or ImportOptions(crs=crs, encoding=encoding)
    paths = _paths(path)
    layer = get_layer(layer_name)
    report = ValidationReport(layer=layer.name, source=", ".join(p.name for p in paths))
    size_kb = sum(p.stat().st_size // 1024 for p in paths if p.is_file())
    progress("stage.read", 0, size_kb)
    try:
        source = read_sources(paths, encoding=options.encoding, crs=options.crs, layers=options.layers)
    except SourceError as exc:
        report.add(exc.code, **exc.params)
        return report, {}
    progress("stage.read", size_kb, size_kb)
    within = _within(options.within)
    report.rows_read = sum(len(t.frame) for t in source.tables)
    if within:
        _keep_within(source, within, report)
    if skip:
        _leave_out(source, skip)
    rows = sum(len(t.frame) for t in source.tables)
    progress("stage.validate", 0, rows)
    places, existing = stored_places(store, layer.name, source)
    ctx = ImportContext(
        report=report,
        places=places,
        hash_key=hash_key.value if isinstance(hash_key, HashKey) else hash_key,
        crs=CRS.from_user_input(options.crs) if options.crs else None,
        existing=existing,
        progress=progress,
        tolerance_m=options.tolerance_m,
        within=within,
        year=options.year,
    )
    frames = layer.prepare(source, ctx)
    _report_dropped(source, ctx)
    specs = {s.name: s for s in layer.tables}
    frames = {name: _without_absent(frame, specs[name], ctx) for name, frame in frames.items()}
    progress("stage.validate", rows, rows)
    return report, {"frames": frames, "sha256": source.sha256, "layer": layer}


def _within(prefix: str | None) -> str | None:
    """'33.75', '3375' or '33.75.01' as a dotted code prefix; None for none."""
    if not prefix:
        return None
    digits = "".join(ch for ch in prefix if ch.isdigit())
    parts = [digits[0:2], digits[2:4], digits[4:6], digits[6:10]]
    return ".".join(p for p in parts if p)


def _keep_within(source: Source, within: str, report: ValidationReport) -> None:
    """Leave out rows whose kelurahan code is outside ``within`` before anything is checked."""
    digits = within.replace(".", "")
    left_out = 0
    for table in source.tables:
        column = find_column([str(c) for c in table.frame.columns], KELURAHAN_FIELD)
        if column is None:
            continue  # names only: the code table resolves them inside ``within``
        codes = table.frame[column].astype(str).str.replace(r"\D", "", regex=True)
        keep = codes.str.startswith(digits).to_numpy()
        left_out += int((~keep).sum())
        table.frame = table.frame[keep].reset_index(drop=True)
        table.rows = [r for r, k in zip(table.rows, keep, strict=True) if k]
    if left_out:
        report.add("import.within", severity="warning", n=left_out, within=within)


def _leave_out(source: Source, skip: frozenset) -> None:
    for table in source.tables:
        keep = [r not in skip for r in table.rows]
        if not all(keep):
            table.frame = table.frame[keep].reset_index(drop=True)
            table.rows = [r for r, k in zip(table.rows, keep, strict=True) if k]


MAX_SKIP_ROUNDS = 3


def _skipping_errors(validate: Callable[[frozenset], tuple[ValidationReport, dict]]) -> tuple[ValidationReport, dict]:
    """Validate, leave out every row with an error, validate again (a row left out can make
    another fail, e.g. an RT whose kelurahan was left out), at most a few rounds.  The rows left
    out are listed as warnings with what was wrong; an error without a row (a missing column)
    cannot be skipped."""
    skipped: list[Problem] = []
    skip: frozenset = frozenset()
    for _ in range(MAX_SKIP_ROUNDS):
        report, prepared = validate(skip)
        if report.ok or any(p.row is None for p in report.errors):
            break
        skipped += [replace(p, severity="warning") for p in report.errors]
        skip = skip | {p.row for p in report.errors}
    report.problems[:0] = (
        [
            Problem("import.skipped", severity="warning", params={"n": len(skip), "rows": _rows_text(skip)}),
            *skipped,
        ]
        if skip
        else []
    )
    return report, prepared


def _rows_text(rows: frozenset) -> str:
    def key(row: object) -> tuple:
        name, _, number = str(row).rpartition(" #")
        return (name, int(number)) if number.isdigit() else ("", int(row) if isinstance(row, int) else 0)

    ordered = sorted(rows, key=key)
    text = ", ".join(map(str, ordered[:20]))
    return text + (", ..." if len(ordered) > 20 else "")


def _report_dropped(source: Source, ctx: ImportContext) -> None:
    """Every column of the file that no field took, once per table, at the top of the report:
    nothing is dropped silently."""
    notes = []
    for table in source.tables:
        used = ctx.used_columns.get(table.name)
        if used is None:
            continue
        dropped = [str(c) for c in table.frame.columns if str(c) not in used]
        if dropped:
            where = f" ({table.name})" if len(source.tables) > 1 else ""
            notes.append(Problem("col.dropped", severity="warning", params={"columns": ", ".join(dropped) + where}))
    ctx.report.problems[:0] = notes


def _without_absent(frame: pd.DataFrame, spec: TableSpec, ctx: ImportContext) -> pd.DataFrame:
    """The frame without the columns of fields the file did not have, so that stored values of
    those columns stay as they are (key columns always stay)."""
    absent = ctx.fields_asked - ctx.fields_found - ctx.filled
    drop = set()
    for name in absent:
        drop.add(name)
        drop.update(DERIVED_COLUMNS.get(name, ()))
    drop &= set(frame.columns)
    drop -= set(spec.key)
    drop -= {"geometry"}
    return frame.drop(columns=sorted(drop)) if drop else frame


def import_file(
    store: Store,
    layer_name: str,
    path: Paths,
    *,
    hash_key: bytes | HashKey,
    crs: str | None = None,
    encoding: str | None = None,
    progress: Progress = _noop,
    actor: str = "system",
    options: ImportOptions | None = None,
) -> ImportResult:
    """Validate ``path`` and, when it has no errors, write it in one transaction.

    Raises :class:`ValidationFailed` (the store untouched) when there is any error.  Rows equal
    to what is stored are left alone, so importing the same file twice changes nothing.  A
    :class:`HashKey` not yet saved is saved only when households are written.
    """
    options = options or ImportOptions(crs=crs, encoding=encoding)

    def validate(skip: frozenset) -> tuple[ValidationReport, dict]:
        return validate_file(store, layer_name, path, hash_key=hash_key, progress=progress, options=options, skip=skip)

    report, prepared = _skipping_errors(validate) if options.skip_errors else validate(frozenset())
    if not report.ok:
        raise ValidationFailed(report)
    layer = prepared["layer"]
    result = ImportResult(report=report)
    specs = {s.name: s for s in layer.tables}
    total = sum(len(f) for f in prepared["frames"].values())
    progress("stage.write", 0, total)
    with store.transaction(actor=actor) as writer:
        done = 0
        for table, frame in prepared["frames"].items():
            if len(frame):
                offset = done
                result.counts[table] = writer.upsert(
                    specs[table], frame, on_rows=lambda n, offset=offset: progress("stage.write", offset + n, total)
                )
                done += len(frame)
                progress("stage.write", done, total)
        if result.total.changed:
            if layer.name == "boundaries":
                writer.set_metadata("kemendagri_code_table", CODE_TABLE_VERSION)
            t = result.total
            writer.append(
                IMPORT_LOG,
                {
                    "imported_at": now_iso(),
                    "layer": layer.name,
                    "source_name": ", ".join(p.name for p in _paths(path)),
                    "source_sha256": prepared["sha256"],
                    "rows_inserted": t.inserted,
                    "rows_updated": t.updated,
                    "rows_unchanged": t.unchanged,
                },
            )
        households = result.counts.get("households")
        if isinstance(hash_key, HashKey) and households is not None and households.changed:
            hash_key.save()  # inside the transaction: if the key cannot be saved, nothing is written
    return result


__all__ = ["CODE_TABLE_VERSION", "ImportOptions", "ImportResult", "import_file", "validate_file"]
