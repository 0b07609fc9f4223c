"""Table specifications shared by the layers and the store.

A layer describes its tables with :class:`TableSpec`; a store backend turns those into tables.
Nothing here knows about files or databases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["TEXT", "INTEGER", "REAL", "DATE", "DATETIME", "BLOB"]
AuditMode = Literal["rows", "keys", "none"]
GeometryType = Literal["POINT", "MULTIPOLYGON", "POLYGON", "GEOMETRY", "MULTILINESTRING"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One table: its columns, its natural key and, for a feature table, its geometry type.

    ``public`` marks tables whose rows may be published as they are (no household data).
    ``audit`` says what the audit log keeps of each change: whole rows (``rows``), only the key
    and the names of changed fields (``keys``: personal data such as households), or nothing
    (``none``: petakampung's own bookkeeping tables).
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    geometry_type: GeometryType | None = None
    description: str = ""
    public: bool = True
    indexes: tuple[tuple[str, ...], ...] = field(default=())
    audit: AuditMode = "rows"
    # read-only views with one geometry type each, for a table that mixes them (QGIS draws a layer
    # as one type): (view name, GeoPackage geometry type, the ST_GeometryType values it keeps)
    type_views: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def is_spatial(self) -> bool:
        return self.geometry_type is not None

    @property
    def column_types(self) -> dict[str, ColumnType]:
        return {c.name: c.type for c in self.columns}

    @property
    def scope(self) -> str | None:
        """How a row names the kelurahan it belongs to: its own ``kelurahan_code``, through its
        work (``work_id``), or not at all (None: the change is store-wide)."""
        names = self.column_names
        if "kelurahan_code" in names:
            return "kelurahan_code"
        if "work_id" in names:
            return "work_id"
        return None


STORAGE_CRS = "EPSG:4326"
STORAGE_SRS_ID = 4326
