"""Kelurahan codes for rows that give a code, names, or both.

Real files often name the kelurahan instead of coding it (Jakarta's RW map: ``KEL_NAME``,
``KEC_NAME``, ``KAB_NAME``; KOTAKU baseline exports: ``kelurahan``, ``kecamatan``, ``kabkota``,
``provinsi``).  The Kemendagri code table (:mod:`geo.wilayah`) turns those into codes; a name
that fits several places or none is an error naming the candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from geo.errors import PlaceError
from geo.fields import FieldSpec, is_blank
from geo.layers.base import ImportContext
from geo.places import normalize_kelurahan_code
from geo.wilayah import code_table

KECAMATAN_FIELD = FieldSpec("kecamatan", aliases=("nama_kecamatan", "nama_kec", "kec_name", "kec"))
KOTA_FIELD = FieldSpec(
    "kota",
    aliases=(
        "kabupaten_kota",
        "kab_kota",
        "kabkota",
        "kota_kabupaten",
        "kabupaten",
        "nama_kota",
        "nama_kab",
        "nama_kabupaten",
        "nama_kabkota",
        "kab_name",
    ),
)
PROVINSI_FIELD = FieldSpec("provinsi", aliases=("nama_provinsi", "nama_prov", "prov_name", "propinsi", "province"))
KELURAHAN_NAME_ALIASES = ("nama_kelurahan", "nama_desa", "nama_kel", "kel_name", "kelurahan", "desa", "kelurahan_desa")
KELURAHAN_NAME_FIELD = FieldSpec("kelurahan_name", aliases=KELURAHAN_NAME_ALIASES)
PARENT_FIELDS = (KECAMATAN_FIELD, KOTA_FIELD, PROVINSI_FIELD)


def place_codes(
    values: pd.DataFrame, rows: Sequence[Any], ctx: ImportContext, *, name_field: str, must_exist: bool
) -> list[str | None]:
    """The kelurahan code of every row: from its code, else from its names.

    ``values`` holds ``kelurahan_code``, ``name_field`` and the parent name fields.  Bad codes,
    ambiguous or unknown names are reported; codes outside ``ctx.within`` are None without a
    report (the caller counts them).  With ``must_exist`` the code must be in the store.
    """
    table = None
    cache: dict[tuple, Any] = {}
    out: list[str | None] = []
    given = values["kelurahan_code"].tolist()
    names = values[name_field].tolist()
    parents = {f.name: values[f.name].tolist() if f.name in values else [None] * len(values) for f in PARENT_FIELDS}
    for i, row in enumerate(rows):
        code: str | None = None
        if given[i] is not None:
            try:
                code = normalize_kelurahan_code(given[i])
            except PlaceError as exc:
                ctx.report.add(exc.code, row=row, field="kelurahan_code", value=given[i])
        elif not is_blank(names[i]):
            key = (names[i], parents["kecamatan"][i], parents["kota"][i], parents["provinsi"][i])
            if key not in cache:
                table = table or code_table()
                cache[key] = table.resolve(names[i], kecamatan=key[1], kota=key[2], provinsi=key[3], within=ctx.within)
            code = _resolved(cache[key], row, names[i], name_field, ctx)
        else:
            ctx.report.add("place.no_code", row=row, field="kelurahan_code", name=name_field)
        if code is not None and ctx.within and not code.startswith(ctx.within):
            code = None
        elif code is not None and must_exist and code not in ctx.places.kelurahan:
            ctx.report.add("place.unknown_kelurahan", row=row, field="kelurahan_code", value=code, code=code)
            code = None
        out.append(code)
    return out


def _resolved(result: Any, row: Any, name: str, field: str, ctx: ImportContext) -> str | None:
    if result.status == "ok":
        if result.ignored:
            ctx.report.add(
                "place.parent_ignored",
                row=row,
                field=field,
                value=name,
                severity="warning",
                parent=", ".join(result.ignored),
                found=code_table().place(result.code).describe(code_table()),
            )
        elif result.how == "near":
            ctx.report.add(
                "place.near_name",
                row=row,
                field=field,
                value=name,
                severity="warning",
                found=code_table().place(result.code).describe(code_table()),
            )
        return result.code
    candidates = "; ".join(result.candidates) or "-"
    hints = ", ".join(result.unmatched)
    if result.status == "ambiguous":
        ctx.report.add("place.ambiguous", row=row, field=field, value=name, candidates=candidates)
    else:
        ctx.report.add(
            "place.unknown_name",
            row=row,
            field=field,
            value=name,
            candidates=candidates,
            unmatched=hints or "-",
        )
    return None
