"""One error hierarchy for the domain library.

Every error carries a message ``code`` from :mod:`geo.i18n` and its parameters, so the CLI and
the site can say it in the user's language (``exc.message("id")``).  Every class also subclasses
the builtin a Python caller would expect, so ``except ValueError`` keeps working.  ``web/`` maps
these classes to HTTP status codes in one table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo.formats import localized
from geo.i18n import t

if TYPE_CHECKING:
    from geo.validation import ValidationReport


class GeoError(Exception):
    """Root of every error petakampung raises on purpose."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(t(code, "en", **localized(params, "en")))

    def message(self, lang: str = "id") -> str:
        return t(self.code, lang, **localized(self.params, lang))  # numbers written in ``lang``


class SchemaError(GeoError, ValueError):
    """A table or file does not have the columns or types a layer needs."""


class PlaceError(GeoError, ValueError):
    """A kelurahan code or RT/RW label is malformed."""


class NotFoundError(GeoError, LookupError):
    """A kelurahan, RT, layer or record that does not exist."""


class StoreError(GeoError, OSError):
    """The store cannot be opened, is not a petakampung store, or a write failed."""


class SourceError(GeoError, ValueError):
    """An input file cannot be read at all (empty, truncated, wrong encoding, no CRS, ...)."""


class RequestError(GeoError, ValueError):
    """A request asks for something malformed: a bad bounding box, limit or language."""


class AuthRequired(GeoError, PermissionError):  # noqa: N818 - reads as a sentence at call sites
    """No (valid) session where one is needed: 401, or the login page."""


class Forbidden(GeoError, PermissionError):  # noqa: N818
    """Logged in, but the role or the area does not allow it: 403."""


class TooManyAttempts(GeoError, PermissionError):  # noqa: N818
    """Login rate limit: 429."""


class ValidationFailed(GeoError, ValueError):  # noqa: N818 - reads as a sentence at call sites
    """An import found problems; nothing was written.  Carries the full report."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__("import.failed")

    def message(self, lang: str = "id") -> str:
        return self.report.render(lang)


class Gone(NotFoundError):  # noqa: N818 - reads as a sentence at call sites
    """A record that exists but can no longer be served (a stored photo that cannot be decoded): 410."""


class Conflict(GeoError, ValueError):  # noqa: N818
    """A request that contradicts an earlier one with the same idempotency key: 409."""


class TooLarge(GeoError, ValueError):  # noqa: N818
    """A request body above the limit of its route: 413."""


class Busy(GeoError, RuntimeError):  # noqa: N818
    """An expensive route (or the password check) is at its concurrency limit: 503 with Retry-After.

    ``seconds`` is both in the message and in the ``Retry-After`` header."""

    @property
    def retry_after(self) -> int:
        return int(self.params.get("seconds", 5))
