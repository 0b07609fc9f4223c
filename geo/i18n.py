"""Messages in Bahasa Indonesia (default) and English.

Every user-facing sentence lives here, keyed by a short code; ``t(code, lang, **params)`` fills
it in.  A missing translation falls back to Indonesian, a missing code to the code itself, so a
forgotten entry shows up in tests rather than as a crash.
"""

from __future__ import annotations

from typing import Any

LANGS = ("id", "en")
DEFAULT_LANG = "id"

MESSAGES: dict[str, dict[str, str]] = {
    # --- where a problem is -------------------------------------------------------------------
    "where.row": {"id": "baris {row}", "en": "row {row}"},
    "where.field": {"id": "kolom '{field}'", "en": "field '{field}'"},
    "where.value": {"id": "nilai '{value}'", "en": "value '{value}'"},
    # --- report frame -----------------------------------------------------------------------------
    "report.title": {
        "id": "Laporan validasi lapisan '{layer}' dari {source}",
        "en": "Validation report for layer '{layer}' from {source}",
    },
    "report.rows": {"id": "{rows} baris dibaca.", "en": "{rows} rows read."},
    "report.errors": {"id": "{n} kesalahan (tidak ada data yang disimpan):", "en": "{n} errors (nothing was saved):"},
    "report.warnings": {"id": "{n} peringatan:", "en": "{n} warnings:"},
    "report.more": {"id": "... dan {n} lagi", "en": "... and {n} more"},
    "report.clean": {"id": "Tidak ada masalah.", "en": "No problems found."},
    # --- places -----------------------------------------------------------------------------------
    "code.format": {
        "id": "kode kelurahan harus berbentuk PP.KK.CC.DDDD (10 angka), mis. 18.71.06.1012",
        "en": "a kelurahan code must look like PP.KK.CC.DDDD (10 digits), e.g. 18.71.06.1012",
    },
    "code.province": {
        "id": "kode provinsi (2 angka pertama) tidak dikenal",
        "en": "unknown province code (first 2 digits)",
    },
    "code.kabkota": {
        "id": "kode kabupaten/kota harus 01-69 (kabupaten) atau 71-99 (kota)",
        "en": "the kabupaten/kota part must be 01-69 (kabupaten) or 71-99 (kota)",
    },
    "code.kecamatan": {"id": "kode kecamatan tidak boleh 00", "en": "the kecamatan part must not be 00"},
    "code.desa": {
        "id": "4 angka terakhir harus diawali 1 (kelurahan) atau 2 (desa)",
        "en": "the last 4 digits must start with 1 (kelurahan) or 2 (desa)",
    },
    "label.empty": {"id": "label RT kosong", "en": "the RT label is empty"},
    "label.format": {
        "id": "label RT tidak dapat dibaca; contoh yang benar: 'RT 03 RW 05', 'RT 05/LK II', 'RT020-RW008'",
        "en": "the RT label cannot be read; valid examples: 'RT 03 RW 05', 'RT 05/LK II', 'RT020-RW008'",
    },
    "label.unit_format": {
        "id": "label RW/Lingkungan/Dusun tidak dapat dibaca; contoh: 'RW 05', 'LK II', 'Dusun 3'",
        "en": "the RW/Lingkungan/Dusun label cannot be read; examples: 'RW 05', 'LK II', 'Dusun 3'",
    },
    "label.zero": {"id": "nomor RT atau RW tidak boleh 0", "en": "an RT or RW number cannot be 0"},
    # --- reading files ------------------------------------------------------------------------
    "source.missing": {"id": "berkas tidak ditemukan: {path}", "en": "file not found: {path}"},
    "source.empty": {"id": "berkas kosong (0 byte)", "en": "the file is empty (0 bytes)"},
    "source.no_rows": {"id": "berkas tidak berisi satu baris data pun", "en": "the file has no data rows"},
    "source.format": {
        "id": "format berkas '{suffix}' tidak didukung; gunakan .gpkg, .geojson, .zip (Shapefile), .kml, .csv atau .xlsx",
        "en": "file format '{suffix}' is not supported; use .gpkg, .geojson, .zip (Shapefile), .kml, .csv or .xlsx",
    },
    "source.unreadable": {
        "id": "berkas rusak atau bukan {kind} yang sah ({detail})",
        "en": "the file is damaged or not a valid {kind} ({detail})",
    },
    "source.zip_broken": {
        "id": "berkas ZIP rusak atau terpotong; unduh atau buat ulang berkasnya",
        "en": "the ZIP file is damaged or truncated; download or create it again",
    },
    "source.zip_no_shp": {"id": "ZIP tidak berisi Shapefile (.shp)", "en": "the ZIP holds no Shapefile (.shp)"},
    "source.zip_unsafe": {
        "id": "ZIP berisi nama berkas yang tidak aman ({name})",
        "en": "the ZIP holds an unsafe file name ({name})",
    },
    "source.too_large": {
        "id": "berkas terlalu besar ({size} MB; batas {limit} MB)",
        "en": "the file is too large ({size} MB; limit {limit} MB)",
    },
    "source.encoding": {
        "id": "berkas bukan teks UTF-8 (byte tidak sah di posisi {pos}); simpan ulang sebagai 'CSV UTF-8' atau beri --encoding cp1252",
        "en": "the file is not UTF-8 text (invalid byte at position {pos}); save it again as 'CSV UTF-8' or pass --encoding cp1252",
    },
    "source.no_crs": {
        "id": "berkas tidak menyatakan sistem koordinat (CRS); tetapkan CRS di QGIS lalu ekspor ulang, atau beri --crs EPSG:xxxx",
        "en": "the file declares no coordinate reference system (CRS); set one in QGIS and export again, or pass --crs EPSG:xxxx",
    },
    "source.bad_crs": {"id": "CRS '{crs}' tidak dikenal", "en": "unknown CRS '{crs}'"},
    "source.layers": {
        "id": "GeoPackage berisi beberapa lapisan ({layers}); tidak ada yang bernama '{wanted}'",
        "en": "the GeoPackage holds several layers ({layers}); none is named '{wanted}'",
    },
    "source.xy_partial": {
        "id": "hanya satu dari kolom lintang/bujur ada; perlu keduanya ({found})",
        "en": "only one of the latitude/longitude columns is present; both are needed ({found})",
    },
    "source.duplicate_column": {"id": "nama kolom ganda '{column}'", "en": "duplicate column name '{column}'"},
    # --- geometry -----------------------------------------------------------------------------
    "geom.missing": {"id": "geometri kosong", "en": "the geometry is empty"},
    "geom.invalid": {
        "id": "geometri tidak sah: {reason}; perbaiki di QGIS (Vector > Geometry Tools > Fix Geometries)",
        "en": "invalid geometry: {reason}; fix it in QGIS (Vector > Geometry Tools > Fix Geometries)",
    },
    "geom.type": {
        "id": "jenis geometri {got}; diharapkan {expected}",
        "en": "geometry type {got}; expected {expected}",
    },
    "geom.outside": {
        "id": "koordinat di luar Indonesia (bujur {lon}, lintang {lat}); periksa CRS berkas",
        "en": "coordinates outside Indonesia (lon {lon}, lat {lat}); check the file's CRS",
    },
    "geom.swapped": {
        "id": "lintang dan bujur tertukar (bujur {lon}, lintang {lat} jatuh di luar Indonesia, ditukar jatuh di dalamnya)",
        "en": "latitude and longitude are swapped (lon {lon}, lat {lat} falls outside Indonesia, swapped it falls inside)",
    },
    "geom.type_for_work": {
        "id": "pekerjaan '{work_type}' harus berupa {expected}, bukan {got}",
        "en": "a '{work_type}' work must be a {expected}, not a {got}",
    },
    # --- attributes ---------------------------------------------------------------------------
    "col.missing": {
        "id": "kolom wajib tidak ada (nama lain yang diterima: {aliases})",
        "en": "required column is missing (accepted names: {aliases})",
    },
    "val.required": {"id": "nilai wajib diisi", "en": "a value is required"},
    "val.int": {"id": "diharapkan bilangan bulat", "en": "expected a whole number"},
    "val.number": {"id": "diharapkan angka", "en": "expected a number"},
    "val.date": {"id": "diharapkan tanggal (TTTT-BB-HH)", "en": "expected a date (YYYY-MM-DD)"},
    "val.range": {"id": "diharapkan antara {lo} dan {hi}", "en": "expected between {lo} and {hi}"},
    "val.min": {"id": "tidak boleh kurang dari {lo}", "en": "must not be less than {lo}"},
    "val.choice": {"id": "nilai tidak dikenal; pilihan: {choices}", "en": "unknown value; choices: {choices}"},
    "val.duplicate": {"id": "kunci ganda: sama dengan baris {other}", "en": "duplicate key: same as row {other}"},
    "val.date_order": {
        "id": "tanggal selesai rencana sebelum tanggal mulai",
        "en": "planned end is before planned start",
    },
    "val.unit_mismatch": {
        "id": "satuan '{got}' tidak cocok dengan kriteria {criterion} (satuan {expected})",
        "en": "unit '{got}' does not match criterion {criterion} (unit {expected})",
    },
    "val.criterion_for_work": {
        "id": "kriteria {criterion} tidak cocok untuk pekerjaan '{work_type}' (cocok: {expected})",
        "en": "criterion {criterion} does not fit a '{work_type}' work (fitting: {expected})",
    },
    "val.no_key": {
        "id": "tidak ada kolom kunci KK (no_kk, nik atau kk_id); perlu satu agar impor ulang mengenali rumah tangga yang sama",
        "en": "no household key column (no_kk, nik or kk_id); one is needed so a re-import recognises the same household",
    },
    "val.level": {
        "id": "tingkat wilayah tidak dikenal; pilihan: kelurahan, rw, rt",
        "en": "unknown level; choices: kelurahan, rw, rt",
    },
    # --- places in the store ------------------------------------------------------------------
    "place.unknown_kelurahan": {
        "id": "kelurahan {code} belum ada; impor batas wilayahnya dulu",
        "en": "kelurahan {code} does not exist yet; import its boundaries first",
    },
    "place.unknown_rt": {
        "id": "{label} tidak ada di kelurahan {code}",
        "en": "{label} does not exist in kelurahan {code}",
    },
    "place.unknown_work": {"id": "pekerjaan '{work_id}' tidak ada", "en": "work '{work_id}' does not exist"},
    "place.unit_type": {
        "id": "label menyebut {got}, tetapi kelurahan ini memakai {expected}",
        "en": "the label says {got}, but this kelurahan uses {expected}",
    },
    "place.no_unit": {
        "id": "{unit} tidak punya poligon di kelurahan {code}; batas RT tidak dapat dicek terhadapnya",
        "en": "{unit} has no polygon in kelurahan {code}; its RTs cannot be checked against it",
    },
    "place.outside": {
        "id": "{child} keluar dari {parent} seluas {area_m2} m², selebar {width_m} m (toleransi {tol_m} m)",
        "en": "{child} extends {area_m2} m² outside {parent}, {width_m} m wide (tolerance {tol_m} m)",
    },
    "place.overlap": {
        "id": "{a} dan {b} bertumpang tindih seluas {area_m2} m², selebar {width_m} m (toleransi {tol_m} m)",
        "en": "{a} and {b} overlap by {area_m2} m², {width_m} m wide (tolerance {tol_m} m)",
    },
    "place.gap": {
        "id": "{parent}: {area_m2} m² ({pct} %) tidak tercakup RT mana pun",
        "en": "{parent}: {area_m2} m² ({pct} %) is not covered by any RT",
    },
    "place.point_label": {
        "id": "titik GPS jatuh di {point_rt}, label menyebut {label_rt}; dipakai titik GPS",
        "en": "the GPS point falls in {point_rt}, the label says {label_rt}; the GPS point is used",
    },
    "place.point_outside": {
        "id": "titik GPS di luar semua RT kelurahan {code}; dipakai label RT",
        "en": "the GPS point is outside every RT of kelurahan {code}; the RT label is used",
    },
    # --- households ---------------------------------------------------------------------------
    "hh.dropped": {
        "id": "kolom data pribadi dibuang dan tidak disimpan: {columns}",
        "en": "personal-data columns dropped and not stored: {columns}",
    },
    "kumuh.negative": {
        "id": "volume negatif (dinilai 0); periksa data sumber",
        "en": "negative volume (scores 0); check the source data",
    },
    # --- import summary -----------------------------------------------------------------------
    "import.done": {
        "id": "Impor '{layer}' selesai: {inserted} baru, {updated} diperbarui, {unchanged} tidak berubah.",
        "en": "Import of '{layer}' done: {inserted} new, {updated} updated, {unchanged} unchanged.",
    },
    "import.nochange": {
        "id": "Tidak ada perubahan: isi berkas sudah sama dengan data tersimpan.",
        "en": "No changes: the file's contents already match the store.",
    },
    "import.failed": {
        "id": "Impor dibatalkan; data tersimpan tidak berubah.",
        "en": "Import cancelled; the store is unchanged.",
    },
    "validate.ok": {
        "id": "Berkas lolos validasi (tidak ada yang disimpan).",
        "en": "The file passed validation (nothing was saved).",
    },
    "stage.read": {"id": "Membaca berkas", "en": "Reading file"},
    "stage.validate": {"id": "Memeriksa baris", "en": "Checking rows"},
    "stage.write": {"id": "Menyimpan", "en": "Saving"},
    # --- store and CLI errors -----------------------------------------------------------------
    "store.missing": {
        "id": "penyimpanan {path} belum ada; jalankan 'petakampung demo' atau impor batas wilayah dulu",
        "en": "store {path} does not exist yet; run 'petakampung demo' or import boundaries first",
    },
    "store.not_gpkg": {"id": "{path} bukan GeoPackage petakampung", "en": "{path} is not a petakampung GeoPackage"},
    "store.locked": {
        "id": "penyimpanan sedang dipakai proses lain; coba lagi",
        "en": "the store is busy in another process; try again",
    },
    "store.duplicate_row": {
        "id": "tabel {table}: kunci {key} muncul lebih dari sekali dalam data yang disimpan",
        "en": "table {table}: key {key} appears more than once in the rows being saved",
    },
    "store.duplicate_keys": {
        "id": "tabel {table} di penyimpanan berisi baris dengan {key} yang sama (diubah dengan alat lain?); "
        "hapus duplikatnya di QGIS lalu coba lagi",
        "en": "table {table} in the store holds rows with the same {key} (edited with another tool?); "
        "remove the duplicates in QGIS and try again",
    },
    "layer.unknown": {
        "id": "lapisan '{name}' tidak dikenal; pilihan: {choices}",
        "en": "unknown layer '{name}'; choices: {choices}",
    },
    "kelurahan.unknown": {
        "id": "kelurahan {code} tidak ada di penyimpanan",
        "en": "kelurahan {code} is not in the store",
    },
    "export.done": {"id": "{n} fitur ditulis ke {path} ({kind}).", "en": "{n} features written to {path} ({kind})."},
    "export.public": {"id": "publik: tanpa data rumah tangga", "en": "public: no household data"},
    "export.public_households": {
        "id": "publik: agregat per RT, angka < {k} disembunyikan",
        "en": "public: per-RT aggregates, counts < {k} suppressed",
    },
    "export.restricted": {
        "id": "TERBATAS: berisi data rumah tangga; jangan dibagikan",
        "en": "RESTRICTED: holds household data; do not share",
    },
    "export.format": {
        "id": "format ekspor '{suffix}' tidak didukung; gunakan .gpkg, .geojson atau .csv",
        "en": "export format '{suffix}' is not supported; use .gpkg, .geojson or .csv",
    },
    "demo.done": {"id": "Data contoh dimuat ke {path}: {summary}", "en": "Demo data loaded into {path}: {summary}"},
    "map.done": {"id": "Peta ditulis ke {path}", "en": "Map written to {path}"},
    "lang.unknown": {
        "id": "bahasa '{lang}' tidak dikenal; pilihan: id, en",
        "en": "unknown language '{lang}'; choices: id, en",
    },
    "req.bbox": {
        "id": "bbox harus empat angka minx,miny,maxx,maxy (atau enam dengan tinggi: minx,miny,minz,maxx,maxy,"
        "maxz) dalam derajat (bujur -180..180, lintang -90..90)",
        "en": "bbox must be four numbers minx,miny,maxx,maxy (or six with heights: minx,miny,minz,maxx,maxy,"
        "maxz) in degrees (lon -180..180, lat -90..90)",
    },
    "req.limit": {
        "id": "limit harus bilangan bulat 1 sampai {max}",
        "en": "limit must be a whole number from 1 to {max}",
    },
    "req.crs": {
        "id": "parameter '{name}': CRS '{crs}' tidak didukung; gunakan {supported}",
        "en": "parameter '{name}': CRS '{crs}' is not supported; use {supported}",
    },
    "req.offset": {"id": "offset harus bilangan bulat 0 atau lebih", "en": "offset must be a whole number, 0 or more"},
    "req.param": {
        "id": "parameter tidak dikenal: {names}; yang diterima: {allowed}",
        "en": "unknown parameter: {names}; accepted: {allowed}",
    },
    "ogc.unknown_collection": {
        "id": "koleksi '{collection}' tidak ada",
        "en": "collection '{collection}' does not exist",
    },
    "ogc.unknown_feature": {
        "id": "fitur '{feature}' tidak ada di koleksi '{collection}'",
        "en": "feature '{feature}' is not in collection '{collection}'",
    },
    "tiles.unknown_layer": {
        "id": "lapisan petak '{layer}' tidak ada; pilihan: {layers}",
        "en": "tile layer '{layer}' does not exist; choices: {layers}",
    },
    "tiles.address": {
        "id": "petak {z}/{x}/{y} di luar kisi (zoom 0-{max}, x dan y 0 sampai 2^zoom - 1)",
        "en": "tile {z}/{x}/{y} is off the grid (zoom 0-{max}, x and y 0 to 2^zoom - 1)",
    },
    "kota.unknown": {
        "id": "kota/kabupaten {code} tidak ada di penyimpanan (tidak ada kelurahan berkode {code}.CC.DDDD)",
        "en": "kota/kabupaten {code} is not in the store (no kelurahan coded {code}.CC.DDDD)",
    },
    "map.too_big": {
        "id": "peta kota {code} tidak muat dalam {limit} kB walau pada zoom 12 ({size} kB tanpa petak); gunakan situsnya",
        "en": "the map of kota {code} does not fit in {limit} kB even at zoom 12 ({size} kB without tiles); use the site",
    },
    "map.one_of": {
        "id": "sebutkan tepat satu dari --kelurahan atau --kota",
        "en": "give exactly one of --kelurahan or --kota",
    },
    "map.kota_done": {
        "id": "Peta kota ditulis ke {path} ({size} kB; petak vektor tertanam pada zoom {zoom}).",
        "en": "City map written to {path} ({size} kB; vector tiles embedded at zoom {zoom}).",
    },
    "rt.unknown": {
        "id": "RT {rt} / {unit} tidak ada di kelurahan {code}",
        "en": "RT {rt} / {unit} is not in kelurahan {code}",
    },
    "download.layer": {
        "id": "lapisan unduhan '{layer}' tidak ada; pilihan: {choices}",
        "en": "download layer '{layer}' does not exist; choices: {choices}",
    },
    "plan.factor": {
        "id": "faktor tidak dikenal: {names}; pilihan: {allowed}",
        "en": "unknown factor: {names}; choices: {allowed}",
    },
    "plan.weights": {
        "id": "bobot harus 0 atau lebih dan tidak semuanya 0",
        "en": "weights must be 0 or more and not all 0",
    },
    "plan.budget": {
        "id": "anggaran harus lebih dari 0 rupiah dan paling banyak {max} rupiah",
        "en": "the budget must be more than 0 rupiah and at most {max} rupiah",
    },
    "plan.ahp": {
        "id": "matriks AHP harus persegi, positif dan resiprokal (a_ij = 1/a_ji)",
        "en": "the AHP matrix must be square, positive and reciprocal (a_ij = 1/a_ji)",
    },
    "plan.no_baseline": {
        "id": "kelurahan {code} belum punya baseline kumuh; impor lapisan 'kumuh' dulu",
        "en": "kelurahan {code} has no slum baseline yet; import the 'kumuh' layer first",
    },
    "user.name": {
        "id": "nama pengguna: 3-32 huruf kecil, angka, titik, garis bawah atau tanda hubung",
        "en": "username: 3-32 lower-case letters, digits, dots, underscores or hyphens",
    },
    "user.role": {"id": "peran tidak dikenal; pilihan: {choices}", "en": "unknown role; choices: {choices}"},
    "user.password": {"id": "kata sandi minimal {n} karakter", "en": "the password needs at least {n} characters"},
    "user.kota": {
        "id": "perencana perlu kode kota/kabupaten PP.KK, mis. 18.71",
        "en": "a planner needs a kota/kabupaten code PP.KK, e.g. 18.71",
    },
    "user.exists": {"id": "pengguna '{username}' sudah ada", "en": "user '{username}' already exists"},
    "user.unknown": {"id": "pengguna '{username}' tidak ada", "en": "user '{username}' does not exist"},
    "user.added": {"id": "Pengguna '{username}' ({role}) dibuat.", "en": "User '{username}' ({role}) created."},
    "user.changed": {
        "id": "Pengguna '{username}' diperbarui; sesi lamanya berakhir.",
        "en": "User '{username}' updated; their old sessions have ended.",
    },
    "user.mismatch": {"id": "kata sandi tidak sama", "en": "the passwords do not match"},
    "auth.required": {"id": "silakan masuk dulu", "en": "please log in first"},
    "auth.forbidden": {
        "id": "akun Anda tidak berhak atas halaman atau data ini",
        "en": "your account may not use this page or data",
    },
    "auth.failed": {"id": "nama pengguna atau kata sandi salah", "en": "wrong username or password"},
    "auth.limited": {
        "id": "terlalu banyak percobaan masuk; coba lagi dalam {minutes} menit",
        "en": "too many login attempts; try again in {minutes} minutes",
    },
    "auth.csrf": {
        "id": "formulir kedaluwarsa atau tidak sah; muat ulang halaman dan coba lagi",
        "en": "the form expired or is not valid; reload the page and try again",
    },
    "photo.size": {"id": "foto '{name}' lebih dari {mb} MB", "en": "photo '{name}' is larger than {mb} MB"},
    "photo.type": {"id": "berkas '{name}' bukan foto JPEG atau PNG", "en": "file '{name}' is not a JPEG or PNG photo"},
    "photo.broken": {
        "id": "foto '{name}' rusak atau terpotong dan tidak dapat dibuka sampai akhir; unggah ulang berkas aslinya",
        "en": "photo '{name}' is damaged or truncated and cannot be read to the end; upload the original file again",
    },
    "photo.count": {"id": "paling banyak {n} foto per catatan", "en": "at most {n} photos per record"},
    "progress.future": {
        "id": "tanggal catatan tidak boleh di masa depan",
        "en": "the record date cannot be in the future",
    },
    "progress.fisik": {
        "id": "progres fisik harus 0 sampai 100 %, atau isi volume yang selesai",
        "en": "physical progress must be 0 to 100%, or give the volume done",
    },
    "progress.spent": {
        "id": "dana terserap harus 0 atau lebih dan masuk akal terhadap anggaran",
        "en": "funds spent must be 0 or more and plausible against the budget",
    },
    "progress.unknown_record": {
        "id": "catatan '{record_id}' yang dikoreksi tidak ada untuk pekerjaan ini",
        "en": "the corrected record '{record_id}' does not exist for this work",
    },
    "progress.saved": {"id": "Catatan progres disimpan.", "en": "Progress record saved."},
    "suppressed.note": {
        "id": "* disembunyikan: kurang dari {k} KK atau dapat dihitung dari total",
        "en": "* suppressed: fewer than {k} households or derivable from totals",
    },
}


# --- hardening (issue 8): limits, photos, idempotency, budgets --------------------------------------
MESSAGES.update(
    {
        "auth.busy": {
            "id": "server sedang memeriksa banyak kata sandi; coba lagi dalam {seconds} detik",
            "en": "the server is checking many passwords right now; try again in {seconds} seconds",
        },
        "busy.route": {
            "id": "halaman '{path}' sedang banyak diminta; coba lagi dalam {seconds} detik",
            "en": "'{path}' is in high demand right now; try again in {seconds} seconds",
        },
        "body.too_large": {
            "id": "kiriman ke '{path}' terlalu besar ({size}); batasnya {limit}",
            "en": "the request to '{path}' is too large ({size}); the limit is {limit}",
        },
        "method.not_allowed": {
            "id": "metode {method} tidak dapat dipakai untuk '{path}'; yang bisa: {allow}",
            "en": "method {method} cannot be used on '{path}'; allowed: {allow}",
        },
        "photo.pixels": {
            "id": "foto '{name}' terlalu besar: {width} x {height} piksel ({mp} MP); batasnya {limit} MP",
            "en": "photo '{name}' is too large: {width} x {height} pixels ({mp} MP); the limit is {limit} MP",
        },
        "photo.unavailable": {
            "id": "foto '{photo_id}' tidak dapat ditampilkan: berkas yang tersimpan rusak",
            "en": "photo '{photo_id}' cannot be shown: the stored file is damaged",
        },
        "req.year": {
            "id": "parameter '{field}': '{value}' bukan tahun; gunakan 4 angka (mis. 2024) atau 'semua'",
            "en": "parameter '{field}': '{value}' is not a year; use 4 digits (e.g. 2024) or 'all'",
        },
        "req.budget": {
            "id": "parameter 'budget': anggaran harus angka lebih dari 0 dan paling banyak {max} rupiah",
            "en": "parameter 'budget': the budget must be a number above 0 and at most {max} rupiah",
        },
        "req.weights": {
            "id": "parameter {names}: bobot harus angka 0 sampai {max}",
            "en": "parameter {names}: weights must be numbers from 0 to {max}",
        },
        "idem.key": {
            "id": "kunci idempotensi ('{field}') tidak sah: 16-100 huruf, angka, '-' atau '_'",
            "en": "the idempotency key ('{field}') is not valid: 16-100 letters, digits, '-' or '_'",
        },
        "idem.mismatch": {
            "id": "formulir ini sudah pernah dikirim dengan isi lain; muat ulang halaman untuk mencatat yang baru",
            "en": "this form was already sent with different content; reload the page to record a new one",
        },
        "source.zip_budget": {
            "id": "ZIP terlalu besar setelah dibuka: {size} MB (batas {limit} MB)",
            "en": "the ZIP is too large once unpacked: {size} MB (limit {limit} MB)",
        },
        "source.zip_ratio": {
            "id": "berkas '{name}' di dalam ZIP mengembang {ratio}x (batas {limit}x); kemungkinan bom ZIP",
            "en": "file '{name}' in the ZIP expands {ratio}x (limit {limit}x); probably a ZIP bomb",
        },
        "source.zip_members": {
            "id": "ZIP berisi {n} berkas (batas {limit})",
            "en": "the ZIP holds {n} files (limit {limit})",
        },
        "source.too_slow": {
            "id": "lapisan '{layer}' tidak selesai dibaca dalam {seconds} detik (view berulang?); hapus atau perbaiki lapisan itu",
            "en": "layer '{layer}' could not be read within {seconds} seconds (a recursive view?); remove or fix that layer",
        },
        "secret.beside_store": {
            "id": "kunci sesi {path} ada di folder yang sama dengan store: salinan folder data dapat memalsukan sesi admin. Setel PETAKAMPUNG_SECRET_KEY atau PETAKAMPUNG_SECRET_FILE di luar folder itu.",
            "en": "the session secret {path} is in the same folder as the store: a copy of the data folder can forge an admin session. Set PETAKAMPUNG_SECRET_KEY or PETAKAMPUNG_SECRET_FILE outside that folder.",
        },
    }
)


# --- real files: names, code table, hierarchy tolerance, published baselines (issue 9) -----------
MESSAGES.update(
    {
        "col.dropped": {
            "id": "kolom tidak dikenal, tidak diimpor (dibuang): {columns}",
            "en": "unrecognised columns, not imported (dropped): {columns}",
        },
        "import.within": {
            "id": "{n} baris di luar wilayah {within} tidak diimpor (--within)",
            "en": "{n} rows outside {within} were left out (--within)",
        },
        "place.no_code": {
            "id": "tidak ada kode kelurahan (kolom kelurahan_code) maupun nama kelurahan (kolom {name}); diharapkan salah satunya",
            "en": "neither a kelurahan code (column kelurahan_code) nor a kelurahan name (column {name}); expected one of them",
        },
        "place.ambiguous": {
            "id": "nama kelurahan cocok dengan lebih dari satu wilayah; tulis kode Kemendagri-nya atau tambahkan kolom kecamatan/kota. Calon: {candidates}",
            "en": "the kelurahan name fits more than one place; give its Kemendagri code or add kecamatan/kota columns. Candidates: {candidates}",
        },
        "place.unknown_name": {
            "id": "nama kelurahan tidak ada di tabel kode Kemendagri (nama induk yang tidak cocok: {unmatched}); diharapkan nama resmi atau kode. Yang mirip: {candidates}",
            "en": "the kelurahan name is not in the Kemendagri code table (parent names that matched nothing: {unmatched}); expected an official name or a code. Closest: {candidates}",
        },
        "place.parent_ignored": {
            "id": "nama kelurahan tidak ada di {parent} yang disebut berkas; ditemukan di {found}",
            "en": "the kelurahan name is not in {parent} as the file says; found in {found}",
        },
        "place.near_name": {
            "id": "ejaan nama kelurahan berbeda dari tabel kode; dianggap {found}",
            "en": "the kelurahan name is spelled differently from the code table; taken as {found}",
        },
        "boundaries.other_level": {
            "id": "lapisan '{layer}' berisi poligon kecamatan, kota/kabupaten atau provinsi ({n} fitur); tidak diimpor (yang disimpan: kelurahan, RW, RT)",
            "en": "layer '{layer}' holds kecamatan, kota/kabupaten or provinsi polygons ({n} features); not imported (stored: kelurahan, RW, RT)",
        },
        "boundaries.no_unit": {
            "id": "poligon tingkat RW tanpa nomor RW (kosong, 0 atau nama kawasan), {area_m2} m²; tidak diimpor",
            "en": "an RW-level polygon without an RW number (empty, 0 or an area name), {area_m2} m²; not imported",
        },
        "boundaries.parts_joined": {
            "id": "{unit} digambar dalam beberapa baris yang tidak bertumpang tindih (baris {rows}); digabung menjadi satu poligon",
            "en": "{unit} is drawn in several rows that do not overlap (rows {rows}); joined into one polygon",
        },
        "place.outside_sliver": {
            "id": "{child} keluar dari {parent} seluas {area_m2} m², selebar {width_m} m (di bawah toleransi {tol_m} m)",
            "en": "{child} extends {area_m2} m² outside {parent}, {width_m} m wide (under the {tol_m} m tolerance)",
        },
        "place.overlap_sliver": {
            "id": "{a} dan {b} bertumpang tindih seluas {area_m2} m², selebar {width_m} m (di bawah toleransi {tol_m} m)",
            "en": "{a} and {b} overlap by {area_m2} m², {width_m} m wide (under the {tol_m} m tolerance)",
        },
        "place.overlap_neighbour": {
            "id": "kelurahan bertetangga {a} dan {b} bertumpang tindih seluas {area_m2} m², selebar {width_m} m",
            "en": "neighbouring kelurahan {a} and {b} overlap by {area_m2} m², {width_m} m wide",
        },
        "place.neighbour_slivers": {
            "id": "{n} tumpang tindih tipis antar-kelurahan bertetangga (tidak lebih lebar dari {tol_m} m), seluruhnya {area_m2} m²",
            "en": "{n} thin overlaps between neighbouring kelurahan (no wider than {tol_m} m), {area_m2} m² in all",
        },
        "place.neighbours_skipped": {
            "id": "tumpang tindih antar-kelurahan tidak diperiksa untuk {n} kelurahan sekaligus (batas {limit}); periksa per kota dengan 'petakampung validate boundaries BERKAS --within KODE'",
            "en": "overlaps between kelurahan were not checked for {n} kelurahan at once (limit {limit}); check a kota at a time with 'petakampung validate boundaries FILE --within CODE'",
        },
        "place.gap_rw": {
            "id": "{parent}: {area_m2} m² ({pct} %) tidak tercakup RW mana pun",
            "en": "{parent}: {area_m2} m² ({pct} %) is not covered by any RW",
        },
        "kumuh.location_unit": {
            "id": "lokasi ini satu RW/lingkungan/dusun utuh ({label}), bukan RT; dinilai sebagai lokasi tersendiri",
            "en": "this location is a whole RW/lingkungan/dusun ({label}), not an RT; scored as a location of its own",
        },
        "kumuh.location_area": {
            "id": "lokasi ini kawasan bernama ({label}) tanpa nomor RT; dinilai sebagai lokasi tersendiri, bukan RT",
            "en": "this location is a named area ({label}) with no RT number; scored as a location of its own, not an RT",
        },
        "kumuh.shares_fraction": {
            "id": "persentase terbitan (p_*) ditulis sebagai pecahan 0-1; dibaca ×100 untuk dibandingkan",
            "en": "the published percentages (p_*) are written as fractions 0-1; read ×100 for the comparison",
        },
        "kumuh.published_differs": {
            "id": "kriteria {criterion}: nilai terbitan {published}, hitungan petakampung {computed} (Permen PUPR 14/2018); yang dipakai hitungan petakampung",
            "en": "criterion {criterion}: published {published}, petakampung computes {computed} (Permen PUPR 14/2018); the computed value is used",
        },
        "import.skipped": {
            "id": "{n} baris bermasalah tidak diimpor (--skip-errors): baris {rows}; masalahnya tercantum di bawah",
            "en": "{n} rows with errors were left out (--skip-errors): rows {rows}; their problems are listed below",
        },
        "stage.hierarchy": {"id": "Memeriksa hierarki wilayah", "en": "Checking the hierarchy"},
        "level.provinsi": {"id": "provinsi", "en": "province"},
        "level.kota": {"id": "kabupaten/kota", "en": "regency/city"},
        "level.kecamatan": {"id": "kecamatan", "en": "district"},
        "level.kelurahan": {"id": "kelurahan/desa", "en": "kelurahan/village"},
        "wilayah.none": {
            "id": "tidak ada wilayah bernama '{name}' di tabel kode Kemendagri",
            "en": "no place named '{name}' in the Kemendagri code table",
        },
        "wilayah.more": {"id": "... dan {n} lagi (pakai --limit)", "en": "... and {n} more (use --limit)"},
        "wilayah.version": {"id": "Tabel kode: {version}", "en": "Code table: {version}"},
    }
)


def normalize_lang(lang: str | None) -> str:
    """Return a supported language code; anything unknown becomes the default (Indonesian)."""
    if not lang:
        return DEFAULT_LANG
    code = lang.strip().lower()[:2]
    return code if code in LANGS else DEFAULT_LANG


def t(code: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """Translate ``code`` into ``lang`` and fill in ``params``."""
    entry = MESSAGES.get(code) or HELP.get(code)
    if entry is None:
        return code
    template = entry.get(lang) or entry[DEFAULT_LANG]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


# --- command-line help ---------------------------------------------------------------------------
HELP: dict[str, dict[str, str]] = {
    "cli": {
        "id": "petakampung: peta dan perencanaan penanganan kampung kumuh dan kemiskinan.\n\n"
        "Data disimpan di satu berkas GeoPackage (--store, atau PETAKAMPUNG_STORE, "
        "bawaan ./petakampung.gpkg) yang dapat dibuka langsung di QGIS.",
        "en": "petakampung: maps and planning for kampung upgrading and poverty programmes.\n\n"
        "Data lives in one GeoPackage file (--store, or PETAKAMPUNG_STORE, default "
        "./petakampung.gpkg) that opens in QGIS as it is.",
    },
    "opt.store": {
        "id": "penyimpanan: berkas GeoPackage atau postgresql://USER@HOST:PORT/DB",
        "en": "the store: a GeoPackage file or postgresql://USER@HOST:PORT/DB",
    },
    "opt.lang": {
        "id": "bahasa keluaran: id (Bahasa Indonesia) atau en (English)",
        "en": "output language: id (Bahasa Indonesia) or en (English)",
    },
    "opt.help": {"id": "Tampilkan bantuan ini lalu keluar.", "en": "Show this message and exit."},
    "opt.crs": {
        "id": "CRS berkas yang tidak menyatakannya, mis. EPSG:32748",
        "en": "CRS of a file that does not declare one, e.g. EPSG:32748",
    },
    "opt.encoding": {
        "id": "encoding CSV yang bukan UTF-8, mis. cp1252",
        "en": "encoding of a non-UTF-8 CSV, e.g. cp1252",
    },
    "opt.kelurahan": {
        "id": "kode kelurahan Kemendagri, mis. 18.71.06.1012",
        "en": "Kemendagri kelurahan code, e.g. 18.71.06.1012",
    },
    "opt.format": {"id": "bentuk keluaran: table atau csv", "en": "output form: table or csv"},
    "opt.public": {
        "id": "versi publik: angka KK < k disembunyikan",
        "en": "public version: household counts < k suppressed",
    },
    "opt.output": {"id": "berkas keluaran", "en": "output file"},
    "opt.restricted": {
        "id": "--public (bawaan): hanya data yang boleh dibagikan (rumah tangga sebagai hitungan per RT yang "
        "disensor); --restricted: data lengkap TERBATAS (termasuk baris rumah tangga)",
        "en": "--public (default): only what may be shared (households as suppressed per-RT counts); "
        "--restricted: the full RESTRICTED data (household rows included)",
    },
    "opt.host": {"id": "alamat yang didengar server", "en": "address the server listens on"},
    "opt.port": {"id": "port server", "en": "server port"},
    "opt.data_dir": {"id": "folder data contoh", "en": "demo data folder"},
    "cmd.import": {
        "id": "Impor satu berkas atau lebih ke sebuah lapisan (GeoPackage, GeoJSON, GeoParquet, Shapefile ZIP, KML, "
        "CSV, XLSX). Semua masalah dilaporkan; bila ada kesalahan tidak ada yang disimpan.",
        "en": "Import one or more files into a layer (GeoPackage, GeoJSON, GeoParquet, zipped Shapefile, KML, CSV, "
        "XLSX). Every problem is reported; if there is any error nothing is saved.",
    },
    "opt.import_year": {
        "id": "tahun data untuk baris yang tidak menyebutkannya (berkas tanpa kolom tahun)",
        "en": "the year of rows that give none (a file without a year column)",
    },
    "opt.skip_errors": {
        "id": "baris yang salah dilewati (dicantumkan sebagai peringatan) dan sisanya diimpor",
        "en": "leave out the rows with errors (listed as warnings) and import the rest",
    },
    "arg.files": {"id": "BERKAS...", "en": "FILE..."},
    "arg.name": {"id": "NAMA", "en": "NAME"},
    "opt.layer": {
        "id": "hanya lapisan GeoPackage ini (boleh diulang), mis. --layer kelurahan_jakarta --layer rw_jakarta",
        "en": "only this GeoPackage layer (repeatable), e.g. --layer kelurahan_jakarta --layer rw_jakarta",
    },
    "opt.within": {
        "id": "hanya wilayah dengan kode Kemendagri berawalan ini: provinsi (33), kota (33.75) atau kecamatan (33.75.01)",
        "en": "only places whose Kemendagri code starts with this: provinsi (33), kota (33.75) or kecamatan (33.75.01)",
    },
    "opt.tolerance_m": {
        "id": "tumpang tindih dan celah tipis yang tidak lebih lebar dari ini (meter) hanya peringatan",
        "en": "overlaps and slivers no wider than this (metres) are warnings, not errors",
    },
    "cmd.wilayah": {"id": "Tabel kode wilayah Kemendagri.", "en": "The Kemendagri code table."},
    "cmd.wilayah_cari": {
        "id": "Cari kode wilayah dari namanya (atau nama dari kodenya), mis. 'petakampung wilayah cari Kaliawi Persada'.",
        "en": "Look up a place's code by its name (or its name by its code), e.g. 'petakampung wilayah cari Kaliawi Persada'.",
    },
    "opt.limit": {"id": "paling banyak sekian hasil", "en": "at most this many results"},
    "opt.detail": {
        "id": "rincian 16 kriteria setiap RT dalam satu tabel panjang (satu baris per RT dan kriteria)",
        "en": "every RT's 16-criterion breakdown in one long table (one row per RT and criterion)",
    },
    "cmd.validate": {
        "id": "Periksa berkas seperti impor, tanpa menyimpan apa pun.",
        "en": "Check a file as an import would, without saving anything.",
    },
    "cmd.export": {
        "id": "Ekspor lapisan ke .gpkg, .geojson atau .csv (publik kecuali --restricted).",
        "en": "Export a layer to .gpkg, .geojson or .csv (public unless --restricted).",
    },
    # cmd.indicators: geo/i18n_batch.py (with --all)
    "cmd.demo": {
        "id": "Muat data contoh (Kaliawi Persada dan Jatirangga) ke penyimpanan.",
        "en": "Load the demo data (Kaliawi Persada and Jatirangga) into the store.",
    },
    "cmd.map": {
        "id": "Tulis peta HTML mandiri sebuah kelurahan (--kelurahan) atau sebuah kota/kabupaten (--kota, "
        "petak vektor tertanam, paling besar 2 MB); bisa dibuka tanpa internet.",
        "en": "Write a stand-alone HTML map of a kelurahan (--kelurahan) or of a kota/kabupaten (--kota, vector "
        "tiles embedded, at most 2 MB); opens without internet.",
    },
    "opt.map_kota": {"id": "kode kota/kabupaten, mis. 18.71", "en": "kota/kabupaten code, e.g. 18.71"},
    "cmd.serve": {"id": "Jalankan situs web petakampung.", "en": "Start the petakampung web site."},
    "cmd.kelurahan": {"id": "Daftar kelurahan di penyimpanan.", "en": "List the kelurahan in the store."},
    "cmd.layers": {"id": "Daftar lapisan data dan tabelnya.", "en": "List the data layers and their tables."},
    "cmd.score": {
        "id": "Skor kumuh per RT (Permen PUPR 14/2018): sebelum dan sesudah pekerjaan selesai; --rt untuk rincian per kriteria.",
        "en": "Slum score per RT (Permen PUPR 14/2018): before and after completed works; --rt for the criterion breakdown.",
    },
    "cmd.rank": {
        "id": "Peringkat RT dan pilihan lokasi terbaik dalam anggaran, dengan alasan dan uji kepekaan bobot.",
        "en": "Rank RTs and choose the best sites within a budget, with reasons and a weight sensitivity check.",
    },
    "opt.rt": {
        "id": "satu RT, mis. 'RT 03 LK I': tampilkan rincian 16 kriteria",
        "en": "one RT, e.g. 'RT 03 LK I': show the 16-criterion breakdown",
    },
    "opt.budget": {"id": "anggaran dalam rupiah, mis. 1500000000", "en": "budget in rupiah, e.g. 1500000000"},
    "opt.weights": {
        "id": "bobot faktor, mis. kumuh=0.4,poverty=0.3,flood=0.2,population=0.1",
        "en": "factor weights, e.g. kumuh=0.4,poverty=0.3,flood=0.2,population=0.1",
    },
    "opt.ahp": {
        "id": "CSV matriks perbandingan berpasangan AHP (baris dan kolom = faktor)",
        "en": "CSV of an AHP pairwise comparison matrix (rows and columns = factors)",
    },
    "opt.hazard": {
        "id": "raster GeoTIFF bahaya/kedalaman banjir (bawaan: <hazard_dir>/<kode>_flood.tif bila ada)",
        "en": "GeoTIFF raster of flood hazard or depth (default: <hazard_dir>/<code>_flood.tif when present)",
    },
    "opt.threshold": {
        "id": "ambang raster (mis. kedalaman 0.5 m) untuk porsi luas terdampak",
        "en": "raster threshold (e.g. 0.5 m depth) for the affected area share",
    },
    "opt.all_land": {
        "id": "sertakan RT dengan status lahan tidak jelas atau tidak sesuai RTRW",
        "en": "include RTs with unclear land status or outside the spatial plan",
    },
    "opt.output_plan": {
        "id": "tulis hasil ke .csv atau .gpkg (dengan poligon RT)",
        "en": "write the result to .csv or .gpkg (with RT polygons)",
    },
    "score.summary": {
        "id": "Kelurahan {kelurahan_code} sebagai satu kawasan: skor {total_before} ({level_before}) sebelum pekerjaan, {total} ({level}) sesudahnya; kontribusi penanganan {kontribusi:.1%}; RT kumuh {rts_kumuh_before} -> {rts_kumuh}; lulus: {graduates} [{rule_id}]",
        "en": "Kelurahan {kelurahan_code} as one kawasan: score {total_before} ({level_before}) before the works, {total} ({level}) after; handling contribution {kontribusi:.1%}; slum RTs {rts_kumuh_before} -> {rts_kumuh}; graduates: {graduates} [{rule_id}]",
    },
    "opt.unit_costs": {
        "id": "CSV biaya satuan: kriteria,rupiah per satuan volume (mis. 2a,1100000)",
        "en": "CSV of unit costs: criterion,rupiah per unit of volume (e.g. 2a,1100000)",
    },
    "plan.chosen": {
        "id": "Terpilih {n} RT, biaya Rp {cost} dari anggaran Rp {budget}.",
        "en": "Chose {n} RTs costing Rp {cost} of a Rp {budget} budget.",
    },
    "plan.stable": {
        "id": "Pilihan tidak berubah bila satu bobot mana pun digeser 20 %.",
        "en": "The choice does not change when any one weight moves by 20%.",
    },
    "plan.sensitive": {
        "id": "Bobot '{factor}' {change}: pilihan berubah pada {rts}",
        "en": "Weight '{factor}' {change}: the choice changes for {rts}",
    },
    "plan.ahp_cr": {
        "id": "Bobot AHP: {weights}; rasio konsistensi CR = {cr:.3f}{warn}",
        "en": "AHP weights: {weights}; consistency ratio CR = {cr:.3f}{warn}",
    },
    "cmd.user": {
        "id": "Kelola akun: add, list, disable, passwd, token (hanya untuk administrator).",
        "en": "Manage accounts: add, list, disable, passwd, token (for administrators).",
    },
    "cmd.user_add": {
        "id": "Buat akun; kata sandi ditanyakan (atau --password-stdin).",
        "en": "Create an account; the password is asked for (or --password-stdin).",
    },
    "cmd.user_list": {"id": "Daftar akun (tanpa kata sandi).", "en": "List accounts (without passwords)."},
    "cmd.user_disable": {
        "id": "Nonaktifkan akun dan akhiri sesinya.",
        "en": "Disable an account and end its sessions.",
    },
    "cmd.user_passwd": {
        "id": "Ganti kata sandi akun dan akhiri sesinya.",
        "en": "Change an account's password and end its sessions.",
    },
    "opt.role": {"id": "peran: lkm, planner atau admin", "en": "role: lkm, planner or admin"},
    "opt.kota": {
        "id": "kode kota/kabupaten PP.KK untuk perencana, mis. 18.71",
        "en": "kota/kabupaten code PP.KK for a planner, e.g. 18.71",
    },
    "opt.password_stdin": {"id": "baca kata sandi dari masukan standar", "en": "read the password from standard input"},
    "prompt.password": {"id": "Kata sandi", "en": "Password"},
    "prompt.repeat": {"id": "Ulangi kata sandi", "en": "Repeat the password"},
    "cmd.report": {
        "id": "Tulis laporan kemajuan A4 (PDF) sebuah kelurahan: peta, daftar pekerjaan, Kurva S, foto.",
        "en": "Write an A4 progress report (PDF) of a kelurahan: map, works table, S-curve, photos.",
    },
    "opt.year": {
        "id": "paket tahun anggaran (bawaan: paket yang sedang berjalan)",
        "en": "fiscal-year package (default: the current one)",
    },
    "opt.all_years": {"id": "semua pekerjaan, semua tahun", "en": "every work, every year"},
    "report.done": {"id": "Laporan ditulis ke {path}", "en": "Report written to {path}"},
    "arg.layer": {"id": "LAPISAN", "en": "LAYER"},
    "arg.file": {"id": "BERKAS", "en": "FILE"},
    "heading.usage": {"id": "Pemakaian: ", "en": "Usage: "},
    "heading.options": {"id": "Opsi", "en": "Options"},
    "heading.commands": {"id": "Perintah", "en": "Commands"},
    "heading.error": {"id": "Kesalahan", "en": "Error"},
    "err.internal": {
        "id": "Terjadi kesalahan internal: {detail}. Jalankan ulang dengan PETAKAMPUNG_DEBUG=1 untuk rinciannya.",
        "en": "Internal error: {detail}. Run again with PETAKAMPUNG_DEBUG=1 for details.",
    },
}


MESSAGES.update(
    {k: v for k, v in HELP.items() if k.startswith(("err.", "plan.", "report.", "score.", "user.", "prompt."))}
)


def h(key: str, lang: str) -> str:
    """Help text for the command line."""
    entry = HELP[key]
    return entry.get(lang) or entry[DEFAULT_LANG]


# --- city-wide planning (issue 10): one budget across every kelurahan of a kota ---------------------
MESSAGES.update(
    {
        "kota.format": {
            "id": "kode kota/kabupaten harus berbentuk PP.KK (4 angka), mis. 18.71; diterima: '{value}'",
            "en": "a kota/kabupaten code must look like PP.KK (4 digits), e.g. 18.71; got '{value}'",
        },
        "kota.no_baseline": {
            "id": "belum ada kelurahan di {kota} yang punya baseline kumuh; impor lapisan 'kumuh' dulu",
            "en": "no kelurahan of {kota} has a slum baseline yet; import the 'kumuh' layer first",
        },
        "kota.no_eligible": {
            "id": "tidak ada RT yang memenuhi syarat di {kota} ({n} RT dinilai): semuanya di bawah skor kumuh 16 "
            "atau lahannya tidak jelas/tidak sesuai RTRW; coba tanpa saringan itu",
            "en": "no RT of {kota} is eligible ({n} RTs scored): all score below 16 or have unclear land or lie "
            "outside the spatial plan; try without those filters",
        },
        "kota.nothing_fits": {
            "id": "Anggaran {budget} lebih kecil dari biaya RT termurah yang memenuhi syarat ({cheapest}): "
            "tidak ada RT yang terpilih.",
            "en": "The budget of {budget} is smaller than the cheapest eligible RT ({cheapest}): no RT is chosen.",
        },
        "kota.chosen": {
            "id": "Terpilih {n} RT di {k} kelurahan, biaya {cost} dari anggaran {budget}.",
            "en": "Chose {n} RTs in {k} kelurahan costing {cost} of a {budget} budget.",
        },
        "kota.missing": {
            "id": "Tanpa baseline kumuh, tidak ikut dinilai: {names}",
            "en": "No slum baseline, left out: {names}",
        },
        "plan.budget_range": {
            "id": "anggaran harus angka rupiah lebih dari 0 dan paling banyak Rp {max}; diterima: '{value}'",
            "en": "the budget must be a number of rupiah above 0 and at most Rp {max}; got '{value}'",
        },
        "plan.time_limit": {
            "id": "batas waktu harus antara {low} dan {high} detik; diterima: '{value}'",
            "en": "the time limit must be between {low} and {high} seconds; got '{value}'",
        },
        "plan.solved_optimal": {
            "id": "Optimal (terbukti): knapsack eksak, {candidates} RT kandidat, {core} ditimbang satu per satu; "
            "waktu hitung {seconds} detik.",
            "en": "Optimal (proven): exact knapsack, {candidates} candidate RTs, {core} weighed one by one; "
            "solve time {seconds} s.",
        },
        "plan.solved_gap": {
            "id": "Batas waktu {limit} detik tercapai: pilihan terbaik yang ditemukan, paling jauh {gap} di bawah "
            "optimum (total prioritas {objective}, batas atas {bound}); waktu hitung {seconds} detik.",
            "en": "Time limit of {limit} s reached: the best choice found, at most {gap} below the optimum "
            "(total priority {objective}, upper bound {bound}); solve time {seconds} s.",
        },
        "plan.unproven": {
            "id": "Uji kepekaan berhenti di batas waktu (belum terbukti optimal) untuk: {runs}",
            "en": "The sensitivity runs stopped at the time limit (not proven optimal) for: {runs}",
        },
        "plan.one_place": {
            "id": "sebutkan tepat satu: --kelurahan KODE atau --kota PP.KK",
            "en": "give exactly one of --kelurahan CODE or --kota PP.KK",
        },
    }
)
HELP.update(
    {
        "opt.kota_rank": {
            "id": "satu anggaran untuk seluruh kelurahan sebuah kota/kabupaten PP.KK, mis. 18.71",
            "en": "one budget across every kelurahan of a kota/kabupaten PP.KK, e.g. 18.71",
        },
        "opt.time_limit": {
            "id": "batas waktu pencarian optimum dalam detik (bawaan 20); bila tercapai, selisihnya disebutkan",
            "en": "time limit of the search for the optimum in seconds (default 20); when reached, the gap is stated",
        },
        "opt.limit_rows": {
            "id": "tampilkan paling banyak N baris peringkat selain RT terpilih (bawaan 50; semua ada di -o)",
            "en": "show at most N ranking rows besides the chosen RTs (default 50; all of them go to -o)",
        },
    }
)
MESSAGES.update(
    {
        "kota.page_title": {"id": "Perencanaan kota: {kota_name}", "en": "City planning: {kota_name}"},
        "kota.page_intro": {
            "id": "Satu anggaran untuk seluruh {n} kelurahan di {kota_name}: RT dipilih yang memberi total prioritas "
            "terbesar dalam anggaran (knapsack eksak; skor kumuh Permen PUPR 14/2018; data publik). Bagian KK miskin "
            "yang disembunyikan diganti nilai tengah kota.",
            "en": "One budget across all {n} kelurahan of {kota_name}: the RTs chosen give the largest total "
            "priority within the budget (exact knapsack; Permen PUPR 14/2018 slum scores; public data). Suppressed "
            "poor-household shares are replaced by the city median.",
        },
        "kota.page_per_kelurahan": {"id": "Per kelurahan", "en": "Per kelurahan"},
        "kota.page_more": {
            "id": "{shown} dari {total} RT ditampilkan (semua RT terpilih dan peringkat teratas lainnya).",
            "en": "{shown} of {total} RTs shown (every chosen RT and the next in rank).",
        },
        "kota.page_csv": {"id": "Seluruh peringkat (CSV)", "en": "The whole ranking (CSV)"},
        "kota.page_sensitivity": {"id": "Uji kepekaan bobot (±20 %)", "en": "Weight sensitivity (±20%)"},
        "kota.page_kota_map": {"id": "Peta", "en": "Map of"},
        "kota.page_computing": {"id": "Menghitung…", "en": "Calculating…"},
        "kota.page_missing": {"id": "Tanpa baseline kumuh", "en": "No slum baseline"},
    }
)


# --- operations (issue 11): serve options, health, backup and restore, audit retention ------------
from geo.i18n_ops import OPS_HELP, OPS_MESSAGES  # noqa: E402  (messages kept in their own module)

MESSAGES.update(OPS_MESSAGES)
HELP.update(OPS_HELP)


# --- the PostGIS store and `petakampung db` ------------------------------------------------------
MESSAGES.update(
    {
        "store.pg_unreachable": {
            "id": "basis data {location} tidak dapat dihubungi ({detail}); periksa alamat, port, pengguna dan "
            "kata sandi (~/.pgpass atau PGPASSWORD)",
            "en": "cannot reach the database {location} ({detail}); check the host, port, user and password "
            "(~/.pgpass or PGPASSWORD)",
        },
        "store.pg_no_postgis": {
            "id": "ekstensi PostGIS tidak ada di basis data ini dan tidak dapat dipasang ({detail}); minta admin basis "
            "data menjalankan CREATE EXTENSION postgis",
            "en": "the PostGIS extension is missing from this database and cannot be installed ({detail}); ask the "
            "database administrator to run CREATE EXTENSION postgis",
        },
        "store.pg_denied": {
            "id": "peran basis data '{user}' tidak berhak atas tabel {table} ({detail}); situs publik memakai peran "
            "tanpa akses ke data rumah tangga, akun dan log audit: gunakan PETAKAMPUNG_STORE untuk itu",
            "en": "database role '{user}' has no right to table {table} ({detail}); the public site uses a role "
            "without access to households, accounts and the audit log: use PETAKAMPUNG_STORE for those",
        },
        "store.pg_no_role": {
            "id": "peran basis data '{role}' belum ada; buat dulu: CREATE ROLE {role} LOGIN PASSWORD '...'",
            "en": "database role '{role}' does not exist; create it first: CREATE ROLE {role} LOGIN PASSWORD '...'",
        },
        "store.needs_key": {
            "id": "penyimpanan PostGIS tidak punya folder untuk berkas kunci hash KK; setel PETAKAMPUNG_HASH_KEY "
            "atau PETAKAMPUNG_HASH_KEY_FILE (berkas mode 600, simpan bersama cadangan basis data)",
            "en": "a PostGIS store has no folder for the KK hash key file; set PETAKAMPUNG_HASH_KEY or "
            "PETAKAMPUNG_HASH_KEY_FILE (a mode 600 file, kept with the database backups)",
        },
        "store.needs_secret": {
            "id": "penyimpanan PostGIS tidak punya folder untuk rahasia sesi; setel PETAKAMPUNG_SECRET_KEY atau "
            "PETAKAMPUNG_SECRET_FILE",
            "en": "a PostGIS store has no folder for the session secret; set PETAKAMPUNG_SECRET_KEY or "
            "PETAKAMPUNG_SECRET_FILE",
        },
        "store.needs_file": {
            "id": "{location} adalah basis data, bukan berkas GeoPackage",
            "en": "{location} is a database, not a GeoPackage file",
        },
        "store.unavailable": {
            "id": "Basis data sedang tidak dapat dipakai; coba lagi sebentar lagi.",
            "en": "The database cannot be used right now; try again in a moment.",
        },
        "store.pg_bad_value": {
            "id": "nilai yang tidak muat di kolomnya (tabel {table}): {detail}",
            "en": "a value its column cannot hold (table {table}): {detail}",
        },
        "db.copy_not_empty": {
            "id": "tujuan {target} sudah berisi data (tabel {table}); salin hanya ke penyimpanan kosong",
            "en": "the target {target} already holds data (table {table}); copy into an empty store only",
        },
        "db.copied": {
            "id": "Disalin {rows} baris dalam {tables} tabel dari {source} ke {target}.",
            "en": "Copied {rows} rows in {tables} tables from {source} to {target}.",
        },
        "db.upgraded": {
            "id": "Skema {store} mutakhir (versi {version}).",
            "en": "The schema of {store} is up to date (version {version}).",
        },
        "db.granted": {
            "id": "Peran publik '{role}' hanya dapat membaca tabel publik.",
            "en": "The public role '{role}' can read the public tables only.",
        },
    }
)
HELP.update(
    {
        "cmd.db": {"id": "Skema dan salinan penyimpanan (GeoPackage, PostGIS).", "en": "Store schema and copies."},
        "cmd.db_upgrade": {
            "id": "Buat atau mutakhirkan skema penyimpanan (aman diulang); dengan PETAKAMPUNG_STORE_PUBLIC, beri "
            "peran publik hak baca tabel publik saja.",
            "en": "Create or upgrade the store's schema (safe to repeat); with PETAKAMPUNG_STORE_PUBLIC, let the "
            "public role read the public tables only.",
        },
        "cmd.db_copy": {
            "id": "Salin seluruh penyimpanan SRC ke DST yang kosong, baris demi baris (GeoPackage <-> PostGIS).",
            "en": "Copy the whole store SRC into the empty DST, row for row (GeoPackage <-> PostGIS).",
        },
        "opt.public_role": {
            "id": "peran basis data situs publik (bawaan: pengguna di PETAKAMPUNG_STORE_PUBLIC)",
            "en": "the public site's database role (default: the user of PETAKAMPUNG_STORE_PUBLIC)",
        },
    }
)

# --- OGC API Features core and API tokens (issue 12) --------------------------------------------
MESSAGES.update(
    {
        "req.datetime": {
            "id": "datetime '{value}' tidak sah; gunakan tanggal atau waktu RFC 3339 (2019-08-17, "
            "2019-08-17T00:00:00Z) atau selang (2019-01-01/2019-12-31, ../2019-12-31, 2019-01-01/..)",
            "en": "datetime '{value}' is not valid; use an RFC 3339 date or date-time (2019-08-17, "
            "2019-08-17T00:00:00Z) or an interval (2019-01-01/2019-12-31, ../2019-12-31, 2019-01-01/..)",
        },
        "req.limit_ogc": {
            "id": "limit harus bilangan bulat 1 atau lebih (di atas {max} dibaca {max})",
            "en": "limit must be a whole number, 1 or more (above {max} it is read as {max})",
        },
        "req.choice": {
            "id": "parameter '{name}': '{value}' tidak diterima; pilihan: {choices}",
            "en": "parameter '{name}': '{value}' is not accepted; choices: {choices}",
        },
        "ogc.not_found": {
            "id": "tidak ada sumber daya OGC API di '{path}'",
            "en": "there is no OGC API resource at '{path}'",
        },
        "ogc.public_description": {
            "id": "Data publik kampung: batas RT/RW, indikator RT (disamarkan), pekerjaan, kebun, fasilitas",
            "en": "Public kampung data: RT/RW boundaries, suppressed RT indicators, works, gardens, facilities",
        },
        "ogc.restricted_title": {
            "id": "petakampung: data terbatas (rumah tangga)",
            "en": "petakampung: restricted data (households)",
        },
        "ogc.restricted_description": {
            "id": "Titik rumah tangga dengan atributnya, hanya untuk perencana dan admin dalam wilayahnya. "
            "Masuk dengan token API: Authorization: Bearer TOKEN, atau HTTP Basic dengan nama pengguna dan token.",
            "en": "Household points with their attributes, for planners and admins within their area only. "
            "Sign in with an API token: Authorization: Bearer TOKEN, or HTTP Basic with the user name and the token.",
        },
        "ogc.households_title": {"id": "Rumah tangga (KK) bertitik GPS", "en": "Households (KK) with a GPS point"},
        "auth.token": {
            "id": "token API tidak sah, dicabut, atau akunnya nonaktif",
            "en": "the API token is not valid, was revoked, or its account is disabled",
        },
        "token.created": {
            "id": "Token API baru untuk '{username}' (token lama, bila ada, tidak berlaku lagi). Simpan sekarang: "
            "token ini tidak akan ditampilkan lagi.",
            "en": "A new API token for '{username}' (any earlier token no longer works). Keep it now: it will not "
            "be shown again.",
        },
        "token.revoked": {
            "id": "Token API '{username}' dicabut.",
            "en": "The API token of '{username}' was revoked.",
        },
    }
)
HELP.update(
    {
        "cmd.user_token": {
            "id": "Buat token API baru untuk akun (untuk QGIS/GDAL: Bearer atau kata sandi HTTP Basic); "
            "ditampilkan sekali saja. --revoke mencabutnya.",
            "en": "Make a new API token for an account (for QGIS/GDAL: Bearer, or the HTTP Basic password); "
            "shown once only. --revoke revokes it.",
        },
        "opt.revoke": {"id": "cabut token akun ini", "en": "revoke this account's token"},
    }
)

MESSAGES.update(
    {
        "roads.repeated": {
            "id": "garis jalan yang sama persis dengan baris {other} (tanpa id): disimpan sekali",
            "en": "the same road line as row {other} (no id): kept once",
        },
    }
)

# --- the national indicator batch (issue 11): indicators --all [--parallel] ---------------------
from geo.i18n_batch import BATCH_HELP, BATCH_MESSAGES  # noqa: E402  (messages kept in their own module)

MESSAGES.update(BATCH_MESSAGES)
HELP.update(BATCH_HELP)


# --- the planners' answers (issue 12): reasons, sensitivity in words ------------------------------
from geo.i18n_plan import PLAN_MESSAGES  # noqa: E402  (messages kept in their own module)

MESSAGES.update(PLAN_MESSAGES)


from geo.i18n_community import COMMUNITY_MESSAGES  # noqa: E402  (community layers' messages, own module)

MESSAGES.update(COMMUNITY_MESSAGES)


# --- issue 12: an upload sent after the session ended ----------------------------------------------------
MESSAGES.update(
    {
        "body.login_first": {
            "id": "kiriman ke '{path}' terlalu besar ({size}) untuk pengunjung yang belum masuk (batasnya {limit}); "
            "sesi Anda mungkin sudah berakhir: masuk lagi lalu kirim ulang",
            "en": "the request to '{path}' is too large ({size}) for a visitor who is not logged in (the limit is "
            "{limit}); your session may have ended: log in again and send it again",
        },
    }
)
