"""Accounts and roles: public (no account), ``lkm``, ``planner``, ``admin``.

Passwords are hashed with Argon2id (argon2-cffi) and never stored or logged in any recoverable
form.  The first admin is made with ``petakampung user add`` from the command line: there is no
default password.  A user's ``session_version`` changes when the password changes or the account
is disabled, which ends every session signed for the old version.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.errors import NotFoundError, RequestError
from geo.gpkg import now_iso
from geo.places import normalize_kelurahan_code
from geo.schema import Column, TableSpec
from geo.store import Store

ROLES = ("lkm", "planner", "admin")
USERS = TableSpec(
    name="pk_users",
    columns=(
        Column("username", "TEXT"),
        Column("password_hash", "TEXT", "Argon2id"),
        Column("role", "TEXT"),
        Column("kelurahan_code", "TEXT", "lkm: the kelurahan they record for"),
        Column("kota_code", "TEXT", "planner: PP.KK of their kota/kabupaten"),
        Column("active", "INTEGER"),
        Column("session_version", "INTEGER"),
        Column("created_at", "DATETIME"),
    ),
    key=("username",),
    public=False,
    description="petakampung accounts (restricted)",
)
_HASHER = PasswordHasher()
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
_KOTA = re.compile(r"^\d{2}\.\d{2}$")
MIN_PASSWORD = 10


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so a wrong name takes as long as a wrong
    password.  Made on first use, not at import: the command line starts without an Argon2 run."""
    return _HASHER.hash("petakampung-no-such-user")


def canonical_username(name: str) -> str:
    """The account name a login means: NFKC-normalised, trimmed and case-folded, so that
    ``"Lkm.A "``, ``"\tlkm.a"`` and ``"lkm.a\u00a0"`` are all ``"lkm.a"`` (one rate-limit count, one account)."""
    return unicodedata.normalize("NFKC", name or "").strip().casefold()


@dataclass(frozen=True)
class User:
    username: str
    role: str
    kelurahan_code: str | None
    kota_code: str | None
    active: bool
    session_version: int

    def can_record(self, code: str) -> bool:
        """Record progress and maintenance for works of kelurahan ``code``."""
        return self.active and (self.role == "admin" or (self.role == "lkm" and self.kelurahan_code == code))

    def can_read_restricted(self, code: str) -> bool:
        """See restricted (household-level) data of kelurahan ``code``."""
        return self.active and (
            self.role == "admin"
            or (self.role == "planner" and bool(self.kota_code) and code.startswith(f"{self.kota_code}."))
        )

    @property
    def reads_restricted(self) -> bool:
        """May see restricted data somewhere (an admin anywhere, a planner in their kota)."""
        return self.active and (self.role == "admin" or (self.role == "planner" and bool(self.kota_code)))

    @property
    def is_admin(self) -> bool:
        return self.active and self.role == "admin"


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and value != value) or value == "" else str(value)


def _row_to_user(rec: dict) -> User:
    return User(
        username=rec["username"],
        role=rec["role"],
        kelurahan_code=_text(rec["kelurahan_code"]),
        kota_code=_text(rec["kota_code"]),
        active=bool(rec["active"]),
        session_version=int(rec["session_version"]),
    )


def get_user(store: Store, username: str) -> User | None:
    if not store.exists():
        return None
    rows = store.read(USERS.name, username=username)
    return _row_to_user(rows.iloc[0].to_dict()) if len(rows) else None


def list_users(store: Store) -> list[User]:
    return [_row_to_user(r) for r in store.read(USERS.name).to_dict("records")]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise RequestError("user.password", n=MIN_PASSWORD)


def add_user(
    store: Store,
    username: str,
    password: str,
    role: str,
    *,
    kelurahan_code: str | None = None,
    kota_code: str | None = None,
    actor: str = "system",
) -> User:
    """Create an account; refuses a taken name, a weak password, or a role without its area."""
    if not _NAME.match(username or ""):
        raise RequestError("user.name")
    if role not in ROLES:
        raise RequestError("user.role", choices=", ".join(ROLES))
    _check_password(password)
    if role == "lkm":
        kelurahan_code = normalize_kelurahan_code(kelurahan_code or "")
        if store.read("kelurahan", kelurahan_code=kelurahan_code).empty:
            raise NotFoundError("kelurahan.unknown", code=kelurahan_code)
    if role == "planner" and not _KOTA.match(kota_code or ""):
        raise RequestError("user.kota")
    if get_user(store, username) is not None:
        raise RequestError("user.exists", username=username)
    import pandas as pd

    row = {
        "username": username,
        "password_hash": _HASHER.hash(password),
        "role": role,
        "kelurahan_code": kelurahan_code if role == "lkm" else None,
        "kota_code": kota_code if role == "planner" else None,
        "active": 1,
        "session_version": 1,
        "created_at": now_iso(),
    }
    with store.transaction(actor=actor) as writer:
        writer.upsert(USERS, pd.DataFrame([row]))
    return get_user(store, username)  # type: ignore[return-value]


def _update(store: Store, username: str, actor: str, **changes: object) -> None:
    import pandas as pd

    rows = store.read(USERS.name, username=username)
    if rows.empty:
        raise NotFoundError("user.unknown", username=username)
    row = rows.iloc[0].to_dict()
    row.update(changes)
    row["session_version"] = int(row["session_version"]) + 1  # every change ends the old sessions
    with store.transaction(actor=actor) as writer:
        writer.upsert(USERS, pd.DataFrame([row]))


def set_password(store: Store, username: str, password: str, *, actor: str = "system") -> None:
    _check_password(password)
    _update(store, username, actor, password_hash=_HASHER.hash(password))


def disable_user(store: Store, username: str, *, actor: str = "system") -> None:
    _update(store, username, actor, active=0)


def end_sessions(store: Store, username: str, *, actor: str | None = None) -> None:
    """Log out: a new ``session_version`` makes every cookie signed for the old one worthless,
    including a copy an attacker captured before the logout."""
    _update(store, username, actor or username)


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The active user with this name (see :func:`canonical_username`) and password, else None
    (in about the same time)."""
    username = canonical_username(username)
    rows = store.read(USERS.name, username=username) if store.exists() and _NAME.match(username) else None
    stored = rows.iloc[0]["password_hash"] if rows is not None and len(rows) else _dummy_hash()
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if rows is None or rows.empty:
        return None
    user = _row_to_user(rows.iloc[0].to_dict())
    return user if user.active else None
