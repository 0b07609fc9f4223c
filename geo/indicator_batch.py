"""The national batch: every kelurahan's RT indicators, computed kota by kota, written to the store.

``petakampung indicators --all`` runs it in this process; ``--parallel`` runs the same partitions
on dask.distributed (:mod:`geo.indicator_dask`): a ``LocalCluster`` on this machine, or the
cluster of ``--scheduler tcp://HOST:8786``.  There is ONE calculation:
:func:`geo.indicators.city_rt_indicators` over one kota's frames (:func:`kota_indicators`), and
the single-process and parallel paths differ only in where it runs.  Each worker opens the store
itself from its location (a GeoPackage path or a ``postgresql://`` URL) and reads its kota; only
the location and the kelurahan codes travel to a worker, and only the indicator table comes back.

A partition is a kota (or kabupaten): the first five characters of the Kemendagri code,
``PP.KK``.  Its rows are written by this process in one transaction of their own
(:func:`write_partition`), so a partition that fails, in the worker or in the write, changes
nothing in the store, while the partitions that succeeded stay written; a re-run writes only what
changed (unchanged rows are left alone, and a run on unchanged data writes nothing at all).
Writing a kota's rows bumps the data version of each kelurahan whose rows changed, as any write
does, so the site's caches of those kelurahan are rebuilt once.  Readers never wait meanwhile: a
GeoPackage is in WAL mode and PostGIS reads are MVCC snapshots.

The results live in the restricted table ``rt_indicators`` (unsuppressed household counts: never
published as they are; the public pages keep computing their suppressed figures per kelurahan).
It is derived data, so the audit log does not copy it.  RTs are never deleted by petakampung, so
rows are never deleted either.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.errors import GeoError
from geo.indicators import DEPRIVATION_COLUMNS, KEY, SHARES, TABLE_ORDER, city_rt_indicators
from geo.layers.facilities import CATEGORY_LABELS
from geo.schema import Column, TableSpec
from geo.store_common import as_dtype

__all__ = [
    "RT_INDICATORS",
    "BatchError",
    "BatchReport",
    "PartitionOutcome",
    "kota_indicators",
    "kota_partitions",
    "partition_results",
    "run_batch",
    "store_location",
    "stored_form",
]

LAYERS = ("rt", "households", "works", "gardens", "facilities")
ACTOR = "batch:indicators"
_TEXT = ("kelurahan_code", "rt_label", "unit_type")
_INTEGER = (
    "unit_number",
    "rt_number",
    "kk_total",
    "kk_poor",
    *DEPRIVATION_COLUMNS.values(),
    "wells",
    "works_budget_idr",
)
FACILITY_COLUMNS = tuple(f"fac_{c}" for c in sorted(CATEGORY_LABELS))


def _column(name: str) -> Column:
    ctype = "TEXT" if name in _TEXT else "INTEGER" if name in _INTEGER or name.startswith("fac_") else "REAL"
    return Column(name, ctype)  # type: ignore[arg-type]


RT_INDICATORS = TableSpec(
    name="rt_indicators",
    columns=tuple(
        _column(n)
        for n in (
            *TABLE_ORDER,
            *DEPRIVATION_COLUMNS.values(),
            *(s for s in SHARES if s != "poor_share"),
            *FACILITY_COLUMNS,
        )
    ),
    key=tuple(KEY),
    description="petakampung: RT indicators of every kelurahan from `petakampung indicators --all` "
    "(unsuppressed household counts: restricted)",
    public=False,
    audit="none",  # derived from audited tables; recomputed, never edited
)
STORED_COLUMNS = RT_INDICATORS.column_names


class BatchError(GeoError, RuntimeError):
    """The batch cannot run at all (no cluster to reach, nothing to compute)."""


@dataclass
class PartitionOutcome:
    """What became of one kota: rows written (new, changed, unchanged) or why it failed."""

    kota: str
    kelurahan: int
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str | None = None


@dataclass
class BatchReport:
    partitions: list[PartitionOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[PartitionOutcome]:
        return [p for p in self.partitions if p.error is not None]


def store_location(location: str | Path) -> str:
    """The store location as a worker on another process (or machine) opens it: a URL as it is,
    a GeoPackage path made absolute (a worker's working directory is not ours)."""
    from geo.settings import is_database_url

    text = str(location)
    return text if is_database_url(text) else str(Path(text).expanduser().resolve())


def kota_partitions(store) -> dict[str, list[str]]:
    """Kota code (``PP.KK``) -> the codes of its kelurahan that have RTs, largest kota first
    (so that the longest partitions start first and the workers finish together)."""
    counts = store.count("rt", by="kelurahan_code")
    groups: dict[str, list[str]] = {}
    for code in sorted(counts.index):
        groups.setdefault(str(code)[:5], []).append(str(code))
    size = {kota: int(counts[codes].sum()) for kota, codes in groups.items()}
    return {kota: groups[kota] for kota in sorted(groups, key=lambda k: (-size[k], k))}


def stored_form(table: pd.DataFrame) -> pd.DataFrame:
    """An indicator table with the columns of ``rt_indicators``, in its order and with the dtypes
    a store read returns: every facility category (0 where none), sorted by RT key."""
    out = table.copy()
    for col in FACILITY_COLUMNS:
        if col not in out:
            out[col] = 0
        out[col] = out[col].fillna(0)
    types = RT_INDICATORS.column_types
    out = pd.DataFrame({c: as_dtype(out[c], types[c]) for c in STORED_COLUMNS})
    return out.sort_values(KEY).reset_index(drop=True)


def kota_indicators(store, codes: Iterable[str]) -> pd.DataFrame:
    """The indicator rows of the kelurahan ``codes`` (one kota), read from ``store``."""
    codes = list(codes)
    frames = [store.read(name, kelurahan=codes) for name in LAYERS]
    return stored_form(city_rt_indicators(*frames).table)


def kota_task(location: str, codes: list[str]) -> pd.DataFrame:
    """What a worker runs for one partition: open the store, read one kota, compute."""
    from geo.store import open_store

    return kota_indicators(open_store(location), codes)


Task = Callable[[str, list[str]], pd.DataFrame]


def partition_results(
    location: str, partitions: Mapping[str, list[str]], *, client=None, task: Task = kota_task
) -> Iterator[tuple[str, pd.DataFrame | BaseException]]:
    """(kota, indicator rows or the exception that stopped it) for every partition, in the
    order they finish: here one after the other, or on the dask ``client``'s workers."""
    if client is not None:
        from geo.indicator_dask import dask_results

        yield from dask_results(client, location, partitions, task)
        return
    for kota, codes in partitions.items():
        try:
            yield kota, task(location, codes)
        except Exception as exc:  # one kota failing leaves the others to finish
            yield kota, exc


def write_partition(store, frame: pd.DataFrame) -> tuple[int, int, int]:
    """One kota's rows in one transaction: all of them land, or none (inserted, updated, unchanged)."""
    with store.transaction(actor=ACTOR) as writer:
        result = writer.upsert(RT_INDICATORS, frame)
    return result.inserted, result.updated, result.unchanged


def run_batch(
    store,
    partitions: Mapping[str, list[str]],
    results: Iterable[tuple[str, pd.DataFrame | BaseException]],
    *,
    lang: str = "id",
    on_partition: Callable[[PartitionOutcome], None] | None = None,
) -> BatchReport:
    """Write each partition's rows as it arrives; a failed partition is reported, not written."""
    started = time.perf_counter()
    report = BatchReport()
    for kota, result in results:
        outcome = PartitionOutcome(kota, kelurahan=len(partitions[kota]))
        try:
            if isinstance(result, BaseException):
                raise result
            outcome.rows = len(result)
            outcome.inserted, outcome.updated, outcome.unchanged = write_partition(store, result)
        except Exception as exc:
            outcome.error = describe(exc, lang)
        report.partitions.append(outcome)
        if on_partition is not None:
            on_partition(outcome)
    report.seconds = time.perf_counter() - started
    return report


def describe(exc: BaseException, lang: str) -> str:
    """An error as one line for the report (a worker's error arrives as the worker raised it)."""
    if isinstance(exc, GeoError):
        return exc.message(lang)
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
