"""Settings: one place, one environment prefix (``PETAKAMPUNG_``), passed in, never global."""

from __future__ import annotations

import ipaddress
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from geo.errors import StoreError

DEFAULT_STORE = Path("petakampung.gpkg")
DATABASE_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(location: object) -> bool:
    """Whether a store location names a PostgreSQL database rather than a GeoPackage file."""
    return isinstance(location, str) and location.startswith(DATABASE_SCHEMES)


def store_location(value: str | Path) -> Path | str:
    """A store location as the settings keep it: a database URL as text, anything else as a Path."""
    return value if is_database_url(value) else Path(value)


class Settings(BaseSettings):
    """What the CLI and the site need.  ``Settings(store=...)`` in tests; env vars otherwise."""

    model_config = SettingsConfigDict(env_prefix="PETAKAMPUNG_", extra="ignore")

    store: Path | str = Field(
        DEFAULT_STORE, description="the store: a GeoPackage path, or postgresql://USER@HOST:PORT/DB (the full role)"
    )
    store_public: str | None = Field(
        None,
        description="PostGIS only: the URL the site's public pages read with, a role that cannot read households, "
        "accounts or the audit log (default: PETAKAMPUNG_STORE)",
    )
    hash_key_file: Path | None = Field(
        None, description="file holding the household key; default <store>.key beside a GeoPackage store"
    )
    lang: str = Field("id", description="default language: id or en")
    hash_key: str | None = Field(None, description="secret for hashing KK numbers; else a key file beside the store")
    suppression_k: int = Field(5, ge=2, description="smallest household count published")
    map_inline_max_features: int = Field(
        2000, ge=0, description="above this many features a map layer is loaded by bounding box from /ogc"
    )
    hazard_dir: Path | None = Field(
        None, description="folder of flood rasters named <kelurahan code>_flood.tif; default: the demo data's"
    )
    secret_key: str | None = Field(None, description="signs session cookies; else secret_file, else <store>.secret")
    secret_file: Path | None = Field(
        None, description="file holding the session secret (created if missing); keep it outside the data folder"
    )
    cookie_secure: bool = Field(False, description="send the session cookie over HTTPS only (set behind HTTPS)")
    login_max_failures: int = Field(5, ge=1, description="failed logins per name and address before a pause")
    login_window_s: int = Field(900, ge=1, description="the pause and the counting window, in seconds")
    login_concurrency: int = Field(
        2, ge=1, le=64, description="password checks (Argon2, 64 MiB each) at once; more tries get 503 at once"
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="addresses or networks of reverse proxies whose X-Forwarded-For is believed; default none",
    )
    photo_max_pixels: int = Field(
        50_000_000, ge=1_000_000, description="largest photo accepted, in pixels (width x height)"
    )
    busy_retry_after_s: int = Field(5, ge=1, description="Retry-After of a 503 from a busy expensive route")
    strict_templates: bool = Field(
        False, description="render pages with Jinja2 StrictUndefined, so a missing text key fails (tests turn it on)"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(1, ge=1, le=64, description="server processes `serve` starts")
    root_path: str = Field(
        "", description="the sub-path the site is served under behind a reverse proxy, e.g. /petakampung"
    )
    audit_rows: Literal["keys", "rows"] = Field(
        "keys",
        description="what the audit log keeps of a changed row: keys (its key and the names of the changed "
        "fields) or rows (whole rows before and after; household rows never)",
    )

    @field_validator("root_path")
    @classmethod
    def _root_path(cls, value: str) -> str:
        """``/petakampung`` (a leading slash, none at the end); empty for the site at the root."""
        value = value.strip().rstrip("/")
        if value and (not value.startswith("/") or "//" in value or any(c in value for c in "?#% \t\n")):
            raise ValueError(f"root_path must look like /petakampung, got {value!r}")
        return value

    @field_validator("store", mode="before")
    @classmethod
    def _store_location(cls, value: object) -> object:
        """A database URL stays text (a Path would fold its ``//``); anything else is a path."""
        return store_location(value) if isinstance(value, str) else value

    @property
    def is_database(self) -> bool:
        return is_database_url(self.store)

    @property
    def store_path(self) -> Path:
        """The GeoPackage store's path (a PostGIS store has none: its key and secret need their own settings)."""
        if isinstance(self.store, Path):
            return self.store
        raise StoreError("store.needs_file", location=redact_url(self.store))

    def public_store(self) -> Path | str:
        """Where the site's public pages read: PETAKAMPUNG_STORE_PUBLIC, else the store itself."""
        return self.store_public or self.store

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        """``PETAKAMPUNG_TRUSTED_PROXIES=10.0.0.5,192.168.1.0/24``: addresses or networks, comma-separated."""
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        for item in value if isinstance(value, list) else []:
            ipaddress.ip_network(str(item), strict=False)  # ValueError names the bad entry
        return value

    def key_path(self) -> Path:
        if self.hash_key_file is not None:
            return self.hash_key_file
        if self.is_database:
            raise StoreError("store.needs_key")
        return self.store_path.with_suffix(".key")

    def secret_path(self) -> Path | None:
        """Where the session secret is kept on disk (None when it comes from the environment)."""
        if self.secret_key:
            return None
        if self.secret_file is None and self.is_database:
            raise StoreError("store.needs_secret")
        return self.secret_file or self.store_path.with_suffix(".secret")

    def secret_beside_store(self) -> bool:
        """True when the session secret sits in the store's folder: a copy of the data folder could
        then forge any session, an admin's included."""
        path = self.secret_path()
        if path is None or self.is_database:
            return False
        return path.resolve().parent == self.store_path.resolve().parent

    def session_secret(self) -> str:
        """The key that signs session cookies: PETAKAMPUNG_SECRET_KEY, else PETAKAMPUNG_SECRET_FILE,
        else ``<store>.secret`` beside the store (created, readable by its owner only)."""
        if self.secret_key:
            return self.secret_key
        path = self.secret_path()
        assert path is not None
        if not path.exists():
            write_private(path, secrets.token_urlsafe(48))  # the first of several workers wins
        return path.read_text().strip()

    def household_key(self) -> HashKey:
        """The household key, not yet written anywhere: an import saves a new one only when it
        writes households (:meth:`HashKey.save`), so a failed import leaves no key file."""
        if self.hash_key:
            return HashKey(self.hash_key.encode(), None)
        path = self.key_path()
        if path.exists():
            return HashKey(path.read_text().strip().encode(), None)
        return HashKey(secrets.token_hex(32).encode(), path)

    def hash_key_bytes(self) -> bytes:
        """The key for :func:`geo.layers.base.keyed_hash`.

        From ``PETAKAMPUNG_HASH_KEY`` when set, else from ``<store>.key`` beside the store,
        created (readable by its owner only) the first time households are imported.  Keep the
        key with the store: without it a re-import cannot match households already stored.
        """
        if self.hash_key:
            return self.hash_key.encode()
        path = self.key_path()
        if not path.exists():
            write_private(path, secrets.token_hex(32))
        return path.read_text().strip().encode()


def redact_url(url: str) -> str:
    """A database URL without its password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{parts.netloc.rsplit('@', 1)[1]}"))


@dataclass
class HashKey:
    """A household hashing key and, while it is new, the file it is to be saved to."""

    value: bytes
    path: Path | None  # None: from PETAKAMPUNG_HASH_KEY or already saved

    def save(self) -> None:
        """Write a new key to ``<store>.key`` (mode 600); nothing when it is not new."""
        if self.path is None:
            return
        saved = write_private(self.path, self.value.decode())
        if not saved and self.path.read_text().strip().encode() != self.value:
            raise FileExistsError(self.path)  # another import saved another key first: households use that one
        self.path = None


def write_private(path: Path, text: str) -> bool:
    """Create ``path`` holding ``text``, readable by its owner only (0600), all at once: the file
    is written under a temporary name and linked into place, so a reader (another server worker)
    never sees it empty or half written.  False when the file already existed (it is left as it is).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: create it in place, still 0600 and exclusive
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return False
            with os.fdopen(fd, "w") as fh:
                fh.write(text + "\n")
        return True
    finally:
        Path(tmp).unlink()


def hazard_raster(settings: Settings, code: str) -> Path | None:
    """The flood raster of a kelurahan, if one is there: ``<hazard_dir>/<code>_flood.tif``."""
    folder = settings.hazard_dir or Path(__file__).resolve().parents[1] / "data" / "hazard"
    path = folder / f"{code}_flood.tif"
    return path if path.is_file() else None
