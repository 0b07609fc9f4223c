"""What the audit log keeps of a changed row, and for how long.

Every change to the store is audited by triggers in the same transaction (:mod:`geo.store_sql`):
who, when, which table, which row.  How much of the row is copied is a setting,
``PETAKAMPUNG_AUDIT_ROWS``:

- ``keys`` (the default): the row's key (and its kelurahan), and for an update the *names* of the
  fields that changed; never their values.
- ``rows``: whole rows before and after (password hashes and photo bytes redacted).  Tables of
  personal data (households) keep only keys whatever the setting.

``petakampung audit prune --before DATE`` turns older entries into what ``keys`` would have kept:
the copies of rows go, who did what to which row stays.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd

from geo.errors import RequestError
from geo.schema import TableSpec
from geo.store import AUDIT, Store

AUDIT_MODES = ("keys", "rows")
PRUNE_CHUNK = 5_000


def with_audit(tables: Iterable[TableSpec], mode: str) -> list[TableSpec]:
    """The table specs with the audit mode ``mode`` (``keys`` or ``rows``) applied.

    ``rows`` leaves each table as it declares itself (households keep keys only); ``keys`` makes
    every table that would copy whole rows keep keys instead."""
    if mode not in AUDIT_MODES:
        raise ValueError(f"audit_rows must be one of {AUDIT_MODES}, got {mode!r}")
    tables = list(tables)
    if mode == "rows":
        return tables
    return [replace(s, audit="keys") if s.audit == "rows" else s for s in tables]


def keys_only(entry: Mapping[str, Any], spec: TableSpec | None) -> tuple[str | None, str | None]:
    """(before_json, after_json) of one audit entry as ``keys`` mode would have written them."""
    before = _loads(entry.get("before_json"))
    after = _loads(entry.get("after_json"))
    action = entry.get("action")
    if action == "insert" and isinstance(after, dict):
        names = [*(spec.key if spec else ()), "kelurahan_code"]
        kept = {k: after[k] for k in dict.fromkeys(names) if k in after}
        return None, json.dumps(kept, ensure_ascii=False, separators=(",", ":")) if kept else None
    if action == "update" and isinstance(after, dict) and "changed" in after and before is None:
        return None, entry.get("after_json")  # already keys-only
    if action == "update" and isinstance(before, dict) and isinstance(after, dict):
        changed = [k for k in after if before.get(k) != after.get(k)]
        return None, json.dumps({"changed": changed}, ensure_ascii=False, separators=(",", ":"))
    return None, entry.get("after_json") if action == "insert" else None


def _loads(text: Any) -> Any:
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise RequestError("audit.date", value=str(text)[:40]) from None


def prune_audit(store: Store, before: date, *, specs: Mapping[str, TableSpec] | None = None, actor: str) -> int:
    """Strip the copies of rows from audit entries made before ``before``; returns how many changed.

    Reads the entry times first (two short columns), then the old entries in chunks, and writes each
    chunk in its own transaction (an entry already keys-only is left alone)."""
    specs = specs if specs is not None else getattr(store, "specs", {})
    stamps = store.read(AUDIT.name, columns=["audit_id", "at"], geometry=False)
    old = stamps.loc[stamps["at"].astype(str) < before.isoformat(), "audit_id"].tolist()
    changed = 0
    for start in range(0, len(old), PRUNE_CHUNK):
        changed += _prune_chunk(store, old[start : start + PRUNE_CHUNK], specs, actor)
    return changed


def _prune_chunk(store: Store, ids: Sequence[str], specs: Mapping[str, TableSpec], actor: str) -> int:
    cols = ["audit_id", "action", "table_name", "before_json", "after_json"]
    rows = store.read(AUDIT.name, columns=cols, geometry=False, audit_id=list(ids))
    out = []
    for entry in rows.to_dict("records"):
        before, after = keys_only(entry, specs.get(entry["table_name"]))
        if (before, after) != (entry["before_json"], entry["after_json"]):
            out.append({"audit_id": entry["audit_id"], "before_json": before, "after_json": after})
    if out:
        with store.transaction(actor=actor) as writer:
            writer.upsert(AUDIT, pd.DataFrame(out))
    return len(out)
