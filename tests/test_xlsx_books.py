"""Community books kept in Excel, imported as the CSV of the same book would be.

What a bendahara's *Buku Kas* looks like here (what we decided a real one holds): one sheet, the
header in row 1 (``No. Bukti``, ``Tanggal``, ``Uraian``, ``Jenis``, ``Masuk (Rp)``, ``Keluar (Rp)``,
``Saldo (Rp)``, ``ID Kelompok``), dates as Excel dates shown dd/mm/yyyy, money as numbers shown
``#,##0``, a blank row and a ``JUMLAH`` row with the sums under the entries (their values, as
Excel saves them beside the formulas).  The CSV is the same book saved as CSV by an Indonesian
Excel: semicolons, ``02/01/2025`` and ``3.500.000``.  The second layer is the kelurahan's register
of groups (*Daftar Kelompok*), founded dates as Excel dates and member counts as numbers.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from geo.errors import ValidationFailed
from geo.importer import import_file
from geo.store import Store, open_store
from tests.conftest import HASH_KEY, KALIAWI

BOOK_HEADER = ["No. Bukti", "Tanggal", "Uraian", "Jenis", "Masuk (Rp)", "Keluar (Rp)", "Saldo (Rp)", "ID Kelompok"]
# (no. bukti, date, description, kind, in, out): KWT Sukawangi Sejahtera's first quarter of 2025
ENTRIES = [
    ("BKU-2025-001", datetime(2025, 1, 2), "Saldo bulan lalu", "Saldo awal", 3_500_000, None),
    ("BKU-2025-002", datetime(2025, 1, 31), "Laba penjualan sayur Januari", "Laba", 1_200_000, None),
    ("BKU-2025-003", datetime(2025, 2, 10), "Beli bibit dan pupuk", "Kegiatan", None, 450_000),
    ("BKU-2025-004", datetime(2025, 2, 28), "Laba penjualan sayur Februari", "Laba", 1_200_000, None),
    ("BKU-2025-005", datetime(2025, 3, 15), "Iuran anggota", "Iuran anggota", 150_000, None),
    ("BKU-2025-006", datetime(2025, 3, 31), "Laba penjualan sayur Maret", "Laba", 1_200_000, None),
]
GROUP_HEADER = ["ID Kelompok", "Kode Kelurahan", "RW", "RT", "Jenis", "Nama", "Berdiri", "Jumlah Anggota", "Kontak"]
GROUPS = [
    ("KLP-1012-BKB", KALIAWI, 1, None, "BKB", "BKB Mawar", datetime(2021, 4, 12), 18, "Ketua"),
    ("KLP-1012-PKK", KALIAWI, None, None, "PKK", "TP PKK Kaliawi Persada", datetime(2010, 1, 5), 30, "Sekretaris"),
    ("KLP-1012-PIKR", KALIAWI, 2, 3, "PIK-R", "PIK-R Remaja Persada", datetime(2022, 8, 17), 21, "Koordinator"),
]


def _book_rows() -> list[list]:
    rows, saldo = [], 0
    for number, day, text, kind, money_in, money_out in ENTRIES:
        saldo += (money_in or 0) - (money_out or 0)
        rows.append([number, day, text, kind, money_in, money_out, saldo, "KLP-1012-KWT"])
    return rows


def _totals(rows: list[list]) -> list:
    return [None, None, "JUMLAH", None, sum(r[4] or 0 for r in rows), sum(r[5] or 0 for r in rows), rows[-1][6], None]


def write_book_xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Buku Kas"
    ws.append(BOOK_HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append(_totals(rows))
    for line in ws.iter_rows(min_row=2):
        line[1].number_format = "DD/MM/YYYY"
        for cell in line[4:7]:
            cell.number_format = "#,##0"
    for letter, width in zip("ABCDEFGH", (14, 12, 34, 14, 14, 14, 14, 14), strict=True):
        ws.column_dimensions[letter].width = width
    wb.save(path)
    return path


def _idr(value: int | None) -> str:
    return "" if value is None else f"{value:,}".replace(",", ".")


def write_book_csv(path: Path, rows: list[list]) -> Path:
    """The same book as Excel in Indonesian saves it as CSV."""
    lines = [";".join(BOOK_HEADER)]
    for row in [*rows, [None] * 8, _totals(rows)]:
        number, day, text, kind, money_in, money_out, saldo, group = row
        cells = [number or "", day.strftime("%d/%m/%Y") if day else "", text or "", kind or "", _idr(money_in),
                 _idr(money_out), _idr(saldo), group or ""]  # fmt: skip
        lines.append(";".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_groups_xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Daftar Kelompok"
    ws.append(GROUP_HEADER)
    for row in GROUPS:
        ws.append(list(row))
        ws.cell(ws.max_row, 7).number_format = "DD/MM/YYYY"
    wb.save(path)
    return path


def write_groups_csv(path: Path) -> Path:
    lines = [",".join(GROUP_HEADER)]
    for gid, code, rw, rt, kind, name, founded, members, role in GROUPS:
        cells = [gid, code, "" if rw is None else str(rw), "" if rt is None else str(rt), kind, name,
                 founded.strftime("%d/%m/%Y"), str(members), role]  # fmt: skip
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored(store: Store, table: str, key: str, ids: list[str]) -> pd.DataFrame:
    frame = store.read(table, where={key: ids}, geometry=False)
    return frame.sort_values(key).reset_index(drop=True)


def test_funds_book_from_xlsx_equals_the_same_book_as_csv(demo_store: Store, clone, demo_source, tmp_path) -> None:
    rows = _book_rows()
    ids = [r[0] for r in rows]
    from_xlsx = import_file(demo_store, "funds", write_book_xlsx(tmp_path / "buku_kas.xlsx", rows), hash_key=HASH_KEY)
    other = open_store(clone(demo_source))
    from_csv = import_file(other, "funds", write_book_csv(tmp_path / "buku_kas.csv", rows), hash_key=HASH_KEY)
    xlsx, csv = _stored(demo_store, "fund_entries", "entry_id", ids), _stored(other, "fund_entries", "entry_id", ids)
    assert len(xlsx) == len(ENTRIES)  # the blank and JUMLAH rows are not entries
    pd.testing.assert_frame_equal(xlsx, csv)
    assert list(xlsx["entry_date"]) == [e[1].date().isoformat() for e in ENTRIES]  # Excel dates, as dates
    assert list(xlsx["amount_idr"]) == [3_500_000, 1_200_000, 450_000, 1_200_000, 150_000, 1_200_000]
    assert list(xlsx["direction"]) == ["masuk", "masuk", "keluar", "masuk", "masuk", "masuk"]
    assert list(xlsx["kind"]) == ["saldo_awal", "laba", "kegiatan", "laba", "iuran", "laba"]
    assert set(xlsx["kelurahan_code"]) == {KALIAWI}
    for result in (from_xlsx, from_csv):  # the JUMLAH row (spreadsheet row 9) is skipped, and said so
        warnings = [p.render("id") for p in result.report.problems if p.severity == "warning"]
        assert any(w.startswith("baris 9: baris jumlah/total") for w in warnings), warnings
    assert import_file(demo_store, "funds", tmp_path / "buku_kas.xlsx", hash_key=HASH_KEY).report.ok  # again: no change
    assert len(_stored(demo_store, "fund_entries", "entry_id", ids)) == len(ENTRIES)


@pytest.mark.parametrize(
    ("cell", "value", "row", "field", "words"),
    [
        ((4, 5), "satu juta", 4, "in_idr", ("bilangan bulat", "whole number")),  # text where money goes
        ((5, 2), "31/02/2025", 5, "entry_date", ("tanggal", "date")),  # a date that does not exist, typed as text
        ((6, 7), 9_999_999, 6, "saldo", ("saldo tidak cocok", "balance does not add up")),  # a wrong saldo
        ((3, 4), "Arisan", 3, "kind", ("Arisan", "Arisan")),  # a kind the ledger does not know
    ],
)
def test_a_bad_cell_of_the_xlsx_book_names_its_row_and_column(
    demo_store: Store, tmp_path: Path, cell: tuple[int, int], value, row: int, field: str, words: tuple[str, str]
) -> None:
    path = write_book_xlsx(tmp_path / "buku_kas.xlsx", _book_rows())
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active.cell(*cell).value = value  # (spreadsheet row, column): what the bendahara mistyped
    wb.save(path)
    before = demo_store.checksum()
    with pytest.raises(ValidationFailed) as info:
        import_file(demo_store, "funds", path, hash_key=HASH_KEY)
    assert demo_store.checksum() == before
    errors = info.value.report.errors
    assert [(p.row, p.field) for p in errors] == [(row, field)]
    for lang, word, where in (("id", words[0], f"baris {row}, kolom '{field}'"), ("en", words[1], f"row {row}")):
        text = errors[0].render(lang)
        assert text.startswith(where), text
        assert word in text, text


def test_groups_register_from_xlsx_equals_the_csv(demo_store: Store, clone, demo_source, tmp_path: Path) -> None:
    ids = [g[0] for g in GROUPS]
    import_file(demo_store, "groups", write_groups_xlsx(tmp_path / "daftar_kelompok.xlsx"), hash_key=HASH_KEY)
    other = open_store(clone(demo_source))
    import_file(other, "groups", write_groups_csv(tmp_path / "daftar_kelompok.csv"), hash_key=HASH_KEY)
    xlsx, csv = _stored(demo_store, "groups", "group_id", ids), _stored(other, "groups", "group_id", ids)
    pd.testing.assert_frame_equal(xlsx, csv)
    by_id = xlsx.set_index("group_id")
    assert by_id.loc["KLP-1012-BKB", "founded"] == "2021-04-12"
    assert by_id.loc["KLP-1012-BKB", "group_type"] == "bkb"
    assert int(by_id.loc["KLP-1012-BKB", "member_count"]) == 18
    assert int(by_id.loc["KLP-1012-PIKR", "unit_number"]) == 2
    assert int(by_id.loc["KLP-1012-PIKR", "rt_number"]) == 3
    assert pd.isna(by_id.loc["KLP-1012-PKK", "unit_number"])  # the whole kelurahan
