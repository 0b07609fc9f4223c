"""Messages of the community layers (groups, programme areas, funds, RW products, proposals) and
their pages, kept in their own module like :mod:`geo.i18n_ops`."""

from __future__ import annotations

COMMUNITY_MESSAGES: dict[str, dict[str, str]] = {
    "community.unknown_unit": {
        "id": "{unit} {number} tidak ada di kelurahan ini",
        "en": "{unit} {number} does not exist in this kelurahan",
    },
    "community.unknown_group": {
        "id": "kelompok '{group}' tidak dikenal (impor dulu lapisan groups, atau periksa id_kelompok)",
        "en": "unknown group '{group}' (import the groups layer first, or check group_id)",
    },
    "community.unknown_area": {
        "id": "kawasan program '{area}' tidak dikenal di kelurahan ini",
        "en": "unknown programme area '{area}' in this kelurahan",
    },
    "community.unknown_proposal": {"id": "usulan '{id}' tidak dikenal", "en": "unknown proposal '{id}'"},
    "community.unknown_product": {
        "id": "produk unggulan '{id}' tidak dikenal di kelurahan ini",
        "en": "unknown flagship product '{id}' in this kelurahan",
    },
    "community.unknown_asset": {
        "id": "aset '{id}' tidak ada (fasilitas, pekerjaan atau kebun yang tersimpan)",
        "en": "asset '{id}' does not exist (a stored facility, work or garden)",
    },
    "community.asset_on_income": {
        "id": "aset hanya dicatat pada uang keluar (yang dibeli atau dibangun)",
        "en": "an asset belongs to money out only (what it bought or built)",
    },
    "community.no_owner": {
        "id": "isi id_kelompok atau id_kawasan: setiap catatan kas milik sebuah kelompok atau kawasan program",
        "en": "fill in group_id or area_id: every ledger entry belongs to a group or a programme area",
    },
    "community.outside_life": {
        "id": "tanggal di luar masa kelompok {group} (berdiri {founded}, bubar {dissolved})",
        "en": "date outside the life of group {group} (founded {founded}, dissolved {dissolved})",
    },
    "community.dissolved_before_founded": {
        "id": "tanggal bubar sebelum tanggal berdiri",
        "en": "dissolved before it was founded",
    },
    "community.ended_before_started": {
        "id": "tanggal berakhir sebelum tanggal mulai",
        "en": "ends before it starts",
    },
    "community.in_or_out": {
        "id": "isi tepat satu dari kolom masuk dan keluar dengan jumlah lebih dari 0",
        "en": "fill exactly one of the in and out columns with an amount above 0",
    },
    "community.kind_direction": {
        "id": "jenis ini adalah uang {expected}, bukan {got}",
        "en": "this kind is money {expected}, not {got}",
    },
    "community.balance": {
        "id": "saldo tidak cocok: seharusnya {expected} (saldo baris sebelumnya + masuk - keluar)",
        "en": "balance does not add up: expected {expected} (previous row's balance + in - out)",
    },
    "community.status_skipped": {
        "id": "status '{status}' melewati tahap '{step}': isi tanggal tahap itu (alur: diajukan -> dinilai -> "
        "disetujui/ditolak -> didanai -> dilaporkan)",
        "en": "status '{status}' skips the step '{step}': fill in that step's date (flow: diajukan -> dinilai -> "
        "disetujui/ditolak -> didanai -> dilaporkan)",
    },
    "community.status_ahead": {
        "id": "tahap '{step}' bertanggal, padahal status baru '{status}'",
        "en": "the step '{step}' has a date, but the status is only '{status}'",
    },
    "community.status_back": {
        "id": "status tidak boleh mundur: tersimpan '{stored}'",
        "en": "a status cannot go back: '{stored}' is stored",
    },
    "community.step_order": {
        "id": "tanggal tahap ini sebelum tahap sebelumnya ({before})",
        "en": "this step's date is before the previous step's ({before})",
    },
    "community.funded_without_amount": {
        "id": "usulan yang didanai harus punya nilai disetujui lebih dari 0",
        "en": "a funded proposal needs an approved amount above 0",
    },
    "community.not_coop": {
        "id": "kelompok {group} bukan koperasi",
        "en": "group {group} is not a cooperative",
    },
    # works' KSM/KPP and gardens' KWT naming a group of the groups layer
    "community.group_not_found": {
        "id": "tidak ada kelompok {expected} '{group}' di kelurahan ini (isi id_kelompok atau nama persis dari "
        "lapisan groups, atau impor kelompoknya dulu)",
        "en": "no {expected} group '{group}' in this kelurahan (use its group_id or exact name from the groups "
        "layer, or import the group first)",
    },
    "community.group_other_kelurahan": {
        "id": "kelompok {group} terdaftar di kelurahan {other}, bukan di kelurahan baris ini ({code})",
        "en": "group {group} belongs to kelurahan {other}, not to this row's kelurahan ({code})",
    },
    "community.wrong_group_type": {
        "id": "kelompok {group} adalah {got}, bukan {expected}",
        "en": "group {group} is a {got}, not a {expected}",
    },
    "community.total_row": {
        "id": "baris jumlah/total di bawah buku kas dilewati (bukan catatan kas: tidak bertanggal)",
        "en": "a sum/total row under the ledger was skipped (not an entry: it has no date)",
    },
    "community.ambiguous_group": {
        "id": "nama '{group}' cocok dengan lebih dari satu kelompok ({ids}): isi id_kelompok",
        "en": "the name '{group}' matches more than one group ({ids}): give the group_id",
    },
}
