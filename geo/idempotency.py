"""Idempotent writes: a form or API call sent twice with the same key writes once.

Every write form carries a key generated with the page (API clients send an ``Idempotency-Key``
header).  The key is stored in the *same* transaction as the record it produced, so either both
land or neither does: after a crash between commit and acknowledgement the client's retry finds
the key and gets the first result back, and nothing is written twice.  A key reused for
different content is refused (409) rather than silently answered with the old record.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from geo.errors import Conflict, RequestError
from geo.gpkg import now_iso
from geo.schema import Column, TableSpec

IDEMPOTENCY_KEYS = TableSpec(
    name="pk_idempotency",
    columns=(
        Column("username", "TEXT"),
        Column("idem_key", "TEXT", "client-generated, 16-100 characters"),
        Column("action", "TEXT", "progress or maintenance"),
        Column("request_sha256", "TEXT", "what was sent: a reused key with other content is refused"),
        Column("result_id", "TEXT", "the record the first request wrote"),
        Column("created_at", "DATETIME"),
    ),
    key=("username", "idem_key"),
    public=False,
    description="petakampung: idempotency keys of write forms, stored with the record they wrote (restricted)",
    audit="none",  # bookkeeping: the record it belongs to is audited
)
FORM_FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
_KEY = re.compile(r"[A-Za-z0-9_-]{16,100}")


def check_key(text: str | None) -> str | None:
    """A well-formed key, None when none was sent; RequestError naming the field otherwise."""
    if text is None or text == "":
        return None
    if not _KEY.fullmatch(text):
        raise RequestError("idem.key", field=f"{FORM_FIELD} / {HEADER}")
    return text


def fingerprint(payload: dict[str, Any]) -> str:
    """SHA-256 of what a request asked for (values as text, keys sorted)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def earlier_result(store, username: str, key: str, action: str, request_sha256: str) -> str | None:
    """The id the first request with this key wrote, None if there was none; Conflict when the
    key was used for something else."""
    rows = store.read(IDEMPOTENCY_KEYS.name, username=username, idem_key=key)
    if rows.empty:
        return None
    row = rows.iloc[0]
    if row["action"] != action or row["request_sha256"] != request_sha256:
        raise Conflict("idem.mismatch")
    return str(row["result_id"])


def remember(writer, username: str, key: str, action: str, request_sha256: str, result_id: str) -> None:
    """Store the key inside the caller's transaction (a plain INSERT: the UNIQUE key refuses a twin)."""
    writer.append(
        IDEMPOTENCY_KEYS,
        {
            "username": username,
            "idem_key": key,
            "action": action,
            "request_sha256": request_sha256,
            "result_id": result_id,
            "created_at": now_iso(),
        },
    )


class Repeat(Exception):  # noqa: N818 - control flow: leaves a transaction block without writing
    """Raised inside a transaction when the key turns out to be there already: rolls it back."""

    def __init__(self, result_id: str) -> None:
        super().__init__(result_id)
        self.result_id = result_id
