"""Messages of the planners' answers (issue 12): why each RT was or was not chosen, the weight
sensitivity in words, the planner pages.  Bahasa Indonesia and English; :mod:`geo.i18n` folds
them into its table."""

from __future__ import annotations

PLAN_MESSAGES: dict[str, dict[str, str]] = {
    "reason.chosen": {"id": "Terpilih: {why}", "en": "Chosen: {why}"},
    "reason.chosen_free": {
        "id": "Terpilih tanpa biaya (tidak ada volume yang perlu dibiayai): {why}",
        "en": "Chosen at no cost (no volume to pay for): {why}",
    },
    "reason.over_budget": {
        "id": "Biayanya melebihi seluruh anggaran: {cost} (anggaran {budget})",
        "en": "Costs more than the whole budget: {cost} (budget {budget})",
    },
    "reason.no_room": {
        "id": "Tidak muat di sisa anggaran: biayanya {cost}, sisa anggaran setelah RT terpilih {left}",
        "en": "Does not fit the remaining budget: it costs {cost}, {left} is left after the chosen RTs",
    },
    "reason.displaced": {
        "id": "Kombinasi yang lebih murah memberi total prioritas lebih besar: biayanya {cost}; {rts} "
        "(peringkat di bawahnya) bersama-sama memberi prioritas lebih besar dalam anggaran",
        "en": "A cheaper combination gives more total priority: it costs {cost}; {rts} (ranked below it) "
        "together give more priority within the budget",
    },
    "reason.more_rts": {"id": "dan {n} RT lain", "en": "and {n} more RTs"},
    "reason.zero_priority": {
        "id": "Prioritas 0: tidak ada faktor berbobot yang menaikkannya",
        "en": "Priority 0: no weighted factor raises it",
    },
    "reason.time_limit": {
        "id": "Muat di sisa anggaran ({left}), tetapi pencarian berhenti di batas waktu sebelum mencobanya",
        "en": "Fits the remaining budget ({left}), but the search stopped at the time limit before trying it",
    },
    "reason.excluded": {"id": "Tidak diberi peringkat, dikecualikan: {why}", "en": "Not ranked, excluded: {why}"},
    "reason.land_unclear": {"id": "status lahan tidak jelas", "en": "unclear land status"},
    "reason.land_other": {"id": "status lahan {value}", "en": "land status {value}"},
    "reason.land_rtrw": {"id": "tidak sesuai RTRW", "en": "outside the spatial plan (RTRW)"},
    "reason.other_filter": {"id": "saringan lain", "en": "another filter"},
    "reason.not_kumuh": {
        "id": "tidak kumuh (skor {score}/80, di bawah {min})",
        "en": "not kumuh (score {score}/80, below {min})",
    },
    "reason.poverty_hidden": {
        "id": "{label}: disembunyikan (kurang dari {k} KK), nilai tengah dipakai",
        "en": "{label}: suppressed (fewer than {k} households), the median was used",
    },
    "reason.poverty_hidden_nok": {
        "id": "{label}: disembunyikan (terlalu sedikit KK untuk diterbitkan), nilai tengah dipakai",
        "en": "{label}: suppressed (too few households to publish), the median was used",
    },
    "reason.rank_dash": {
        "id": "Peringkat \u201c-\u201d: RT tidak diberi peringkat karena dikecualikan oleh saringan "
        "(status lahan atau tidak kumuh); alasannya tertulis di barisnya.",
        "en": "Rank \u201c-\u201d: the RT is not ranked because a filter excludes it (land status or not kumuh); "
        "the reason is written in its row.",
    },
    "sens.enter_leave": {
        "id": "Bila bobot {factor} {direction} 20 %, {enter} masuk dan {leave} keluar.",
        "en": "If {factor} weighs 20% {direction}, {enter} {enter_verb} and {leave} {leave_verb}.",
    },
    "sens.enter": {
        "id": "Bila bobot {factor} {direction} 20 %, {enter} masuk.",
        "en": "If {factor} weighs 20% {direction}, {enter} {enter_verb}.",
    },
    "sens.leave": {
        "id": "Bila bobot {factor} {direction} 20 %, {leave} keluar.",
        "en": "If {factor} weighs 20% {direction}, {leave} {leave_verb}.",
    },
    "sens.up": {"id": "naik", "en": "more"},
    "sens.down": {"id": "turun", "en": "less"},
    "sens.and": {"id": "dan", "en": "and"},
    "sens.stable": {
        "id": "Pilihan tidak berubah bila satu bobot mana pun naik atau turun 20 %.",
        "en": "The choice stays the same when any one weight is 20% higher or lower.",
    },
    "sens.not_run": {
        "id": "Uji kepekaan belum dijalankan: tekan \u201cUji kepekaan\u201d.",
        "en": "The sensitivity test has not run yet: press \u201cTest sensitivity\u201d.",
    },
    "planner.run_sensitivity": {"id": "Uji kepekaan", "en": "Test sensitivity"},
    "planner.sensitivity_title": {"id": "Uji kepekaan bobot (\u00b120 %)", "en": "Weight sensitivity (\u00b120%)"},
    "planner.share_note": {
        "id": "Angka di samping penggeser adalah bagian efektif tiap bobot (jumlah semuanya 100 %).",
        "en": "The figure beside each slider is the weight's effective share (they add up to 100%).",
    },
    "planner.cost": {"id": "Biaya", "en": "Cost"},
    "planner.reason": {"id": "Alasan", "en": "Reason"},
    "planner.priority_legend": {"id": "Prioritas (0-1)", "en": "Priority (0-1)"},
    "planner.excluded_legend": {"id": "Tidak diberi peringkat", "en": "Not ranked"},
    "planner.chosen_legend": {"id": "RT terpilih", "en": "Chosen RTs"},
    "planner.none_chosen": {"id": "belum ada", "en": "none yet"},
    "planner.legend": {"id": "Keterangan", "en": "Legend"},
    "planner.computing": {"id": "Menghitung\u2026", "en": "Calculating\u2026"},
    "planner.sens_computing": {"id": "Menguji kepekaan\u2026", "en": "Testing the sensitivity\u2026"},
    "planner.rt_layer": {"id": "RT menurut prioritas", "en": "RTs by priority"},
    "planner.kelurahan_layer": {"id": "Batas kelurahan", "en": "Kelurahan boundary"},
}
