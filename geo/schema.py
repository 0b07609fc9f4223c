"""Table specifications shared by the layers and the store.

A layer describes its tables with :class:`TableSpec`; a store backend turns those into tables.
Nothing here knows about files or databases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["TEXT", "INTEGER", "REAL", "DATE", "DATETIME", "BLOB"]
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
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    geometry_type: GeometryType | None = None
    description: str = ""
    public: bool = True
    indexes: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def is_spatial(self) -> bool:
        return self.geometry_type is not None


STORAGE_CRS = "EPSG:4326"
STORAGE_SRS_ID = 4326
