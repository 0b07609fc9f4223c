"""Messages of the operations commands and endpoints (serve options, health, backup, restore,
audit retention), in Bahasa Indonesia and English.  :mod:`geo.i18n` folds them into its tables."""

from __future__ import annotations

OPS_MESSAGES: dict[str, dict[str, str]] = {
    "serve.proxies_needed": {
        "id": "--proxy-headers perlu daftar proksi yang dipercaya: --forwarded-allow-ips 127.0.0.1 "
        "(atau PETAKAMPUNG_TRUSTED_PROXIES); tanpa itu setiap pengunjung dapat memilih alamatnya sendiri",
        "en": "--proxy-headers needs the proxies to believe: --forwarded-allow-ips 127.0.0.1 "
        "(or PETAKAMPUNG_TRUSTED_PROXIES); without them every visitor could choose their own address",
    },
    "health.ok": {"id": "penyimpanan dapat dibaca", "en": "the store is readable"},
    "health.store": {
        "id": "penyimpanan tidak dapat dibaca; lihat log server",
        "en": "the store cannot be read; see the server log",
    },
    "backup.done": {
        "id": "Cadangan ditulis ke {path} ({size} MB): {what}. Simpan terenkripsi: isinya data terbatas.",
        "en": "Backup written to {path} ({size} MB): {what}. Keep it encrypted: it holds restricted data.",
    },
    "backup.exists": {
        "id": "{path} sudah ada; pilih nama lain atau hapus dulu",
        "en": "{path} already exists; choose another name or remove it first",
    },
    "backup.no_store": {"id": "tidak ada penyimpanan di {path}", "en": "there is no store at {path}"},
    "backup.integrity": {
        "id": "salinan gagal diperiksa (PRAGMA integrity_check: {detail}); cadangan tidak ditulis",
        "en": "the copy failed its check (PRAGMA integrity_check: {detail}); no backup was written",
    },
    "backup.pg_tool_missing": {
        "id": "{tool} tidak ditemukan; pasang paket postgresql-client (versi sama atau lebih baru dari servernya) "
        "atau setel PETAKAMPUNG_PG_BIN",
        "en": "{tool} was not found; install the postgresql-client package (the server's version or newer) or set "
        "PETAKAMPUNG_PG_BIN",
    },
    "backup.pg_failed": {
        "id": "{tool} gagal pada {location}: {detail}; tidak ada yang diubah",
        "en": "{tool} failed on {location}: {detail}; nothing was changed",
    },
    "restore.exists_db": {
        "id": "basis data {location} sudah berisi penyimpanan petakampung; 'restore' tidak menimpanya tanpa --force "
        "(dengan --force isinya diganti dalam satu transaksi)",
        "en": "the database {location} already holds a petakampung store; 'restore' does not replace it without "
        "--force (with --force its contents are replaced in one transaction)",
    },
    "restore.exists": {
        "id": "{path} sudah ada; 'restore' tidak menimpa tanpa --force (dengan --force berkas lama disimpan "
        "sebagai {path}.sebelum-pulih-<waktu>)",
        "en": "{path} already exists; 'restore' does not overwrite it without --force (with --force the old file "
        "is kept as {path}.sebelum-pulih-<time>)",
    },
    "restore.not_backup": {
        "id": "{path} bukan cadangan petakampung ({detail})",
        "en": "{path} is not a petakampung backup ({detail})",
    },
    "restore.kind": {
        "id": "cadangan ini dari penyimpanan {kind}, bukan {store}; pulihkan ke penyimpanan {kind}",
        "en": "this backup is of a {kind} store, not {store}; restore it into a {kind} store",
    },
    "restore.done": {
        "id": "Dipulihkan ke {path}: {what}. Hentikan dan jalankan lagi situsnya bila sedang berjalan.",
        "en": "Restored into {path}: {what}. Stop and start the site again if it is running.",
    },
    "restore.key_conflict": {
        "id": "{path} sudah ada dengan isi lain; dengan --force berkas itu diganti (yang lama disimpan sebagai "
        "{path}.sebelum-pulih-<waktu>)",
        "en": "{path} already exists with other contents; with --force it is replaced (the old one is kept as "
        "{path}.sebelum-pulih-<time>)",
    },
    "backup.what_store": {"id": "penyimpanan", "en": "the store"},
    "backup.what_key": {"id": "kunci KK ({name})", "en": "the household key ({name})"},
    "backup.what_secret": {"id": "rahasia sesi ({name})", "en": "the session secret ({name})"},
    "audit.pruned": {
        "id": "{n} catatan audit sebelum {date} kini hanya menyimpan kunci dan nama kolom yang berubah",
        "en": "{n} audit entries before {date} now keep only keys and the names of changed fields",
    },
    "audit.date": {
        "id": "tanggal harus berbentuk TTTT-BB-HH, mis. 2026-01-31; diterima '{value}'",
        "en": "the date must look like YYYY-MM-DD, e.g. 2026-01-31; got '{value}'",
    },
}

OPS_HELP: dict[str, dict[str, str]] = {
    "opt.workers": {
        "id": "jumlah proses server (PETAKAMPUNG_WORKERS, bawaan 1); batas login dan sesi berlaku di semuanya",
        "en": "server processes (PETAKAMPUNG_WORKERS, default 1); the login limit and sessions hold across them",
    },
    "opt.proxy_headers": {
        "id": "percayai X-Forwarded-For/-Proto dari proksi di --forwarded-allow-ips "
        "(--no-proxy-headers: tidak dari siapa pun)",
        "en": "believe X-Forwarded-For/-Proto from the proxies in --forwarded-allow-ips "
        "(--no-proxy-headers: from nobody)",
    },
    "opt.forwarded_allow_ips": {
        "id": "alamat atau jaringan proksi yang dipercaya, dipisah koma (sama dengan PETAKAMPUNG_TRUSTED_PROXIES)",
        "en": "comma-separated addresses or networks of trusted proxies (the same as PETAKAMPUNG_TRUSTED_PROXIES)",
    },
    "opt.root_path": {
        "id": "sub-jalur situs di belakang proksi, mis. /petakampung (PETAKAMPUNG_ROOT_PATH)",
        "en": "the site's sub-path behind a proxy, e.g. /petakampung (PETAKAMPUNG_ROOT_PATH)",
    },
    "cmd.backup": {
        "id": "Cadangkan penyimpanan saat situs tetap berjalan: GeoPackage disalin dengan API cadangan SQLite "
        "(konsisten walau sedang ditulisi) dan dibungkus dalam satu arsip tar bersama berkas .key dan .secret "
        "(mode 600). PostgreSQL: pg_dump format custom.",
        "en": "Back the store up while the site keeps running: the GeoPackage is copied with SQLite's backup API "
        "(consistent while it is being written) and packed into one tar archive with the .key and .secret files "
        "(mode 600). PostgreSQL: pg_dump custom format.",
    },
    "cmd.restore": {
        "id": "Pulihkan cadangan dari 'petakampung backup' (penyimpanan, kunci KK, rahasia sesi). Tidak menimpa "
        "tanpa --force.",
        "en": "Restore a backup made by 'petakampung backup' (the store, the household key, the session secret). "
        "Does not overwrite without --force.",
    },
    "opt.backup_output": {"id": "berkas cadangan (.tar)", "en": "backup file (.tar)"},
    "opt.force": {
        "id": "timpa penyimpanan yang ada (yang lama disimpan sebagai *.sebelum-pulih)",
        "en": "overwrite the existing store (the old one is kept as *.sebelum-pulih)",
    },
    "cmd.audit": {"id": "Log audit: retensi.", "en": "The audit log: retention."},
    "cmd.audit_prune": {
        "id": "Catatan audit sebelum TANGGAL hanya menyimpan siapa, kapan, tabel, kunci dan nama kolom yang "
        "berubah; salinan baris dihapus.",
        "en": "Audit entries before DATE keep only who, when, the table, the key and the names of the changed "
        "fields; their copies of rows are removed.",
    },
    "opt.before": {"id": "tanggal TTTT-BB-HH", "en": "date YYYY-MM-DD"},
}
