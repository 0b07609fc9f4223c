"""Per-user API tokens, for GIS clients that cannot keep a session cookie (QGIS, GDAL, OWSLib).

``petakampung user token NAME`` makes one and prints it once; the store keeps only its SHA-256,
in ``pk_users.token_hash`` (a BLOB column: ordinary reads, listings and the audit log never carry
it).  An account has at most one token: a new one replaces the old, ``--revoke`` removes it.
A token acts exactly as its account does (role, area, and nothing once the account is disabled).

Why a plain SHA-256 and not Argon2 or a keyed hash: a token is 32 random bytes (256 bits), so
no dictionary or brute force applies and one fast hash is as safe as a slow one; a key would have
to be the same for the command line that makes tokens and the server that checks them, and a
token made in a shell without the server's key would silently never work.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3

import pandas as pd

from geo.accounts import USERS, User, _row_to_user, canonical_username, get_user
from geo.errors import NotFoundError
from geo.store import Store

__all__ = ["PREFIX", "new_token", "revoke_token", "token_user"]

PREFIX = "pkt_"
_SHAPE = re.compile(r"pkt_[A-Za-z0-9_-]{43}")  # PREFIX + token_urlsafe(32)
_READ = ["username", "role", "kelurahan_code", "kota_code", "active", "session_version", "token_hash"]


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token(store: Store, username: str, *, actor: str = "system") -> str:
    """A new token for ``username`` (the old one stops working); only its hash is stored."""
    if get_user(store, username) is None:
        raise NotFoundError("user.unknown", username=username)
    token = PREFIX + secrets.token_urlsafe(32)
    _set_hash(store, username, _digest(token), actor)
    return token


def revoke_token(store: Store, username: str, *, actor: str = "system") -> None:
    if get_user(store, username) is None:
        raise NotFoundError("user.unknown", username=username)
    _set_hash(store, username, None, actor)


def _set_hash(store: Store, username: str, digest: bytes | None, actor: str) -> None:
    with store.transaction(actor=actor) as writer:  # only the token column: sessions go on as they were
        writer.upsert(USERS, pd.DataFrame([{"username": username, "token_hash": digest}]))


def token_user(store: Store, token: str, *, username: str | None = None) -> User | None:
    """The active account ``token`` belongs to, else None.  With ``username`` (HTTP Basic) the
    token must be that account's."""
    if not _SHAPE.fullmatch(token or "") or not store.exists():
        return None
    digest = _digest(token)
    if username is not None:
        rows = _rows(store, username=canonical_username(username))
    else:
        rows = _rows(store, token_hash=digest)
    for row in rows.to_dict("records"):
        stored = row.pop("token_hash")
        if isinstance(stored, bytes) and hmac.compare_digest(stored, digest):
            user = _row_to_user(row)
            return user if user.active else None
    return None


def _rows(store: Store, **equals: object) -> pd.DataFrame:
    try:
        return store.read(USERS.name, columns=_READ, **equals)  # type: ignore[arg-type]
    except sqlite3.OperationalError as exc:
        # a store not written since tokens came has no token column yet, so no token either
        if "no such column" in str(exc):
            return pd.DataFrame(columns=_READ)
        raise
