"""Messages of the national indicator batch (``petakampung indicators --all [--parallel]``), in
Bahasa Indonesia and English.  :mod:`geo.i18n` folds them into its tables."""

from __future__ import annotations

BATCH_MESSAGES: dict[str, dict[str, str]] = {
    "batch.scheduler_unreachable": {
        "id": "penjadwal dask {address} tidak dapat dihubungi ({detail}); periksa alamatnya (tcp://HOST:8786) dan "
        "bahwa dask-scheduler berjalan. Penyimpanan tidak berubah.",
        "en": "cannot reach the dask scheduler {address} ({detail}); check the address (tcp://HOST:8786) and that "
        "dask-scheduler is running. The store is unchanged.",
    },
    "batch.no_rt": {
        "id": "tidak ada RT di penyimpanan; impor batas wilayah (RT) dulu",
        "en": "the store holds no RT; import the boundaries (RT) first",
    },
    "batch.options": {
        "id": "pilih satu: --kelurahan KODE (satu kelurahan) atau --all (semua); --parallel, --workers dan "
        "--scheduler hanya berlaku dengan --all",
        "en": "choose one: --kelurahan CODE (one kelurahan) or --all (every one); --parallel, --workers and "
        "--scheduler only apply with --all",
    },
    "batch.start": {
        "id": "Menghitung indikator RT {kelurahan} kelurahan dalam {kota} kota/kabupaten: {how}.",
        "en": "Computing the RT indicators of {kelurahan} kelurahan in {kota} kota/kabupaten: {how}.",
    },
    "batch.single": {"id": "satu proses, kota demi kota", "en": "one process, kota by kota"},
    "batch.local": {
        "id": "dask LocalCluster dengan {workers} pekerja di mesin ini",
        "en": "a dask LocalCluster of {workers} workers on this machine",
    },
    "batch.remote": {"id": "klaster dask {address}", "en": "the dask cluster {address}"},
    "batch.partition_ok": {
        "id": "{kota}: {rows} RT ({inserted} baru, {updated} berubah, {unchanged} sama)",
        "en": "{kota}: {rows} RT ({inserted} new, {updated} changed, {unchanged} unchanged)",
    },
    "batch.partition_failed": {
        "id": "{kota}: GAGAL, kota ini tidak berubah di penyimpanan: {error}",
        "en": "{kota}: FAILED, this kota is unchanged in the store: {error}",
    },
    "batch.done": {
        "id": "Selesai dalam {seconds} detik: {rows} RT dari {ok} kota/kabupaten di tabel rt_indicators "
        "(data terbatas: jumlah KK tanpa penyembunyian).",
        "en": "Done in {seconds} s: {rows} RT of {ok} kota/kabupaten in table rt_indicators "
        "(restricted data: household counts not suppressed).",
    },
    "batch.failed": {
        "id": "{n} kota/kabupaten gagal dan tidak berubah; jalankan lagi untuk mengulanginya (yang sudah benar "
        "tidak ditulis ulang).",
        "en": "{n} kota/kabupaten failed and are unchanged; run again to retry them (rows already right are not "
        "rewritten).",
    },
}

BATCH_HELP: dict[str, dict[str, str]] = {
    "cmd.indicators": {
        "id": "Indikator per RT: KK, KK miskin, jalan, drainase, sumur, kebun, fasilitas. Dengan --all: semua "
        "kelurahan, kota demi kota, ditulis ke tabel rt_indicators.",
        "en": "Indicators per RT: households, poor households, roads, drainage, wells, gardens, facilities. With "
        "--all: every kelurahan, kota by kota, written to table rt_indicators.",
    },
    "opt.all": {
        "id": "semua kelurahan di penyimpanan, satu transaksi per kota/kabupaten, hasil ke tabel rt_indicators",
        "en": "every kelurahan in the store, one transaction per kota/kabupaten, results in table rt_indicators",
    },
    "opt.parallel": {
        "id": "hitung kota-kota secara paralel dengan dask.distributed (hasilnya sama persis)",
        "en": "compute the kota in parallel on dask.distributed (exactly the same results)",
    },
    "opt.dask_workers": {
        "id": "jumlah pekerja dask lokal (bawaan 2; diabaikan dengan --scheduler)",
        "en": "local dask workers (default 2; ignored with --scheduler)",
    },
    "opt.scheduler": {
        "id": "alamat penjadwal dask klaster, mis. tcp://10.0.0.5:8786 (PETAKAMPUNG_DASK_SCHEDULER); "
        "tanpa ini: LocalCluster di mesin ini",
        "en": "address of a dask cluster's scheduler, e.g. tcp://10.0.0.5:8786 (PETAKAMPUNG_DASK_SCHEDULER); "
        "without it: a LocalCluster on this machine",
    },
}
