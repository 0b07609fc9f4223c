"""``petakampung serve``: uvicorn with one or several worker processes, behind a proxy or not.

Every worker builds the site from ``PETAKAMPUNG_*`` environment variables
(``web.app:create_app_from_env``), so whatever the command line says is written into this
process's environment first: one source of truth that every worker reads alike.  The session
secret is settled here, before any worker starts, so all of them sign cookies with the same key
(a cookie from one worker is good on every other).  The domain library names the web layer only
by strings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from geo.errors import RequestError
from geo.settings import Settings

APP = "web.app:create_app_from_env"
HTTP_PROTOCOL = "web.serving:NoDelayHttp"  # uvicorn's own, with TCP_NODELAY on each connection


@dataclass(frozen=True)
class ServeOptions:
    """What ``serve`` was asked for; None means "as the settings say"."""

    host: str | None = None
    port: int | None = None
    workers: int | None = None
    proxy_headers: bool | None = None
    forwarded_allow_ips: str | None = None
    root_path: str | None = None


def resolve(settings: Settings, options: ServeOptions) -> Settings:
    """The settings the site runs with: the command line over the environment.

    ``--forwarded-allow-ips`` is ``PETAKAMPUNG_TRUSTED_PROXIES`` by another name (uvicorn's), and
    ``--proxy-headers`` only says "believe them": it needs a list of proxies, since believing
    ``X-Forwarded-For`` from anyone lets every visitor choose their own address (and login count).
    ``--no-proxy-headers`` believes nobody, whatever the environment says.
    """
    update: dict[str, object] = {}
    for name in ("host", "port", "workers", "root_path"):
        value = getattr(options, name)
        if value is not None:
            update[name] = value
    if options.forwarded_allow_ips is not None:
        update["trusted_proxies"] = options.forwarded_allow_ips
    resolved = Settings.model_validate({**settings.model_dump(), **update})
    if options.proxy_headers is False:
        resolved = resolved.model_copy(update={"trusted_proxies": []})
    elif options.proxy_headers and not resolved.trusted_proxies:
        raise RequestError("serve.proxies_needed")
    return resolved


def environment(settings: Settings, lang: str) -> dict[str, str]:
    """The ``PETAKAMPUNG_*`` variables every worker reads (:func:`web.app.create_app_from_env`)."""
    return {
        "PETAKAMPUNG_STORE": _store_text(settings),
        "PETAKAMPUNG_LANG": lang,
        "PETAKAMPUNG_TRUSTED_PROXIES": ",".join(settings.trusted_proxies),
        "PETAKAMPUNG_ROOT_PATH": settings.root_path,
    }


def _store_text(settings: Settings) -> str:
    text = str(settings.store)
    if "://" in text:  # a database URL stays as it is
        return text
    return str(settings.store.resolve())


def serve(settings: Settings, lang: str, options: ServeOptions) -> None:
    """Run the site until it is stopped (SIGINT/SIGTERM stop every worker)."""
    import uvicorn

    settings = resolve(settings, options)
    os.environ.update(environment(settings, lang))
    settings.session_secret()  # made now, once: never a secret per worker
    # uvicorn's own proxy handling stays off (it believes 127.0.0.1 by default); the app applies
    # X-Forwarded-For and -Proto for PETAKAMPUNG_TRUSTED_PROXIES only.  root_path: uvicorn puts it
    # in every request's scope, where links, redirects and OGC links read it.
    uvicorn.run(
        APP,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        http=HTTP_PROTOCOL,
        root_path=settings.root_path,
        log_level="info",
        proxy_headers=False,
        server_header=False,
    )
