"""Import and validate: a file becomes rows of a layer's tables, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyproj import CRS

from geo.errors import SourceError, ValidationFailed
from geo.gpkg import now_iso
from geo.layers import get_layer
from geo.layers.base import ImportContext, PlaceIndex
from geo.sources import read_source
from geo.store import IMPORT_LOG, Store, UpsertResult
from geo.validation import ValidationReport

CODE_TABLE_VERSION = "Kepmendagri 300.2.2-2138/2025"
Progress = Callable[[str, int, int], None]


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
    return PlaceIndex.from_frames(store.read("kelurahan"), store.read("rw"), store.read("rt"))


def validate_file(
    store: Store,
    layer_name: str,
    path: str | Path,
    *,
    hash_key: bytes,
    crs: str | None = None,
    encoding: str | None = None,
    progress: Progress = _noop,
) -> tuple[ValidationReport, dict]:
    """Every problem of ``path`` as ``layer_name``, and the rows it would write."""
    layer = get_layer(layer_name)
    report = ValidationReport(layer=layer.name, source=Path(path).name)
    progress("stage.read", 0, 1)
    try:
        source = read_source(path, encoding=encoding, crs=crs)
    except SourceError as exc:
        report.add(exc.code, **exc.params)
        return report, {}
    report.rows_read = sum(len(t.frame) for t in source.tables)
    progress("stage.validate", 0, report.rows_read)
    existing = {spec.name: store.read(spec.name) for spec in layer.tables if spec.name != "households"}
    ctx = ImportContext(
        report=report,
        places=load_places(store),
        hash_key=hash_key,
        crs=CRS.from_user_input(crs) if crs else None,
        existing=existing,
        progress=progress,
    )
    frames = layer.prepare(source, ctx)
    progress("stage.validate", report.rows_read, report.rows_read)
    return report, {"frames": frames, "sha256": source.sha256, "layer": layer}


def import_file(
    store: Store,
    layer_name: str,
    path: str | Path,
    *,
    hash_key: bytes,
    crs: str | None = None,
    encoding: str | None = None,
    progress: Progress = _noop,
    actor: str = "system",
) -> ImportResult:
    """Validate ``path`` and, when it has no errors, write it in one transaction.

    Raises :class:`ValidationFailed` (the store untouched) when there is any error.  Rows equal
    to what is stored are left alone, so importing the same file twice changes nothing.
    """
    report, prepared = validate_file(
        store, layer_name, path, hash_key=hash_key, crs=crs, encoding=encoding, progress=progress
    )
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
                    "source_name": Path(path).name,
                    "source_sha256": prepared["sha256"],
                    "rows_inserted": t.inserted,
                    "rows_updated": t.updated,
                    "rows_unchanged": t.unchanged,
                },
            )
    return result
