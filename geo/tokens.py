"""Per-user API tokens, for GIS clients that cannot keep a session cookie (QGIS, GDAL, OWSLib).

``petakampung user token NAME`` makes one and prints it once; the store keeps only its SHA-256
(hex), in its own restricted table ``pk_api_tokens`` (one row per account, audited by key only, so
the audit log names whose token changed and never carries the hash; the PostGIS public role cannot
read it).  An account has at most one token: a new one replaces the old, ``--revoke`` empties it.
A token acts exactly as its account does (role, area, and nothing once the account is disabled).
Only the :class:`geo.store.Store` protocol is used, so tokens work on every backend.

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

import pandas as pd

from geo.accounts import User, canonical_username, get_user
from geo.errors import NotFoundError
from geo.gpkg import now_iso
from geo.schema import Column, TableSpec
from geo.store import Store

__all__ = ["API_TOKENS", "PREFIX", "new_token", "revoke_token", "token_user"]

PREFIX = "pkt_"
_SHAPE = re.compile(r"pkt_[A-Za-z0-9_-]{43}")  # PREFIX + token_urlsafe(32)
API_TOKENS = TableSpec(
    name="pk_api_tokens",
    columns=(
        Column("username", "TEXT"),
        Column("token_hash", "TEXT", "hex SHA-256 of the API token; empty once revoked"),
        Column("created_at", "DATETIME"),
        Column("revoked_at", "DATETIME"),
    ),
    key=("username",),
    public=False,
    indexes=(("token_hash",),),
    description="petakampung: the hash of each account's API token (restricted)",
    audit="keys",
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(store: Store, username: str, *, actor: str = "system") -> str:
    """A new token for ``username`` (the old one stops working); only its hash is stored."""
    user = get_user(store, username)
    if user is None:
        raise NotFoundError("user.unknown", username=username)
    token = PREFIX + secrets.token_urlsafe(32)
    row = {"username": user.username, "token_hash": _digest(token), "created_at": now_iso(), "revoked_at": None}
    with store.transaction(actor=actor) as writer:
        writer.upsert(API_TOKENS, pd.DataFrame([row]))
    return token


def revoke_token(store: Store, username: str, *, actor: str = "system") -> None:
    user = get_user(store, username)
    if user is None:
        raise NotFoundError("user.unknown", username=username)
    row = {"username": user.username, "token_hash": None, "revoked_at": now_iso()}
    with store.transaction(actor=actor) as writer:
        writer.upsert(API_TOKENS, pd.DataFrame([row]))


def token_user(store: Store, token: str, *, username: str | None = None) -> User | None:
    """The active account ``token`` belongs to, else None.  With ``username`` (HTTP Basic) the
    token must be that account's."""
    if not _SHAPE.fullmatch(token or "") or not store.exists():
        return None
    digest = _digest(token)
    if username is not None:
        rows = store.read(API_TOKENS.name, username=canonical_username(username))
    else:
        rows = store.read(API_TOKENS.name, token_hash=digest)
    for row in rows.to_dict("records"):
        stored = row["token_hash"]
        if isinstance(stored, str) and hmac.compare_digest(stored, digest):
            user = get_user(store, row["username"])
            return user if user is not None and user.active else None
    return None
