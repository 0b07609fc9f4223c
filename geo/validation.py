"""Validation problems collected into one report, rendered in the user's language."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Literal

from geo.formats import localized
from geo.i18n import t

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one value.

    ``row`` is the number a user finds the record by: the spreadsheet row for CSV/XLSX (the
    header is row 1) and the 1-based feature number for GIS files.  ``None`` means the whole file.
    ``code`` is a key of the message catalogue in :mod:`geo.i18n`; ``params`` fill it in.
    """

    code: str
    row: int | str | None = None
    field: str | None = None
    value: Any = None
    params: dict[str, Any] = dc_field(default_factory=dict)
    severity: Severity = "error"

    def message(self, lang: str = "id") -> str:
        return t(self.code, lang, **localized(self.params, lang))

    def render(self, lang: str = "id") -> str:
        parts = []
        if self.row is not None:
            parts.append(t("where.row", lang, row=self.row))
        if self.field is not None:
            parts.append(t("where.field", lang, field=self.field))
        if self.value is not None and self.value != "":
            parts.append(t("where.value", lang, value=_short(self.value)))
        where = ", ".join(parts)
        msg = self.message(lang)
        return f"{where}: {msg}" if where else msg


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class ValidationReport:
    """Every problem of one import or validation run.  ``ok`` when there are no errors."""

    layer: str
    source: str
    problems: list[Problem] = dc_field(default_factory=list)
    rows_read: int = 0

    def add(
        self,
        code: str,
        /,
        *,
        row: int | str | None = None,
        field: str | None = None,
        value: Any = None,
        severity: Severity = "error",
        **params: Any,
    ) -> None:
        self.problems.append(Problem(code, row, field, value, params, severity))

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def render(self, lang: str = "id", *, limit: int | None = None) -> str:
        """The report as a user reads it: a title, the errors, then the warnings."""
        lines = [t("report.title", lang, layer=self.layer, source=self.source)]
        lines.append(t("report.rows", lang, rows=self.rows_read))
        errors, warnings = self.errors, self.warnings
        if errors:
            lines.append(t("report.errors", lang, n=len(errors)))
            lines.extend("  - " + p.render(lang) for p in _limited(errors, limit))
            if limit is not None and len(errors) > limit:
                lines.append("  " + t("report.more", lang, n=len(errors) - limit))
        if warnings:
            lines.append(t("report.warnings", lang, n=len(warnings)))
            lines.extend("  - " + p.render(lang) for p in _limited(warnings, limit))
            if limit is not None and len(warnings) > limit:
                lines.append("  " + t("report.more", lang, n=len(warnings) - limit))
        if not errors and not warnings:
            lines.append(t("report.clean", lang))
        return "\n".join(lines)


def _limited(items: list[Problem], limit: int | None) -> list[Problem]:
    return items if limit is None else items[:limit]
